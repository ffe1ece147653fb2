import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { VENV_BIN } from '../../../test/harness/action-runner.ts'
import { bump, failureOf, git, originLog, sandboxMaker, succeeded } from './helpers.ts'

// Independent releases in a monorepo: `packages` names several projects of a uv workspace, each
// bumped from its own version to its own tag (`{name}-v{version}`), in one commit whose tags
// are pushed with it atomically; the workspace's uv.lock follows both.

const run = promisify(execFile)

const member = (name: string, version: string, dependencies: string[] = []): string =>
  `[project]\nname = "${name}"\nversion = "${version}"\nrequires-python = ">=3.9"\ndependencies = ${JSON.stringify(dependencies)}\n\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n`

const WORKSPACE = {
  'pyproject.toml':
    '[project]\nname = "orb"\nversion = "0.0.0"\nrequires-python = ">=3.9"\n\n[tool.uv.workspace]\nmembers = ["packages/*"]\n\n[tool.uv.sources]\norb-common = { workspace = true }\n',
  'packages/orb-common/pyproject.toml': member('orb-common', '1.2.3'),
  'packages/orb-common/src/orb_common/__init__.py': '__version__ = "1.2.3"\n',
  'packages/orb-models/pyproject.toml': `${member('orb-models', '1.3.0', ['orb-common>=1.2'])}\n[tool.uv.sources]\norb-common = { workspace = true }\n`,
  'packages/orb-models/src/orb_models/__init__.py': ''
}

const PACKAGES = 'packages/orb-common\npackages/orb-models'
const newBox = sandboxMaker(WORKSPACE)

async function uvLock(dir: string, ...args: string[]): Promise<void> {
  await run(join(VENV_BIN, 'uv'), ['lock', '--offline', ...args], { cwd: dir })
}

/** The workspace with its uv.lock committed and pushed. */
async function lockedWorkspace(): Promise<Awaited<ReturnType<typeof newBox>>> {
  const box = await newBox()
  await uvLock(box.work)
  await git(box.work, 'add', 'uv.lock')
  await git(box.work, 'commit', '--quiet', '-m', 'uv.lock')
  await git(box.work, 'push', '--quiet', 'origin', 'main')
  return box
}

