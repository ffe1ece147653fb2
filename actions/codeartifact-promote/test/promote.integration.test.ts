import { createHash } from 'node:crypto'
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type ActionRunResult, runBundledAction } from '../../../test/harness/action-runner.ts'
import { type Stack, type StackRepository, startStack } from '../../../test/stack/stack.ts'
import {
  WORKSPACE_ENV,
  buildDists,
  copyProject,
  expectSuccess,
  leaks,
  removeTempDirs,
  setVersion
} from '../../publish-python/test/helpers.ts'

// codeartifact-promote's bundle, run as the runner runs it, against the local stack: a source
// repository (dev) and two destinations, one in the same domain (CopyPackageVersions) and one in
// a second domain (ListPackageVersionAssets + GetPackageVersionAsset, then twine to its
// pypiserver). Every promotion ends with the action itself pip installing the version from the
// destination's index in a fresh virtual environment.

const KNOWN_TOKEN = 'ca-token.KNOWN+promote/secret=0123456789'
const PACKAGE = 'acme-promote-sample'
let stack: Stack
let sameDomain: StackRepository
let otherDomain: StackRepository
/** Built dists by label: a version's files, and `1.3.0-other` (1.3.0 with other bytes). */
const built = new Map<string, string[]>()

async function build(version: string, label = version, marker = ''): Promise<void> {
  const project = await copyProject('flit')
  await setVersion(project, version, PACKAGE)
  if (marker) await writeFile(join(project, 'acme_flit_sample', 'marker.py'), `MARKER = ${JSON.stringify(marker)}\n`)
  const dist = await buildDists(project)
  built.set(
    label,
    (await readdir(dist)).map((file) => join(dist, file))
  )
}

/** Puts built files where a repository's pypiserver serves them, as an earlier publish would have. */
async function seed(packagesDir: string, label: string): Promise<void> {
  for (const file of built.get(label) ?? []) await copyFile(file, join(packagesDir, file.split('/').pop() as string))
}

async function hashes(dir: string, version: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const file of (await readdir(dir)).filter((f) => f.includes(`-${version}`)).sort())
    out[file] = createHash('sha256')
      .update(await readFile(join(dir, file)))
      .digest('hex')
  return out
}

function inputs(version: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'aws-region': stack.region,
    'role-to-assume': stack.roleArn,
    package: PACKAGE,
    version,
    domain: stack.domain,
    'source-repository': stack.repository,
    'destination-repository': 'python-prod',
    'retry-timeout-seconds': '10',
    ...extra
  }
}

function promote(version: string, extra: Record<string, string> = {}, env: Record<string, string> = {}) {
  return runBundledAction('codeartifact-promote', {
    inputs: inputs(version, extra),
    env: { ...stack.env, ...WORKSPACE_ENV, ...env },
    recordArgvOf: ['twine']
  })
}

function expectNoLeaks(result: ActionRunResult): void {
  expect(leaks(result, KNOWN_TOKEN)).toEqual([])
}

function operations(): string[] {
  return stack.codeartifact.log.map((entry) => entry.operation)
}

