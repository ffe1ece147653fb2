// pyproject.toml: the static versions it holds ([project].version, [tool.poetry].version) and,
// when the version is dynamic, where the build backend reads it from. smol-toml parses; the
// locator finds the token; the two must agree before the token is trusted.
import { parse } from 'smol-toml'
import { locateTomlStrings, type TomlStringLocation } from './toml-locate.ts'
import type { TokenMatch } from './types.ts'
import { HATCH_DEFAULT_PATTERN } from './python-file.ts'

/** A pointer from pyproject.toml to the file a backend reads a dynamic version from. */
export type VersionReference =
  /** A module attribute, `pkg.__version__`, read statically (setuptools `attr`, flit). */
  | { kind: 'attr'; reference: string; via: string }
  /** A file that holds just the version (setuptools `file`). */
  | { kind: 'file'; file: string; via: string }
  /** A file searched with a regex whose `version` group is the version (hatch, pdm). */
  | { kind: 'regex'; file: string; pattern: string; via: string }

export interface PyprojectVersionInfo {
  matches: TokenMatch[]
  /** `version` is listed in [project].dynamic. */
  dynamic: boolean
  references: VersionReference[]
  /** The VCS-based version provider in use (setuptools-scm, hatch-vcs, ...); no file holds the version. */
  scm?: string
  /** The `--match` glob of the provider's `git_describe_command`: the only tags it reads. */
  scmTagMatch?: string
  /** A dynamic version computed in a way no file edit can change, with why. */
  unsupported?: string
  /** setuptools' package-dir mapping, for resolving `attr` references. */
  packageDir: Record<string, string>
}

type Table = Record<string, unknown>

function table(value: unknown): Table | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Table) : undefined
}

function at(root: Table | undefined, ...path: string[]): unknown {
  let current: unknown = root
  for (const key of path) current = table(current)?.[key]
  return current
}

function stringAt(root: Table | undefined, ...path: string[]): string | undefined {
  const value = at(root, ...path)
  return typeof value === 'string' ? value : undefined
}

function locate(locations: readonly TomlStringLocation[], key: readonly string[], parsed: string): TomlStringLocation {
  const found = locations.find((l) => l.key.length === key.length && l.key.every((part, i) => part === key[i]))
  // A key the parser read but the scanner cannot pin down (e.g. a dotted key split across
  // tables) is refused rather than guessed at.
  if (!found || found.value !== parsed) {
    throw new Error(
      `cannot locate \`${key.join('.')}\` = "${parsed}" in the text to edit it; write it as \`version = "${parsed}"\` under its table`
    )
  }
  return found
}

const SCM_REQUIREMENTS =
  /^(setuptools[-_]scm|hatch[-_]vcs|versioningit|uv[-_]dynamic[-_]versioning|poetry[-_]dynamic[-_]versioning|dunamai)\b/i
const HATCH_SCM_SOURCES = new Set(['vcs', 'uv-dynamic-versioning', 'versioningit', 'dunamai'])

