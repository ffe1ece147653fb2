import { createHash } from 'node:crypto'
import { cp, mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type ActionRunResult, firstUnmaskedUse, runBundledAction } from '../../../test/harness/action-runner.ts'
import { type Stack, startStack } from '../../../test/stack/stack.ts'
import {
  PYTHON,
  WORKSPACE_ENV,
  buildDists,
  copyProject,
  exec,
  expectSuccess,
  gitCommitAll,
  gitTagged,
  leaks,
  parseJsonOutput,
  removeTempDirs,
  setVersion,
  tempDir
} from './helpers.ts'

// Every way a release goes wrong, each ending in one clear line (and, where a gate fails,
// with nothing uploaded): transient index faults that retries absorb, an index that stays
// down, a re-run after a partial upload, conflicting files, version gate failures, broken
// builds and READMEs. Most runs publish prebuilt files (`packages-dir`) so the suite spends
// its time on the behaviour under test rather than on builds.

const KNOWN_TOKEN = 'ca-token.KNOWN+faults/secret=9876543210'
let stack: Stack
const dists = new Map<string, string>()
const results: ActionRunResult[] = []

const PROJECT = 'acme-faults'

async function prebuilt(version: string, readme?: string): Promise<string> {
  const project = await copyProject('hatchling')
  await setVersion(project, version, PROJECT)
  if (readme) await writeFile(join(project, 'README.md'), readme)
  return buildDists(project)
}

function indexInputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'repository-url': stack.uploadUrl,
    username: 'aws',
    password: KNOWN_TOKEN,
    'retry-timeout-seconds': '20',
    ...extra
  }
}

async function publish(inputs: Record<string, string>, ref = ''): Promise<ActionRunResult> {
  const result = await runBundledAction('publish-python', {
    inputs,
    env: { ...stack.env, ...WORKSPACE_ENV, GITHUB_REF: ref }
  })
  results.push(result)
  // SHOW_ERRORS=1 prints every failure line, to review their wording in one place.
  if (process.env['SHOW_ERRORS']) process.stderr.write(`ERRORS: ${JSON.stringify(result.errors)}\n`)
  return result
}

function posts(): number {
  return stack.index.log.filter((entry) => entry.method === 'POST').length
}

async function publishedFiles(): Promise<string[]> {
  return (await readdir(stack.pypiserver.packagesDir)).filter((file) => file.startsWith('acme_faults'))
}

beforeAll(async () => {
  stack = await startStack({ token: KNOWN_TOKEN })
  // Built two at a time: enough to keep both cores busy.
  const versions: Array<[string, string | undefined]> = [
    ['2.0.0', undefined],
    ['2.0.1', undefined],
    ['2.0.2', undefined],
    ['2.0.3', undefined],
    ['2.0.4', undefined],
    ['2.0.4-other', '# acme-faults\n\nOther bytes, same version.\n'],
    ['2.0.5', undefined],
    ['2.0.6', undefined],
    ['2.0.7', undefined],
    ['2.0.8', undefined],
    ['2.0.9', undefined],
    ['2.1.0+g1a2b3c', undefined]
  ]
  for (let i = 0; i < versions.length; i += 2) {
    await Promise.all(
      versions
        .slice(i, i + 2)
        .map(async ([key, readme]) => dists.set(key, await prebuilt(key.replace('-other', ''), readme)))
    )
  }
}, 120_000)
afterAll(async () => {
  await stack?.stop()
  await removeTempDirs()
})
beforeEach(() => {
  stack.index.clearFaults()
  stack.index.clearLog()
})

