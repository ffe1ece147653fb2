// Finds every file that holds the project's version, the way the build backends themselves
// would find it, plus the conventional places a version is repeated (__version__ in the
// package, a VERSION file) and any files the caller names. The result is a flat list of
// tokens; agreement.ts decides whether they say the same thing and editor.ts rewrites them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { ActionError } from '../errors.ts'
import { isValidVersion } from '../pep440.ts'
import { readWholeFileVersion, findPatternVersions } from './plain-file.ts'
import {
  findAssignments,
  findComputedSetupPyVersion,
  findHatchVersion,
  findSetupPyRootPackageDirs,
  findSetupPyVersions,
  isGeneratedVersionFile
} from './python-file.ts'
import { readPyproject, type VersionReference } from './pyproject.ts'
import { readSetupCfgPackageDir, readSetupCfgVersion } from './setup-cfg.ts'
import { toSource, type TokenMatch, type VersionSource } from './types.ts'
import { realPath, resolvesInside } from '../paths.ts'
import { findUvLock, readUvLock } from './uv-lock.ts'
import { escapeRegExp } from './plain-file.ts'

/** A file the caller names, with an optional `{version}` search pattern. */
export interface ExtraFile {
  path: string
  pattern?: string
}

export interface DiscoverOptions {
  files?: readonly ExtraFile[]
  /** Paths may not leave this directory (the repository); default: the project directory. */
  root?: string
}

export interface Discovery {
  sources: VersionSource[]
  /**
   * Set when the version comes from git tags (setuptools-scm and friends) and no file holds it:
   * the provider, for messages. `sources` then holds only the caller's extra files.
   */
  scm?: string
  /** The only tags the provider reads (`git_describe_command --match`), when it says. */
  scmTagMatch?: string
  /** What was looked at and skipped, for the log. */
  notes: string[]
  /**
   * Places that record the version but follow the sources (the project's own entry in uv.lock):
   * rewritten with them, never compared with them.
   */
  followers: VersionSource[]
}

/** The `__version__` files the issue tracker and PyPA guides name, in a package's top directory. */
const VERSION_MODULES = ['__init__.py', '__about__.py', '_version.py', '__version__.py']
const NOT_PACKAGES = new Set([
  'tests',
  'test',
  'testing',
  'docs',
  'doc',
  'examples',
  'build',
  'dist',
  'venv',
  'node_modules',
  'site-packages'
])

const CONFIG_HINT = 'name the file holding the version in `files`, or fix the build configuration'

class Finder {
  readonly dir: string
  readonly root: string
  readonly sources: VersionSource[] = []
  readonly notes: string[] = []

  constructor(dir: string, root: string) {
    this.dir = dir
    this.root = root
  }

  display(path: string): string {
    return relative(this.dir, path).split(sep).join('/') || '.'
  }

  resolveInside(file: string, what: string): string {
    const path = resolve(this.dir, file)
    if (!resolvesInside(this.root, path)) {
      const real = realPath(path)
      throw new ActionError(
        `${what}: \`${file}\` is outside the repository${real === path ? '' : ` (it resolves to ${real})`}.`,
        { hint: 'use a path inside the repository, relative to `working-directory`' }
      )
    }
    return path
  }

  read(path: string, what: string): string {
    try {
      return readFileSync(path, 'utf8')
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'does not exist'
          : `cannot be read (${(error as Error).message})`
      throw new ActionError(`${what}: \`${this.display(path)}\` ${reason}.`, { hint: CONFIG_HINT })
    }
  }

  add(path: string, text: string, matches: readonly TokenMatch[]): void {
    // The version is edited in place, so a file that links out of the repository is refused
    // rather than followed (the write would land wherever the link points).
    if (matches.length > 0 && !resolvesInside(this.root, path)) {
      throw new ActionError(
        `\`${this.display(path)}\` holds the version but is a link to ${realPath(path)}, outside the repository, so it is not edited.`,
        { hint: 'replace the link with the file itself, or keep the version in a file inside the repository' }
      )
    }
    for (const match of matches) {
      if (this.sources.some((s) => s.path === path && s.start === match.start)) continue
      this.sources.push(toSource(path, this.display(path), text, match))
    }
  }

  has(path: string): boolean {
    return this.sources.some((s) => s.path === path)
  }

