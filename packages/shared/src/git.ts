// Thin git operations over runCommand: argv arrays, no shell, and the push token only in the
// environment (never in argv, never in a remote URL on disk). Each function is one git call so
// callers can run the read-only ones side by side.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ActionError } from './errors.ts'
import { type CommandResult, outputTail, runCommand } from './exec.ts'
import { registerSecret } from './secrets.ts'
import { which } from './which.ts'

export interface GitRepo {
  /** Any directory inside the work tree. */
  cwd: string
  /** The remote to compare with and push to. */
  remote: string
  /** Added to every git call: prompts off, stall limits. */
  env: Record<string, string>
  /**
   * Added only to the calls that talk to the remote (ls-remote, fetch, push): the token header.
   * Local calls (commit, tag, status) run hooks and filters from the repository, which need no
   * credentials and must not see them.
   */
  remoteEnv: Record<string, string>
}

export interface GitIdentity {
  name: string
  email: string
}

export interface GitCallOptions {
  /** Echo the command and its output to the log; read-only queries stay quiet. */
  echo?: boolean
  ignoreReturnCode?: boolean
  env?: Record<string, string>
  /** The call talks to the remote, so it gets the repository's remote credentials. */
  remote?: boolean
}

/**
 * An HTTP transfer slower than 1 kB/s for a minute is a stalled one: git has no timeout of its
 * own, so a connection the network dropped silently would hold the job until its own timeout
 * (six hours by default). git reads these variables after its config, so they also override
 * http.lowSpeedLimit/lowSpeedTime there; a job that wants other limits sets the variables.
 */
const STALLED_TRANSFER = { GIT_HTTP_LOW_SPEED_LIMIT: '1000', GIT_HTTP_LOW_SPEED_TIME: '60' }

/** The stall limits git runs with for `repo`: bytes per second, seconds. */
export function stallLimits(repo: GitRepo): { bytesPerSecond: string; seconds: string } {
  const value = (name: keyof typeof STALLED_TRANSFER): string =>
    repo.env[name] ?? process.env[name] ?? STALLED_TRANSFER[name]
  return { bytesPerSecond: value('GIT_HTTP_LOW_SPEED_LIMIT'), seconds: value('GIT_HTTP_LOW_SPEED_TIME') }
}

export function gitRepo(cwd: string, options: { remote?: string; env?: Record<string, string> } = {}): GitRepo {
  const stalled = Object.fromEntries(
    Object.entries(STALLED_TRANSFER).filter(([name]) => process.env[name] === undefined)
  )
  // A git that wants to ask for a password on a runner would wait for ever.
  return {
    cwd,
    remote: options.remote ?? 'origin',
    env: { GIT_TERMINAL_PROMPT: '0', ...stalled, ...options.env },
    remoteEnv: {}
  }
}

let gitPath: string | undefined

/**
 * git's absolute path, looked up on PATH once rather than by every spawn: an action that starts
 * git a dozen times in a row feels a PATH search per call.
 */
function gitExecutable(): string {
  gitPath ??= which('git') ?? 'git'
  return gitPath
}

export async function git(
  repo: GitRepo,
  args: readonly string[],
  options: GitCallOptions = {}
): Promise<CommandResult> {
  return runCommand(gitExecutable(), args, {
    cwd: repo.cwd,
    env: { ...repo.env, ...(options.remote ? repo.remoteEnv : {}), ...options.env },
    silent: !options.echo,
    ignoreReturnCode: options.ignoreReturnCode
  })
}

/** Author and committer for commits and annotated tags, whatever the checkout's config says. */
export function identityEnv(identity: GitIdentity): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email
  }
}

/**
 * Environment that makes git send `token` as HTTP basic auth (user `x-access-token`, as GitHub
 * expects for installation and workflow tokens) to the remote's host, through git's
 * GIT_CONFIG_COUNT/KEY/VALUE variables: nothing lands in argv, .git/config or the remote URL.
 * The key is scoped to the remote's origin (`http.https://github.com/.extraheader`), the same
 * key actions/checkout persists, and an empty value first clears what checkout set there:
 * two Authorization headers make GitHub refuse the request. Undefined for non-HTTP remotes.
 */
