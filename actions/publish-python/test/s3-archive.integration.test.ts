import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client
} from '@aws-sdk/client-s3'
import { type ActionRunResult, runBundledAction } from '../../../test/harness/action-runner.ts'
import { type AmbientCredentials, type Stack, startStack } from '../../../test/stack/stack.ts'
import {
  WORKSPACE_ENV,
  buildDists,
  copyProject,
  expectSuccess,
  leaks,
  parseJsonOutput,
  removeTempDirs,
  setVersion
} from './helpers.ts'

// `s3-archive`: publish-python's bundle copies the released files to moto's S3 after the
// upload and verify, with S3's ChecksumSHA256 and x-amz-meta-sha256, and a SHA256SUMS beside
// them; a re-run skips them, an object with other bytes fails the step before anything more is
// written, and a bad URI fails at once. Through CodeArtifact (OIDC -> STS, the same session
// archives) and through `repository-url` with the environment's credentials.

const KNOWN_TOKEN = 'ca-token.KNOWN+s3archive/secret=0123456789'
const BUCKET = 'acme-releases'
let stack: Stack
let ambient: AmbientCredentials
let s3: S3Client

interface FileOutput {
  name: string
  size: number
  sha256: string
}

const sha256Of = (bytes: Buffer | Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

async function objectBytes(key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
  return Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())
}

async function keys(prefix: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))
  return (listed.Contents ?? []).map((object) => object.Key as string).sort()
}

function codeArtifactInputs(extra: Record<string, string>): Record<string, string> {
  return {
    'aws-region': stack.region,
    'role-to-assume': stack.roleArn,
    domain: stack.domain,
    repository: stack.repository,
    'build-isolation': 'false',
    ...extra
  }
}

function tagEnv(tag: string): Record<string, string> {
  return { ...stack.env, ...WORKSPACE_ENV, GITHUB_REF: `refs/tags/${tag}` }
}

/** Every secret of the run: the CodeArtifact token and every AWS session secret moto handed out. */
async function secrets(): Promise<string[]> {
  const sessions = [...(await stack.moto.sessionCredentials()).values()]
  return [
    KNOWN_TOKEN,
    encodeURIComponent(KNOWN_TOKEN),
    ...sessions.flatMap((session) => [session.secretAccessKey, session.sessionToken])
  ]
}

async function expectNoLeaks(result: ActionRunResult): Promise<void> {
  for (const secret of await secrets())
    expect({ secret: secret.slice(0, 8), places: leaks(result, secret) }).toEqual({
      secret: secret.slice(0, 8),
      places: []
    })
}

function errorLines(result: ActionRunResult): string[] {
  return result.stdout.split('\n').filter((line) => line.startsWith('::error'))
}

beforeAll(async () => {
  stack = await startStack({ token: KNOWN_TOKEN })
  // The bucket belongs to the role's account: moto keeps buckets per account, and the OIDC
  // session and these ambient credentials are sessions of the same role.
  ambient = await stack.ambientCredentials()
  s3 = new S3Client({
    region: stack.region,
    endpoint: stack.env.AWS_ENDPOINT_URL_S3,
    forcePathStyle: true,
    credentials: {
      accessKeyId: ambient.AWS_ACCESS_KEY_ID,
      secretAccessKey: ambient.AWS_SECRET_ACCESS_KEY,
      sessionToken: ambient.AWS_SESSION_TOKEN
    }
  })
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }))
}, 60_000)
afterAll(async () => {
  s3?.destroy()
  await stack?.stop()
  await removeTempDirs()
})