  /** setuptools' _find_module: `pkg.mod` under the package-dir mapping, as a .py file or package. */
  moduleFile(module: string, packageDir: Record<string, string>): string | undefined {
    const parts = module.split('.')
    const bases: string[] = []
    let names = parts
    if (parts[0] in packageDir) {
      const custom = packageDir[parts[0]].split('/')
      bases.push(join(this.dir, ...custom.slice(0, -1)))
      names = [custom[custom.length - 1], ...parts.slice(1)]
    } else if ('' in packageDir) bases.push(join(this.dir, packageDir['']))
    // Without a mapping setuptools' auto-discovery picks the src layout when there is one.
    else bases.push(this.dir, join(this.dir, 'src'))
    for (const base of bases) {
      const start = join(base, ...names)
      for (const candidate of [`${start}.py`, join(start, '__init__.py')]) if (existsSync(candidate)) return candidate
    }
    return undefined
  }

  followReference(reference: VersionReference, packageDir: Record<string, string>, from: string): void {
    const what = `${from} ${reference.via}`
    if (reference.kind === 'attr') {
      const dot = reference.reference.lastIndexOf('.')
      const module = dot === -1 ? '__init__' : reference.reference.slice(0, dot)
      const attribute = reference.reference.slice(dot + 1)
      const path = this.moduleFile(module, packageDir)
      if (!path) {
        throw new ActionError(
          `${what} reads \`${reference.reference}\`, but no module \`${module}\` was found under ${this.display(this.dir)}.`,
          {
            hint: CONFIG_HINT
          }
        )
      }
      const text = this.read(path, what)
      const matches = findAssignments(text, [attribute])
      if (matches.length === 0) {
        // Assigned from an expression (a tuple joined, a format string): no edit of any file,
        // `files` included, can set what it evaluates to.
        const computed = new RegExp(`^[ \\t]*${escapeRegExp(attribute)}[ \\t]*(?::[^=]*)?=`, 'm').test(text)
        throw new ActionError(
          computed
            ? `${what} reads \`${reference.reference}\`, and \`${this.display(path)}\` computes \`${attribute}\` (from a tuple or other code), which no file edit can set.`
            : `${what} reads \`${reference.reference}\`, but \`${this.display(path)}\` has no \`${attribute} = "..."\` string literal to edit.`,
          {
            hint: computed
              ? `make it a string literal, \`${attribute} = "1.2.3"\`, and derive any tuple from it (\`VERSION = tuple(int(part) for part in ${attribute}.split("."))\`)`
              : `assign ${attribute} a plain string literal, or ${CONFIG_HINT}`
          }
        )
      }
      this.add(
        path,
        text,
        matches.map((m) => ({ ...m, label: `${attribute} (${reference.via})` }))
      )
    } else if (reference.kind === 'file') {
      const path = this.resolveInside(reference.file, what)
      const text = this.read(path, what)
      const match = readWholeFileVersion(text, `whole file (${reference.via})`)
      if (!match)
        throw new ActionError(`${what}: \`${this.display(path)}\` must hold just the version on one line.`, {
          hint: CONFIG_HINT
        })
      this.add(path, text, [match])
    } else {
      const path = this.resolveInside(reference.file, what)
      const text = this.read(path, what)
      let match: TokenMatch | undefined
      try {
        match = findHatchVersion(text, reference.pattern)
      } catch (error) {
        throw new ActionError(`${what}: the version pattern cannot be used here (${(error as Error).message}).`, {
          hint: CONFIG_HINT
        })
      }
      if (!match)
        throw new ActionError(`${what}: no version found in \`${this.display(path)}\` with the backend's pattern.`, {
          hint: CONFIG_HINT
        })
      this.add(path, text, [{ ...match, label: reference.via }])
    }
  }

