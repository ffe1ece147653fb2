import { spawn } from 'node:child_process'
import { ActionError } from './errors.ts'
import { containsSecret } from './secrets.ts'

// The one way the actions start child processes: argv as an array (no shell, no quoting
// bugs), and secrets only through `env` or files. argv is visible to every process on the
// runner and echoed to the log, so a registered secret in it is refused outright.

export interface CommandOptions {
  cwd?: string
  /** Added to (and overriding) the inherited environment; the place for secrets. */
  env?: Record<string, string | undefined>
  /** Written to the child's stdin, e.g. a password for `login --password-stdin`. */
  input?: string
  /** Do not echo the child's output to the log (it is still captured). */
  silent?: boolean
  /** Resolve with the exit code instead of throwing on non-zero exit. */
  ignoreReturnCode?: boolean
}

export interface CommandResult {
  exitCode: number
  stdout: string
  stderr: string
}

export function assertNoSecretInArgv(command: string, args: readonly string[]): void {
  if (containsSecret(command) || args.some((arg) => containsSecret(arg))) {
    throw new ActionError(`Refusing to run ${command}: a secret would appear in its command line.`, {
      hint: 'pass secrets through the environment or a 0600 file'
    })
  }
}

function mergedEnv(extra: CommandOptions['env']): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries({ ...process.env, ...extra })) if (value !== undefined) env[key] = value
  return env
}

/** The last `lines` lines a command printed (stderr, else stdout), joined into one for a message. */
export function outputTail(result: Pick<CommandResult, 'stdout' | 'stderr'>, lines = 1): string {
  return (result.stderr.trim() || result.stdout.trim()).split('\n').filter(Boolean).slice(-lines).join(' | ')
}

function checkExitCode(command: string, args: readonly string[], result: CommandResult, options: CommandOptions): CommandResult {
  if (result.exitCode !== 0 && !options.ignoreReturnCode) {
    const detail = outputTail(result, 5)
    throw new ActionError(`\`${[command, ...args].join(' ')}\` exited with code ${result.exitCode}${detail ? `: ${detail}` : ''}`)
  }
  return result
}

export async function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  assertNoSecretInArgv(command, args)
  // Loaded on first use, so that an action whose only commands go through runExecutable never
  // pays for the toolkit's module graph.
  const exec = await import('@actions/exec')
  const result = await exec.getExecOutput(command, [...args], {
    cwd: options.cwd,
    env: mergedEnv(options.env),
    input: options.input === undefined ? undefined : Buffer.from(options.input),
    silent: options.silent ?? false,
    ignoreReturnCode: true
  })
  return checkExitCode(command, args, result, options)
}

/**
 * runCommand without @actions/exec, for an executable started many times in a latency-bound
 * action: bump-version's git calls, whose whole run is held to 1.5x a shell script doing the same.
 * The toolkit costs such a run about 10 ms (its module graph, and a PATH search per call); this is
 * node:child_process.spawn under the same contract (argv array, no shell, no secret in argv,
 * output captured, echoed the way the toolkit echoes it). `command` must be a real executable,
 * ideally an absolute path: .cmd and .bat scripts need the toolkit's Windows quoting.
 */
export async function runExecutable(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  assertNoSecretInArgv(command, args)
  const echo = !(options.silent ?? false)
  if (echo) process.stdout.write(`[command]${[command, ...args].join(' ')}\n`)
  const result = await new Promise<CommandResult>((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: mergedEnv(options.env),
      stdio: 'pipe',
      windowsHide: true
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk)
      if (echo) process.stdout.write(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk)
      if (echo) process.stderr.write(chunk)
    })
    child.on('error', error => reject(new ActionError(`Cannot run ${command}: ${error.message}`)))
    child.on('close', (code, signal) => {
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') })
    })
    child.stdin.end(options.input)
  })
  return checkExitCode(command, args, result, options)
}
