import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { constants } from 'node:os'
import { isAbsolute } from 'node:path'
import { ActionError } from './errors.ts'
import { PROXY_VARIABLE_NAMES } from './proxy-env.ts'
import { containsSecret } from './secrets.ts'
import { which } from './which.ts'
import { defuseLegacyCommands } from './workflow-commands.ts'

// The one way the actions start child processes: argv as an array (no shell, no quoting
// bugs), and secrets only through `env` or files. argv is visible to every process on the
// runner and echoed to the log, so a registered secret in it is refused outright.
//
// Processes start through node:child_process directly, echoed the way @actions/exec echoes them
// (`[command]...`, then the child's stdout and stderr, both on stdout so they stay inside their
// log group). The toolkit itself costs every run about 10 ms of module loading and a PATH search
// per call, which bump-version (held to 1.5x a shell script) cannot spare; it is still what runs
// Windows batch files (.cmd, .bat), whose arguments only it quotes correctly for cmd.exe.

export interface CommandOptions {
  cwd?: string
  /**
   * Added to (and overriding) the inherited environment, which has the credentials taken out
   * (see childEnvironment): the one way to hand a child the secret it needs.
   */
  env?: Record<string, string | undefined>
  /** Written to the child's stdin, e.g. a password for `login --password-stdin`. */
  input?: string
  /** Do not echo the child's output to the log (it is still captured). */
  silent?: boolean
  /** Resolve with the exit code instead of throwing on non-zero exit. */
  ignoreReturnCode?: boolean
  /**
   * Stop the child (SIGTERM, then SIGKILL 5 s later) once it has run this long; the result says
   * `timedOut`. Not enforced for Windows batch files, which the toolkit runs.
   */
  timeoutMs?: number
}

export interface CommandResult {
  exitCode: number
  stdout: string
  stderr: string
  /** The signal that ended the child, when one did (e.g. SIGKILL from the out-of-memory killer). */
  signal?: string
  /** The child was stopped because it ran longer than `timeoutMs`. */
  timedOut?: boolean
}

export function assertNoSecretInArgv(command: string, args: readonly string[]): void {
  if (containsSecret(command) || args.some((arg) => containsSecret(arg))) {
    throw new ActionError(`Refusing to run ${command}: a secret would appear in its command line.`, {
      hint: 'pass secrets through the environment or a 0600 file'
    })
  }
}

/**
 * What a child never inherits from this process: the action's inputs (passwords and tokens
 * among them), the runner's OIDC and cache/artifact tokens, AWS credentials, GitHub tokens,
 * index credentials, and the runner's file-command paths (a child appending NODE_OPTIONS to
 * GITHUB_ENV would run code in every later step). Children run third-party code (build backends
 * and their requirements, setup.py, pip, git hooks, Dockerfile steps); one that could read
 * ACTIONS_ID_TOKEN_REQUEST_* could mint an OIDC token and assume the publishing role. A child
 * that needs a credential gets it through `options.env`, by name.
 *
 * Defence in depth, not a wall: a child runs as the same user, and such code can still read
 * its parent's initial environment from /proc/<pid>/environ. The boundary is not running
 * third-party code in a job that holds credentials (build in one job, publish in another).
 */
export const WITHHELD_VARIABLES = new RegExp(
  '^(' +
    [
      'INPUT_.*',
      'STATE_.*',
      'ACTIONS_ID_TOKEN_REQUEST_(URL|TOKEN)',
      'ACTIONS_RUNTIME_(TOKEN|URL)',
      'ACTIONS_RESULTS_URL',
      'ACTIONS_CACHE_URL',
      'AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|SECURITY_TOKEN|WEB_IDENTITY_TOKEN_FILE|ROLE_ARN|ROLE_SESSION_NAME|PROFILE|SHARED_CREDENTIALS_FILE|CONFIG_FILE|CONTAINER_CREDENTIALS_.*|CONTAINER_AUTHORIZATION_TOKEN.*)',
      'GITHUB_(ENV|PATH|OUTPUT|STATE|STEP_SUMMARY)',
      'GITHUB_TOKEN',
      'GH_TOKEN',
      'NODE_AUTH_TOKEN',
      'SSH_AUTH_SOCK',
      'UV_INDEX_.*_PASSWORD',
      'GH_ENTERPRISE_TOKEN',
      'GITHUB_ENTERPRISE_TOKEN',
      'TWINE_PASSWORD',
      'UV_PUBLISH_(PASSWORD|TOKEN)',
      'POETRY_PYPI_TOKEN_.*',
      'POETRY_HTTP_BASIC_.*_PASSWORD',
      'PYPI_API_TOKEN',
      'CODEARTIFACT_AUTH_TOKEN'
    ].join('|') +
    ')$',
  'i'
)

