import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { GetLayerVersionCommand, LambdaClient, ListLayerVersionsCommand } from '@aws-sdk/client-lambda'
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { type ActionRunResult, runBundledAction } from '../../../test/harness/action-runner.ts'
import { type Stack, startStack } from '../../../test/stack/stack.ts'
import {
  buildExampleWheel,
  expectFailure,
  expectSuccess,
  login,
  makeWheel,
  publishToIndex,
  removeTempDirs,
  tempDir
} from './helpers.ts'

// Publishing to moto's Lambda (PublishLayerVersion, ListLayerVersions, GetLayerVersion) with an
// OIDC role session: the version records the runtime and architecture, a re-run with the same
// inputs reuses it (published=false, same ARN), other content makes a new version, and
// `s3-bucket` publishes through moto's S3. No AWS credential or index token leaks anywhere.

const KNOWN_TOKEN = 'ca-token.KNOWN+publish/secret=fedcba9876543210'
const BUCKET = 'acme-layers'
let stack: Stack
let handoff: Record<string, string>
let lambda: LambdaClient
let s3: S3Client

async function runLayer(inputs: Record<string, string>): Promise<{ dir: string; result: ActionRunResult }> {
  const dir = await tempDir('layer-pub')
  const result = await runBundledAction('lambda-layer', {
    inputs: { 'aws-region': stack.region, 'role-to-assume': stack.roleArn, ...inputs },
    cwd: dir,
    env: { ...stack.env, ...handoff, GITHUB_WORKSPACE: dir },
    timeoutMs: 180_000
  })
  return { dir, result }
}

async function secrets(): Promise<string[]> {
  const sessions = [...(await stack.moto.sessionCredentials()).values()]
  return [
    KNOWN_TOKEN,
    encodeURIComponent(KNOWN_TOKEN),
    ...sessions.flatMap((session) => [session.secretAccessKey, session.sessionToken])
  ]
}

async function expectNoLeaks(result: ActionRunResult, zip: string): Promise<void> {
  const zipBytes = await readFile(zip)
  const stdout = result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
  for (const secret of await secrets()) {
    const places = [
      stdout.includes(secret) && 'stdout',
      result.stderr.includes(secret) && 'stderr',
      result.files.output.includes(secret) && 'outputs',
      result.summary.includes(secret) && 'summary',
      result.spawned.some((argv) => argv.some((arg) => arg.includes(secret))) && 'argv',
      zipBytes.includes(Buffer.from(secret)) && 'zip'
    ].filter(Boolean)
    expect({ secret: secret.slice(0, 8), places }).toEqual({ secret: secret.slice(0, 8), places: [] })
  }
  // No AWS session reaches pip.
  for (const child of result.spawnedEnvs)
    expect(
      Object.keys(child.env).filter((name) => /^AWS_(ACCESS|SECRET|SESSION)|^ACTIONS_ID_TOKEN/.test(name))
    ).toEqual([])
}

beforeAll(async () => {
  stack = await startStack({ token: KNOWN_TOKEN })
  const wheels = await tempDir('layer-pub-wheels')
  await publishToIndex(stack, await buildExampleWheel(wheels))
  for (const [tag, value] of [
    ['cp313-cp313-manylinux2014_aarch64', 'arm'],
    ['cp313-cp313-manylinux2014_x86_64', 'x86']
  ] as const)
    await publishToIndex(
      stack,
      await makeWheel(wheels, {
        name: 'acme-native',
        version: '3.0.0',
        tag,
        files: { 'acme_native/__init__.py': `ARCH = "${value}"\n` }
      })
    )
  handoff = await login(stack)
  const ambient = await stack.ambientCredentials()
  const credentials = {
    accessKeyId: ambient.AWS_ACCESS_KEY_ID,
    secretAccessKey: ambient.AWS_SECRET_ACCESS_KEY,
    sessionToken: ambient.AWS_SESSION_TOKEN
  }
  lambda = new LambdaClient({ region: stack.region, endpoint: stack.env.AWS_ENDPOINT_URL_LAMBDA, credentials })
  s3 = new S3Client({
    region: stack.region,
    endpoint: stack.env.AWS_ENDPOINT_URL_S3,
    forcePathStyle: true,
    credentials
  })
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }))
}, 120_000)

afterAll(async () => {
  lambda?.destroy()
  s3?.destroy()
  await stack?.stop()
  await removeTempDirs()
})

