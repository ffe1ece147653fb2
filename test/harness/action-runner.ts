import { spawn } from 'node:child_process'
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  writeFileSync,
  existsSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { inputEnv } from './inputs.ts'
import { commandLines, parseFileCommands } from './runner-protocol.ts'

// Runs an action's committed bundle the way the GitHub runner does: Node 24, inputs as
// INPUT_<NAME> variables, and the runner's file commands (GITHUB_OUTPUT, GITHUB_ENV,
// GITHUB_STATE, GITHUB_STEP_SUMMARY) as real files read back afterwards.

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')
export const NODE24 = join(ROOT, 'node_modules', '.bin', 'node')
export const VENV_BIN = join(ROOT, '.venv', 'bin')

export interface ActionRunOptions {
  inputs?: Record<string, string>
  /** Extra environment (merged over a clean base: PATH, HOME and the venv, no INPUT_*). */
  env?: Record<string, string | undefined>
  cwd?: string
  /** Reuse the files of an earlier run (same job), e.g. for the post step. */
  job?: JobFiles
  /** Run as the post step: STATE_* from the job's state file. */
  post?: boolean
  /**
   * Commands whose argv and environment are recorded by PATH shims (to prove secrets reach
   * neither a child's argv nor its environment).
   */
  recordArgvOf?: string[]
  timeoutMs?: number
}

export interface JobFiles {
  dir: string
  runnerTemp: string
  output: string
  env: string
  state: string
  summary: string
  path: string
  argvLog: string
  /** A file per shimmed call: its argv line, then its environment (`env -0`). */
  childEnvDir: string
  spawnLog: string
  shimDir: string
}

export interface ActionRunResult {
  exitCode: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  exportedEnv: Record<string, string>
  state: Record<string, string>
  summary: string
  /** Raw text of every runner file, for leak checks. */
  files: { output: string; env: string; state: string; summary: string }
  /** One entry per command recorded by a PATH shim: its argv joined by spaces. */
  childArgv: string[]
  /** One entry per command recorded by a PATH shim: the environment it started with. */
  childEnvs: Array<{ command: string; env: Record<string, string> }>
  /** argv of every child process the action itself started (spawn-trace.mjs). */
  spawned: string[][]
  /** The same children with the environment each was started with. */
  spawnedEnvs: Array<{ argv: string[]; env: Record<string, string> }>
  job: JobFiles
  /** ::error:: lines, unescaped. */
  errors: string[]
  warnings: string[]
}

/**
 * For tests that copy each project (or build context) into a temp directory of its own, which
 * stands for the checkout: the temp root that holds them all is the workspace they run in. The
 * actions refuse paths outside the workspace; packages/shared/test/paths.test.ts and the
 * untrusted.integration tests check that with a workspace of their own.
 */
export const TEMP_WORKSPACE_ENV = { GITHUB_WORKSPACE: realpathSync(tmpdir()) }

export function newJob(): JobFiles {
  const dir = mkdtempSync(join(tmpdir(), 'action-job-'))
  const job: JobFiles = {
    dir,
    runnerTemp: join(dir, 'runner-temp'),
    output: join(dir, 'output'),
    env: join(dir, 'env'),
    state: join(dir, 'state'),
    summary: join(dir, 'summary.md'),
    path: join(dir, 'path'),
    argvLog: join(dir, 'argv.log'),
    childEnvDir: join(dir, 'child-env'),
    spawnLog: join(dir, 'spawn.log'),
    shimDir: join(dir, 'shims')
  }
  mkdirSync(job.runnerTemp)
  mkdirSync(job.shimDir)
  mkdirSync(job.childEnvDir)
  for (const file of [job.output, job.env, job.state, job.summary, job.path, job.argvLog, job.spawnLog])
    writeFileSync(file, '')
  return job
}

// What the action wrote is read with the runner's own parsing rules.
export { commandLines, parseFileCommands }

function writeShims(job: JobFiles, commands: string[], basePath: string): void {
  for (const command of commands) {
    const shim = join(job.shimDir, command)
    if (existsSync(shim)) continue
    // Find the real binary on the base PATH, skipping the shim directory itself.
    const real = basePath
      .split(delimiter)
      .map((dir) => join(dir, command))
      .find((candidate) => existsSync(candidate))
    if (!real) continue
    writeFileSync(
      shim,
      [
        '#!/bin/sh',
        `printf '%s\\n' "${command} $*" >> '${job.argvLog}'`,
        // One file per call, so that calls running side by side cannot interleave.
        `{ printf '%s\\000' "${command} $*"; env -0; } > "$(mktemp '${job.childEnvDir}/call.XXXXXX')"`,
        `exec '${real}' "$@"`,
        ''
      ].join('\n')
    )
    chmodSync(shim, 0o755)
  }
}

