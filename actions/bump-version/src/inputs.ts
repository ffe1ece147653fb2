// Only light modules here: index.ts parses inputs before main.ts (git, file edits) loads, so a
// bad input fails in milliseconds with one line.
import { InputError } from '@release/shared/errors'
import { getBoolean, getEnum, getInteger, getList, getString, getVerbatimString } from '@release/shared/inputs'
import { registerSecret } from '@release/shared/secrets'
import {
  BUMP_KINDS,
  type BumpSpec,
  VersionError,
  bumpVersion,
  isBumpSpec,
  bumpKindOf,
  checkBumpValues,
  normalizeVersionInput
} from '@release/shared/pep440'
import type { ExtraFile } from '@release/shared/version-sources/discover'
import { refNameProblem } from '@release/shared/git-refs'
import { tagTemplateProblem } from '@release/shared/tag-template'

export interface Inputs {
  /** The bump kinds (one, or a release kind plus a pre-release kind); empty when `version` is set. */
  bump: BumpSpec[]
  /** An explicit target version, normalized; undefined when `bump` is set. */
  version?: string
  workingDirectory: string
  /** Projects (relative to working-directory) bumped together, each with its own version and tag; empty: working-directory's. */
  packages: string[]
  files: ExtraFile[]
  commit: boolean
  commitMessage: string
  tag: boolean
  /** The tag name with `{version}` (and, for several packages, `{name}`) in it, e.g. `v{version}`. */
  tagTemplate: string
  /** `tag-template` or `tag-prefix` was set; the default gives way to the tags a VCS provider reads. */
  tagTemplateGiven: boolean
  annotatedTag: boolean
  tagMessage: string
  push: boolean
  pushAttempts: number
  /** The branch to push to; undefined means the checked-out branch. */
  branch?: string
  gitUserName: string
  gitUserEmail: string
  token?: string
  dryRun: boolean
  allowDirty: boolean
  /** Send `token` to a plain-http remote other than loopback (off: refused). */
  allowInsecureHttp: boolean
  /** A workflow (file name or id) to start with workflow_dispatch on the pushed tag. */
  dispatchWorkflow?: string
  /** Its inputs, values as templates (`{new}`, `{tag}`, ...). */
  dispatchInputs: Record<string, string>
  /** For the GitHub API (the dispatch); only read when dispatchWorkflow is set. */
  githubToken?: string
  /** Ask the build backend for the version it builds before committing; `auto`: when no credential is in reach. */
  checkBuild: CheckBuildMode
  /** Interpreter for the backend check; undefined: python, else python3, from PATH. */
  python?: string
}

export const CHECK_BUILD_MODES = ['auto', 'true', 'false'] as const
export type CheckBuildMode = (typeof CHECK_BUILD_MODES)[number]

export const DEFAULT_COMMIT_MESSAGE = 'Bump version: {old} → {new}'
const PLACEHOLDERS = ['{old}', '{new}', '{version}', '{tag}', '{name}']

// A version that every accepted combination of bump kinds increases (release kinds, stable,
// pre-release, post and dev alike), so a trial bump of it fails only for combinations uv refuses.
const PROBE_VERSION = '1.0.0a1.dev1'

function getBump(): BumpSpec[] {
  const raw = getString('bump')
  if (!raw) return []
  const kinds = raw
    .split(/[\s,+]+/)
    .map((kind) => kind.toLowerCase())
    .filter(Boolean)
  const unknown = kinds.find((kind) => !isBumpSpec(kind))
  if (unknown !== undefined)
    throw new InputError(
      'bump',
      `"${unknown}" is not a bump kind`,
      `use one of ${BUMP_KINDS.join(', ')} (optionally with a number, as uv takes it: \`rc=3\`), or a release kind plus a pre-release kind such as \`minor, rc\``
    )
  try {
    checkBumpValues(kinds)
  } catch (error) {
    if (!(error instanceof VersionError)) throw error
    throw new InputError(
      'bump',
      `"${raw}": ${error.message}`,
      'write a number after `=`, e.g. `rc=3` (stable takes none)'
    )
  }
  try {
    // The combination, probed without the values (a value may well lower this probe version).
    bumpVersion(PROBE_VERSION, kinds.map(bumpKindOf))
  } catch (error) {
    if (!(error instanceof VersionError)) throw error
    throw new InputError(
      'bump',
      `"${raw}" is not an accepted combination (${error.message})`,
      'use one kind, or one of major/minor/patch plus one of alpha/beta/rc/dev'
    )
  }
  return kinds as BumpSpec[]
}