describe('publishing to Lambda', () => {
  const inputs = { packages: 'acme-widgets acme-native==3.0.0', 'python-version': '3.13', architecture: 'arm64' }
  let first: ActionRunResult
  let firstDir: string

  beforeAll(async () => {
    ;({ dir: firstDir, result: first } = await runLayer({ ...inputs, 'layer-name': 'acme-deps' }))
  }, 180_000)

  it('publishes a version with the runtime, architecture and the zip`s CodeSha256', async () => {
    expectSuccess(first)
    expect(first.outputs['published']).toBe('true')
    expect(first.outputs['layer-version']).toBe('1')
    const arn = first.outputs['layer-version-arn'] as string
    expect(arn).toMatch(/^arn:aws:lambda:us-east-1:111122223333:layer:acme-deps:1$/)
    const zip = await readFile(join(firstDir, 'lambda-layer.zip'))
    const version = await lambda.send(new GetLayerVersionCommand({ LayerName: 'acme-deps', VersionNumber: 1 }))
    expect(version.LayerVersionArn).toBe(arn)
    expect(version.CompatibleRuntimes).toEqual(['python3.13'])
    expect(version.CompatibleArchitectures).toEqual(['arm64'])
    expect(version.Content?.CodeSha256).toBe(createHash('sha256').update(zip).digest('base64'))
    expect(version.Content?.CodeSize).toBe(zip.length)
    expect(version.Description).toContain(`zip sha256 ${first.outputs['zip-sha256']}`)
    expect(version.Description).toMatch(/^python3\.13 arm64; requirements sha256 [0-9a-f]{64}; /)
    expect(first.stdout).toContain(`Assumed ${stack.roleArn} with the GitHub OIDC token`)
    expect(first.summary).toContain(`published \`${arn}\``)
    expect(first.summary).toContain(`--layers ${arn}`)
    await expectNoLeaks(first, join(firstDir, 'lambda-layer.zip'))
  })

  it('a re-run with the same inputs publishes nothing and returns the same ARN', async () => {
    const { dir, result } = await runLayer({ ...inputs, 'layer-name': 'acme-deps' })
    expectSuccess(result)
    expect(result.outputs['zip-sha256']).toBe(first.outputs['zip-sha256'])
    expect(result.outputs['published']).toBe('false')
    expect(result.outputs['layer-version-arn']).toBe(first.outputs['layer-version-arn'])
    expect(result.outputs['layer-version']).toBe('1')
    expect(result.stdout).toContain('already holds this zip')
    expect(result.summary).toContain('reused')
    const listed = await lambda.send(new ListLayerVersionsCommand({ LayerName: 'acme-deps' }))
    expect(listed.LayerVersions?.map((item) => item.Version)).toEqual([1])
    await expectNoLeaks(result, join(dir, 'lambda-layer.zip'))
  }, 180_000)

  it('other content (another architecture) makes a new version', async () => {
    const { result } = await runLayer({ ...inputs, architecture: 'x86_64', 'layer-name': 'acme-deps' })
    expectSuccess(result)
    expect(result.outputs['zip-sha256']).not.toBe(first.outputs['zip-sha256'])
    expect(result.outputs['published']).toBe('true')
    expect(result.outputs['layer-version']).toBe('2')
    const version = await lambda.send(new GetLayerVersionCommand({ LayerName: 'acme-deps', VersionNumber: 2 }))
    expect(version.CompatibleArchitectures).toEqual(['x86_64'])
  }, 180_000)
})

describe('publishing through S3 (`s3-bucket`)', () => {
  it('uploads the zip to <prefix><layer>/<sha256>.zip and publishes from there; a re-run reuses it', async () => {
    const { dir, result } = await runLayer({
      packages: 'acme-widgets',
      'layer-name': 'acme-widgets-layer',
      's3-bucket': BUCKET,
      'python-version': '3.12'
    })
    expectSuccess(result)
    const sha256 = result.outputs['zip-sha256'] as string
    const key = `lambda-layers/acme-widgets-layer/${sha256}.zip`
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))
    const zip = await readFile(join(dir, 'lambda-layer.zip'))
    expect(head.ContentLength).toBe(zip.length)
    expect(head.Metadata?.['sha256']).toBe(sha256)
    expect(result.outputs['published']).toBe('true')
    expect(result.stdout).toContain(`Uploaded ${join(dir, 'lambda-layer.zip')} to s3://${BUCKET}/${key}`)
    const version = await lambda.send(
      new GetLayerVersionCommand({
        LayerName: 'acme-widgets-layer',
        VersionNumber: Number(result.outputs['layer-version'])
      })
    )
    expect(version.Content?.CodeSha256).toBe(createHash('sha256').update(zip).digest('base64'))
    expect(version.CompatibleRuntimes).toEqual(['python3.12'])
    expect(version.CompatibleArchitectures).toEqual(['x86_64'])
    await expectNoLeaks(result, join(dir, 'lambda-layer.zip'))

    const again = await runLayer({
      packages: 'acme-widgets',
      'layer-name': 'acme-widgets-layer',
      's3-bucket': BUCKET,
      'python-version': '3.12'
    })
    expectSuccess(again.result)
    expect(again.result.outputs['published']).toBe('false')
    expect(again.result.outputs['layer-version-arn']).toBe(result.outputs['layer-version-arn'])
  }, 180_000)

  it('a bucket that does not exist fails with one line naming it', async () => {
    const { result } = await runLayer({
      packages: 'acme-widgets',
      'layer-name': 'acme-nobucket',
      's3-bucket': 'acme-no-such-bucket'
    })
    const error = expectFailure(result)
    expect(error).toContain('acme-no-such-bucket does not exist')
    expect(result.outputs['published']).toBeUndefined()
  }, 180_000)
})
