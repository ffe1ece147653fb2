import { readdirSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type ActionRunResult, runBundledAction } from '../../../test/harness/action-runner.ts'
import { type Stack, startStack } from '../../../test/stack/stack.ts'
import {
  WORKSPACE_ENV,
  buildDists,
  copyProject,
  exec,
  expectSuccess,
  parseJsonOutput,
  removeTempDirs,
  setVersion
} from './helpers.ts'

// Independent releases from a monorepo (`tag-template: {name}-v{version}`): the sample's core and
// app, each at its own version under its own tags. On a tag, the package it names is published;
// on a branch, every package tagged at HEAD, dependencies first, each gated against its own tag.

const KNOWN_TOKEN = 'ca-token.KNOWN+mono/secret=0123456789'
const TEMPLATE = '{name}-v{version}'
let stack: Stack

beforeAll(async () => {
  stack = await startStack({ token: KNOWN_TOKEN })
}, 60_000)
afterAll(async () => {
  await stack?.stop()
  await removeTempDirs()
})

function inputs(repo: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'aws-region': stack.region,
    'role-to-assume': stack.roleArn,
    domain: stack.domain,
    repository: stack.repository,
    'build-isolation': 'false',
    'working-directory': repo,
    // The wrong way round on purpose: the app depends on core.
    packages: 'app\ncore',
    'tag-template': TEMPLATE,
    ...extra
  }
}

function publish(repo: string, ref: string, extra: Record<string, string> = {}): Promise<ActionRunResult> {
  return runBundledAction('publish-python', {
    inputs: inputs(repo, extra),
    env: { ...stack.env, ...WORKSPACE_ENV, GITHUB_REF: ref }
  })
}