export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const key of ['HOME', 'LANG', 'TMPDIR', 'USER']) if (process.env[key]) env[key] = process.env[key] as string
  env['PATH'] = [VENV_BIN, join(ROOT, 'node_modules', '.bin'), process.env['PATH'] ?? '/usr/bin:/bin'].join(delimiter)
  env['AWS_EC2_METADATA_DISABLED'] = 'true'
  // Keep the developer's AWS config files out of the credential chain.
  env['AWS_CONFIG_FILE'] = '/dev/null'
  env['AWS_SHARED_CREDENTIALS_FILE'] = '/dev/null'
  return env
}

export async function runBundledAction(action: string, options: ActionRunOptions = {}): Promise<ActionRunResult> {
  const job = options.job ?? newJob()
  const env: Record<string, string> = { ...baseEnv() }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  if (options.recordArgvOf?.length) {
    writeShims(job, options.recordArgvOf, env['PATH'] as string)
    env['PATH'] = `${job.shimDir}${delimiter}${env['PATH']}`
  }
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    RUNNER_TEMP: job.runnerTemp,
    RUNNER_OS: 'Linux',
    GITHUB_OUTPUT: job.output,
    GITHUB_ENV: job.env,
    GITHUB_STATE: job.state,
    GITHUB_STEP_SUMMARY: job.summary,
    GITHUB_PATH: job.path,
    GITHUB_WORKSPACE: options.env?.['GITHUB_WORKSPACE'] ?? options.cwd ?? ROOT,
    SPAWN_TRACE_FILE: job.spawnLog,
    NODE_OPTIONS: `--import ${join(ROOT, 'test', 'harness', 'spawn-trace.mjs')}`
  })
  Object.assign(env, inputEnv(options.inputs ?? {}))
  if (options.post) {
    for (const [name, value] of Object.entries(parseFileCommands(readFileSync(job.state, 'utf8'))))
      env[`STATE_${name}`] = value
  }

  const child = spawn(NODE24, [join(ROOT, 'actions', action, 'dist', 'index.js')], { cwd: options.cwd ?? job.dir, env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)))
  clearTimeout(timeout)

  const files = {
    output: readFileSync(job.output, 'utf8'),
    env: readFileSync(job.env, 'utf8'),
    state: readFileSync(job.state, 'utf8'),
    summary: readFileSync(job.summary, 'utf8')
  }
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseFileCommands(files.output),
    exportedEnv: parseFileCommands(files.env),
    state: parseFileCommands(files.state),
    summary: files.summary,
    files,
    childArgv: readFileSync(job.argvLog, 'utf8').split('\n').filter(Boolean),
    childEnvs: readChildEnvs(job.childEnvDir),
    spawned: readFileSync(job.spawnLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as string[]),
    spawnedEnvs: (existsSync(`${job.spawnLog}.env`) ? readFileSync(`${job.spawnLog}.env`, 'utf8') : '')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { argv: string[]; env: Record<string, string> }),
    job,
    errors: commandLines(stdout, 'error'),
    warnings: commandLines(stdout, 'warning')
  }
}

/** What the shims recorded: a file per call, its argv line and then NAME=value entries, each ended by \0. */
function readChildEnvs(dir: string): Array<{ command: string; env: Record<string, string> }> {
  return readdirSync(dir).map((file) => {
    const [command = '', ...entries] = readFileSync(join(dir, file), 'utf8').split('\0').filter(Boolean)
    const env: Record<string, string> = {}
    for (const entry of entries) {
      const equals = entry.indexOf('=')
      env[entry.slice(0, equals)] = entry.slice(equals + 1)
    }
    return { command, env }
  })
}

/**
 * The first stdout offset where `secret` appears, and the offset of its first ::add-mask::.
 * A secret is safe in stdout only if it was masked before it was ever printed.
 */
export function firstUnmaskedUse(stdout: string, secret: string): { maskedAt: number; firstPrintedAt: number } {
  const maskLine = `::add-mask::${secret.replace(/%/g, '%25')}`
  const maskedAt = stdout.indexOf(maskLine)
  let firstPrintedAt = -1
  for (let from = 0; ;) {
    const at = stdout.indexOf(secret, from)
    if (at < 0) break
    const lineStart = stdout.lastIndexOf('\n', at) + 1
    if (!stdout.startsWith('::add-mask::', lineStart)) {
      firstPrintedAt = at
      break
    }
    from = at + secret.length
  }
  return { maskedAt, firstPrintedAt }
}
