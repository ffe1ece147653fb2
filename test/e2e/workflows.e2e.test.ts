import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, VENV_BIN } from '../harness/action-runner.ts'
import { type Podman, type Registry, setupPodman, startRegistry } from '../harness/containers.ts'
import { runOrThrow } from '../harness/process.ts'
import { type Stack, startStack } from '../stack/stack.ts'
import { makeWheelhouse } from '../stack/wheelhouse.ts'
import { type TrustedPublishingFixture, startTrustedPublishingFor } from '../stack/trusted-publishing-fixture.ts'
import { type GitHubReleasesFixture, startGitHubReleasesFixture } from '../stack/github-releases-fixture.ts'
import { type ActResult, publishedActionsCopy, runAct } from './act.ts'
import { runBundledAction } from '../harness/action-runner.ts'

// The consumer example workflows (examples/workflows/) run end to end with act in host mode,
// from a consumer repository that uses this repository the way an outside one does:
// `pyrelease/actions/.github/workflows/...@v1` and `pyrelease/actions/actions/...@v1`,
// resolved by act's --local-repository to the committed action.yml + dist/ files. GitHub's
// OIDC token endpoint, STS, CodeArtifact, the index and the registry are the local stack's.
// Each test checks the result where it lands (the index, the bare origin, the registry), not
// only act's exit code.

let stack: Stack
let podman: Podman
let registry: Registry
let consumer: string
let origin: string
let actionsDir: string
let wheelhouse: string
let ecrPassword: string
let trusted: TrustedPublishingFixture
let github: GitHubReleasesFixture
const GITHUB_TOKEN = 'ghs_e2eWorkflowTokenForTheReleaseJob01'
const FAILING_TEST =
  'import unittest\n\n\nclass Broken(unittest.TestCase):\n    def test_fails(self):\n        self.fail("broken on purpose")\n'

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com'
}

function sh(command: string, args: string[], cwd?: string): Promise<string> {
  return runOrThrow(command, args, { cwd, env: { ...process.env, ...GIT_IDENTITY } })
}

function commonVars(): Record<string, string> {
  return {
    AWS_REGION: stack.region,
    CODEARTIFACT_PUBLISH_ROLE: stack.roleArn,
    CODEARTIFACT_DOMAIN: stack.domain,
    CODEARTIFACT_REPOSITORY: stack.repository,
    CREATE_RELEASE: 'false'
  }
}

async function act(
  workflow: string,
  event: 'push' | 'workflow_dispatch' | 'pull_request',
  payload: Record<string, unknown>,
  vars: Record<string, string> = {},
  secrets: Record<string, string> = {},
  env: Record<string, string> = {}
): Promise<ActResult> {
  const result = await runAct({
    repo: consumer,
    event,
    payload,
    workflow,
    actionsDir,
    vars: { ...commonVars(), ...vars },
    secrets,
    env: {
      ...stack.env,
      ...podman.env,
      // No internet: isolated builds get their backend (hatchling) from a local wheelhouse,
      // as a runner would from PyPI.
      UV_FIND_LINKS: wheelhouse,
      UV_OFFLINE: '1',
      // The release job talks to the GitHub API stand-in, for the repository the OIDC claims name.
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: 'acme/widgets',
      ...env
    }
  })
  if (result.exitCode !== 0) console.log(result.output.slice(-6000))
  return result
}