async function git(dir: string, ...args: string[]): Promise<void> {
  const result = await exec('git', args, {
    cwd: dir,
    env: { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@e.x', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@e.x' }
  })
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`)
}

/**
 * The sample monorepo at core `core` and app `app` (the app needing core >= `core`), committed,
 * with `tags` on the commit.
 */
async function monorepo(core: string, app: string, tags: string[]): Promise<string> {
  const repo = await copyProject('monorepo')
  await setVersion(join(repo, 'core'), core)
  await setVersion(join(repo, 'app'), app)
  const appToml = join(repo, 'app', 'pyproject.toml')
  await writeFile(
    appToml,
    (await readFile(appToml, 'utf8')).replace('"acme-mono-core==1.0.0"', `"acme-mono-core>=${core}"`)
  )
  await git(repo, 'init', '-q', '-b', 'main')
  await git(repo, 'add', '-A')
  await git(repo, 'commit', '-q', '-m', 'release')
  for (const tag of tags) await git(repo, 'tag', tag)
  return repo
}

function published(project: string): string[] {
  return readdirSync(stack.pypiserver.packagesDir).filter((file) => file.startsWith(project.replace(/-/g, '_')))
}

describe('publish-python with one tag series per package', () => {
  it('on a branch: every package tagged at HEAD, dependencies first, each against its own version; the app installs with its core', async () => {
    const repo = await monorepo('1.1.0', '2.0.0', ['acme-mono-core-v1.1.0', 'acme-mono-app-v2.0.0'])
    const result = await publish(repo, 'refs/heads/main', {
      verify: 'install',
      'import-name': 'acme_mono_app, acme_mono_core'
    })
    expectSuccess(result)
    expect(result.stdout).toContain('Published in dependency order: acme-mono-core, acme-mono-app')
    expect(result.stdout).toContain('acme-mono-core 1.1.0 matches tag acme-mono-core-v1.1.0')
    expect(result.stdout).toContain('acme-mono-app 2.0.0 matches tag acme-mono-app-v2.0.0')
    expect(result.outputs['version']).toBe('')
    expect(parseJsonOutput(result, 'versions')).toEqual({ 'acme-mono-core': '1.1.0', 'acme-mono-app': '2.0.0' })
    expect(parseJsonOutput(result, 'uploaded')).toEqual([
      'acme_mono_core-1.1.0-py3-none-any.whl',
      'acme_mono_core-1.1.0.tar.gz',
      'acme_mono_app-2.0.0-py3-none-any.whl',
      'acme_mono_app-2.0.0.tar.gz'
    ])
    // Core was uploaded (its own twine call) before the app's.
    const uploads = result.spawned.filter((argv) => argv.includes('twine') && argv.includes('upload'))
    expect(
      uploads.map((argv) =>
        argv
          .find((arg) => arg.endsWith('.whl'))
          ?.split('/')
          .pop()
      )
    ).toEqual(['acme_mono_core-1.1.0-py3-none-any.whl', 'acme_mono_app-2.0.0-py3-none-any.whl'])
    expect(result.stdout).toMatch(/Successfully installed acme-mono-app-2\.0\.0 acme-mono-core-1\.1\.0/)
    expect(result.summary).toContain('acme-mono-core==1.1.0 acme-mono-app==2.0.0')
  }, 120_000)

  it('on a tag: only the package it names is built and published', async () => {
    const repo = await monorepo('1.1.0', '2.0.1', ['acme-mono-core-v1.1.0', 'acme-mono-app-v2.0.1'])
    const result = await publish(repo, 'refs/tags/acme-mono-app-v2.0.1')
    expectSuccess(result)
    expect(parseJsonOutput(result, 'files')).toEqual([
      expect.objectContaining({ name: 'acme_mono_app-2.0.1-py3-none-any.whl' }),
      expect.objectContaining({ name: 'acme_mono_app-2.0.1.tar.gz' })
    ])
    expect(result.outputs['version']).toBe('2.0.1')
    expect(result.spawned.some((argv) => argv.includes('build') && argv.some((arg) => arg.endsWith('/core')))).toBe(
      false
    )
  }, 120_000)

  it('prebuilt files of every package (packages-dir): only the tagged ones are published', async () => {
    const repo = await monorepo('1.2.0', '2.1.0', ['acme-mono-core-v1.2.0'])
    await buildDists(join(repo, 'core'))
    await buildDists(join(repo, 'app'))
    const dists = join(repo, 'dists')
    await exec('sh', ['-c', `mkdir -p ${dists} && cp ${repo}/core/dist/* ${repo}/app/dist/* ${dists}/`])
    const result = await publish(repo, 'refs/heads/main', { packages: '', 'packages-dir': 'dists' })
    expectSuccess(result)
    expect(result.stdout).toContain('Not tagged at this commit, so not published: acme-mono-app')
    expect(parseJsonOutput(result, 'uploaded')).toEqual([
      'acme_mono_core-1.2.0-py3-none-any.whl',
      'acme_mono_core-1.2.0.tar.gz'
    ])
    expect(published('acme-mono-app').filter((file) => file.includes('2.1.0'))).toEqual([])
  }, 120_000)

  it.each([
    [
      'a tag naming no package',
      'refs/tags/acme-other-v1.0.0',
      [],
      'The tag acme-other-v1.0.0 names none of the packages (acme-mono-app, acme-mono-core) by `tag-template` "{name}-v{version}". Fix: tag each package release as the template says (e.g. orb-common-v1.2.3 for `{name}-v{version}`), list the package in `packages`, or fix `tag-template`'
    ],
    [
      'a branch with no package tag at HEAD',
      'refs/heads/main',
      [],
      'No tag of acme-mono-app, acme-mono-core (`tag-template` "{name}-v{version}") points at HEAD (refs/heads/main), so no package is released here. Fix: push the tags with the commit (bump-version with `packages` does), check out with the tags (actions/checkout `fetch-depth: 0`), or run on a tag'
    ],
    [
      'a tag whose version the package does not carry',
      'refs/tags/acme-mono-core-v9.0.0',
      ['acme-mono-core-v9.0.0'],
      expect.stringMatching(/^The built version 1\.3\.0 does not match 9\.0\.0 from tag acme-mono-core-v9\.0\.0 /)
    ]
  ])(
    '%s: one error line, nothing uploaded',
    async (_label, ref, tags, message) => {
      const repo = await monorepo('1.3.0', '2.3.0', tags)
      const result = await publish(repo, ref)
      expect(result.exitCode).not.toBe(0)
      expect(result.errors).toEqual([message])
      expect(published('acme-mono').filter((file) => /1\.3\.0|2\.3\.0|9\.0\.0/.test(file))).toEqual([])
    },
    120_000
  )
})