function getVersion(): string | undefined {
  const raw = getString('version')
  if (!raw) return undefined
  return normalizeVersionInput('version', raw, 'use a version such as 1.4.0, 2.0.0rc1 or 1.4.0.post1')
}

/** A template whose `{...}` placeholders are all from `allowed`. */
function getTemplate(name: string, defaultValue: string, allowed: readonly string[]): string {
  const value = getString(name, { default: defaultValue })
  const unknown = value.match(/\{[^{}]*\}/g)?.find((placeholder) => !allowed.includes(placeholder))
  if (unknown) throw new InputError(name, `the placeholder ${unknown} is not known`, `use ${allowed.join(', ')}`)
  return value
}

function getTagTemplate(packages: readonly string[], tag: boolean): { tagTemplate: string; tagTemplateGiven: boolean } {
  const template = getString('tag-template')
  // Empty means bare versions (1.2.3), as in publish-python: the reusable workflows pass one
  // `tag-prefix` to both, so both must read it the same way.
  const prefix = getVerbatimString('tag-prefix', 'v')
  if (template && prefix !== 'v') {
    throw new InputError(
      'tag-template',
      'is set together with a non-default `tag-prefix`',
      'set only one: `tag-template` (e.g. `shared-v{version}`) or `tag-prefix`'
    )
  }
  const chosen = template || `${prefix}{version}`
  const wrong = tagTemplateProblem(chosen)
  if (wrong) throw new InputError(template ? 'tag-template' : 'tag-prefix', wrong.problem, wrong.fix)
  if (tag && packages.length > 1 && !chosen.includes('{name}'))
    throw new InputError(
      'tag-template',
      `"${chosen}" has no {name}, so the ${packages.length} packages in \`packages\` would get the same tag`,
      'give each package its own tags, e.g. `tag-template: {name}-v{version}`'
    )
  return { tagTemplate: chosen, tagTemplateGiven: template !== '' || prefix !== 'v' }
}

function getFiles(): ExtraFile[] {
  return getList('files', { linesOnly: true }).map((line) => {
    // `path` or `path: pattern`; the first colon separates them (paths are relative, so no drive letters).
    const colon = line.indexOf(':')
    const path = (colon === -1 ? line : line.slice(0, colon)).trim()
    const pattern = colon === -1 ? undefined : line.slice(colon + 1).trim()
    if (!path)
      throw new InputError('files', `"${line}" has no path`, 'use `path` or `path: text with {version}`, one per line')
    if (pattern !== undefined && pattern.split('{version}').length !== 2) {
      throw new InputError(
        'files',
        `the pattern "${pattern}" for ${path} must contain {version} exactly once`,
        'use e.g. `docs/conf.py: release = "{version}"`'
      )
    }
    return pattern === undefined ? { path } : { path, pattern }
  })
}

function getDispatchInputs(): Record<string, string> {
  const inputs: Record<string, string> = {}
  for (const line of getList('dispatch-inputs', { linesOnly: true })) {
    const equals = line.indexOf('=')
    const name = equals === -1 ? '' : line.slice(0, equals).trim()
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name))
      throw new InputError(
        'dispatch-inputs',
        `"${line}" is not \`name=value\``,
        'write one `name=value` per line, e.g. `version={new}`'
      )
    const value = line.slice(equals + 1).trim()
    const unknown = value.match(/\{[^{}]*\}/g)?.find((placeholder) => !PLACEHOLDERS.includes(placeholder))
    if (unknown)
      throw new InputError(
        'dispatch-inputs',
        `the placeholder ${unknown} is not known`,
        `use ${PLACEHOLDERS.join(', ')}`
      )
    inputs[name] = value
  }
  return inputs
}

