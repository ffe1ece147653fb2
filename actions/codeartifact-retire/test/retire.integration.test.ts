import { copyFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { ListPackageVersionsCommand, CodeartifactClient } from '@aws-sdk/client-codeartifact'
import { runBundledAction } from '../../../test/harness/action-runner.ts'
import { type Stack, startStack } from '../../../test/stack/stack.ts'
import { type GitHubReleasesFixture, startGitHubReleasesFixture } from '../../../test/stack/github-releases-fixture.ts'
import {
  WORKSPACE_ENV,
  buildDists,
  copyProject,
  expectSuccess,
  leaks,
  removeTempDirs,
  setVersion
} from '../../publish-python/test/helpers.ts'

// codeartifact-retire's bundle against the local stack: each status, as the API reports it
// (ListPackageVersions) and as pip sees it (the simple index pypiserver serves), the
// expectedStatus race guard, the dispose confirmation, and promotion refusing a retired version.

const KNOWN_TOKEN = 'ca-token.KNOWN+retire/secret=0123456789'
const PACKAGE = 'acme-retire-sample'
const VERSIONS = ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0']
let stack: Stack
let github: GitHubReleasesFixture
const GITHUB_TOKEN = 'ghs_retireKnownToken0123456789abcdef'

function retire(version: string, extra: Record<string, string> = {}) {
  return runBundledAction('codeartifact-retire', {
    inputs: {
      'aws-region': stack.region,
      'role-to-assume': stack.roleArn,
      package: PACKAGE,
      version,
      domain: stack.domain,
      repository: stack.repository,
      'retry-timeout-seconds': '10',
      ...extra
    },
    env: { ...stack.env, ...WORKSPACE_ENV }
  })
}

/** The version's status as ListPackageVersions reports it. */
async function statusOf(version: string): Promise<string | undefined> {
  const client = new CodeartifactClient({
    region: stack.region,
    endpoint: stack.codeartifact.url,
    credentials: await stack.ambientCredentials().then((c) => ({
      accessKeyId: c.AWS_ACCESS_KEY_ID,
      secretAccessKey: c.AWS_SECRET_ACCESS_KEY,
      sessionToken: c.AWS_SESSION_TOKEN
    }))
  })
  try {
    const page = await client.send(
      new ListPackageVersionsCommand({
        domain: stack.domain,
        repository: stack.repository,
        format: 'pypi',
        package: PACKAGE
      })
    )
    return page.versions?.find((v) => v.version === version)?.status
  } finally {
    client.destroy()
  }
}

/** What pip would find: the version's files on the repository's simple index. */
async function servedFiles(version: string): Promise<string[]> {
  const auth = Buffer.from(`aws:${KNOWN_TOKEN}`).toString('base64')
  const response = await fetch(`${stack.indexUrl}${PACKAGE}/`, { headers: { authorization: `Basic ${auth}` } })
  const html = response.ok ? await response.text() : ''
  return [...html.matchAll(/>([^<]+)<\/a>/g)].map((m) => m[1] as string).filter((f) => f.includes(`-${version}`))
}

beforeAll(async () => {
  stack = await startStack({ token: KNOWN_TOKEN })
  github = await startGitHubReleasesFixture(GITHUB_TOKEN)
  for (const version of VERSIONS) {
    const project = await copyProject('flit')
    await setVersion(project, version, PACKAGE)
    const dist = await buildDists(project)
    for (const file of await readdir(dist)) await copyFile(join(dist, file), join(stack.pypiserver.packagesDir, file))
  }
}, 180_000)
afterAll(async () => {
  await github?.stop()
  await stack?.stop()
  await removeTempDirs()
})
afterEach(() => stack.codeartifact.denyOperations.clear())

it('archives by default: off the simple index, Archived in the API; a re-run changes nothing; published restores it', async () => {
  expect(await servedFiles('1.0.0')).toHaveLength(2)
  const result = await retire('1.0.0')
  expectSuccess(result)
  expect(result.outputs).toEqual({ 'previous-status': 'Published', status: 'Archived', changed: 'true' })
  expect(await statusOf('1.0.0')).toBe('Archived')
  expect(await servedFiles('1.0.0')).toEqual([])
  expect(await servedFiles('1.1.0')).toHaveLength(2)
  expect(leaks(result, KNOWN_TOKEN)).toEqual([])
  const guarded = stack.codeartifact.log.find((e) => e.operation === 'UpdatePackageVersionsStatus')
  expect(guarded?.signedOk).toBe(true)

  const again = await retire('1.0.0')
  expectSuccess(again)
  expect(again.outputs['changed']).toBe('false')

  const restored = await retire('1.0.0', { status: 'published' })
  expectSuccess(restored)
  expect(restored.outputs).toEqual({ 'previous-status': 'Archived', status: 'Published', changed: 'true' })
  expect(await servedFiles('1.0.0')).toHaveLength(2)
}, 60_000)

it('unlisted: not on the simple index, Unlisted in the API', async () => {
  const result = await retire('1.1.0', { status: 'unlisted' })
  expectSuccess(result)
  expect(await statusOf('1.1.0')).toBe('Unlisted')
  expect(await servedFiles('1.1.0')).toEqual([])
}, 60_000)

it('expected-status that no longer holds fails and changes nothing', async () => {
  const result = await retire('1.2.0', { 'expected-status': 'unlisted' })
  expect(result.errors).toEqual([
    'acme-retire-sample 1.2.0 in acme/python-internal is Published, not Unlisted: someone changed it meanwhile, so nothing was changed. Fix: check who changed it (CloudTrail), then re-run with `expected-status` set to the current status if the change is still wanted'
  ])
  expect(await statusOf('1.2.0')).toBe('Published')
}, 60_000)

it('a status changed by someone else between the read and the change is not overwritten (expectedStatus)', async () => {
  // Another run unlists 1.2.0 after this run read it as Published and before its change lands.
  stack.codeartifact.beforeNextStatusChange(async (change) => {
    for (const version of change.versions) await change.setStatus(version, 'Unlisted')
  })
  const result = await retire('1.2.0', { status: 'archived' })
  expect(result.exitCode).not.toBe(0)
  expect(result.errors).toHaveLength(1)
  expect(result.errors[0]).toMatch(/^acme-retire-sample 1\.2\.0 in acme\/python-internal .*Unlisted/)
  // The other run's change stands.
  expect(await statusOf('1.2.0')).toBe('Unlisted')
  const restored = await retire('1.2.0', { status: 'published' })
  expect(restored.errors).toEqual([])
}, 60_000)

it('disposed needs the exact confirmation, then deletes the files for good', async () => {
  const refused = await retire('1.3.0', { status: 'disposed', 'confirm-dispose': 'acme-retire-sample==1.2.0' })
  expect(refused.errors).toEqual([
    'Input `confirm-dispose`: "acme-retire-sample==1.2.0" does not name the version being disposed; set it to acme-retire-sample==1.3.0 to delete that version\'s files for good (Archived keeps them and stops downloads).'
  ])
  expect(await statusOf('1.3.0')).toBe('Published')

  const result = await retire('1.3.0', { status: 'disposed', 'confirm-dispose': 'acme-retire-sample==1.3.0' })
  expectSuccess(result)
  expect(await statusOf('1.3.0')).toBe('Disposed')
  expect((await readdir(stack.pypiserver.packagesDir)).filter((f) => f.includes('-1.3.0'))).toEqual([])

  const back = await retire('1.3.0', { status: 'published' })
  expect(back.errors).toEqual([
    'acme-retire-sample 1.3.0 in acme/python-internal is Disposed: its files are gone, so it cannot become Published. Fix: release a new version instead (a version number is never reused)'
  ])
}, 60_000)

it('refused by IAM: one line naming the permission', async () => {
  stack.codeartifact.denyOperations.add('UpdatePackageVersionsStatus')
  const result = await retire('1.4.0')
  expect(result.errors).toHaveLength(1)
  expect(result.errors[0]).toMatch(
    /^CodeArtifact UpdatePackageVersionsStatus was denied: .* Fix: the role needs `codeartifact:UpdatePackageVersionsStatus` on the packages of arn:aws:codeartifact:us-east-1:111122223333:repository\/acme\/python-internal$/
  )
  expect(await statusOf('1.4.0')).toBe('Published')
}, 60_000)

it('promotion refuses a retired version', async () => {
  await retire('1.4.0', { status: 'archived' })
  const result = await runBundledAction('codeartifact-promote', {
    inputs: {
      'aws-region': stack.region,
      'role-to-assume': stack.roleArn,
      package: PACKAGE,
      version: '1.4.0',
      domain: stack.domain,
      'source-repository': stack.repository,
      'destination-repository': 'python-prod'
    },
    env: { ...stack.env, ...WORKSPACE_ENV }
  })
  expect(result.errors).toEqual([
    'acme-retire-sample 1.4.0 is Archived in acme/python-internal: it is not promoted. Fix: a retired version stays retired; promote the version that replaced it'
  ])
}, 60_000)

it.each([
  ['in the same domain', undefined],
  ['in another domain (download and upload)', 'acme-prod']
])(
  'promotion to a destination that archived the same version, %s, refuses at once and uploads nothing',
  async (_label, domain) => {
    // A stack of its own: a dev and a prod repository in which 1.2.0 is promoted, then archived in prod.
    const prod = await startStack({ token: KNOWN_TOKEN, extraRepositories: [{ name: 'python-prod', domain }] })
    try {
      const files = (await readdir(stack.pypiserver.packagesDir)).filter((f) => f.includes('-1.2.0'))
      for (const file of files)
        await copyFile(join(stack.pypiserver.packagesDir, file), join(prod.pypiserver.packagesDir, file))
      const inputs = {
        'aws-region': prod.region,
        'role-to-assume': prod.roleArn,
        package: PACKAGE,
        version: '1.2.0',
        domain: prod.domain,
        'source-repository': prod.repository,
        'destination-repository': 'python-prod',
        ...(domain ? { 'destination-domain': domain } : {}),
        'retry-timeout-seconds': '10'
      }
      const env = { ...prod.env, ...WORKSPACE_ENV }
      expectSuccess(await runBundledAction('codeartifact-promote', { inputs: { ...inputs, verify: 'index' }, env }))
      const archived = await runBundledAction('codeartifact-retire', {
        inputs: { ...inputs, domain: domain ?? prod.domain, repository: 'python-prod' },
        env
      })
      expectSuccess(archived)
      const started = Date.now()
      const result = await runBundledAction('codeartifact-promote', { inputs, env, recordArgvOf: ['twine'] })
      expect(result.errors).toEqual([
        `${domain ?? 'acme'}/python-prod holds acme-retire-sample 1.2.0 as Archived, so promoting it again would put a retired version back on sale. Fix: if it was retired on purpose, promote the version that replaced it; otherwise restore it there first with codeartifact-retire (\`status: published\`)`
      ])
      // Nothing was copied or uploaded: the version stays retired.
      expect(result.spawned.some((argv) => argv.includes('upload'))).toBe(false)
      expect(Date.now() - started).toBeLessThan(10_000)
    } finally {
      await prod.stop()
    }
  },
  120_000
)

describe('the GitHub release and the tag', () => {
  const env = () => ({ ...stack.env, ...WORKSPACE_ENV, GITHUB_API_URL: github.url, GITHUB_REPOSITORY: 'acme/widgets' })
  const run = (version: string, extra: Record<string, string>) =>
    runBundledAction('codeartifact-retire', {
      inputs: {
        'aws-region': stack.region,
        'role-to-assume': stack.roleArn,
        package: PACKAGE,
        version,
        domain: stack.domain,
        repository: stack.repository,
        'retry-timeout-seconds': '10',
        ...extra
      },
      env: env()
    })

  it('marks the release and deletes the tag after the status; a re-run changes nothing and leaks nothing', async () => {
    const project = await copyProject('flit')
    await setVersion(project, '2.0.0', PACKAGE)
    const dist = await buildDists(project)
    for (const file of await readdir(dist)) await copyFile(join(dist, file), join(stack.pypiserver.packagesDir, file))
    github.tags.add('acme/widgets:v2.0.0')
    github.releases.push({
      id: 99,
      repository: 'acme/widgets',
      tag_name: 'v2.0.0',
      name: 'v2.0.0',
      body: 'First notes',
      prerelease: false,
      draft: false,
      assets: []
    })
    const inputs = {
      'mark-release': 'true',
      'delete-tag': 'true',
      reason: 'breaks on Python 3.9',
      'github-token': GITHUB_TOKEN
    }
    const result = await run('2.0.0', inputs)
    expectSuccess(result)
    const release = github.releases.find((r) => r.id === 99)
    expect(release?.prerelease).toBe(true)
    expect(release?.body).toBe(
      '> [!CAUTION]\n> **Retired:** acme-retire-sample 2.0.0 is Archived in CodeArtifact (acme/python-internal): breaks on Python 3.9 Use a newer version.\n\nFirst notes'
    )
    expect(github.tags.has('acme/widgets:v2.0.0')).toBe(false)
    expect(await statusOf('2.0.0')).toBe('Archived')
    for (const secret of [KNOWN_TOKEN, GITHUB_TOKEN]) expect(leaks(result, secret)).toEqual([])

    const again = await run('2.0.0', inputs)
    expectSuccess(again)
    expect(again.outputs['changed']).toBe('false')
    expect(github.releases.find((r) => r.id === 99)?.body.match(/Retired/g)).toHaveLength(1)
    expect(again.stdout).toContain('The tag v2.0.0 does not exist (already deleted)')
  }, 120_000)

  it('a token GitHub refuses: one line with the permission, after the status was set', async () => {
    const result = await run('1.4.0', { 'mark-release': 'true', 'github-token': 'ghs_wrong' })
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^GitHub refused to read the release of v1\.4\.0: .*HTTP 401 Bad credentials\. Fix: pass `github-token: \$\{\{ github\.token \}\}` and give the job `permissions: contents: write`$/
      )
    ])
  }, 60_000)

  it('mark-release without a token fails before any call', async () => {
    stack.codeartifact.clearLog()
    const result = await run('1.4.0', { 'mark-release': 'true' })
    expect(result.errors).toEqual([
      'Input `github-token`: is empty but `mark-release` is true; pass `github-token: ${{ github.token }}` and give the job `permissions: contents: write`.'
    ])
    expect(stack.codeartifact.log).toEqual([])
  })
})