describe('transient index faults', () => {
  it('absorbs a 500 on the first upload', async () => {
    stack.index.addFault({ method: 'POST', status: 500, times: 1 })
    const result = await publish(indexInputs({ 'packages-dir': dists.get('2.0.0') as string }), 'refs/tags/v2.0.0')
    expectSuccess(result)
    expect(parseJsonOutput(result, 'uploaded')).toEqual([
      'acme_faults-2.0.0-py3-none-any.whl',
      'acme_faults-2.0.0.tar.gz'
    ])
    expect(stack.index.log.filter((entry) => entry.method === 'POST').map((entry) => entry.status)).toEqual([
      500, 200, 200
    ])
  }, 60_000)

  it('retries a 429 with back-off (CodeArtifact target) and completes', async () => {
    stack.index.addFault({ method: 'POST', status: 429, retryAfter: 1, times: 1 })
    const result = await publish(
      {
        'packages-dir': dists.get('2.0.1') as string,
        'aws-region': stack.region,
        'role-to-assume': stack.roleArn,
        domain: stack.domain,
        repository: stack.repository
      },
      'refs/tags/v2.0.1'
    )
    expectSuccess(result)
    expect(result.stdout).toMatch(/Upload attempt 1 failed \(HTTP 429\); 2 files left, retrying in/)
    expect(parseJsonOutput(result, 'uploaded')).toEqual([
      'acme_faults-2.0.1-py3-none-any.whl',
      'acme_faults-2.0.1.tar.gz'
    ])
    expect(await publishedFiles()).toEqual(
      expect.arrayContaining(['acme_faults-2.0.1-py3-none-any.whl', 'acme_faults-2.0.1.tar.gz'])
    )
  }, 60_000)

  it('stops an upload that stalls once upload-timeout-seconds have passed, and completes on the next attempt', async () => {
    // The first upload request is held: a connection that went silent. twine has no timeout.
    stack.index.addFault({ method: 'POST', delayMs: 20_000, times: 1 })
    const started = Date.now()
    const result = await publish(
      indexInputs({
        'packages-dir': dists.get('2.0.7') as string,
        'upload-timeout-seconds': '2',
        'retry-timeout-seconds': '30'
      }),
      'refs/tags/v2.0.7'
    )
    expectSuccess(result)
    expect(result.stdout).toMatch(/Upload attempt 1 failed \(network error\); 2 files left, retrying in/)
    expect(parseJsonOutput(result, 'uploaded')).toEqual([
      'acme_faults-2.0.7-py3-none-any.whl',
      'acme_faults-2.0.7.tar.gz'
    ])
    expect(await publishedFiles()).toEqual(
      expect.arrayContaining(['acme_faults-2.0.7-py3-none-any.whl', 'acme_faults-2.0.7.tar.gz'])
    )
    expect(Date.now() - started).toBeLessThan(20_000)
  }, 60_000)
})

describe('an index that stays down', () => {
  it('fails uploads clearly within the retry deadline', async () => {
    stack.index.addFault({ method: 'POST', status: 503, persistent: true })
    const started = Date.now()
    const result = await publish(
      indexInputs({ 'packages-dir': dists.get('2.0.2') as string, 'retry-timeout-seconds': '4' })
    )
    const elapsed = Date.now() - started
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^The upload to http:\S+ still failed after \d+ attempts in [\d.]+ s \(last: HTTPError: 503 Service Unavailable.*\); uploaded nothing; not uploaded acme_faults-2\.0\.2-py3-none-any\.whl, acme_faults-2\.0\.2\.tar\.gz\. Fix: the index looks unavailable/
      )
    ])
    expect(elapsed).toBeLessThan(15_000)
    expect(parseJsonOutput(result, 'uploaded')).toEqual([])
    expect(result.summary).toContain('**Failed:** The upload to')
  }, 60_000)

  it('fails reading the index clearly when nothing answers', async () => {
    stack.index.addFault({ drop: true, persistent: true })
    const result = await publish(
      indexInputs({ 'packages-dir': dists.get('2.0.2') as string, 'retry-timeout-seconds': '2' })
    )
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      expect.stringMatching(/^Cannot read the index http:\S+ \(still failing after \d+ attempts.*\)\. Fix: /)
    ])
    expect(posts()).toBe(0)
  }, 60_000)
})

describe('a re-run after a partial upload', () => {
  it('completes the release: the wheel that made it is skipped, the sdist is uploaded', async () => {
    const inputs = indexInputs({ 'packages-dir': dists.get('2.0.3') as string, 'retry-timeout-seconds': '3' })
    // The wheel goes through, then the index fails every upload.
    stack.index.addFault({ method: 'POST', delayMs: 1, times: 1 })
    stack.index.addFault({ method: 'POST', status: 503, persistent: true })
    const first = await publish(inputs, 'refs/tags/v2.0.3')
    expect(first.exitCode).toBe(1)
    expect(first.errors).toEqual([
      expect.stringMatching(
        /uploaded acme_faults-2\.0\.3-py3-none-any\.whl; not uploaded acme_faults-2\.0\.3\.tar\.gz\. Fix: .*re-run/
      )
    ])
    expect(await publishedFiles()).toContain('acme_faults-2.0.3-py3-none-any.whl')
    expect(await publishedFiles()).not.toContain('acme_faults-2.0.3.tar.gz')
    expect(parseJsonOutput(first, 'uploaded')).toEqual(['acme_faults-2.0.3-py3-none-any.whl'])

    stack.index.clearFaults()
    stack.index.clearLog()
    const rerun = await publish(inputs, 'refs/tags/v2.0.3')
    expectSuccess(rerun)
    expect(parseJsonOutput(rerun, 'skipped')).toEqual(['acme_faults-2.0.3-py3-none-any.whl'])
    expect(parseJsonOutput(rerun, 'uploaded')).toEqual(['acme_faults-2.0.3.tar.gz'])
    expect(posts()).toBe(1)
  }, 60_000)
})