/** Sets the example library's version in both of its sources, as a release commit would. */
async function setProjectVersion(version: string): Promise<void> {
  for (const [file, pattern] of [
    ['pyproject.toml', /^version = "[^"]*"/m],
    [join('src', 'acme_widgets', '__init__.py'), /^__version__ = "[^"]*"/m]
  ] as const) {
    const path = join(consumer, file)
    const text = readFileSync(path, 'utf8')
    writeFileSync(
      path,
      text.replace(pattern, (line) => line.replace(/"[^"]*"/, `"${version}"`))
    )
  }
}

async function originRef(ref: string): Promise<string> {
  return (await sh('git', ['--git-dir', origin, 'rev-parse', '--verify', '--quiet', ref]).catch(() => '')).trim()
}

async function originTags(): Promise<string[]> {
  return (await sh('git', ['--git-dir', origin, 'tag', '--list'])).split('\n').filter(Boolean).sort()
}

/**
 * Runs `fn` with the consumer on a side branch whose one commit sets `version` (and writes
 * `files`) and is tagged v<version>, as a release tag looks; main is restored afterwards.
 */
async function onReleaseTag(
  version: string,
  files: Record<string, string>,
  fn: (tag: string) => Promise<void>
): Promise<void> {
  const tag = `v${version}`
  const branch = `release-${version}`
  await sh('git', ['checkout', '--quiet', '-b', branch], consumer)
  for (const [path, content] of Object.entries(files)) writeFileSync(join(consumer, path), content)
  await setProjectVersion(version)
  await sh('git', ['add', '--all'], consumer)
  await sh('git', ['commit', '--quiet', '-m', version], consumer)
  await sh('git', ['tag', tag], consumer)
  try {
    await fn(tag)
  } finally {
    await sh('git', ['checkout', '--quiet', 'main'], consumer)
    await sh('git', ['branch', '--quiet', '-D', branch], consumer)
    await sh('git', ['tag', '-d', tag], consumer)
  }
}

function uploadedFiles(): string[] {
  return readdirSync(stack.pypiserver.packagesDir).sort()
}

/** pip installs `requirement` from the private index into a fresh target: the release installs. */
async function installFromIndex(requirement: string): Promise<string> {
  const index = new URL(stack.indexUrl)
  index.username = 'aws'
  index.password = stack.token
  const target = mkdtempSync(join(tmpdir(), 'e2e-install-'))
  await sh(join(VENV_BIN, 'python'), [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--no-deps',
    '--no-cache-dir',
    '--index-url',
    index.toString(),
    '--target',
    target,
    requirement
  ])
  return sh(join(VENV_BIN, 'python'), [
    '-c',
    'import sys; sys.path.insert(0, sys.argv[1]); import acme_widgets; print(acme_widgets.__version__)',
    target
  ])
}

beforeAll(async () => {
  wheelhouse = mkdtempSync(join(tmpdir(), 'e2e-wheelhouse-'))
  ;[stack, podman] = await Promise.all([startStack(), setupPodman(), makeWheelhouse(wheelhouse, ['hatchling'])])
  // moto's ECR GetAuthorizationToken answers AWS:<account>-auth-token; the local registry takes it.
  ecrPassword = `${stack.domainOwner}-auth-token`
  registry = await startRegistry([{ user: 'AWS', password: ecrPassword }])
  github = await startGitHubReleasesFixture(GITHUB_TOKEN)
  // PyPI's trusted publishing in front of the stack's index, with the caller-side example's
  // publisher: this repository, its release-pypi.yml, the environment `pypi`.
  trusted = await startTrustedPublishingFor(stack, [
    { repository: 'acme/widgets', workflow: '.github/workflows/release-pypi.yml', environment: 'pypi' }
  ])
  await podman.allowInsecureRegistries([registry.host])
  actionsDir = publishedActionsCopy()

  // The consumer repository: the example library, the example workflows, a service image.
  const dir = mkdtempSync(join(tmpdir(), 'e2e-consumer-'))
  consumer = join(dir, 'widgets')
  origin = join(dir, 'origin.git')
  cpSync(join(ROOT, 'examples', 'acme-widgets'), consumer, {
    recursive: true,
    filter: (path) => !/(dist|__pycache__|\.egg-info)$/.test(path)
  })
  cpSync(join(ROOT, 'examples', 'workflows'), join(consumer, '.github', 'workflows'), { recursive: true })
  cpSync(join(ROOT, 'test', 'fixtures', 'docker', 'service'), join(consumer, 'service'), { recursive: true })
  await sh('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', origin])
  await sh('git', ['init', '--quiet', '--initial-branch', 'main'], consumer)
  await sh('git', ['add', '.'], consumer)
  await sh('git', ['commit', '--quiet', '-m', 'acme-widgets 0.1.0'], consumer)
  await sh('git', ['remote', 'add', 'origin', `file://${origin}`], consumer)
  await sh('git', ['push', '--quiet', '--set-upstream', 'origin', 'main'], consumer)
}, 300_000)

afterAll(async () => {
  await Promise.allSettled([github?.stop(), trusted?.stop(), stack?.stop(), registry?.stop()])
  await podman?.cleanup()
})