beforeAll(async () => {
  stack = await startStack({
    token: KNOWN_TOKEN,
    extraRepositories: [{ name: 'python-prod' }, { name: 'python-prod', domain: 'acme-prod' }]
  })
  sameDomain = stack.repositories.get('acme/python-prod') as StackRepository
  otherDomain = stack.repositories.get('acme-prod/python-prod') as StackRepository
  // One after the other: two cores, and each build is short.
  for (const version of ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0']) await build(version)
  await build('1.3.0', '1.3.0-other', 'rebuilt')
  for (const version of ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0']) await seed(stack.pypiserver.packagesDir, version)
}, 180_000)
afterAll(async () => {
  await stack?.stop()
  await removeTempDirs()
})
afterEach(() => {
  stack.codeartifact.denyOperations.clear()
  stack.codeartifact.clearLog()
})

describe('same domain: CopyPackageVersions', () => {
  it('a destination holding only some of the files (a promotion cut short) gets the rest uploaded', async () => {
    // Only the wheel of 1.4.0 reached prod before the run stopped.
    const wheel = (built.get('1.4.0') ?? []).find((file) => file.endsWith('.whl')) as string
    await copyFile(wheel, join(sameDomain.pypiserver.packagesDir, wheel.split('/').pop() as string))
    const result = await promote('1.4.0', { verify: 'index' })
    expectSuccess(result)
    expect(result.outputs['promoted']).toBe('true')
    expect(result.stdout).toContain(
      'acme/python-prod holds some of the files; uploading acme_promote_sample-1.4.0.tar.gz'
    )
    expect(await hashes(sameDomain.pypiserver.packagesDir, '1.4.0')).toEqual(
      await hashes(stack.pypiserver.packagesDir, '1.4.0')
    )
    expectNoLeaks(result)
  })

  it('copies every file, checks the sha256 on the destination index, installs from it; a re-run changes nothing', async () => {
    const result = await promote('1.0.0')
    expectSuccess(result)
    expect(result.outputs['promoted']).toBe('true')
    expect(result.outputs['index-url']).toBe(sameDomain.indexUrl)
    expect(operations()).toContain('CopyPackageVersions')
    expect(operations()).not.toContain('GetPackageVersionAsset')
    const source = await hashes(stack.pypiserver.packagesDir, '1.0.0')
    expect(Object.keys(source)).toHaveLength(2)
    expect(await hashes(sameDomain.pypiserver.packagesDir, '1.0.0')).toEqual(source)
    // The install ran against the destination index (pip's requests in its proxy log).
    expect(sameDomain.index.log.some((e) => e.path.includes('/simple/acme-promote-sample/') && e.status === 200)).toBe(
      true
    )
    expect(result.stdout).toMatch(/acme-promote-sample==1\.0\.0 installed from acme\/python-prod/)
    expect(result.summary).toContain('CopyPackageVersions')
    expectNoLeaks(result)

    stack.codeartifact.clearLog()
    const again = await promote('1.0.0')
    expectSuccess(again)
    expect(again.outputs['promoted']).toBe('false')
    expect(operations()).not.toContain('CopyPackageVersions')
    expect(again.stdout).toContain('Already on acme/python-prod with the same sha256')
  }, 120_000)

  it('takes the version from the tag in GITHUB_REF without tag-prefix', async () => {
    const result = await promote(
      '',
      { 'tag-prefix': 'release-', verify: 'index' },
      { GITHUB_REF: 'refs/tags/release-1.4.0' }
    )
    expectSuccess(result)
    expect(result.outputs['version']).toBe('1.4.0')
    expect(result.stdout).toContain('Version 1.4.0 from tag release-1.4.0')
    expect(Object.keys(await hashes(sameDomain.pypiserver.packagesDir, '1.4.0'))).toHaveLength(2)
  }, 60_000)

  it('refused CopyPackageVersions: one line naming both permissions', async () => {
    stack.codeartifact.denyOperations.add('CopyPackageVersions')
    const result = await promote('1.1.0')
    expect(result.exitCode).toBe(1)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toMatch(
      /^CodeArtifact CopyPackageVersions was denied: .*the role needs `codeartifact:CopyPackageVersions` on arn:aws:codeartifact:us-east-1:111122223333:repository\/acme\/python-prod and `codeartifact:ReadFromRepository` on arn:aws:codeartifact:us-east-1:111122223333:repository\/acme\/python-internal/
    )
    expect(result.outputs).toEqual({})
    expect(await hashes(sameDomain.pypiserver.packagesDir, '1.1.0')).toEqual({})
  }, 60_000)

  it('a destination holding the version with other bytes fails with the fix and keeps its files', async () => {
    await seed(sameDomain.pypiserver.packagesDir, '1.3.0-other')
    const before = await hashes(sameDomain.pypiserver.packagesDir, '1.3.0')
    const result = await promote('1.3.0')
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^acme\/python-prod already has acme-promote-sample 1\.3\.0 with other files than the source \(.*\)\. Fix: a released version never changes: release a new version and promote that/
      )
    ])
    expect(operations()).not.toContain('CopyPackageVersions')
    expect(await hashes(sameDomain.pypiserver.packagesDir, '1.3.0')).toEqual(before)
  }, 60_000)

  it('a version the source does not have fails in one line before anything is copied', async () => {
    const result = await promote('9.9.9')
    expect(result.errors).toEqual([
      'acme-promote-sample 9.9.9 is not in acme/python-internal. Fix: check `package`, `version` (or the tag) and `source-repository`: publish the version there first'
    ])
    expect(operations()).not.toContain('CopyPackageVersions')
  }, 60_000)
})