export function tokenAuthEnv(
  remoteUrl: string,
  token: string,
  inherited: NodeJS.ProcessEnv = process.env
): Record<string, string> | undefined {
  let origin: string
  try {
    const url = new URL(remoteUrl)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
    origin = `${url.protocol}//${url.host}/`
  } catch {
    return undefined
  }
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64')
  registerSecret(token)
  registerSecret(basic)
  // Entries already passed this way (by the runner or the workflow) keep their slots.
  const base = Number.parseInt(inherited['GIT_CONFIG_COUNT'] ?? '0', 10) || 0
  const key = `http.${origin}.extraheader`
  const entries: Array<[string, string]> = [
    [key, ''],
    [key, `AUTHORIZATION: basic ${basic}`],
    // The calls that carry the header run no hooks (pre-push and reference-transaction hooks
    // would get it in their environment, and a hook the repository's code wrote can be
    // anything), check TLS whatever the repository's config says, and ask no credential helper.
    ['core.hooksPath', process.platform === 'win32' ? 'NUL' : '/dev/null'],
    ['http.sslVerify', 'true'],
    ['credential.helper', '']
  ]
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(base + entries.length) }
  entries.forEach(([name, value], i) => {
    env[`GIT_CONFIG_KEY_${base + i}`] = name
    env[`GIT_CONFIG_VALUE_${base + i}`] = value
  })
  return env
}

/** The checkout before a bump: where it is, what HEAD is, and what is uncommitted. */
export interface CheckoutState {
  topLevel: string
  /** Where the shared refs live (the main .git directory, also for a linked worktree). */
  commonDir: string
  sha: string
  /** The checked-out branch; undefined on a detached HEAD. */
  branch?: string
  /** Tracked files with uncommitted changes (staged or not); untracked files do not count. */
  dirty: string[]
}

/** Environment that moves git's repository discovery away from the directory walk. */
const DISCOVERY_ENV = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM'
]

/**
 * The nearest directory holding `.git` (a directory, or a file as in linked worktrees and
 * submodules), found the way git's own directory walk finds it.
 */
export function findWorkTreeRoot(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return current
    if (dirname(current) === current) return undefined
  }
}

/**
 * The top level and ref store of the repository holding `dir` when the layout is a plain `.git`
 * directory; undefined for every other layout (a `.git` file, or discovery steered by the
 * environment), which git answers.
 */
function plainRepositoryLayout(repo: GitRepo): { topLevel: string; commonDir: string } | undefined {
  if (DISCOVERY_ENV.some((name) => process.env[name] || repo.env[name])) return undefined
  const topLevel = findWorkTreeRoot(repo.cwd)
  if (topLevel === undefined || !statSync(join(topLevel, '.git')).isDirectory()) return undefined
  return { topLevel, commonDir: join(topLevel, '.git') }
}

async function repositoryLayout(repo: GitRepo): Promise<{ topLevel: string; commonDir: string } | Error> {
  const result = await git(repo, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir'], {
    ignoreReturnCode: true
  })
  const [topLevel, commonDir] = result.stdout.trim().split('\n')
  // Returned, not thrown: when git status fails too, its message is the one to report.
  if (result.exitCode !== 0 || !topLevel || !commonDir)
    return new Error(outputTail(result) || `git rev-parse exited with code ${result.exitCode}`)
  return { topLevel, commonDir }
}

/** Parses `git status --porcelain=v2 --branch -z`: HEAD's commit and branch, and changed paths. */
export function parseStatusV2(stdout: string): { sha?: string; branch?: string; dirty: string[] } {
  let sha: string | undefined
  let branch: string | undefined
  const dirty: string[] = []
  const fields = stdout.split('\0')
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i]
    if (entry.startsWith('# branch.oid ')) {
      const oid = entry.slice('# branch.oid '.length)
      if (oid !== '(initial)') sha = oid
    } else if (entry.startsWith('# branch.head ')) {
      const head = entry.slice('# branch.head '.length)
      if (head !== '(detached)') branch = head
    } else if (entry.startsWith('1 ') || entry.startsWith('u ')) {
      // `1 XY sub mH mI mW hH hI path`, `u XY sub m1 m2 m3 mW h1 h2 h3 path`: the path is last and
      // may hold spaces, so it is everything after the fixed fields.
      dirty.push(
        entry
          .split(' ')
          .slice(entry.startsWith('1 ') ? 8 : 10)
          .join(' ')
      )
    } else if (entry.startsWith('2 ')) {
      // `2 XY sub mH mI mW hH hI Xscore path`, then the original path as a field of its own.
      dirty.push(entry.split(' ').slice(9).join(' '))
      i++
    }
  }
  return { sha, branch, dirty }
}