describe('conflicting files', () => {
  it('stops before uploading when the index holds the same file name with other bytes', async () => {
    expectSuccess(await publish(indexInputs({ 'packages-dir': dists.get('2.0.4') as string })))
    stack.index.clearLog()
    const result = await publish(indexInputs({ 'packages-dir': dists.get('2.0.4-other') as string }))
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^acme_faults-2\.0\.4-py3-none-any\.whl \(index sha256 [0-9a-f]{12}…, built [0-9a-f]{12}…\), acme_faults-2\.0\.4\.tar\.gz \(index sha256 [0-9a-f]{12}…, built [0-9a-f]{12}…\) already on http:\S+ with different content; a published file can never be replaced, so nothing was uploaded\. Fix: bump the version \(2\.0\.4 is taken\)/
      )
    ])
    expect(posts()).toBe(0)
  }, 60_000)

  it('skips an sdist rebuilt with other file times (as setuptools rebuilds differ), and reports the index’s copy', async () => {
    const first = await publish(indexInputs({ 'packages-dir': dists.get('2.0.8') as string }))
    expect(first.errors).toEqual([])
    // The same files, re-archived with other times and gzip header: other bytes, same contents.
    const rebuilt = await tempDir('rebuilt-sdist')
    await cp(dists.get('2.0.8') as string, rebuilt, { recursive: true })
    const sdist = join(rebuilt, 'acme_faults-2.0.8.tar.gz')
    await exec(PYTHON, [
      '-c',
      [
        'import gzip, io, sys, tarfile',
        'src = tarfile.open(sys.argv[1])',
        'raw = io.BytesIO()',
        'with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as out:',
        '    for member in reversed(src.getmembers()):',
        '        member.mtime += 86400',
        '        out.addfile(member, src.extractfile(member) if member.isfile() else None)',
        'open(sys.argv[1] + ".new", "wb").write(gzip.compress(raw.getvalue(), mtime=12345))'
      ].join('\n'),
      sdist
    ])
    await rename(`${sdist}.new`, sdist)
    const published = await readFile(join(stack.pypiserver.packagesDir, 'acme_faults-2.0.8.tar.gz'))
    expect((await readFile(sdist)).equals(published)).toBe(false)
    stack.index.clearLog()
    const again = await publish(indexInputs({ 'packages-dir': rebuilt }))
    expect(again.errors).toEqual([])
    expect(again.stdout).toContain(
      "acme_faults-2.0.8.tar.gz: already on the index with the same files and contents (only file times or archive headers differ), skipped; the index's copy is the release"
    )
    expect(posts()).toBe(0)
    // What the step reports (and a release would attach) is the published file.
    expect((await readFile(sdist)).equals(published)).toBe(true)
    const files = parseJsonOutput<Array<{ name: string; sha256: string }>>(again, 'files')
    expect(files.find((file) => file.name.endsWith('.tar.gz'))?.sha256).toBe(
      createHash('sha256').update(published).digest('hex')
    )
  }, 60_000)

  it('explains a 409 from the index for a file its listing does not show yet', async () => {
    stack.index.addFault({ method: 'POST', status: 409, body: 'File already exists.\n', times: 1 })
    const result = await publish(indexInputs({ 'packages-dir': dists.get('2.0.5') as string }))
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^The index refused acme_faults-2\.0\.5-py3-none-any\.whl: it already has a file of that name \(HTTP 409\).*Fix: bump the version/
      )
    ])
  }, 60_000)

  it('`existing: skip-released`: a version released from other files is a quiet success with nothing uploaded', async () => {
    // 2.0.4 is on the index from the first test of this block; these are other bytes of it,
    // as a later commit that did not change the version builds them.
    if ((await publishedFiles()).filter((file) => file.includes('2.0.4')).length === 0)
      expectSuccess(await publish(indexInputs({ 'packages-dir': dists.get('2.0.4') as string })))
    stack.index.clearLog()
    const result = await publish(
      indexInputs({ 'packages-dir': dists.get('2.0.4-other') as string, existing: 'skip-released', verify: 'install' })
    )
    expectSuccess(result)
    expect(result.outputs).toMatchObject({ published: 'false', 'already-released': 'true', version: '2.0.4' })
    expect(parseJsonOutput(result, 'uploaded')).toEqual([])
    expect(result.stdout).toMatch(
      /^2\.0\.4 is already released on http:\S+ from other files \(an earlier build\), so nothing was uploaded; bump the version to release this build\.$/m
    )
    expect(result.summary).toContain('**Already released:**')
    // Nothing uploaded, and nothing installed to verify someone else's files.
    expect(posts()).toBe(0)
    expect(result.stdout).not.toMatch(/Verify/)
  }, 60_000)

  it('`existing: skip-released` publishes a new version and a re-run of it, and says so in `published`', async () => {
    const first = await publish(
      indexInputs({ 'packages-dir': dists.get('2.0.9') as string, existing: 'skip-released' })
    )
    expectSuccess(first)
    expect(first.outputs).toMatchObject({ published: 'true', 'already-released': 'false' })
    expect(parseJsonOutput(first, 'uploaded')).toHaveLength(2)
    // A re-run after the publish (the tag push failed, say): the same files, all identical.
    const again = await publish(
      indexInputs({ 'packages-dir': dists.get('2.0.9') as string, existing: 'skip-released' })
    )
    expectSuccess(again)
    expect(again.outputs).toMatchObject({ published: 'true', 'already-released': 'false' })
    expect(parseJsonOutput(again, 'skipped')).toHaveLength(2)
    // A dry run publishes nothing, so it never says `published`.
    const dry = await publish(
      indexInputs({ 'packages-dir': dists.get('2.0.9') as string, existing: 'skip-released', 'dry-run': 'true' })
    )
    expectSuccess(dry)
    expect(dry.outputs).toMatchObject({ published: 'false', 'already-released': 'false' })
  }, 60_000)

  it('`existing: fail` refuses a version that is already published, even with identical files', async () => {
    const result = await publish(indexInputs({ 'packages-dir': dists.get('2.0.0') as string, existing: 'fail' }))
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      expect.stringMatching(
        /already on http:\S+ \(identical\); `existing: fail` stops here, so nothing was uploaded\. Fix: /
      )
    ])
    expect(posts()).toBe(0)
  }, 60_000)
})