/** A URL with a password in it (`https://aws:<token>@...`), as login steps export index URLs. */
const URL_WITH_PASSWORD = /:\/\/[^/@\s:]*:[^/@\s]+@/

/**
 * The environment a child starts with: this process's, less WITHHELD_VARIABLES, any variable
 * whose value holds a secret this process registered, and any URL carrying a password (an index
 * URL an earlier codeartifact-login step exported, whose token this process never saw), plus
 * the proxy variables (HTTPS_PROXY and the like) whatever they hold, plus
 * `extra` as given.
 */
export function childEnvironment(
  extra: CommandOptions['env'] = {},
  inherited: NodeJS.ProcessEnv = process.env
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(inherited)) {
    if (value === undefined || WITHHELD_VARIABLES.test(key)) continue
    // The proxy variables pass as they are, a proxy password included: pip, uv, twine and git
    // need them to reach anything, they are the runner's own settings (not a credential this
    // action minted or an index URL), and run-action.ts masked their credentials at start.
    if (!PROXY_VARIABLE_NAMES.includes(key) && (containsSecret(value) || URL_WITH_PASSWORD.test(value))) continue
    env[key] = value
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  return env
}

/**
 * An argv as echoed to the log: CR and LF shown as \r and \n, so that no argument (a commit
 * message, say) can start a line of its own, which the runner would read as a workflow command,
 * and the runner's older `##[command]` form, which it finds anywhere in a line, defused.
 */
export function echoedCommand(executable: string, args: readonly string[]): string {
  return defuseLegacyCommands([executable, ...args].join(' ').replace(/\r/g, '\\r').replace(/\n/g, '\\n'))
}

/** Prints captured output of a child (a tool's report, a failed build's log) inside a fence. */
export function printUntrusted(text: string): void {
  const fence = fencedEcho((chunk) => void process.stdout.write(chunk))
  fence.data(Buffer.from(text.endsWith('\n') ? text : `${text}\n`))
  fence.end()
}

/**
 * Echoes a child's output inside a `::stop-commands::<token>` ... `::<token>::` fence, so that
 * nothing it prints is read as a workflow command (a `::add-mask::`, a `::stop-commands::` of
 * its own that would switch off later masks, a forged `::error::`). The fence is opened and
 * closed around each batch of whole lines, never left open across an await: this process's own
 * commands (a mask registered meanwhile) must still reach the runner. The token is random and
 * never shown to the child, which therefore cannot close the fence.
 */
export function fencedEcho(write: (text: string) => void): { data(chunk: Buffer): void; end(): void } {
  const token = randomUUID()
  // A character split across two chunks is held back until its other bytes arrive.
  const decoder = new TextDecoder()
  let partial = ''
  const flush = (text: string): void => {
    if (text) write(`::stop-commands::${token}\n${text}${text.endsWith('\n') ? '' : '\n'}::${token}::\n`)
  }
  return {
    data(chunk) {
      const text = partial + decoder.decode(chunk, { stream: true })
      const end = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1
      partial = text.slice(end)
      flush(text.slice(0, end))
    },
    end() {
      flush(partial + decoder.decode())
      partial = ''
    }
  }
}

/** The last `lines` lines a command printed (stderr, else stdout), joined into one for a message. */
export function outputTail(result: Pick<CommandResult, 'stdout' | 'stderr'>, lines = 1): string {
  return (result.stderr.trim() || result.stdout.trim()).split('\n').filter(Boolean).slice(-lines).join(' | ')
}

/** The last line of `output` that mentions an error, else its last line: the reason a tool gave. */
export function errorLine(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
  return [...lines].reverse().find((line) => /error/i.test(line)) ?? lines.at(-1) ?? 'no output'
}

/** `text` without ANSI escape sequences (colours, cursor moves) that tools print. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
}

function checkExitCode(
  command: string,
  args: readonly string[],
  result: CommandResult,
  options: CommandOptions
): CommandResult {
  if (result.exitCode !== 0 && !options.ignoreReturnCode) {
    const detail = outputTail(result, 5)
    const ended = result.timedOut
      ? `was stopped after ${Math.round((options.timeoutMs ?? 0) / 1000)} s (its time limit)`
      : result.signal
        ? `was stopped by ${result.signal}`
        : `exited with code ${result.exitCode}`
    throw new ActionError(`\`${[command, ...args].join(' ')}\` ${ended}${detail ? `: ${detail}` : ''}`)
  }
  return result
}

/** How long output may keep arriving after the child exited (a grandchild holding its pipes), as the toolkit allows. */
const CLOSE_AFTER_EXIT_MS = 10_000