/**
 * HEAD, its branch and the uncommitted changes, from one `git status --porcelain=v2 --branch`.
 * In the usual layout the repository is found in-process, so a bump starts one git process
 * instead of two before its commit; other layouts ask `git rev-parse` beside the status.
 */
export async function readCheckout(repo: GitRepo): Promise<CheckoutState> {
  const plain = plainRepositoryLayout(repo)
  const [status, layout] = await Promise.all([
    git(repo, ['status', '--porcelain=v2', '--branch', '--no-ahead-behind', '-z', '--untracked-files=no'], {
      ignoreReturnCode: true
    }),
    plain ?? repositoryLayout(repo)
  ])
  if (status.exitCode !== 0) {
    if (/not a git repository/i.test(status.stderr)) {
      throw new ActionError(`${repo.cwd} is not inside a git repository.`, {
        hint: 'run actions/checkout first, and point `working-directory` into the checkout'
      })
    }
    // A checkout owned by another user (a container job running as root over the runner's
    // workspace): git refuses it until it is marked safe.
    const unsafe = /dubious ownership in repository at '([^']+)'/.exec(status.stderr)
    if (unsafe) {
      throw new ActionError(`git refuses the checkout at ${unsafe[1]}: it belongs to another user than this job's.`, {
        hint: `run \`git config --global --add safe.directory ${unsafe[1]}\` in a step before this one (actions/checkout does this for its own steps only)`
      })
    }
    throw new ActionError(`Cannot read the checkout in ${repo.cwd}: ${outputTail(status, 3)}`, {
      hint: 'see the git message above'
    })
  }
  if (layout instanceof Error)
    throw new ActionError(`Cannot find the repository around ${repo.cwd}: ${layout.message}`, {
      hint: 'see the git message above'
    })
  const { sha, branch, dirty } = parseStatusV2(status.stdout)
  if (sha === undefined) {
    throw new ActionError(`HEAD in ${repo.cwd} has no commit yet.`, {
      hint: 'commit the project first; a bump goes on top of an existing commit'
    })
  }
  return { ...layout, sha, branch, dirty }
}

/**
 * A ref read straight from the files ref store (a loose file, else packed-refs): a few
 * microseconds instead of a process. `null` when this store is not one it can read (reftable,
 * or GIT_DIR and friends in the environment), so callers ask git instead.
 */
export function readRefFromFiles(commonDir: string, ref: string): string | undefined | null {
  if (process.env['GIT_DIR'] || process.env['GIT_COMMON_DIR'] || existsSync(join(commonDir, 'reftable'))) return null
  try {
    const loose = readFileSync(join(commonDir, ref), 'utf8').trim()
    return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(loose) ? loose : null
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return null
  }
  let packed: string
  try {
    packed = readFileSync(join(commonDir, 'packed-refs'), 'utf8')
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : null
  }
  for (const line of packed.split('\n')) {
    if (line.endsWith(` ${ref}`)) return line.slice(0, line.indexOf(' '))
  }
  return undefined
}

/** The object a local tag points at, or undefined; read from the ref files when `commonDir` is given. */
export async function localTag(repo: GitRepo, tag: string, commonDir?: string): Promise<string | undefined> {
  const fromFiles = commonDir === undefined ? null : readRefFromFiles(commonDir, `refs/tags/${tag}`)
  if (fromFiles !== null) return fromFiles
  const result = await git(repo, ['rev-parse', '-q', '--verify', `refs/tags/${tag}`], { ignoreReturnCode: true })
  return result.exitCode === 0 ? result.stdout.trim() : undefined
}