describe('another domain: download, upload, compare', () => {
  it('uploads every asset with twine (token in its environment only), checks sha256, installs; a re-run uploads nothing', async () => {
    const result = await promote('1.2.0', { 'destination-domain': 'acme-prod' })
    expectSuccess(result)
    expect(result.outputs['promoted']).toBe('true')
    expect(result.outputs['index-url']).toBe(otherDomain.indexUrl)
    expect(operations().filter((op) => op === 'GetPackageVersionAsset')).toHaveLength(2)
    expect(operations()).not.toContain('CopyPackageVersions')
    const source = await hashes(stack.pypiserver.packagesDir, '1.2.0')
    expect(await hashes(otherDomain.pypiserver.packagesDir, '1.2.0')).toEqual(source)
    // The same-domain repository of the same name is untouched.
    expect(await hashes(sameDomain.pypiserver.packagesDir, '1.2.0')).toEqual({})
    const twine = result.spawnedEnvs.find((child) =>
      child.argv.some((arg) => arg === 'twine' || arg.endsWith('/twine'))
    )
    expect(twine?.env['TWINE_PASSWORD']).toBe(KNOWN_TOKEN)
    expect(twine?.env['TWINE_REPOSITORY_URL']).toBe(otherDomain.uploadUrl)
    expectNoLeaks(result)

    stack.codeartifact.clearLog()
    const uploadsBefore = otherDomain.index.log.filter((e) => e.method === 'POST').length
    const again = await promote('1.2.0', { 'destination-domain': 'acme-prod' })
    expectSuccess(again)
    expect(again.outputs['promoted']).toBe('false')
    expect(operations()).not.toContain('GetPackageVersionAsset')
    expect(otherDomain.index.log.filter((e) => e.method === 'POST').length).toBe(uploadsBefore)
  }, 180_000)
})

describe('bad inputs fail before any AWS call', () => {
  it.each([
    [
      { 'destination-repository': 'python-internal' },
      'Input `destination-repository`: "python-internal" is the source repository; name the repository to promote to (e.g. the production one), or set `destination-domain`.'
    ],
    [
      { version: 'latest' },
      expect.stringMatching(/^Input `version`: "latest" is not a PEP 440 version .*; use a version such as 1\.4\.0/)
    ],
    [
      { package: 'acme widgets' },
      'Input `package`: "acme widgets" is not valid; expected a Python distribution name such as acme-widgets.'
    ],
    [
      { 'destination-domain': 'Prod_Domain' },
      'Input `destination-domain`: "Prod_Domain" is not valid; expected a CodeArtifact domain name: 2-50 lowercase letters, digits and hyphens, starting with a letter.'
    ]
  ])('%j', async (extra, message) => {
    const result = await promote('1.0.0', extra)
    expect(result.errors).toEqual([message])
    expect(result.exitCode).toBe(1)
    expect(stack.codeartifact.log).toEqual([])
  })

  it('no version and no tag', async () => {
    const result = await promote('', {}, { GITHUB_REF: 'refs/heads/main' })
    expect(result.errors).toEqual([
      'Input `version`: is empty and the run is not for a tag (GITHUB_REF is "refs/heads/main"); set `version`, or run the step on a tag.'
    ])
  })
})