export function getInputs(): Inputs {
  const bump = getBump()
  const version = getVersion()
  if (bump.length > 0 && version !== undefined) {
    throw new InputError(
      'version',
      'is set together with `bump`',
      'set only one: `bump` (e.g. patch) or `version` (e.g. 1.4.0)'
    )
  }
  if (bump.length === 0 && version === undefined) {
    throw new InputError(
      'bump',
      'is empty and so is `version`',
      `set \`bump\` to one of ${BUMP_KINDS.join(', ')}, or \`version\` to an explicit version`
    )
  }
  const commit = getBoolean('commit', true)
  const tag = getBoolean('tag', true)
  const packages = getList('packages')
  const { tagTemplate, tagTemplateGiven } = getTagTemplate(packages, tag)
  const email = getString('git-user-email', { default: '41898282+github-actions[bot]@users.noreply.github.com' })
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(email))
    throw new InputError('git-user-email', `"${email}" is not an email address`, 'use e.g. ci@example.com')
  const branch = getString('branch') || undefined
  if (branch !== undefined) {
    const problem = refNameProblem(branch)
    if (problem)
      throw new InputError('branch', `"${branch}" ${problem}`, 'use a branch name such as main or release/1.x')
  }
  const token = getString('token') || undefined
  // Masked at birth: the runner masks repository secrets, but not a token another step minted.
  if (token) registerSecret(token)
  const push = getBoolean('push', true)
  const dispatchWorkflow = getString('dispatch-workflow') || undefined
  const dispatchInputs = getDispatchInputs()
  const githubToken = getString('github-token') || undefined
  if (githubToken) registerSecret(githubToken)
  if (dispatchWorkflow !== undefined) {
    if (!push)
      throw new InputError(
        'dispatch-workflow',
        'is set while `push` is false, so there would be nothing on GitHub to start it on',
        'set `push: true`, or leave `dispatch-workflow` empty'
      )
    if (!githubToken)
      throw new InputError(
        'github-token',
        'is empty, and `dispatch-workflow` needs a token for the GitHub API',
        'pass `github-token: ${{ github.token }}` (with `permissions: actions: write`) or another token that may start workflows'
      )
  } else if (Object.keys(dispatchInputs).length > 0) {
    throw new InputError(
      'dispatch-inputs',
      'is set without `dispatch-workflow`',
      'name the workflow to start in `dispatch-workflow`, e.g. publish.yml'
    )
  }
  return {
    bump,
    version,
    checkBuild: getEnum('check-build', CHECK_BUILD_MODES, 'auto'),
    python: getString('python') || undefined,
    workingDirectory: getString('working-directory', { default: '.' }),
    packages,
    files: getFiles(),
    commit,
    commitMessage: getTemplate('commit-message', DEFAULT_COMMIT_MESSAGE, PLACEHOLDERS),
    tag,
    tagTemplate,
    tagTemplateGiven,
    annotatedTag: getBoolean('annotated-tag', true),
    tagMessage: getTemplate('tag-message', 'Release {version}', PLACEHOLDERS),
    push,
    pushAttempts: getInteger('push-attempts', { default: 5, min: 1, max: 20 }),
    branch: branch?.replace(/^refs\/heads\//, ''),
    gitUserName: getString('git-user-name', { default: 'github-actions[bot]' }),
    gitUserEmail: email,
    token,
    dryRun: getBoolean('dry-run', false),
    allowDirty: getBoolean('allow-dirty', false),
    allowInsecureHttp: getBoolean('allow-insecure-http', false),
    dispatchWorkflow,
    dispatchInputs,
    githubToken
  }
}