describe('version gate', () => {
  it('refuses a tag that does not match the built version', async () => {
    const result = await publish(indexInputs({ 'packages-dir': dists.get('2.0.6') as string }), 'refs/tags/v2.0.7')
    expect(result.errors).toEqual([
      "The built version 2.0.6 does not match 2.0.7 from tag v2.0.7 (acme_faults-2.0.6-py3-none-any.whl, acme_faults-2.0.6.tar.gz). Fix: set the project's version to 2.0.7 and tag that commit, or tag the commit as the version it carries; with setuptools-scm, build the tagged commit with its tags fetched (actions/checkout `fetch-depth: 0`)"
    ])
    expect(posts()).toBe(0)
  }, 60_000)

  it('ends the step at the gate failure while CodeArtifact is still failing in the background', async () => {
    stack.codeartifact.injectFaults('GetAuthorizationToken', [{ status: 503, persistent: true }])
    try {
      const started = Date.now()
      const result = await publish(
        {
          'packages-dir': dists.get('2.0.6') as string,
          'aws-region': stack.region,
          'role-to-assume': stack.roleArn,
          domain: stack.domain,
          repository: stack.repository,
          'retry-timeout-seconds': '60'
        },
        'refs/tags/v2.0.7'
      )
      expect(result.errors).toEqual([
        expect.stringMatching(/^The built version 2\.0\.6 does not match 2\.0\.7 from tag v2\.0\.7/)
      ])
      // Without the abort the process would live on until the 60 s retry deadline.
      expect(Date.now() - started).toBeLessThan(20_000)
    } finally {
      stack.codeartifact.clearFaults()
    }
  }, 90_000)

  it('matches tags after PEP 440 normalization, with a custom tag prefix', async () => {
    const result = await publish(
      indexInputs({ 'packages-dir': dists.get('2.0.6') as string, 'tag-prefix': 'faults-v', 'dry-run': 'true' }),
      'refs/tags/faults-v2.0.6.0'
    )
    expectSuccess(result)
    expect(result.stdout).toContain('Version 2.0.6 matches tag faults-v2.0.6.0')
  }, 60_000)

  it('refuses a local version, naming the setuptools-scm fix', async () => {
    const result = await publish(indexInputs({ 'packages-dir': dists.get('2.1.0+g1a2b3c') as string }))
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^The version 2\.1\.0\+g1a2b3c is a local version \(\+g1a2b3c\).*Fix: .*local_scheme = "no-local-version"/
      )
    ])
    expect(posts()).toBe(0)
  }, 60_000)

  it('refuses a dist directory holding two versions', async () => {
    const mixed = await tempDir('mixed-dist')
    await cp(
      join(dists.get('2.0.5') as string, 'acme_faults-2.0.5-py3-none-any.whl'),
      join(mixed, 'acme_faults-2.0.5-py3-none-any.whl')
    )
    await cp(join(dists.get('2.0.6') as string, 'acme_faults-2.0.6.tar.gz'), join(mixed, 'acme_faults-2.0.6.tar.gz'))
    const result = await publish(indexInputs({ 'packages-dir': mixed }))
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^The distributions carry more than one version: 2\.0\.5 \(acme_faults-2\.0\.5-py3-none-any\.whl\); 2\.0\.6 \(acme_faults-2\.0\.6\.tar\.gz\)\. Fix: publish one version per run/
      )
    ])
    expect(posts()).toBe(0)
  }, 60_000)

  it('refuses an empty dist directory', async () => {
    const empty = await tempDir('empty-dist')
    const result = await publish(indexInputs({ 'packages-dir': empty }))
    expect(result.errors).toEqual([
      expect.stringMatching(/^`packages-dir` "\S+" holds no wheel or sdist .*Fix: build before this step/)
    ])
  }, 60_000)

  it('refuses a setuptools-scm build between tags (local version)', async () => {
    const project = await copyProject('scm')
    await gitTagged(project, 'v3.0.0')
    await writeFile(join(project, 'README.md'), '# acme-scm-sample\n\nChanged after the tag.\n')
    await gitCommitAll(project, 'after the release')
    const result = await publish(indexInputs({ 'working-directory': project, 'build-isolation': 'false' }))
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^The version 3\.0\.1\.dev1\+g[0-9a-f]+ is a local version .*local_scheme = "no-local-version"/
      )
    ])
    expect(posts()).toBe(0)
  }, 60_000)
})

