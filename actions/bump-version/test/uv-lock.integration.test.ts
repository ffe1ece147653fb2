import { execFile } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { VENV_BIN } from '../../../test/harness/action-runner.ts'
import { type Sandbox, bump, git, sandbox, succeeded, writeTree } from './helpers.ts'

// uv.lock kept in step: after a bump, `uv lock --check` (what `uv sync --locked` relies on)
// still passes, for a single project and for a member of a uv workspace, and the lock's diff is
// the version line alone.

const run = promisify(execFile)
const UV = join(VENV_BIN, 'uv')

/** `uv lock` (or `uv lock --check`) offline; the sample projects have no dependencies. */
async function uvLock(dir: string, ...args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(UV, ['lock', '--offline', ...args], { cwd: dir })
    return { ok: true, output: stdout + stderr }
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string }
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` }
  }
}

const boxes: Sandbox[] = []
afterAll(() => {
  for (const box of boxes) rmSync(box.root, { recursive: true, force: true })
})

/** A sandbox whose tree is committed together with the uv.lock that `uv lock` makes for it. */
async function lockedBox(files: Record<string, string>, lockDir = ''): Promise<Sandbox> {
  const box = await sandbox(files)
  boxes.push(box)
  const locked = await uvLock(join(box.work, lockDir))
  expect(locked).toMatchObject({ ok: true })
  await git(box.work, 'add', '--all')
  await git(box.work, 'commit', '--quiet', '-m', 'uv.lock')
  await git(box.work, 'push', '--quiet', 'origin', 'main')
  return box
}

const PROJECT = (name: string, version: string): string =>
  `[project]\nname = "${name}"\nversion = "${version}"\nrequires-python = ">=3.9"\ndependencies = []\n\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n`

it('a project: its uv.lock entry moves with the version and `uv lock --check` still passes', async () => {
  const box = await lockedBox({
    'pyproject.toml': PROJECT('Acme_Widgets', '1.2.3'),
    'src/acme_widgets/__init__.py': ''
  })
  const before = readFileSync(join(box.work, 'uv.lock'), 'utf8')
  const result = succeeded(await bump(box.work, { bump: 'minor' }))
  expect(result.outputs['changed-files']).toBe('pyproject.toml\nuv.lock')
  expect(result.stdout).toMatch(
    /^uv\.lock:\d+ \[\[package\]\] "acme-widgets" version = 1\.2\.3 \(follows the version\)$/m
  )
  const after = readFileSync(join(box.work, 'uv.lock'), 'utf8')
  // Only the version token changed, formatting kept.
  expect(after).toBe(
    before.replace('name = "acme-widgets"\nversion = "1.2.3"', 'name = "acme-widgets"\nversion = "1.3.0"')
  )
  expect(await uvLock(box.work, '--check')).toMatchObject({ ok: true })
  // The lock went into the bump commit that was pushed.
  expect(await git(box.origin, 'show', 'v1.3.0:uv.lock')).toBe(after.trimEnd())
})

it('a workspace member: the workspace root’s uv.lock entry of that member moves, the others stay', async () => {
  const box = await lockedBox({
    'pyproject.toml':
      '[project]\nname = "root"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n\n[tool.uv.workspace]\nmembers = ["packages/*"]\n',
    'packages/core/pyproject.toml': PROJECT('acme-core', '2.0.0'),
    'packages/core/src/acme_core/__init__.py': '',
    'packages/app/pyproject.toml': PROJECT('acme-app', '5.1.0'),
    'packages/app/src/acme_app/__init__.py': ''
  })
  const result = succeeded(
    await bump(box.work, { bump: 'patch', 'working-directory': 'packages/core', 'tag-template': 'core-v{version}' })
  )
  expect(result.outputs['changed-files']).toBe('packages/core/pyproject.toml\nuv.lock')
  const lock = readFileSync(join(box.work, 'uv.lock'), 'utf8')
  expect(lock).toContain('name = "acme-core"\nversion = "2.0.1"')
  expect(lock).toContain('name = "acme-app"\nversion = "5.1.0"')
  expect(await uvLock(box.work, '--check')).toMatchObject({ ok: true })
})

it('without the project in the lock (not a uv project of this tree), the lock is left alone with a note', async () => {
  const box = await lockedBox({
    'pyproject.toml': PROJECT('acme-widgets', '1.0.0'),
    'src/acme_widgets/__init__.py': ''
  })
  writeTree(box.work, { 'pyproject.toml': PROJECT('renamed-widgets', '1.0.0') })
  await git(box.work, 'commit', '--quiet', '-am', 'rename')
  await git(box.work, 'push', '--quiet', 'origin', 'main')
  const result = succeeded(await bump(box.work, { bump: 'patch' }))
  expect(result.outputs['changed-files']).toBe('pyproject.toml')
  expect(result.stdout).toContain('Note: uv.lock locks no entry of this project from its directory; left as it is')
})