describe('to CodeArtifact with OIDC, archived with the same session', () => {
  let project: string
  let first: ActionRunResult
  const prefix = 'python/releases/'
  const wheel = 'acme_setuptools_sample-1.0.0-py3-none-any.whl'
  const sdist = 'acme_setuptools_sample-1.0.0.tar.gz'
  const dir = `${prefix}acme-setuptools-sample/1.0.0/`

  beforeAll(async () => {
    // Built once: a re-run must see the same bytes (a rebuild outside git is not reproducible).
    project = await copyProject('setuptools')
    await buildDists(project)
    first = await runBundledAction('publish-python', {
      // No trailing slash: the prefix is a directory all the same.
      inputs: codeArtifactInputs({
        'working-directory': project,
        'packages-dir': 'dist',
        's3-archive': `s3://${BUCKET}/python/releases`
      }),
      env: { ...tagEnv('v1.0.0'), RUNNER_DEBUG: '1' }
    })
  }, 120_000)

  it('puts every file at <prefix><project>/<version>/<file> with its sha256, and a SHA256SUMS', async () => {
    expectSuccess(first)
    const files = parseJsonOutput<FileOutput[]>(first, 'files')
    expect(files.map((file) => file.name)).toEqual([wheel, sdist])
    expect(await keys(prefix)).toEqual([`${dir}SHA256SUMS`, `${dir}${wheel}`, `${dir}${sdist}`])
    for (const file of files) {
      const key = `${dir}${file.name}`
      const local = await readFile(join(project, 'dist', file.name))
      expect(sha256Of(await objectBytes(key))).toBe(file.sha256)
      expect(sha256Of(local)).toBe(file.sha256)
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }))
      expect(head.Metadata?.['sha256']).toBe(file.sha256)
      expect(Buffer.from(head.ChecksumSHA256 ?? '', 'base64').toString('hex')).toBe(file.sha256)
      expect(first.stdout).toContain(`s3://${BUCKET}/${key}: archived (sha256 ${file.sha256})`)
    }
    // As sha256sum writes it, so `sha256sum -c SHA256SUMS` checks a download.
    expect((await objectBytes(`${dir}SHA256SUMS`)).toString('utf8')).toBe(
      files.map((file) => `${file.sha256}  ${file.name}\n`).join('')
    )
    expect(parseJsonOutput(first, 'archived')).toEqual([
      `s3://${BUCKET}/${dir}${wheel}`,
      `s3://${BUCKET}/${dir}${sdist}`
    ])
    expect(first.summary).toContain('**Archived to S3:** 2 written, 0 already there with the same sha256')
  })

  it('archives only after the upload and verify, with the OIDC session and no credential anywhere', async () => {
    const lines = first.stdout.split('\n')
    const verified = lines.findIndex((line) => line.includes('::group::Verify'))
    const archived = lines.findIndex((line) => line.includes(`::group::Archive to s3://${BUCKET}/python/releases/`))
    expect(verified).toBeGreaterThan(0)
    expect(archived).toBeGreaterThan(verified)
    expect(first.stdout).toContain(`(${stack.region}; role ${stack.roleArn})`)
    await expectNoLeaks(first)
  })

  it('a re-run skips every file with a line and writes nothing', async () => {
    const before = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${dir}${wheel}` }))
    const again = await runBundledAction('publish-python', {
      inputs: codeArtifactInputs({
        'working-directory': project,
        'packages-dir': 'dist',
        's3-archive': `s3://${BUCKET}/${prefix}`
      }),
      env: tagEnv('v1.0.0')
    })
    expectSuccess(again)
    expect(parseJsonOutput(again, 'skipped')).toEqual([wheel, sdist])
    for (const file of [wheel, sdist])
      expect(again.stdout).toContain(`s3://${BUCKET}/${dir}${file}: already archived with the same sha256, skipped`)
    expect(again.stdout).toContain(`s3://${BUCKET}/${dir}SHA256SUMS: up to date`)
    expect(parseJsonOutput(again, 'archived')).toEqual([
      `s3://${BUCKET}/${dir}${wheel}`,
      `s3://${BUCKET}/${dir}${sdist}`
    ])
    expect(again.summary).toContain('**Archived to S3:** 0 written, 2 already there with the same sha256')
    const after = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${dir}${wheel}` }))
    expect(after.ETag).toBe(before.ETag)
    expect(after.LastModified).toEqual(before.LastModified)
    await expectNoLeaks(again)
  }, 120_000)
})

describe('an object with other bytes already in the archive', () => {
  it('fails with one line and the fix, overwrites nothing and archives nothing more', async () => {
    const project = await copyProject('setuptools')
    await setVersion(project, '2.0.0')
    const dir = 'conflict/acme-setuptools-sample/2.0.0/'
    const wheel = 'acme_setuptools_sample-2.0.0-py3-none-any.whl'
    // The sdist comes second in upload order; the wheel's key holds another build.
    const other = Buffer.from('another build of the same version')
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${dir}${wheel}`, Body: other }))

    const result = await runBundledAction('publish-python', {
      inputs: codeArtifactInputs({ 'working-directory': project, 's3-archive': `s3://${BUCKET}/conflict/` }),
      env: tagEnv('v2.0.0')
    })
    expect(result.exitCode).not.toBe(0)
    const errors = errorLines(result)
    expect(errors).toHaveLength(1)
    const files = parseJsonOutput<FileOutput[]>(result, 'files')
    const built = files.find((file) => file.name === wheel) as FileOutput
    expect(errors[0]).toContain(
      `S3 archive: s3://${BUCKET}/${dir}${wheel} already holds other bytes (sha256 ${sha256Of(other)}, this release's ${built.sha256}); nothing more was archived.`
    )
    expect(errors[0]).toContain('never overwritten')
    expect(errors[0]).toContain('delete it (aws s3 rm) and re-run')
    expect(errors[0]?.split('%0A')).toHaveLength(1)
    // Untouched, and the sdist and SHA256SUMS were not written.
    expect(await objectBytes(`${dir}${wheel}`)).toEqual(other)
    expect(await keys(dir)).toEqual([`${dir}${wheel}`])
    expect(parseJsonOutput(result, 'archived')).toEqual([])
    // The index holds the release (the archive comes after it): a fixed archive and a re-run finish it.
    expect(parseJsonOutput(result, 'uploaded')).toEqual([wheel, 'acme_setuptools_sample-2.0.0.tar.gz'])
    await expectNoLeaks(result)
  }, 120_000)
})