function spawnAndCapture(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const env = childEnvironment(options.env)
  // A bare name is looked up as the toolkit does, so the log names the file that ran; `which`
  // also skips relative PATH entries, which the system's own lookup would search.
  const executable = isAbsolute(command) ? command : (which(command, env) ?? command)
  const echo = !(options.silent ?? false)
  if (echo) process.stdout.write(`[command]${echoedCommand(executable, args)}\n`)
  return new Promise<CommandResult>((resolve, reject) => {
    const child = spawn(executable, [...args], { cwd: options.cwd, env, stdio: 'pipe', windowsHide: true })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    // stdout and stderr each fenced on their own: a line may arrive in pieces on either.
    const write = (text: string): void => void process.stdout.write(text)
    const fences = [fencedEcho(write), fencedEcho(write)] as const
    const collect = (into: Buffer[], fence: (typeof fences)[number]) => (chunk: Buffer) => {
      into.push(chunk)
      if (echo) fence.data(chunk)
    }
    child.stdout.on('data', collect(stdout, fences[0]))
    child.stderr.on('data', collect(stderr, fences[1]))
    // A child that exits without reading its input must not take this process down with EPIPE.
    child.stdin.on('error', () => undefined)
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
    let settled = false
    let timedOut = false
    const timers: NodeJS.Timeout[] = []
    if (options.timeoutMs !== undefined) {
      timers.push(
        setTimeout(() => {
          timedOut = true
          child.kill('SIGTERM')
          timers.push(setTimeout(() => child.kill('SIGKILL'), 5_000))
        }, options.timeoutMs)
      )
    }
    const settle = (): void => {
      if (settled || !exited) return
      settled = true
      if (echo) for (const fence of fences) fence.end()
      for (const timer of timers) clearTimeout(timer)
      const { code, signal } = exited
      resolve({
        exitCode: code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        ...(signal ? { signal } : {}),
        ...(timedOut ? { timedOut } : {})
      })
    }
    child.on('error', (error) => {
      settled = true
      for (const timer of timers) clearTimeout(timer)
      reject(new ActionError(`Cannot run ${command}: ${error.message}`))
    })
    let lingering: NodeJS.Timeout | undefined
    child.on('exit', (code, signal) => {
      exited = { code, signal }
      lingering = setTimeout(() => {
        child.stdout.destroy()
        child.stderr.destroy()
        settle()
      }, CLOSE_AFTER_EXIT_MS)
    })
    child.on('close', (code, signal) => {
      clearTimeout(lingering)
      exited ??= { code, signal }
      settle()
    })
    child.stdin.end(options.input)
  })
}

/** A Windows batch file, which only @actions/exec quotes arguments for correctly. */
function isWindowsBatchFile(command: string): boolean {
  if (process.platform !== 'win32') return false
  return /\.(cmd|bat)$/i.test(which(command) ?? command)
}

async function runWithToolkit(
  command: string,
  args: readonly string[],
  options: CommandOptions
): Promise<CommandResult> {
  const exec = await import('@actions/exec')
  // The toolkit echoes argv and output unescaped and unfenced; it runs silent and the echo is
  // ours, as in spawnAndCapture.
  const echo = !(options.silent ?? false)
  const write = (text: string): void => void process.stdout.write(text)
  const fences = [fencedEcho(write), fencedEcho(write)] as const
  if (echo) write(`[command]${echoedCommand(command, args)}\n`)
  try {
    return await exec.getExecOutput(command, [...args], {
      cwd: options.cwd,
      env: childEnvironment(options.env),
      input: options.input === undefined ? undefined : Buffer.from(options.input),
      silent: true,
      ignoreReturnCode: true,
      listeners: echo ? { stdout: (data) => fences[0].data(data), stderr: (data) => fences[1].data(data) } : {}
    })
  } finally {
    if (echo) for (const fence of fences) fence.end()
  }
}

/** Both ways of starting a process, so the tests can hold each to the same contract. */
export const commandBackendsForTests = { direct: spawnAndCapture, toolkit: runWithToolkit }

export async function runCommand(
  command: string,
  args: readonly string[],
  options: CommandOptions = {}
): Promise<CommandResult> {
  assertNoSecretInArgv(command, args)
  const result = isWindowsBatchFile(command)
    ? await runWithToolkit(command, args, options)
    : await spawnAndCapture(command, args, options)
  return checkExitCode(command, args, result, options)
}