export function readPyproject(text: string): PyprojectVersionInfo {
  const data = parse(text) as Table
  const locations = locateTomlStrings(text)
  const info: PyprojectVersionInfo = { matches: [], dynamic: false, references: [], packageDir: {} }

  const project = table(data['project'])
  const projectVersion = stringAt(project, 'version')
  if (projectVersion !== undefined) {
    const found = locate(locations, ['project', 'version'], projectVersion)
    info.matches.push({ label: '[project].version', raw: projectVersion, start: found.start, end: found.end })
  }
  const dynamic = at(project, 'dynamic')
  info.dynamic = Array.isArray(dynamic) && dynamic.includes('version')

  // Poetry 1 keeps the version here; Poetry 2 reads [project] first and this only as a fallback,
  // so when both exist both are sources and must agree.
  const poetryVersion = stringAt(data, 'tool', 'poetry', 'version')
  if (poetryVersion !== undefined) {
    const found = locate(locations, ['tool', 'poetry', 'version'], poetryVersion)
    info.matches.push({ label: '[tool.poetry].version', raw: poetryVersion, start: found.start, end: found.end })
  }

  const packageDir = table(at(data, 'tool', 'setuptools', 'package-dir'))
  for (const [name, dir] of Object.entries(packageDir ?? {})) if (typeof dir === 'string') info.packageDir[name] = dir

  const tool = table(data['tool'])
  const requires = at(data, 'build-system', 'requires')
  const backend = stringAt(data, 'build-system', 'build-backend') ?? ''
  const requiresScm = Array.isArray(requires) && requires.some((r) => typeof r === 'string' && SCM_REQUIREMENTS.test(r))

  // setuptools: [tool.setuptools.dynamic] version = {attr = "pkg.__version__"} or {file = ...}.
  const setuptoolsVersion = table(at(tool, 'setuptools', 'dynamic', 'version'))
  if (setuptoolsVersion) {
    const via = '[tool.setuptools.dynamic] version'
    const attr = setuptoolsVersion['attr']
    const file = setuptoolsVersion['file']
    if (typeof attr === 'string') info.references.push({ kind: 'attr', reference: attr, via })
    else if (typeof file === 'string' || (Array.isArray(file) && file.length === 1 && typeof file[0] === 'string')) {
      info.references.push({ kind: 'file', file: typeof file === 'string' ? file : (file[0] as string), via })
    } else if (Array.isArray(file))
      info.unsupported = `${via} joins several files (${file.join(', ')}) into one version`
  }

  // hatch: [tool.hatch.version] path (+ pattern) with the default `regex` source, or a plugin.
  const hatchVersion = table(at(tool, 'hatch', 'version'))
  if (hatchVersion) {
    const source = typeof hatchVersion['source'] === 'string' ? hatchVersion['source'] : 'regex'
    const path = hatchVersion['path']
    const pattern = hatchVersion['pattern']
    if (HATCH_SCM_SOURCES.has(source)) info.scm = `hatch version source \`${source}\``
    else if (source === 'regex' && typeof path === 'string') {
      info.references.push({
        kind: 'regex',
        file: path,
        pattern: typeof pattern === 'string' && pattern ? pattern : HATCH_DEFAULT_PATTERN,
        via: '[tool.hatch.version] path'
      })
    } else if (source === 'code' || source === 'env') {
      info.unsupported = `[tool.hatch.version] source = "${source}" computes the version at build time`
    } else if (source !== 'regex') info.unsupported = `[tool.hatch.version] uses the version source plugin "${source}"`
  }

  // pdm-backend: [tool.pdm.version] source = "file" (path) or "scm".
  const pdmVersion = table(at(tool, 'pdm', 'version'))
  if (pdmVersion) {
    if (pdmVersion['source'] === 'scm') info.scm = '[tool.pdm.version] source = "scm"'
    else if (pdmVersion['source'] === 'file' && typeof pdmVersion['path'] === 'string') {
      info.references.push({
        kind: 'regex',
        file: pdmVersion['path'],
        pattern: HATCH_DEFAULT_PATTERN,
        via: '[tool.pdm.version] path'
      })
    }
  }

  // flit: a dynamic version is the module's __version__; the module is named after the project
  // unless [tool.flit.module] name says otherwise.
  if (info.dynamic && backend.startsWith('flit_core')) {
    const name = stringAt(tool, 'flit', 'module', 'name') ?? stringAt(project, 'name')?.replace(/[-.]/g, '_')
    if (name)
      info.references.push({ kind: 'attr', reference: `${name}.__version__`, via: 'flit (the module’s __version__)' })
  }

  if (!info.scm) {
    if (table(at(tool, 'setuptools_scm')) || table(at(tool, 'setuptools-scm'))) info.scm = '[tool.setuptools_scm]'
    else if (table(at(tool, 'versioningit'))) info.scm = '[tool.versioningit]'
    else if (at(tool, 'poetry-dynamic-versioning', 'enable') === true) info.scm = '[tool.poetry-dynamic-versioning]'
    else if (info.dynamic && info.references.length === 0 && requiresScm)
      info.scm = 'a VCS version plugin in [build-system] requires'
  }
  if (info.scm) info.scmTagMatch = describeMatch(tool)
  return info
}

/**
 * The tag glob of `git_describe_command --match <glob>` (setuptools-scm's option, also under
 * hatch-vcs's [tool.hatch.version.raw-options]): monorepo roots such as hatch's own use it to read
 * only their tags (`hatch-v*`), so a bump must read and make tags of that form too.
 */
function describeMatch(tool: Table | undefined): string | undefined {
  const command =
    at(tool, 'hatch', 'version', 'raw-options', 'git_describe_command') ??
    at(tool, 'setuptools_scm', 'git_describe_command') ??
    at(tool, 'setuptools-scm', 'git_describe_command')
  const argv = typeof command === 'string' ? command.split(/\s+/) : Array.isArray(command) ? command.map(String) : []
  for (const [index, arg] of argv.entries()) {
    if (arg === '--match' && argv[index + 1]) return argv[index + 1].replace(/^(['"])(.*)\1$/, '$2')
    if (arg.startsWith('--match=')) return arg.slice('--match='.length).replace(/^(['"])(.*)\1$/, '$2')
  }
  return undefined
}