  /** `__version__` in the top directory of each package, flat or src layout. */
  /** `__version__` in the packages at the top, under src/, and under `packageDirs` (lib/). */
  conventionalModules(packageDirs: readonly string[]): void {
    const inside = packageDirs.map((dir) => resolve(this.dir, dir)).filter((dir) => resolvesInside(this.root, dir))
    const bases = [this.dir, join(this.dir, 'src'), ...inside]
    for (const base of [...new Set(bases)]) {
      let entries: string[]
      try {
        entries = readdirSync(base).sort()
      } catch {
        continue
      }
      for (const name of entries) {
        if (name.startsWith('.') || name.startsWith('_') || NOT_PACKAGES.has(name) || name.endsWith('.egg-info'))
          continue
        const packageDir = join(base, name)
        if (!existsSync(join(packageDir, '__init__.py'))) continue
        for (const module of VERSION_MODULES) {
          const path = join(packageDir, module)
          if (this.has(path) || !existsSync(path)) continue
          const text = readFileSync(path, 'utf8')
          // What setuptools-scm or hatch-vcs writes is an output of the tag, not a source.
          if (isGeneratedVersionFile(text)) {
            this.notes.push(`skipped ${this.display(path)}: generated by the build backend`)
            continue
          }
          const matches = findAssignments(text, ['__version__'])
          const valid = matches.filter((m) => isValidVersion(m.raw))
          if (valid.length < matches.length)
            this.notes.push(`skipped a __version__ in ${this.display(path)} that is not a PEP 440 version`)
          this.add(path, text, valid)
        }
      }
    }
  }