describe('to another index (`repository-url`) with the credentials in the environment', () => {
  it('archives with the ambient credentials and `aws-region`, never printing them', async () => {
    const project = await copyProject('hatchling')
    await buildDists(project)
    const result = await runBundledAction('publish-python', {
      inputs: {
        'working-directory': project,
        'packages-dir': 'dist',
        'repository-url': stack.uploadUrl,
        username: 'uploader',
        password: 's3cret',
        'aws-region': stack.region,
        's3-archive': `s3://${BUCKET}/`
      },
      env: { ...tagEnv('v1.0.0'), ...ambient }
    })
    expectSuccess(result)
    const files = parseJsonOutput<FileOutput[]>(result, 'files')
    const dir = 'acme-hatch-sample/1.0.0/'
    expect(await keys(dir)).toEqual([`${dir}SHA256SUMS`, ...files.map((file) => `${dir}${file.name}`)].sort())
    for (const file of files) expect(sha256Of(await objectBytes(`${dir}${file.name}`))).toBe(file.sha256)
    expect(result.stdout).toContain(`(${stack.region}; credentials from the environment)`)
    await expectNoLeaks(result)
    for (const secret of [ambient.AWS_SECRET_ACCESS_KEY, ambient.AWS_SESSION_TOKEN, 's3cret'])
      expect(leaks(result, secret)).toEqual([])
    // Children (twine, pip) never saw the AWS session.
    for (const { env } of result.spawnedEnvs) {
      expect(env['AWS_SECRET_ACCESS_KEY']).toBeUndefined()
      expect(env['AWS_SESSION_TOKEN']).toBeUndefined()
    }
  }, 120_000)

  it('a dry run archives nothing', async () => {
    const project = await copyProject('hatchling')
    await setVersion(project, '3.0.0')
    const result = await runBundledAction('publish-python', {
      inputs: {
        'working-directory': project,
        'repository-url': stack.uploadUrl,
        username: 'uploader',
        password: 's3cret',
        'build-isolation': 'false',
        'aws-region': stack.region,
        's3-archive': `s3://${BUCKET}/dry/`,
        'dry-run': 'true'
      },
      env: { ...tagEnv('v3.0.0'), ...ambient }
    })
    expectSuccess(result)
    expect(result.stdout).toContain('Dry run: nothing archived to S3.')
    expect(await keys('dry/')).toEqual([])
  }, 120_000)
})

describe('a bad `s3-archive`', () => {
  it.each([
    ['https://acme-releases/python/', /Input `s3-archive`: is a https: URI, not an s3:\/\/ URI; use s3:\/\/bucket\//],
    ['s3://Acme_Releases/', /Input `s3-archive`: "Acme_Releases" is not a valid S3 bucket name; use s3:\/\/bucket\//],
    ['s3://acme-releases/a/../b/', /Input `s3-archive`: .* has an empty, "\." or "\.\." segment in its key prefix/],
    ['s3://acme-releases//x', /has an empty, "\." or "\.\." segment/]
  ])('%s fails in one line before anything is built', async (value, line) => {
    const started = Date.now()
    const result = await runBundledAction('publish-python', {
      inputs: codeArtifactInputs({ 'working-directory': '.', 's3-archive': value }),
      env: tagEnv('v1.0.0')
    })
    expect(result.exitCode).not.toBe(0)
    const errors = errorLines(result)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(line)
    expect(result.spawned).toEqual([])
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('without a region (not CodeArtifact, no `aws-region`, no AWS_REGION) fails naming `aws-region`', async () => {
    const result = await runBundledAction('publish-python', {
      inputs: { 'repository-url': stack.uploadUrl, password: 's3cret', 's3-archive': `s3://${BUCKET}/` },
      env: tagEnv('v1.0.0')
    })
    expect(errorLines(result)).toEqual([
      expect.stringContaining('Input `aws-region`: is empty and AWS_REGION is not set; set `aws-region`')
    ])
  })
})