/** `git ls-remote` for exact refs: ref name -> object id, only the refs that exist. */
export async function lsRemote(repo: GitRepo, refs: readonly string[]): Promise<Map<string, string>> {
  const result = await git(repo, ['ls-remote', repo.remote, ...refs], { ignoreReturnCode: true, remote: true })
  if (result.exitCode !== 0) {
    throw new ActionError(
      `Cannot read the remote \`${repo.remote}\`: ${outputTail(result) || `exit code ${result.exitCode}`}`,
      {
        hint: 'check the remote URL and that the token (input `token`, or the checkout’s credentials) may read the repository'
      }
    )
  }
  const found = new Map<string, string>()
  for (const line of result.stdout.split('\n')) {
    const [sha, ref] = line.split('\t')
    if (sha && ref && refs.includes(ref)) found.set(ref, sha)
  }
  return found
}

/** Tags matching a glob, optionally only those reachable from `merged`. */
export async function listTags(repo: GitRepo, glob: string, merged?: string): Promise<string[]> {
  const result = await git(repo, ['tag', '--list', ...(merged ? ['--merged', merged] : []), glob])
  return result.stdout.split('\n').filter(Boolean)
}

export async function revParse(repo: GitRepo, rev: string): Promise<string> {
  return (await git(repo, ['rev-parse', '--verify', `${rev}^{commit}`])).stdout.trim()
}

/**
 * Whether git's configuration holds an HTTP header for some remote: where actions/checkout keeps
 * the job's token unless `persist-credentials: false` (in .git/config, or since v5 in a file it
 * includes, which `git config` reads too).
 */
export async function hasPersistedCredentials(repo: GitRepo): Promise<boolean> {
  const result = await git(repo, ['config', '--get-regexp', '^http\\..*\\.extraheader$'], { ignoreReturnCode: true })
  return result.exitCode === 0 && result.stdout.trim() !== ''
}

export async function remoteUrl(repo: GitRepo): Promise<string | undefined> {
  const result = await git(repo, ['remote', 'get-url', repo.remote], { ignoreReturnCode: true })
  return result.exitCode === 0 ? result.stdout.trim() : undefined
}

/**
 * Commits exactly `paths` with `message`, whatever else is staged (`git commit --only`);
 * untracked paths are added first.
 */
export async function commitPaths(
  repo: GitRepo,
  paths: readonly string[],
  message: string,
  identity: GitIdentity
): Promise<void> {
  const env = identityEnv(identity)
  const args = ['commit', '--quiet', '--only', '-m', message, '--', ...paths]
  const first = await git(repo, args, { env, echo: true, ignoreReturnCode: true })
  if (first.exitCode === 0) return
  // `--only` takes tracked paths only; a version file that is new to git needs an add first.
  if (/did not match any file/.test(first.stderr)) {
    await git(repo, ['add', '--', ...paths], { echo: true })
    await git(repo, args, { env, echo: true })
    return
  }
  throw new ActionError(`\`git commit\` failed: ${outputTail(first, 3)}`, {
    hint: 'a commit hook or signing setup may have refused the commit; see the log above'
  })
}

/** An annotated tag when `message` is given, else a lightweight one, on HEAD. */
export async function createTag(repo: GitRepo, tag: string, identity: GitIdentity, message?: string): Promise<void> {
  const args = message === undefined ? ['tag', tag] : ['tag', '-a', '-m', message, tag]
  await git(repo, args, { env: identityEnv(identity), echo: true })
}

export async function deleteLocalTag(repo: GitRepo, tag: string): Promise<void> {
  await git(repo, ['tag', '-d', tag], { ignoreReturnCode: true })
}

/** Fetches every tag of the remote (never overwriting a local tag that differs). */
export async function fetchTags(repo: GitRepo): Promise<void> {
  await git(repo, ['fetch', '--quiet', '--no-tags', repo.remote, 'refs/tags/*:refs/tags/*'], {
    echo: true,
    remote: true
  })
}

/**
 * Whether `ancestor` is reachable from `descendant`. With `unknownIsFalse`, a commit this clone
 * has never fetched (how a remote tip that moved past us looks before a fetch) gives false
 * rather than an error; any other git failure still throws.
 */