describe('consumer workflows under act', () => {
  it('pr-check builds, checks and gates the package without publishing', async () => {
    const result = await act('pr-check.yml', 'pull_request', {
      pull_request: { number: 7, head: { ref: 'feature' }, base: { ref: 'main' } }
    })
    expect(result.exitCode).toBe(0)
    expect(result.output).toMatch(/Ran 2 tests[\s\S]*OK/)
    expect(result.output).toMatch(/Checking \S+acme_widgets-0\.1\.0\.tar\.gz: PASSED/)
    expect(result.output).toMatch(
      /Dry run with no index configured: built, checked and gated 2 files; nothing compared or uploaded/
    )
    expect(uploadedFiles()).toEqual([])
  }, 300_000)

  it('a pushed tag v0.1.0 tests, publishes 0.1.0 through OIDC -> CodeArtifact, and it installs', async () => {
    await sh('git', ['tag', 'v0.1.0'], consumer)
    await sh('git', ['push', '--quiet', 'origin', 'v0.1.0'], consumer)
    const result = await act(
      'release-on-tag.yml',
      'push',
      { ref: 'refs/tags/v0.1.0', ref_name: 'v0.1.0' },
      { CREATE_RELEASE: 'true' },
      { GITHUB_TOKEN }
    )
    if (process.env['SHOW_ACT']) console.log(result.output)
    expect(result.exitCode).toBe(0)
    // build: built, checked and gated with no credentials, handed on as an artifact.
    expect(result.output).toMatch(
      /\[build\/build-python\/build\] .*Dry run with no index configured: built, checked and gated 2 files/
    )
    expect(result.output).toMatch(/\[build\/build-python\/build\] .*artifact python-dists: SHA256SUMS acme_widgets/)
    // test: the wheel installed in a fresh environment, on each Python of the matrix.
    for (const python of ['3.9', '3.12'])
      expect(result.output).toMatch(
        new RegExp(`\\[build/build-python/test.*Matrix: map\\[python:${python.replace('.', '\\.')}\\]`)
      )
    expect(result.output).toMatch(/\[build\/build-python\/test[^\]]*\] .*Ran 2 tests/)
    // publish: exactly the checked files, their sha256 verified before the upload.
    expect(result.output).toMatch(/\[release\/publish-on-tag\/publish\] .*acme_widgets-0\.1\.0-py3-none-any\.whl: OK/)
    expect(uploadedFiles()).toEqual(['acme_widgets-0.1.0-py3-none-any.whl', 'acme_widgets-0.1.0.tar.gz'])
    // The GitHub OIDC token was really exchanged at STS for the role.
    expect(
      stack.stsGate.log.some((entry) => entry.action === 'AssumeRoleWithWebIdentity' && entry.status === 200)
    ).toBe(true)
    expect((await installFromIndex('acme-widgets==0.1.0')).trim()).toBe('0.1.0')
    // release: no CHANGELOG.md in this project, so the notes list the commits up to the tag.
    const release = github.releases.find((r) => r.tag_name === 'v0.1.0')
    expect(release).toMatchObject({ prerelease: false })
    expect(release?.body).toMatch(/^## Changes \(all commits\)\n\n- acme-widgets 0\.1\.0 \([0-9a-f]+\)$/m)
    expect(release?.body).toContain('| acme_widgets-0.1.0.tar.gz |')
    expect(release?.assets.map((asset) => asset.name).sort()).toEqual([
      'acme_widgets-0.1.0-py3-none-any.whl',
      'acme_widgets-0.1.0.tar.gz'
    ])
  }, 300_000)

  it('a tag whose tests fail publishes nothing: the publish job never starts', async () => {
    await onReleaseTag('0.1.1', { 'tests/test_broken.py': FAILING_TEST }, async (tag) => {
      const result = await act('release-on-tag.yml', 'push', { ref: `refs/tags/${tag}`, ref_name: tag })
      expect(result.exitCode).not.toBe(0)
      expect(result.output).toMatch(/\[build\/build-python\/test[^\]]*\] .*broken on purpose/)
      expect(result.output).not.toMatch(/\[release\/publish-on-tag\/publish\] .*Main /)
      expect(uploadedFiles().filter((file) => file.includes('0.1.1'))).toEqual([])
    })
  }, 300_000)

  it('files built by an earlier job (dists-artifact) are checked, tested and published together', async () => {
    await onReleaseTag('0.1.2', {}, async (tag) => {
      const result = await act('release-prebuilt.yml', 'push', { ref: `refs/tags/${tag}`, ref_name: tag })
      expect(result.exitCode).toBe(0)
      expect(result.output).toMatch(/\[release \(prebuilt\)\/dists\s*\] .*artifact wheelhouse: acme_widgets-0\.1\.2/)
      // The build job built nothing: it checked and gated the artifact's files.
      expect(result.output).not.toMatch(/\[build\/build-python\/build\] .*Building 1 project/)
      expect(uploadedFiles().filter((file) => file.includes('0.1.2'))).toEqual([
        'acme_widgets-0.1.2-py3-none-any.whl',
        'acme_widgets-0.1.2.tar.gz'
      ])
      expect((await installFromIndex('acme-widgets==0.1.2')).trim()).toBe('0.1.2')
    })
  }, 300_000)

  it('the release job creates a GitHub pre-release with the CHANGELOG section, the files and install commands', async () => {
    const changelog =
      '# Changelog\n\n## [0.1.4rc1] - 2026-11-30\n\n### Added\n\n- Widgets can spin.\n\n## [0.1.0] - 2026-11-01\n\n- First release.\n'
    await onReleaseTag('0.1.4rc1', { 'CHANGELOG.md': changelog }, async () => {
      const run = () =>
        act(
          'release-on-tag.yml',
          'push',
          { ref: 'refs/tags/v0.1.4rc1', ref_name: 'v0.1.4rc1' },
          { CREATE_RELEASE: 'true' },
          { GITHUB_TOKEN }
        )
      const result = await run()
      expect(result.exitCode).toBe(0)
      const release = github.releases.find((r) => r.tag_name === 'v0.1.4rc1')
      expect(release).toMatchObject({ tag_name: 'v0.1.4rc1', prerelease: true, draft: false })
      expect(release?.body).toContain('- Widgets can spin.')
      expect(release?.body).not.toContain('First release')
      expect(release?.body).toContain(`pip install --index-url ${stack.indexUrl} 'acme-widgets==0.1.4rc1'`)
      expect(release?.body).toContain(`uv pip install --index-url ${stack.indexUrl} 'acme-widgets==0.1.4rc1'`)
      expect(release?.body).toContain("poetry add --source private 'acme-widgets==0.1.4rc1'")
      // The attached files are the published ones, byte for byte.
      expect(release?.assets.map((asset) => asset.name).sort()).toEqual([
        'acme_widgets-0.1.4rc1-py3-none-any.whl',
        'acme_widgets-0.1.4rc1.tar.gz'
      ])
      for (const asset of release?.assets ?? [])
        expect(asset.content.equals(readFileSync(join(stack.pypiserver.packagesDir, asset.name)))).toBe(true)
      // A re-run finds the release and its files and adds nothing.
      const again = await run()
      expect(again.exitCode).toBe(0)
      expect(again.output).toContain('acme_widgets-0.1.4rc1.tar.gz: attached already')
      expect(github.releases.filter((r) => r.tag_name === 'v0.1.4rc1')).toHaveLength(1)
    })
  }, 300_000)

  it('a bump whose tests fail pushes nothing: origin and the index are as they were', async () => {
    writeFileSync(join(consumer, 'tests', 'test_broken.py'), FAILING_TEST)
    await sh('git', ['add', 'tests/test_broken.py'], consumer)
    await sh('git', ['commit', '--quiet', '-m', 'a failing test'], consumer)
    await sh('git', ['push', '--quiet', 'origin', 'main'], consumer)
    const before = { tip: await originRef('refs/heads/main'), tags: await originTags(), files: uploadedFiles() }
    try {
      const result = await act('bump-and-release.yml', 'workflow_dispatch', {
        ref: 'refs/heads/main',
        inputs: { bump: 'minor' }
      })
      expect(result.exitCode).not.toBe(0)
      expect(result.output).toMatch(/\[release\/bump-and-release\/test[^\]]*\] .*broken on purpose/)
      expect(result.output).not.toMatch(/\[release\/bump-and-release\/push\s*\] .*Main Push/)
      expect({ tip: await originRef('refs/heads/main'), tags: await originTags(), files: uploadedFiles() }).toEqual(
        before
      )
    } finally {
      await sh('git', ['rm', '--quiet', 'tests/test_broken.py'], consumer)
      await sh('git', ['commit', '--quiet', '-m', 'drop the failing test'], consumer)
      await sh('git', ['push', '--quiet', 'origin', 'main'], consumer)
    }
  }, 300_000)

  it("trusted publishing from the reusable workflow's own job is refused before any token is minted", async () => {
    // A caller that asks publish-on-tag itself to publish with trusted publishing.
    const callerWorkflow = [
      'name: trusted in reusable',
      'on: { push: { tags: ["v*"] } }',
      'jobs:',
      '  release:',
      '    uses: pyrelease/actions/.github/workflows/publish-on-tag.yml@v1',
      '    permissions: { contents: read, id-token: write }',
      '    with: { trusted-publishing: true, repository-url: "${{ vars.PYPI_UPLOAD_URL }}" }',
      ''
    ].join('\n')
    await onReleaseTag('0.1.3', { '.github/workflows/trusted-in-reusable.yml': callerWorkflow }, async () => {
      // What GitHub puts in a reusable workflow's token: the called workflow's repository.
      stack.oidc.setClaims({
        ref: 'refs/tags/v0.1.3',
        job_workflow_ref: 'pyrelease/actions/.github/workflows/publish-on-tag.yml@refs/tags/v1'
      })
      try {
        const refused = await act(
          'trusted-in-reusable.yml',
          'push',
          { ref: 'refs/tags/v0.1.3', ref_name: 'v0.1.3' },
          { PYPI_UPLOAD_URL: `${trusted.url}/pypi/${stack.repository}/` }
        )
        expect(refused.exitCode).not.toBe(0)
        expect(refused.output).toContain(
          'Trusted publishing cannot work from this job: it runs a workflow of pyrelease/actions for acme/widgets'
        )
        expect(trusted.mintLog).toEqual([])

        // The supported shape: the reusable workflow builds and tests, the caller's own job in
        // the `pypi` environment publishes the artifact.
        stack.oidc.setClaims({
          job_workflow_ref: 'acme/widgets/.github/workflows/release-pypi.yml@refs/tags/v0.1.3',
          environment: 'pypi'
        })
        const published = await act(
          'release-pypi.yml',
          'push',
          { ref: 'refs/tags/v0.1.3', ref_name: 'v0.1.3' },
          { PYPI_UPLOAD_URL: `${trusted.url}/pypi/${stack.repository}/` }
        )
        expect(published.exitCode).toBe(0)
        // build-python built and tested; the caller's own `pypi` job published.
        expect(published.output).toMatch(/\[build\/build-python\/build\]\s+🏁 {2}Job succeeded/)
        expect(published.output).toMatch(/\[release to PyPI\/pypi\s*\]\s+🏁 {2}Job succeeded/)
        expect(trusted.mintLog.map((entry) => entry.status)).toEqual([200])
        expect(uploadedFiles().filter((file) => file.includes('0.1.3'))).toEqual([
          'acme_widgets-0.1.3-py3-none-any.whl',
          'acme_widgets-0.1.3.tar.gz'
        ])
      } finally {
        stack.oidc.setClaims({
          ref: 'refs/tags/v1.0.0',
          job_workflow_ref: 'acme/widgets/.github/workflows/release.yml@refs/tags/v1.0.0',
          environment: undefined
        })
      }
    })
  }, 300_000)

  it('a workflow_dispatch minor bump commits and tags 0.2.0 in the origin, then publishes it', async () => {
    const result = await act('bump-and-release.yml', 'workflow_dispatch', {
      ref: 'refs/heads/main',
      inputs: { bump: 'minor' }
    })
    expect(result.exitCode).toBe(0)
    // The bumped tree was built and tested before the push, and the files published are the
    // ones built from the pushed commit.
    for (const job of ['prepare', 'test', 'push', 'publish'])
      expect(result.output).toMatch(new RegExp(`\\[release/bump-and-release/${job}[^\\]]*\\] 🏁  Job succeeded`))
    expect(result.output).toMatch(
      /\[release\/bump-and-release\/publish\s*\] .*acme_widgets-0\.2\.0-py3-none-any\.whl: OK/
    )
    const tags = await sh('git', ['ls-remote', '--tags', `file://${origin}`])
    expect(tags).toMatch(/refs\/tags\/v0\.2\.0/)
    const log = await sh('git', ['--git-dir', origin, 'log', '--format=%s', 'main'])
    expect(log.split('\n')[0]).toBe('Bump version: 0.1.0 → 0.2.0')
    // Both version sources moved together, and the tag points at that commit.
    const pyproject = await sh('git', ['--git-dir', origin, 'show', 'v0.2.0:pyproject.toml'])
    expect(pyproject).toMatch(/^version = "0\.2\.0"$/m)
    const init = await sh('git', ['--git-dir', origin, 'show', 'v0.2.0:src/acme_widgets/__init__.py'])
    expect(init).toContain('__version__ = "0.2.0"')
    expect(uploadedFiles()).toEqual(
      expect.arrayContaining(['acme_widgets-0.2.0-py3-none-any.whl', 'acme_widgets-0.2.0.tar.gz'])
    )
    expect((await installFromIndex('acme-widgets==0.2.0')).trim()).toBe('0.2.0')
  }, 300_000)

  it('a failure after the push is finished from the same files, never by a second bump', async () => {
    // The checkout stand-in copies this clone: bring it up to origin, as actions/checkout would.
    await sh('git', ['pull', '--quiet', '--ff-only', 'origin', 'main'], consumer)
    // The index refuses uploads: the publish job fails after commit and tag were pushed.
    stack.index.addFault({ method: 'POST', status: 403, body: 'Forbidden', persistent: true })
    let result: ActResult
    try {
      result = await act('bump-and-release.yml', 'workflow_dispatch', {
        ref: 'refs/heads/main',
        inputs: { bump: 'patch' }
      })
    } finally {
      stack.index.clearFaults()
    }
    expect(result.exitCode).not.toBe(0)
    // It was the upload that failed, in the publish job, after the push.
    expect(result.output).toMatch(/\[release\/bump-and-release\/publish\s*\] .*refused the upload .*HTTP 403/)
    const tagged = await originRef('refs/tags/v0.2.1^{}')
    expect(tagged).toMatch(/^[0-9a-f]{40}$/)
    expect(await originRef('refs/heads/main')).toBe(tagged)
    expect(uploadedFiles().filter((file) => file.includes('0.2.1'))).toEqual([])

    // What "Re-run failed jobs" does on GitHub: the publish job again, with the run's artifact
    // (act cannot re-run one job of a run, so its step runs here on that artifact).
    const [runId] = readdirSync(result.artifactsDir)
    const release = join(result.artifactsDir, runId as string, 'release')
    expect(readFileSync(join(release, 'SHA256SUMS'), 'utf8')).toContain('acme_widgets-0.2.1.tar.gz')
    const rerun = await runBundledAction('publish-python', {
      // The publish job's workspace holds the downloaded artifact.
      cwd: join(result.artifactsDir, runId as string),
      inputs: {
        'packages-dir': 'release',
        'expected-version': '0.2.1',
        'aws-region': stack.region,
        'role-to-assume': stack.roleArn,
        domain: stack.domain,
        repository: stack.repository
      },
      env: stack.env
    })
    expect(rerun.errors).toEqual([])
    expect(uploadedFiles().filter((file) => file.includes('0.2.1'))).toEqual([
      'acme_widgets-0.2.1-py3-none-any.whl',
      'acme_widgets-0.2.1.tar.gz'
    ])
    // No second bump: origin still has 0.2.1 as its last release.
    expect((await originTags()).filter((tag) => tag.startsWith('v0.2'))).toEqual(['v0.2.0', 'v0.2.1'])
  }, 300_000)

  it('a push to main builds the service image through the secret and pushes it to the registry', async () => {
    const sha = (await sh('git', ['rev-parse', 'HEAD'], consumer)).trim()
    const image = `${registry.host}/acme/orders`
    const result = await act(
      'service-image.yml',
      'push',
      { ref: 'refs/heads/main', after: sha },
      {
        IMAGE_CONTEXT: 'service',
        IMAGE_REPOSITORY: image,
        IMAGE_BUILD_ROLE: stack.roleArn,
        ECR_LOGIN: 'true',
        ECR_REGISTRY: registry.host
      }
    )
    expect(result.exitCode).toBe(0)
    // The RUN step fetched the private wheel with the mounted secret...
    expect(result.output).toMatch(/installed acme_widgets-0\.\d\.0-py3-none-any\.whl/)
    expect(result.output).not.toContain(stack.token)
    // ...and the image is in the registry: list its tags, then pull it back.
    const auth = Buffer.from(`AWS:${ecrPassword}`).toString('base64')
    const listing = await fetch(`http://${registry.host}/v2/acme/orders/tags/list`, {
      headers: { authorization: `Basic ${auth}` }
    })
    const body = (await listing.json()) as { tags?: string[] }
    expect(body.tags?.length).toBe(1)
    await podman.run(['logout', '--all'])
    const login = await podman.run(['login', '--username', 'AWS', '--password-stdin', registry.host], {
      input: ecrPassword
    })
    expect(login.code).toBe(0)
    const pulled = await podman.run(['pull', '--quiet', `${image}:${body.tags?.[0]}`])
    expect(pulled.code).toBe(0)
  }, 300_000)

  it('logs out of a registry it logged in to, even when the build fails', async () => {
    const sha = (await sh('git', ['rev-parse', 'HEAD'], consumer)).trim()
    const result = await act(
      'service-image.yml',
      'push',
      { ref: 'refs/heads/main', after: sha },
      {
        IMAGE_CONTEXT: 'no-such-directory',
        IMAGE_REPOSITORY: `${registry.host}/acme/orders`,
        IMAGE_BUILD_ROLE: stack.roleArn,
        ECR_LOGIN: 'false'
      },
      { REGISTRY_USERNAME: 'AWS', REGISTRY_PASSWORD: ecrPassword }
    )
    expect(result.exitCode).not.toBe(0)
    expect(result.output).toMatch(/Login Succeeded/)
    expect(result.output).toMatch(/Input `context`: "no-such-directory"/)
    expect(result.output).toMatch(
      /\[image\/build-service-image\/build\]\s+✅ {2}Success - Main Log out of the registry/
    )
    expect(result.output).toContain(`Removed login credentials for ${registry.host}`)
    // The password left the builder's auth file with the logout.
    expect(readFileSync(podman.authFile, 'utf8')).not.toContain(registry.host)
  }, 300_000)
})