  extraFile(file: ExtraFile): void {
    const what = 'Input `files`'
    const path = this.resolveInside(file.path, what)
    const text = this.read(path, what)
    let matches: TokenMatch[]
    if (file.pattern !== undefined) {
      matches = findPatternVersions(text, file.pattern)
      if (matches.length === 0) {
        throw new ActionError(
          `${what}: the pattern \`${file.pattern}\` matches nothing in \`${this.display(path)}\`.`,
          {
            hint: 'write the text around the version exactly as it is in the file, with {version} where the version is'
          }
        )
      }
    } else {
      const name = path.split(sep).pop() ?? ''
      if (name === 'pyproject.toml') matches = readPyproject(text).matches
      else if (name === 'setup.cfg') {
        const version = readSetupCfgVersion(text)
        matches = version?.kind === 'static' ? [version.match] : []
      } else if (name === 'setup.py') matches = findSetupPyVersions(text)
      else if (name.endsWith('.py')) matches = findAssignments(text, ['__version__'])
      else matches = [readWholeFileVersion(text)].filter((m): m is TokenMatch => m !== undefined)
      if (matches.length === 0) {
        throw new ActionError(`${what}: found no version in \`${this.display(path)}\`.`, {
          hint: 'add a pattern after the path, e.g. `docs/conf.py: release = "{version}"`'
        })
      }
    }
    this.add(path, text, matches)
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** Finds and reads every version source of the Python project in `dir`. */
export function discoverVersionSources(dir: string, options: DiscoverOptions = {}): Discovery {
  const projectDir = resolve(dir)
  const finder = new Finder(projectDir, resolve(options.root ?? projectDir))
  let scm: string | undefined
  let scmTagMatch: string | undefined
  let unsupported: string | undefined
  // Where setuptools finds the packages besides the top and src/ (package_dir's '' entry).
  const packageDirs: string[] = []

  const pyprojectPath = join(projectDir, 'pyproject.toml')
  if (isFile(pyprojectPath)) {
    const text = readFileSync(pyprojectPath, 'utf8')
    let info
    try {
      info = readPyproject(text)
    } catch (error) {
      throw new ActionError(`pyproject.toml cannot be read: ${(error as Error).message.split('\n')[0]}`, {
        hint: 'fix the TOML syntax'
      })
    }
    finder.add(pyprojectPath, text, info.matches)
    for (const reference of info.references) finder.followReference(reference, info.packageDir, 'pyproject.toml')
    if (info.packageDir['']) packageDirs.push(info.packageDir[''])
    if (info.references.length === 0) {
      scm = info.scm
      scmTagMatch = info.scmTagMatch
      unsupported = info.unsupported
    }
    if (info.dynamic && info.references.length === 0 && !info.scm && !info.unsupported) {
      finder.notes.push(
        'pyproject.toml lists version as dynamic without a known provider; looking for __version__ and setup files'
      )
    }
  }

  const setupCfgPath = join(projectDir, 'setup.cfg')
  if (isFile(setupCfgPath)) {
    const text = readFileSync(setupCfgPath, 'utf8')
    const version = readSetupCfgVersion(text)
    const rootDir = readSetupCfgPackageDir(text)['']
    if (rootDir) packageDirs.push(rootDir)
    if (version?.kind === 'static') finder.add(setupCfgPath, text, [version.match])
    else if (version?.kind === 'attr') {
      finder.followReference(
        { kind: 'attr', reference: version.reference, via: '[metadata] version = attr:' },
        readSetupCfgPackageDir(text),
        'setup.cfg'
      )
    } else if (version?.kind === 'file') {
      if (version.files.length !== 1)
        unsupported = `setup.cfg [metadata] version = file: joins several files (${version.files.join(', ')})`
      else
        finder.followReference(
          { kind: 'file', file: version.files[0], via: '[metadata] version = file:' },
          {},
          'setup.cfg'
        )
    }
  }

  const setupPyPath = join(projectDir, 'setup.py')
  let setupPy: string | undefined
  if (isFile(setupPyPath)) {
    const text = readFileSync(setupPyPath, 'utf8')
    setupPy = text
    if (/\buse_scm_version\s*=/.test(text)) scm ??= 'setup.py use_scm_version'
    finder.add(setupPyPath, text, findSetupPyVersions(text))
    packageDirs.push(...findSetupPyRootPackageDirs(text))
  }

  finder.conventionalModules(packageDirs)

  const versionFile = join(projectDir, 'VERSION')
  if (isFile(versionFile) && !finder.has(versionFile)) {
    const text = readFileSync(versionFile, 'utf8')
    const match = readWholeFileVersion(text, 'whole file')
    if (match && isValidVersion(match.raw)) finder.add(versionFile, text, [match])
    else finder.notes.push('skipped VERSION: it does not hold just a PEP 440 version')
  }

  // With a VCS version provider the tag is the version: a `__version__` or placeholder found
  // beside it is generated or ignored by the backend, so only the caller's files are edited.
  if (scm && finder.sources.length > 0) {
    finder.notes.push(
      `the version comes from git tags (${scm}); ignored ${[...new Set(finder.sources.map((s) => s.file))].join(', ')}`
    )
    finder.sources.length = 0
  }

  for (const file of options.files ?? []) finder.extraFile(file)

  if (unsupported && !scm && finder.sources.length === 0) {
    throw new ActionError(`The version cannot be bumped by editing files: ${unsupported}.`, {
      hint: 'name the file that holds the version in `files`, or switch to a static version or a `path` source'
    })
  }
  const computed = setupPy === undefined ? undefined : findComputedSetupPyVersion(setupPy)
  if (!scm && finder.sources.length === 0 && computed) {
    // setup.py hands setup() a version that code makes (from a tuple, a file read at build
    // time): neither an edit nor `files` can set what it evaluates to.
    throw new ActionError(
      `setup.py passes \`version=${computed.name}\`, and \`${computed.name}\` comes from code (\`${computed.statement}\`), not from a string literal a bump can edit.`,
      {
        hint: `keep the version as a string literal and pass that on: \`${computed.name} = "1.2.3"\` in setup.py, or \`__version__ = "1.2.3"\` in the package with setup.cfg \`version = attr: <package>.__version__\`; derive any tuple from the string`
      }
    )
  }
  if (!scm && finder.sources.length === 0) {
    throw new ActionError(
      `No version found in ${projectDir}: looked for pyproject.toml [project].version / [tool.poetry].version and its dynamic sources, setup.cfg, setup.py, __version__ in the packages and a VERSION file.`,
      { hint: 'set `working-directory` to the project directory, or name the file holding the version in `files`' }
    )
  }
  return {
    sources: finder.sources,
    scm,
    scmTagMatch: scm ? scmTagMatch : undefined,
    notes: finder.notes,
    followers: lockFollowers(finder, projectDir, pyprojectPath)
  }
}

/** The project's own entries in the uv.lock that covers it (its own, or its workspace's). */
function lockFollowers(finder: Finder, projectDir: string, pyprojectPath: string): VersionSource[] {
  if (finder.sources.length === 0 || !isFile(pyprojectPath)) return []
  const lock = findUvLock(projectDir, finder.root)
  if (!lock) return []
  if (!resolvesInside(finder.root, lock)) {
    throw new ActionError(
      `\`${finder.display(lock)}\` records the version but is a link to ${realPath(lock)}, outside the repository, so it is not edited.`,
      { hint: 'replace the link with the file itself' }
    )
  }
  const { text, matches } = readUvLock(lock, readFileSync(pyprojectPath, 'utf8'))
  if (matches.length === 0) {
    finder.notes.push(`${finder.display(lock)} locks no entry of this project from its directory; left as it is`)
    return []
  }
  return matches.map((match) => toSource(lock, finder.display(lock), text, match))
}