export async function isAncestor(
  repo: GitRepo,
  ancestor: string,
  descendant: string,
  options: { unknownIsFalse?: boolean } = {}
): Promise<boolean> {
  const result = await git(repo, ['merge-base', '--is-ancestor', ancestor, descendant], { ignoreReturnCode: true })
  if (result.exitCode > 1) {
    if (options.unknownIsFalse && /not a valid commit name|not a valid object|bad object/i.test(result.stderr))
      return false
    throw new ActionError(`\`git merge-base\` failed: ${result.stderr.trim()}`)
  }
  return result.exitCode === 0
}

/** Tags matching `glob` that point at `rev` (directly, or through an annotated tag). */
export async function tagsPointingAt(repo: GitRepo, rev: string, glob: string): Promise<string[]> {
  const result = await git(repo, ['tag', '--list', '--points-at', rev, glob])
  return result.stdout.split('\n').filter(Boolean)
}

/** Fetches `branch` into refs/remotes/<remote>/<branch> (and all tags, when asked); returns its tip. */
export async function fetchBranch(repo: GitRepo, branch: string, options: { tags?: boolean } = {}): Promise<string> {
  const tracking = `refs/remotes/${repo.remote}/${branch}`
  await git(
    repo,
    [
      'fetch',
      '--quiet',
      '--no-tags',
      repo.remote,
      `+refs/heads/${branch}:${tracking}`,
      ...(options.tags ? ['refs/tags/*:refs/tags/*'] : [])
    ],
    { echo: true, remote: true }
  )
  return revParse(repo, tracking)
}

/**
 * Moves HEAD (and the branch) to `commit`, updating the work tree but refusing, rather than
 * overwriting, local changes to files that differ (`git reset --keep`).
 */
export async function resetKeep(repo: GitRepo, commit: string): Promise<void> {
  await git(repo, ['reset', '--quiet', '--keep', commit], { echo: true })
}

export type PushRefStatus = 'ok' | 'up-to-date' | 'rejected' | 'remote-rejected' | 'atomic-failed'

export interface PushRef {
  /** The destination ref, e.g. refs/heads/main. */
  ref: string
  status: PushRefStatus
  /** git's own summary, e.g. `[rejected] (fetch first)`. */
  summary: string
}

export interface PushResult {
  ok: boolean
  refs: PushRef[]
  /** The remote moved (non-fast-forward) or already has a ref we are creating: worth fetching and retrying. */
  raced: boolean
  /** git's stderr tail when the push failed for another reason (auth, network, hooks). */
  error?: string
}

function refStatus(flag: string, summary: string): PushRefStatus {
  if (flag === '=') return 'up-to-date'
  if (flag !== '!') return 'ok'
  if (summary.includes('atomic push failed')) return 'atomic-failed'
  if (summary.includes('[remote rejected]')) return 'remote-rejected'
  return 'rejected'
}

/** Parses `git push --porcelain` lines: `<flag>\t<src>:<dst>\t<summary>`. */
export function parsePushPorcelain(stdout: string): PushRef[] {
  const refs: PushRef[] = []
  for (const line of stdout.split('\n')) {
    const match = /^(.)\t([^\t]*):([^\t]+)\t(.*)$/.exec(line)
    if (match) refs.push({ ref: match[3], status: refStatus(match[1], match[4]), summary: match[4].trim() })
  }
  return refs
}

/**
 * `git push --atomic`: either every ref updates or none does, so a tag never reaches the
 * remote without its commit. Never forced.
 */
export async function pushAtomic(repo: GitRepo, refspecs: readonly string[]): Promise<PushResult> {
  const result = await git(repo, ['push', '--atomic', '--porcelain', repo.remote, ...refspecs], {
    echo: true,
    ignoreReturnCode: true,
    remote: true
  })
  const refs = parsePushPorcelain(result.stdout)
  if (result.exitCode === 0) return { ok: true, refs, raced: false }
  // A race shows as a plain rejection (the remote moved or has the tag already) or, when two
  // pushes reach the server at once, as a failed ref lock inside the receiving end.
  const rejected = refs.filter((ref) => ref.status === 'rejected' || ref.status === 'remote-rejected')
  const raced =
    rejected.length > 0 &&
    rejected.every((ref) =>
      /fetch first|non-fast-forward|stale info|already exists|atomic transaction failed|cannot lock ref|incorrect old value/.test(
        ref.summary
      )
    )
  const error = outputTail(result, 3)
  return { ok: false, refs, raced, error }
}
