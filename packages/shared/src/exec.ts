import * as exec from '@actions/exec'
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

export async function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  assertNoSecretInArgv(command, args)
  const result = await exec.getExecOutput(command, [...args], {
    cwd: options.cwd,
    env: mergedEnv(options.env),
    input: options.input === undefined ? undefined : Buffer.from(options.input),
    silent: options.silent ?? false,
    ignoreReturnCode: true
  })
  if (result.exitCode !== 0 && !options.ignoreReturnCode) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join(' | ')
    throw new ActionError(`\`${[command, ...args].join(' ')}\` exited with code ${result.exitCode}${detail ? `: ${detail}` : ''}`)
  }
  return result
}