describe('bump-version: several packages of a workspace, each with its own version and tag', () => {
  test('one commit, a tag per package, pushed together; uv.lock follows both', async () => {
    const box = await lockedWorkspace()
    const result = succeeded(
      await bump(box.work, { bump: 'minor', packages: PACKAGES, 'tag-template': '{name}-v{version}' })
    )
    expect(result.outputs).toMatchObject({
      version: '',
      tag: '',
      versions: '{"orb-common":"1.3.0","orb-models":"1.4.0"}',
      tags: 'orb-common-v1.3.0\norb-models-v1.4.0',
      'changed-files':
        'packages/orb-common/pyproject.toml\npackages/orb-common/src/orb_common/__init__.py\npackages/orb-models/pyproject.toml\nuv.lock'
    })
    const [bumpCommit] = await originLog(box)
    expect(bumpCommit.subject).toBe('Bump versions: orb-common 1.2.3 → 1.3.0, orb-models 1.3.0 → 1.4.0')
    for (const tag of ['orb-common-v1.3.0', 'orb-models-v1.4.0'])
      expect(await git(box.origin, 'rev-parse', `${tag}^{commit}`)).toBe(bumpCommit.sha)
    expect(await git(box.origin, 'tag', '--list', '--format=%(contents:subject)', 'orb-models-v1.4.0')).toBe(
      'Release 1.4.0'
    )
    // The lock agrees with both members (what `uv sync --locked` checks).
    await expect(uvLock(box.work, '--check')).resolves.toBeUndefined()
    const lock = readFileSync(join(box.work, 'uv.lock'), 'utf8')
    expect(lock).toContain('name = "orb-common"\nversion = "1.3.0"')
    expect(lock).toContain('name = "orb-models"\nversion = "1.4.0"')
  })

  test('one package of the workspace: only its files and its tag', async () => {
    const box = await lockedWorkspace()
    const result = succeeded(
      await bump(box.work, { bump: 'patch', packages: 'packages/orb-models', 'tag-template': '{name}-v{version}' })
    )
    expect(result.outputs).toMatchObject({
      version: '1.3.1',
      tag: 'orb-models-v1.3.1',
      'changed-files': 'packages/orb-models/pyproject.toml\nuv.lock'
    })
    expect(await git(box.origin, 'tag', '--list')).toBe('orb-models-v1.3.1')
    await expect(uvLock(box.work, '--check')).resolves.toBeUndefined()
  })

  test('a tag of one package already on the remote: nothing of the bump is pushed (atomic)', async () => {
    const box = await newBox()
    await git(box.work, 'tag', 'orb-models-v1.4.0')
    await git(box.work, 'push', '--quiet', 'origin', 'orb-models-v1.4.0')
    await git(box.work, 'tag', '-d', 'orb-models-v1.4.0')
    const before = await originLog(box)
    const failure = failureOf(
      await bump(box.work, { bump: 'minor', packages: PACKAGES, 'tag-template': '{name}-v{version}' })
    )
    expect(failure).toMatch(
      /^Tag orb-models-v1\.4\.0 already exists on origin \([0-9a-f]{12}\)\. Nothing was pushed, and the bump was undone: this checkout is as it was\./
    )
    expect(await originLog(box)).toEqual(before)
    expect(await git(box.origin, 'tag', '--list')).toBe('orb-models-v1.4.0')
    expect(await git(box.work, 'tag', '--list')).toBe('')
    expect(await git(box.work, 'status', '--porcelain')).toBe('')
  })

  test('a `files` entry belongs to the package whose directory holds it, and one in none is refused', async () => {
    const box = await newBox({ ...WORKSPACE, 'packages/orb-models/docs/conf.py': 'release = "1.3.0"\n' })
    const inputs = { bump: 'patch', packages: PACKAGES, 'tag-template': '{name}-v{version}', push: 'false' }
    const result = succeeded(
      await bump(box.work, { ...inputs, files: 'packages/orb-models/docs/conf.py: release = "{version}"' })
    )
    expect(result.outputs['changed-files']).toContain('packages/orb-models/docs/conf.py')
    expect(readFileSync(join(box.work, 'packages/orb-models/docs/conf.py'), 'utf8')).toBe('release = "1.3.1"\n')

    const other = await newBox()
    expect(failureOf(await bump(other.work, { ...inputs, files: 'docs/conf.py' }))).toBe(
      'Input `files`: docs/conf.py is in none of the directories in `packages`; with several packages, write each entry relative to `working-directory`, inside the package whose version it holds (e.g. `packages/orb-models/meta.json`).'
    )
  })

  test('several packages with a template without {name} are refused before anything is read', async () => {
    const box = await newBox()
    expect(failureOf(await bump(box.work, { bump: 'minor', packages: PACKAGES }))).toBe(
      'Input `tag-template`: "v{version}" has no {name}, so the 2 packages in `packages` would get the same tag; give each package its own tags, e.g. `tag-template: {name}-v{version}`.'
    )
  })

  test('a package whose version lives in tags cannot join a bump of several', async () => {
    const box = await newBox({
      ...WORKSPACE,
      'packages/orb-models/pyproject.toml':
        '[project]\nname = "orb-models"\ndynamic = ["version"]\n\n[build-system]\nrequires = ["hatchling", "hatch-vcs"]\nbuild-backend = "hatchling.build"\n\n[tool.hatch.version]\nsource = "vcs"\n'
    })
    expect(
      failureOf(await bump(box.work, { bump: 'minor', packages: PACKAGES, 'tag-template': '{name}-v{version}' }))
    ).toBe(
      'Input `packages`: names 2 projects, but the version of packages/orb-models comes from git tags, so its bump is a tag of its own; bump projects whose version lives in tags one per step (`working-directory`), and list only projects with version files in `packages`.'
    )
  })
})