describe('publish-on-change under act', () => {
  /** Brings the clone up to origin, tags included, as actions/checkout with fetch-depth 0 would. */
  async function syncWithOrigin(): Promise<void> {
    await sh('git', ['checkout', '--quiet', 'main'], consumer)
    await sh('git', ['pull', '--quiet', '--ff-only', 'origin', 'main'], consumer)
    await sh('git', ['fetch', '--quiet', '--tags', '--force', 'origin'], consumer)
  }

  /** Commits everything (after setting `version`, when given) and pushes it; returns the commit. */
  async function pushCommit(message: string, version?: string, branch = 'main'): Promise<string> {
    if (version) await setProjectVersion(version)
    else writeFileSync(join(consumer, 'NOTES.md'), `${message}\n`)
    await sh('git', ['add', '--all'], consumer)
    await sh('git', ['commit', '--quiet', '-m', message], consumer)
    await sh('git', ['push', '--quiet', 'origin', branch], consumer)
    return (await sh('git', ['rev-parse', 'HEAD'], consumer)).trim()
  }

  const onPush = (sha: string, branch = 'main', env: Record<string, string> = {}): Promise<ActResult> =>
    act('publish-on-change.yml', 'push', { ref: `refs/heads/${branch}`, after: sha }, {}, {}, env)

  const posts = (): number => stack.index.log.filter((entry) => entry.method === 'POST').length

  it('a push that changes the version publishes it, verifies it, and only then tags that commit', async () => {
    await syncWithOrigin()
    const sha = await pushCommit('release 0.5.0', '0.5.0')
    const result = await onPush(sha)
    expect(result.exitCode).toBe(0)
    expect(uploadedFiles().filter((file) => file.includes('0.5.0'))).toEqual([
      'acme_widgets-0.5.0-py3-none-any.whl',
      'acme_widgets-0.5.0.tar.gz'
    ])
    expect(await originRef('refs/tags/v0.5.0^{}')).toBe(sha)
    // The tag job ran after the publish job had verified the release.
    const published = result.output.search(/\[release\/publish-on-change\/publish\s*\]\s+🏁 {2}Job succeeded/)
    const tagged = result.output.search(/\[release\/publish-on-change\/tag\s*\] .*Tagged [0-9a-f]{12} as v0\.5\.0/)
    expect(published).toBeGreaterThan(0)
    expect(tagged).toBeGreaterThan(published)
    // The development job is for other branches.
    expect(result.output).not.toMatch(/\[dev\//)
    expect((await installFromIndex('acme-widgets==0.5.0')).trim()).toBe('0.5.0')
  }, 300_000)

  it('a push that leaves the version alone publishes nothing, tags nothing, and says to bump', async () => {
    await syncWithOrigin()
    const released = await originRef('refs/tags/v0.5.0^{}')
    const sha = await pushCommit('docs only')
    const before = { tags: await originTags(), files: uploadedFiles(), sts: stack.stsGate.log.length }
    const result = await onPush(sha)
    expect(result.exitCode).toBe(0)
    expect(result.output).toContain(
      `0.5.0 is already released (v0.5.0 is at ${released.slice(0, 12)}): nothing published or tagged. Bump the version to release this commit.`
    )
    // No job minted a credential: the publish job never started.
    expect(result.output).not.toMatch(/\[release\/publish-on-change\/publish\s*\]/)
    expect({ tags: await originTags(), files: uploadedFiles(), sts: stack.stsGate.log.length }).toEqual(before)

    // Without the tag (deleted, or never pushed), the index says the same: 0.5.0 is there with
    // other files (this commit's build differs), so nothing is uploaded and nothing tagged.
    await sh('git', ['--git-dir', origin, 'tag', '-d', 'v0.5.0'])
    await sh('git', ['tag', '-d', 'v0.5.0'], consumer)
    try {
      stack.index.clearLog()
      const untagged = await onPush(sha)
      expect(untagged.exitCode).toBe(0)
      expect(untagged.output).toMatch(
        /\[release\/publish-on-change\/publish\s*\] .*0\.5\.0 is already released on http:\S+ from other files \(an earlier build\), so nothing was uploaded; bump the version to release this build\./
      )
      expect(untagged.output).not.toMatch(/\[release\/publish-on-change\/tag\s*\]/)
      expect(posts()).toBe(0)
      expect(await originRef('refs/tags/v0.5.0')).toBe('')
    } finally {
      await sh('git', ['--git-dir', origin, 'tag', 'v0.5.0', released])
    }
  }, 300_000)

  it('a re-run after a publish whose tag push failed uploads nothing and pushes the tag', async () => {
    await syncWithOrigin()
    const sha = await pushCommit('release 0.5.1', '0.5.1')
    // Origin refuses tags for the first run: the release is on the index, its tag is not.
    const hook = join(origin, 'hooks', 'pre-receive')
    writeFileSync(
      hook,
      '#!/bin/sh\nwhile read -r old new ref; do case "$ref" in refs/tags/*) echo "tags are frozen" >&2; exit 1;; esac; done\n',
      { mode: 0o755 }
    )
    let first: ActResult
    try {
      first = await onPush(sha)
    } finally {
      rmSync(hook)
    }
    expect(first.exitCode).not.toBe(0)
    expect(first.output).toMatch(/\[release\/publish-on-change\/tag\s*\] .*tags are frozen/)
    expect(uploadedFiles().filter((file) => file.includes('0.5.1'))).toEqual([
      'acme_widgets-0.5.1-py3-none-any.whl',
      'acme_widgets-0.5.1.tar.gz'
    ])
    expect(await originRef('refs/tags/v0.5.1')).toBe('')

    // "Re-run all jobs": the same commit rebuilt, its files found identical on the index.
    stack.index.clearLog()
    const rerun = await onPush(sha)
    expect(rerun.exitCode).toBe(0)
    expect(rerun.output).toMatch(
      /acme_widgets-0\.5\.1-py3-none-any\.whl: already on the index with the same sha256, skipped/
    )
    expect(rerun.output).toMatch(/Every file is already on the index: nothing to upload/)
    expect(posts()).toBe(0)
    expect(await originRef('refs/tags/v0.5.1^{}')).toBe(sha)

    // And once more: the tag is at this commit, so there is nothing to do.
    await syncWithOrigin()
    const again = await onPush(sha)
    expect(again.exitCode).toBe(0)
    expect(again.output).toContain('v0.5.1 is at this commit already: 0.5.1 is released from it, nothing to do')
    expect(again.output).not.toMatch(/\[release\/publish-on-change\/publish\s*\]/)
  }, 300_000)

  it('a push to another branch publishes a development release X.Y.Z.devN, tags nothing and commits nothing', async () => {
    await syncWithOrigin()
    await sh('git', ['checkout', '--quiet', '-b', 'develop'], consumer)
    try {
      const tags = await originTags()
      // After the final 0.5.1: the next patch's development release, N the run number.
      const sha = await pushCommit('work in progress', undefined, 'develop')
      const result = await onPush(sha, 'develop', { GITHUB_RUN_NUMBER: '57' })
      expect(result.exitCode).toBe(0)
      expect(uploadedFiles().filter((file) => file.includes('dev'))).toEqual([
        'acme_widgets-0.5.2.dev57-py3-none-any.whl',
        'acme_widgets-0.5.2.dev57.tar.gz'
      ])
      expect((await installFromIndex('acme-widgets==0.5.2.dev57')).trim()).toBe('0.5.2.dev57')
      expect(result.output).not.toMatch(/\[dev\/publish-on-change\/tag/)
      // The version was written in the build job's working tree only.
      expect(await sh('git', ['--git-dir', origin, 'show', 'develop:pyproject.toml'])).toMatch(/^version = "0\.5\.1"$/m)

      // A tree on a pre-release leads to the next one: 0.6.0rc1 -> 0.6.0rc2.dev58, between
      // rc1 and rc2 (not 0.6.1.dev58, which would sort above the coming 0.6.0).
      const rc = await pushCommit('0.6.0rc1 on develop', '0.6.0rc1', 'develop')
      const next = await onPush(rc, 'develop', { GITHUB_RUN_NUMBER: '58' })
      expect(next.exitCode).toBe(0)
      expect(uploadedFiles().filter((file) => file.includes('0.6.0'))).toEqual([
        'acme_widgets-0.6.0rc2.dev58-py3-none-any.whl',
        'acme_widgets-0.6.0rc2.dev58.tar.gz'
      ])

      // A tree on a development version names the release it leads to: 0.7.0.dev0 -> 0.7.0.dev59.
      const dev0 = await pushCommit('0.7.0.dev0 on develop', '0.7.0.dev0', 'develop')
      expect((await onPush(dev0, 'develop', { GITHUB_RUN_NUMBER: '59' })).exitCode).toBe(0)
      expect(uploadedFiles().filter((file) => file.includes('0.7.0'))).toEqual([
        'acme_widgets-0.7.0.dev59-py3-none-any.whl',
        'acme_widgets-0.7.0.dev59.tar.gz'
      ])
      // ...and N must be above its .devM, or the release would not be new: one line, nothing built.
      const dev60 = await pushCommit('0.7.0.dev60 on develop', '0.7.0.dev60', 'develop')
      const stale = await onPush(dev60, 'develop', { GITHUB_RUN_NUMBER: '60' })
      expect(stale.exitCode).not.toBe(0)
      expect(stale.output).toContain(
        "Input `dev-number`: run-number gives 60, not above the .dev60 of the project's version 0.7.0.dev60, so the development release would not be new. Fix: keep .dev0 in the project between releases, or take N from a larger counter."
      )
      expect(uploadedFiles().filter((file) => file.includes('0.7.0'))).toHaveLength(2)
      expect(await originTags()).toEqual(tags)
    } finally {
      await sh('git', ['checkout', '--quiet', 'main'], consumer)
      await sh('git', ['branch', '--quiet', '-D', 'develop'], consumer)
    }
  }, 300_000)

  it('a tag that appeared at another commit since the plan is refused, never moved', async () => {
    await syncWithOrigin()
    const sha = await pushCommit('release 0.5.3', '0.5.3')
    // Someone tagged v0.5.3 on origin at the previous commit after this run's checkout.
    const elsewhere = await originRef('refs/heads/main~1')
    await sh('git', ['--git-dir', origin, 'tag', 'v0.5.3', elsewhere])
    const result = await onPush(sha)
    expect(result.exitCode).not.toBe(0)
    expect(result.output).toContain(
      `v0.5.3 is on origin at ${elsewhere.slice(0, 12)}, but 0.5.3 was published from ${sha.slice(0, 12)}, so the tag was not moved. Fix: if ${elsewhere.slice(0, 12)} is not that release, point the tag at it (git push --force origin ${sha}:refs/tags/v0.5.3), else bump the version.`
    )
    expect(await originRef('refs/tags/v0.5.3')).toBe(elsewhere)
  }, 300_000)
})