describe('broken builds', () => {
  it('names a missing build backend and how to provide it', async () => {
    const project = await tempDir('no-backend')
    await mkdir(join(project, 'src', 'nob'), { recursive: true })
    await writeFile(
      join(project, 'pyproject.toml'),
      '[build-system]\nrequires = ["pdm-backend"]\nbuild-backend = "pdm.backend"\n\n[project]\nname = "nob"\nversion = "1.0.0"\n'
    )
    await writeFile(join(project, 'src', 'nob', '__init__.py'), '')
    const result = await publish(indexInputs({ 'working-directory': project, 'build-isolation': 'false' }))
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^Building \S+ failed: the build backend `pdm\.backend` cannot be imported \(No module named 'pdm'\)\. Fix: with `build-isolation: false` the backend runs from .*python: install the project's `\[build-system\] requires` into it first \(`python -m pip install "pdm-backend"`\)/
      )
    ])
    expect(posts()).toBe(0)
  }, 60_000)

  it('fails twine check --strict on a README that does not render', async () => {
    const project = await copyProject('flit')
    await writeFile(
      join(project, 'README.rst'),
      'Title\n=====\n\n.. code-block:: python\n   :bogus-option:\n\n   x = 1\n'
    )
    const result = await publish(
      indexInputs({ 'working-directory': project, 'build-isolation': 'false', builder: 'build' })
    )
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^`twine check --strict` failed for acme_flit_sample-1\.0\.0-py3-none-any\.whl, acme_flit_sample-1\.0\.0\.tar\.gz: `long_description` has syntax errors in markup .*Fix: fix the README/
      )
    ])
    expect(result.spawned.some((argv) => argv.includes('build') && argv.includes('--no-isolation'))).toBe(true)
    expect(posts()).toBe(0)
  }, 60_000)

  it('fails one line naming a bad input, before building anything', async () => {
    const result = await publish(indexInputs({ existing: 'overwrite' }))
    expect(result.errors).toEqual([
      'Input `existing`: "overwrite" is not accepted; use one of skip-identical, skip-released, fail.'
    ])
    expect(result.spawned).toEqual([])
  }, 60_000)
})

