// The assembled stack: the release flow end to end using only what a child process would get
// (stack.env + the CodeArtifact answers), a clean stop, and the CLI wrapper.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import {
  CodeartifactClient,
  GetAuthorizationTokenCommand,
  GetRepositoryEndpointCommand,
  ListPackageVersionsCommand
} from '@aws-sdk/client-codeartifact'
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { ECRClient, GetAuthorizationTokenCommand as GetEcrTokenCommand } from '@aws-sdk/client-ecr'
import { REPO_ROOT } from './service-process.ts'
import { startStack } from './stack.ts'
import type { Stack } from './stack.ts'
import { buildSampleDist, runTool } from './tools.ts'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'stack-test-'))
})
afterAll(() => rm(work, { recursive: true, force: true }))

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function refused(url: string): Promise<boolean> {
  return fetch(url).then(
    () => false,
    () => true
  )
}

describe('startStack', () => {
  let stack: Stack
  let dist: string
  beforeAll(async () => {
    ;[stack, dist] = await Promise.all([startStack(), buildSampleDist(join(work, 'project'), 'acme-widgets', '2.0.0')])
    process.stderr.write(`startStack took ${stack.startupMs} ms\n`)
  })
  afterAll(() => stack?.stop())

  it('exposes the defaults and the env a child process needs', () => {
    expect(stack).toMatchObject({
      region: 'us-east-1',
      domain: 'acme',
      domainOwner: '111122223333',
      repository: 'python-internal',
      roleArn: 'arn:aws:iam::111122223333:role/gh-publish'
    })
    expect(Object.keys(stack.env).sort()).toEqual([
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'AWS_EC2_METADATA_DISABLED',
      'AWS_ENDPOINT_URL_CODEARTIFACT',
      'AWS_ENDPOINT_URL_ECR',
      'AWS_ENDPOINT_URL_LAMBDA',
      'AWS_ENDPOINT_URL_S3',
      'AWS_ENDPOINT_URL_STS'
    ])
    for (const value of Object.values(stack.env)) expect(value).not.toContain(stack.token)
    expect(stack.indexUrl).toBe(`${stack.repositoryEndpoint}simple/`)
    expect(stack.indexUrl).not.toContain('@')
  })

  it('runs the release flow: OIDC -> STS -> CodeArtifact token + endpoint -> twine -> listed -> pip', async () => {
    const { env } = stack
    const oidc = (await (
      await fetch(`${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=sts.amazonaws.com`, {
        headers: { authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` }
      })
    ).json()) as {
      value: string
    }
    const sts = new STSClient({ region: stack.region, endpoint: env.AWS_ENDPOINT_URL_STS })
    const { Credentials: c } = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: stack.roleArn,
        RoleSessionName: 'release',
        WebIdentityToken: oidc.value
      })
    )
    const ca = new CodeartifactClient({
      region: stack.region,
      endpoint: env.AWS_ENDPOINT_URL_CODEARTIFACT,
      credentials: {
        accessKeyId: c!.AccessKeyId!,
        secretAccessKey: c!.SecretAccessKey!,
        sessionToken: c!.SessionToken!
      }
    })
    const { authorizationToken } = await ca.send(
      new GetAuthorizationTokenCommand({ domain: stack.domain, domainOwner: stack.domainOwner, durationSeconds: 900 })
    )
    const { repositoryEndpoint } = await ca.send(
      new GetRepositoryEndpointCommand({ domain: stack.domain, repository: stack.repository, format: 'pypi' })
    )

    const files = (await readdir(dist)).map((f) => join(dist, f))
    const upload = await runTool(
      'twine',
      ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', repositoryEndpoint!, ...files],
      {
        env: { TWINE_USERNAME: 'aws', TWINE_PASSWORD: authorizationToken! }
      }
    )
    expect(upload.code).toBe(0)

    const listed = await ca.send(
      new ListPackageVersionsCommand({
        domain: stack.domain,
        repository: stack.repository,
        format: 'pypi',
        package: 'acme_widgets'
      })
    )
    expect(listed.versions?.map((v) => v.version)).toEqual(['2.0.0'])

    const index = new URL(`${repositoryEndpoint}simple/`)
    index.username = 'aws'
    index.password = authorizationToken!
    const downloads = join(work, 'downloads')
    const download = await runTool('pip', ['download', '--no-deps', '--dest', downloads, 'acme-widgets==2.0.0'], {
      env: { PIP_INDEX_URL: index.href }
    })
    expect(download.code).toBe(0)
    expect((await readdir(downloads)).length).toBe(1)
  })

  it('serves ECR from moto through AWS_ENDPOINT_URL_ECR, with ambient credentials', async () => {
    const creds = await stack.ambientCredentials()
    const ecr = new ECRClient({
      region: stack.region,
      endpoint: stack.env.AWS_ENDPOINT_URL_ECR,
      credentials: {
        accessKeyId: creds.AWS_ACCESS_KEY_ID,
        secretAccessKey: creds.AWS_SECRET_ACCESS_KEY,
        sessionToken: creds.AWS_SESSION_TOKEN
      }
    })
    const out = await ecr.send(new GetEcrTokenCommand({}))
    expect(Buffer.from(out.authorizationData![0]!.authorizationToken!, 'base64').toString()).toMatch(/^AWS:/)
  })
})

describe('stop', () => {
  it('leaves no process, port or temp file behind, and is idempotent', async () => {
    const stack = await startStack({ token: 'fixed-token', users: [] })
    expect(stack.token).toBe('fixed-token')
    const pids = [stack.pypiserver.pid, stack.moto.pid]
    const urls = [
      stack.pypiserver.url,
      stack.moto.url,
      stack.index.url,
      stack.codeartifact.url,
      stack.oidc.url,
      stack.stsGate.url
    ]
    const dirs = [dirname(stack.pypiserver.packagesDir)]
    expect(pids.every(alive)).toBe(true)
    await Promise.all([stack.stop(), stack.stop()])
    await stack.stop()
    expect(pids.filter(alive)).toEqual([])
    expect(await Promise.all(urls.map(refused))).toEqual(urls.map(() => true))
    expect(dirs.filter(existsSync)).toEqual([])
  })
})

describe('cli', () => {
  it('prints and writes the env, serves until SIGTERM, then stops everything', async () => {
    const envFile = join(work, 'stack.env')
    const child = spawn(
      join(REPO_ROOT, 'node_modules', '.bin', 'node'),
      [join(REPO_ROOT, 'test', 'stack', 'cli.ts'), '--write-env', envFile],
      {
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      const deadline = Date.now() + 30000
      while (!stdout.includes('STACK_TOKEN=') && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 50))
      expect(stderr).toContain('stack ready in')
      const vars = Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
      )
      expect(await readFile(envFile, 'utf8')).toBe(stdout)
      expect(vars).toMatchObject({ AWS_EC2_METADATA_DISABLED: 'true', STACK_REPOSITORY: 'python-internal' })
      const auth = `Basic ${Buffer.from(`aws:${vars.STACK_TOKEN}`).toString('base64')}`
      expect((await fetch(vars.STACK_INDEX_URL!, { headers: { authorization: auth } })).status).toBe(200)
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(await refused(vars.STACK_INDEX_URL!)).toBe(true)
      expect(await refused(vars.AWS_ENDPOINT_URL_ECR!)).toBe(true)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
