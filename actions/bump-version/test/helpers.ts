import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { type ActionRunResult, VENV_BIN, runBundledAction } from '../../../test/harness/action-runner.ts'

// Real git repositories for the bundled action: a bare `origin` on a file:// URL and one or more
// clones, each with a sample project committed and pushed, the way actions/checkout leaves a
// workspace (a branch checked out, tracking origin).

const run = promisify(execFile)

export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1'
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: { ...process.env, ...GIT_ENV } })
  return stdout.trim()
}

export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
}

export interface Sandbox {
  root: string
  origin: string
  originUrl: string
  work: string
}

/**
 * Makes sandboxes for one test file (`files` defaults to `project`) and removes each of them
 * after the file's tests.
 */
export function sandboxMaker(
  project: Record<string, string>
): (files?: Record<string, string>, options?: SandboxOptions) => Promise<Sandbox> {
  const boxes: Sandbox[] = []
  afterAll(() => {
    for (const box of boxes) rmSync(box.root, { recursive: true, force: true })
  })
  return async (files = project, options = {}) => {
    const box = await sandbox(files, options)
    boxes.push(box)
    return box
  }
}

/** A bare origin and a clone holding `files` on `main`, pushed; `tags` (on the first commit) are pushed too. */
export interface SandboxOptions {
  tags?: string[]
  later?: Record<string, string>
}

export async function sandbox(files: Record<string, string>, options: SandboxOptions = {}): Promise<Sandbox> {
  const root = mkdtempSync(join(tmpdir(), 'bump-'))
  const origin = join(root, 'origin.git')
  const work = join(root, 'work')
  await git(root, 'init', '--quiet', '--bare', '--initial-branch=main', origin)
  await git(root, 'init', '--quiet', '--initial-branch=main', work)
  writeTree(work, { '.gitignore': 'dist/\n*.egg-info/\n__pycache__/\nbuild/\n', ...files })
  await git(work, 'add', '--all')
  await git(work, 'commit', '--quiet', '-m', 'Initial commit')
  const originUrl = `file://${origin}`
  await git(work, 'remote', 'add', 'origin', originUrl)
  for (const tag of options.tags ?? []) await git(work, 'tag', '-a', '-m', tag, tag)
  if (options.later) {
    writeTree(work, options.later)
    await git(work, 'add', '--all')
    await git(work, 'commit', '--quiet', '-m', 'Later commit')
  }
  await git(
    work,
    'push',
    '--quiet',
    '--set-upstream',
    'origin',
    'main',
    ...(options.tags ?? []).map((tag) => `refs/tags/${tag}`)
  )
  return { root, origin, originUrl, work }
}

/** Another checkout of the same origin, as a second workflow run would have. */
export async function cloneOf(box: Sandbox, name: string): Promise<string> {
  const dir = join(box.root, name)
  await git(box.root, 'clone', '--quiet', box.originUrl, dir)
  return dir
}

export async function bump(
  cwd: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  recordArgvOf?: string[]
): Promise<ActionRunResult> {
  return runBundledAction('bump-version', { cwd, inputs, env, recordArgvOf })
}

/** The version a real build reads: `python -m build --sdist` (offline, the backends are in .venv), then PKG-INFO. */
export async function builtVersion(projectDir: string): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'sdist-'))
  await run(join(VENV_BIN, 'python'), ['-m', 'build', '--sdist', '--no-isolation', '--outdir', out, projectDir], {
    cwd: projectDir,
    env: { ...process.env, PATH: `${VENV_BIN}:${process.env['PATH']}` }
  })
  const [sdist] = readdirSync(out).filter((file) => file.endsWith('.tar.gz'))
  const { stdout } = await run('tar', ['-xzOf', join(out, sdist), '--wildcards', '*/PKG-INFO'])
  const version = /^Version: (.+)$/m.exec(stdout)?.[1]
  if (!version) throw new Error(`no Version in the PKG-INFO of ${sdist}`)
  return version
}

/** The one ::error:: line of a failed run (the step's failure message). */
export function failureOf(result: ActionRunResult): string {
  if (result.exitCode === 0) throw new Error(`expected the action to fail; it succeeded:\n${result.stdout}`)
  if (result.errors.length !== 1)
    throw new Error(`expected one ::error:: line, got ${result.errors.length}:\n${result.stdout}\n${result.stderr}`)
  return result.errors[0]
}

export function succeeded(result: ActionRunResult): ActionRunResult {
  if (result.exitCode !== 0)
    throw new Error(`the action failed (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`)
  return result
}

/** Commits on origin's main, newest first, with their parents, to check history stays linear. */
export async function originLog(box: Sandbox): Promise<{ sha: string; parents: string[]; subject: string }[]> {
  const text = await git(box.origin, 'log', '--format=%H %P|%s', 'main')
  return text.split('\n').map((line) => {
    const [shas, subject] = line.split('|')
    const [sha, ...parents] = shas.split(' ')
    return { sha, parents, subject }
  })
}

/** What a file says at a ref of the origin. */
export async function originFile(box: Sandbox, ref: string, path: string): Promise<string> {
  return git(box.origin, 'show', `${ref}:${path}`)
}

/** A gate that runs what it is given at most `limit` at a time, each promise settling on its own. */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0
  const waiting: (() => void)[] = []
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    running++
    try {
      return await task()
    } finally {
      running--
      waiting.shift()?.()
    }
  }
}

/** Runs `tasks` at most `limit` at a time, results in order. */
export async function limited<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next++
        results[index] = await tasks[index]()
      }
    })
  )
  return results
}
