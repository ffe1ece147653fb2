// Shared by publish-python's integration tests: sample projects copied to temp directories,
// async child processes (the stack's servers run in the jest process, so nothing here may
// block it), and the inputs every run uses.
import { execFile } from 'node:child_process'
import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ROOT, VENV_BIN, type ActionRunResult } from '../../../test/harness/action-runner.ts'
import { tempDir } from '../../../test/harness/temp-dirs.ts'

export { removeTempDirs, tempDir } from '../../../test/harness/temp-dirs.ts'

export const FIXTURES = join(ROOT, 'test', 'fixtures', 'publish')
export { TEMP_WORKSPACE_ENV as WORKSPACE_ENV } from '../../../test/harness/action-runner.ts'
export const PYTHON = join(VENV_BIN, 'python')

export interface Exec {
  code: number
  stdout: string
  stderr: string
}

/** Runs a command without blocking the event loop; never throws for a non-zero exit. */
export function exec(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {}
): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
      }
    )
  })
}

/** A fresh copy of a sample project (or of any directory) in a temp dir; returns its path. */
export async function copyProject(name: string, from = FIXTURES): Promise<string> {
  const dir = await tempDir(`publish-${name.replace(/\W/g, '-')}`)
  const target = join(dir, name.split('/').pop() as string)
  await cp(join(from, name), target, { recursive: true })
  return target
}

/** Rewrites `version = "..."` (the first one) in a project's pyproject.toml. */
export async function setVersion(project: string, version: string, name?: string): Promise<void> {
  const path = join(project, 'pyproject.toml')
  let text = (await readFile(path, 'utf8')).replace(/^version = "[^"]*"/m, `version = "${version}"`)
  if (name) text = text.replace(/^name = "[^"]*"/m, `name = "${name}"`)
  await writeFile(path, text)
}

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com'
}

/** `git init`, commit everything and tag it, as a checkout of a release tag looks. */
export async function gitTagged(dir: string, tag: string): Promise<void> {
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '-A'],
    ['commit', '-q', '-m', 'release'],
    ['tag', tag]
  ]) {
    const result = await exec('git', args, { cwd: dir, env: GIT_IDENTITY })
    if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`)
  }
}

export async function gitCommitAll(dir: string, message: string): Promise<void> {
  const result = await exec('git', ['commit', '-q', '-a', '-m', message], { cwd: dir, env: GIT_IDENTITY })
  if (result.code !== 0) throw new Error(`git commit failed: ${result.stderr}`)
}

/** Builds a project with uv into `<project>/dist` (no isolation: the backends are in .venv). */
export async function buildDists(project: string): Promise<string> {
  const result = await exec(join(VENV_BIN, 'uv'), [
    'build',
    '-q',
    '--no-build-isolation',
    '--python',
    PYTHON,
    '--out-dir',
    join(project, 'dist'),
    project
  ])
  if (result.code !== 0) throw new Error(`build of ${project} failed:\n${result.stderr}`)
  return join(project, 'dist')
}

export function parseJsonOutput<T>(result: ActionRunResult, name: string): T {
  return JSON.parse(result.outputs[name] ?? 'null') as T
}

/** Fails with the action's log when it did not succeed, so a red test shows why. */
export function expectSuccess(result: ActionRunResult): void {
  if (result.exitCode !== 0 || result.errors.length > 0) {
    throw new Error(
      `action failed (exit ${result.exitCode}):\n${result.errors.join('\n')}\n--- stdout ---\n${result.stdout.slice(-6000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`
    )
  }
}

/** Every place a secret could leak from a run, and whether `secret` is in it unmasked. */
export function leaks(result: ActionRunResult, secret: string): string[] {
  const places: string[] = []
  const stdoutWithoutMasks = result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
  if (stdoutWithoutMasks.includes(secret)) places.push('stdout')
  if (result.stderr.includes(secret)) places.push('stderr')
  if (result.files.output.includes(secret)) places.push('outputs')
  if (result.files.env.includes(secret)) places.push('exported env')
  if (result.summary.includes(secret)) places.push('summary')
  if (result.spawned.some((argv) => argv.some((arg) => arg.includes(secret)))) places.push('argv')
  if (result.childArgv.some((line) => line.includes(secret))) places.push('argv (shims)')
  return places
}