describe('credentials an earlier codeartifact-login left in the job', () => {
  // What codeartifact-login exports for twine, uv and pip, all holding the CodeArtifact token.
  function loginEnv(): Record<string, string> {
    return {
      ...stack.env,
      CODEARTIFACT_AUTH_TOKEN: KNOWN_TOKEN,
      CODEARTIFACT_REGISTRY_URL: stack.uploadUrl,
      CODEARTIFACT_INDEX_URL: stack.indexUrl,
      TWINE_REPOSITORY_URL: stack.uploadUrl,
      TWINE_USERNAME: 'aws',
      TWINE_PASSWORD: KNOWN_TOKEN,
      UV_PUBLISH_URL: stack.uploadUrl,
      UV_PUBLISH_USERNAME: 'aws',
      UV_PUBLISH_PASSWORD: KNOWN_TOKEN,
      UV_INDEX: `codeartifact=${stack.indexUrl}`,
      UV_INDEX_CODEARTIFACT_USERNAME: 'aws',
      UV_INDEX_CODEARTIFACT_PASSWORD: KNOWN_TOKEN,
      PIP_EXTRA_INDEX_URL: stack.indexUrl.replace('://', `://aws:${encodeURIComponent(KNOWN_TOKEN)}@`)
    }
  }

  it.each(['twine', 'uv'])(
    'never reach a `repository-url` given without a password (%s)',
    async (uploader) => {
      // pypiserver wants credentials for reads too: the listing answers "no such project"
      // anonymously here, so the run gets as far as the upload (the step under test).
      stack.index.addFault({ method: 'GET', status: 404, body: 'Not Found', persistent: true })
      const result = await runBundledAction('publish-python', {
        inputs: {
          'repository-url': stack.uploadUrl,
          username: 'uploader',
          uploader,
          'packages-dir': dists.get('2.0.6') as string,
          'retry-timeout-seconds': '4'
        },
        env: { ...loginEnv(), ...WORKSPACE_ENV }
      })
      results.push(result)
      expect(result.exitCode).toBe(1)
      expect(result.stdout).toContain('(no credentials)')
      // No request of the run, upload or index read, carried the CodeArtifact token's user.
      expect(stack.index.log.filter((entry) => entry.user === 'aws')).toEqual([])
      expect(result.errors).toEqual([
        expect.stringMatching(
          /^The upload to http:\S+ has no credentials: `password` is empty, and credentials other steps left for other indexes are never used\. Fix: set `password`/
        )
      ])
      expect(await publishedFiles()).not.toContain('acme_faults-2.0.6.tar.gz')
    },
    60_000
  )
})

describe('dry run', () => {
  it('builds, checks, gates and compares, and uploads nothing', async () => {
    const project = await copyProject('hatchling')
    await setVersion(project, '2.2.0', PROJECT)
    const result = await publish(
      indexInputs({ 'working-directory': project, 'build-isolation': 'false', 'dry-run': 'true' }),
      'refs/tags/v2.2.0'
    )
    expectSuccess(result)
    expect(posts()).toBe(0)
    expect(result.outputs['version']).toBe('2.2.0')
    expect(parseJsonOutput(result, 'uploaded')).toEqual([])
    expect(parseJsonOutput(result, 'files')).toHaveLength(2)
    expect(result.summary).toContain('**Dry run** (nothing uploaded)')
    expect(result.summary).toContain('dry run: would upload')
  }, 60_000)
})

it('never shows the token unmasked in any run: stdout, outputs, summary, argv', () => {
  expect(results.length).toBeGreaterThan(10)
  for (const result of results) {
    expect(leaks(result, KNOWN_TOKEN)).toEqual([])
    expect(leaks(result, encodeURIComponent(KNOWN_TOKEN))).toEqual([])
    if (result.stdout.includes('::add-mask::'))
      expect(firstUnmaskedUse(result.stdout, KNOWN_TOKEN).firstPrintedAt).toBe(-1)
  }
})
