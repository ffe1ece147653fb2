// The CodeArtifact fixture against the real @aws-sdk/client-codeartifact, signed with session
// credentials moto issued (both the OIDC web-identity path and the ambient AssumeRole path).
import { utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  CodeartifactClient,
  GetAuthorizationTokenCommand,
  GetRepositoryEndpointCommand,
  ListPackageVersionsCommand
} from '@aws-sdk/client-codeartifact'
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { startStack } from './stack.ts'
import type { Stack } from './stack.ts'

let stack: Stack
interface Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}
let credentials: Credentials

beforeAll(async () => {
  stack = await startStack()
  const sts = new STSClient({ region: stack.region, endpoint: stack.env.AWS_ENDPOINT_URL_STS })
  const { Credentials: c } = await sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: stack.roleArn,
      RoleSessionName: 'gh-test',
      WebIdentityToken: stack.oidc.mint({ aud: 'sts.amazonaws.com' })
    })
  )
  credentials = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! }
  // A few published files, as twine would leave them in pypiserver's directory.
  const old = Date.now() / 1000 - 3600
  for (const [file, mtime] of [
    ['acme_widgets-1.0.0-py3-none-any.whl', old],
    ['acme_widgets-1.0.0.tar.gz', old],
    ['acme_widgets-1.1.0rc1-py3-none-any.whl', old + 60],
    ['other-2.0.tar.gz', old]
  ] as const) {
    await writeFile(join(stack.pypiserver.packagesDir, file), file)
    await utimes(join(stack.pypiserver.packagesDir, file), mtime, mtime)
  }
})
afterAll(() => stack?.stop())
afterEach(() => {
  stack.codeartifact.clearFaults()
  stack.codeartifact.denyOperations.clear()
})

const client = (override: Partial<Credentials> = {}, maxAttempts = 3): CodeartifactClient =>
  new CodeartifactClient({
    region: stack.region,
    endpoint: stack.env.AWS_ENDPOINT_URL_CODEARTIFACT,
    credentials: { ...credentials, ...override },
    maxAttempts
  })

const errorOf = async (
  promise: Promise<unknown>
): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number; attempts?: number } }> => {
  try {
    await promise
  } catch (error) {
    return error as { name: string; message: string; $metadata: { httpStatusCode?: number } }
  }
  throw new Error('expected the call to fail')
}

describe('GetAuthorizationToken', () => {
  it('hands out the fixture token with a 12 h expiration by default, signed with session credentials', async () => {
    const out = await client().send(new GetAuthorizationTokenCommand({ domain: 'acme', domainOwner: '111122223333' }))
    expect(out.authorizationToken).toBe(stack.token)
    expect(out.expiration).toBeInstanceOf(Date)
    expect(out.expiration!.getTime() / 1000).toBeCloseTo(Date.now() / 1000 + 43200, -2)
    const entry = stack.codeartifact.log.at(-1)!
    expect(entry).toMatchObject({ operation: 'GetAuthorizationToken', method: 'POST', signedOk: true, status: 200 })
    expect(entry.caller).toBe('arn:aws:sts::111122223333:assumed-role/gh-publish/gh-test')
    expect(entry.query).toEqual({ domain: 'acme', 'domain-owner': '111122223333' })
    expect(entry.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token']))
  })

  it('honours durationSeconds and rejects values outside 0 or 900..43200', async () => {
    const out = await client().send(new GetAuthorizationTokenCommand({ domain: 'acme', durationSeconds: 900 }))
    expect(out.expiration!.getTime() / 1000).toBeCloseTo(Date.now() / 1000 + 900, -1)
    expect(stack.codeartifact.log.at(-1)!.query).toEqual({ domain: 'acme', duration: '900' })
    const error = await errorOf(
      client().send(new GetAuthorizationTokenCommand({ domain: 'acme', durationSeconds: 60 }))
    )
    expect(error.name).toBe('ValidationException')
    expect(error.$metadata.httpStatusCode).toBe(400)
  })

  it('works with ambient credentials from AssumeRole too', async () => {
    const ambient = await stack.ambientCredentials()
    const out = await client({
      accessKeyId: ambient.AWS_ACCESS_KEY_ID,
      secretAccessKey: ambient.AWS_SECRET_ACCESS_KEY,
      sessionToken: ambient.AWS_SESSION_TOKEN
    }).send(new GetAuthorizationTokenCommand({ domain: 'acme' }))
    expect(out.authorizationToken).toBe(stack.token)
  })

  it('finds the endpoint through AWS_ENDPOINT_URL_CODEARTIFACT', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_CODEARTIFACT
    process.env.AWS_ENDPOINT_URL_CODEARTIFACT = stack.env.AWS_ENDPOINT_URL_CODEARTIFACT
    try {
      const viaEnv = new CodeartifactClient({ region: stack.region, credentials })
      const out = await viaEnv.send(new GetAuthorizationTokenCommand({ domain: 'acme' }))
      expect(out.authorizationToken).toBe(stack.token)
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_CODEARTIFACT
      else process.env.AWS_ENDPOINT_URL_CODEARTIFACT = saved
    }
  })

  it('answers unknown domains with 404 and another owner with 403', async () => {
    expect((await errorOf(client().send(new GetAuthorizationTokenCommand({ domain: 'nope' })))).name).toBe(
      'ResourceNotFoundException'
    )
    const other = await errorOf(
      client().send(new GetAuthorizationTokenCommand({ domain: 'acme', domainOwner: '999999999999' }))
    )
    expect(other.name).toBe('AccessDeniedException')
  })

  it('denies operations the role lacks, naming the action like IAM does', async () => {
    stack.codeartifact.denyOperations.add('GetAuthorizationToken')
    const error = await errorOf(client().send(new GetAuthorizationTokenCommand({ domain: 'acme' })))
    expect(error.name).toBe('AccessDeniedException')
    expect(error.$metadata.httpStatusCode).toBe(403)
    expect(error.message).toBe(
      'User: arn:aws:sts::111122223333:assumed-role/gh-publish/gh-test is not authorized to perform: codeartifact:GetAuthorizationToken on resource: arn:aws:codeartifact:us-east-1:111122223333:domain/acme because no identity-based policy allows the codeartifact:GetAuthorizationToken action'
    )
    stack.codeartifact.denyOperations.clear()
    stack.codeartifact.denyOperations.add('GetServiceBearerToken')
    const bearer = await errorOf(client().send(new GetAuthorizationTokenCommand({ domain: 'acme' })))
    expect(bearer.message).toContain('not authorized to perform: sts:GetServiceBearerToken')
    stack.codeartifact.denyOperations.add('ListPackageVersions')
    const list = await errorOf(
      client().send(
        new ListPackageVersionsCommand({
          domain: 'acme',
          repository: 'python-internal',
          format: 'pypi',
          package: 'Acme_Widgets'
        })
      )
    )
    expect(list.message).toContain(
      'codeartifact:ListPackageVersions on resource: arn:aws:codeartifact:us-east-1:111122223333:package/acme/python-internal/pypi//acme-widgets'
    )
  })
})

describe('signatures', () => {
  it('refuses an unsigned request', async () => {
    const res = await fetch(`${stack.codeartifact.url}/v1/authorization-token?domain=acme`, { method: 'POST' })
    expect(res.status).toBe(403)
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
    expect(await res.json()).toEqual({ message: 'Missing Authentication Token' })
    expect(stack.codeartifact.log.at(-1)).toMatchObject({
      signedOk: false,
      authError: 'MissingAuthenticationTokenException'
    })
  })

  it('refuses a wrong secret key', async () => {
    const error = await errorOf(
      client({ secretAccessKey: 'not-the-secret' }).send(new GetAuthorizationTokenCommand({ domain: 'acme' }))
    )
    expect(error.name).toBe('InvalidSignatureException')
    expect(error.$metadata.httpStatusCode).toBe(403)
  })

  it('refuses a missing or foreign session token and unknown keys', async () => {
    const noToken = await errorOf(
      client({ sessionToken: undefined }).send(new GetAuthorizationTokenCommand({ domain: 'acme' }))
    )
    expect(noToken.name).toBe('UnrecognizedClientException')
    const unknown = await errorOf(
      client({ accessKeyId: 'ASIAUNKNOWNKEY000000' }).send(new GetAuthorizationTokenCommand({ domain: 'acme' }))
    )
    expect(unknown.name).toBe('UnrecognizedClientException')
    expect(unknown.message).toBe('The security token included in the request is invalid.')
  })

  it('refuses a signature scoped to another region', async () => {
    const elsewhere = new CodeartifactClient({ region: 'eu-west-1', endpoint: stack.codeartifact.url, credentials })
    expect((await errorOf(elsewhere.send(new GetAuthorizationTokenCommand({ domain: 'acme' })))).name).toBe(
      'InvalidSignatureException'
    )
  })
})

describe('GetRepositoryEndpoint and ListPackageVersions', () => {
  it('returns the pypi endpoint of the fault proxy, trailing slash included', async () => {
    const out = await client().send(
      new GetRepositoryEndpointCommand({ domain: 'acme', repository: 'python-internal', format: 'pypi' })
    )
    expect(out.repositoryEndpoint).toBe(stack.repositoryEndpoint)
    expect(out.repositoryEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pypi\/python-internal\/$/)
    expect(stack.codeartifact.log.at(-1)).toMatchObject({
      method: 'GET',
      query: { domain: 'acme', repository: 'python-internal', format: 'pypi' }
    })
    const missing = await errorOf(
      client().send(new GetRepositoryEndpointCommand({ domain: 'acme', repository: 'nope', format: 'pypi' }))
    )
    expect(missing.name).toBe('ResourceNotFoundException')
  })

  it('lists the versions in pypiserver, names normalized per PEP 503, newest first', async () => {
    const out = await client().send(
      new ListPackageVersionsCommand({
        domain: 'acme',
        domainOwner: '111122223333',
        repository: 'python-internal',
        format: 'pypi',
        package: 'Acme.Widgets'
      })
    )
    expect(out).toMatchObject({ format: 'pypi', package: 'acme-widgets', defaultDisplayVersion: '1.1.0rc1' })
    expect(out.versions!.map((v) => [v.version, v.status])).toEqual([
      ['1.1.0rc1', 'Published'],
      ['1.0.0', 'Published']
    ])
    expect(out.versions![0]!.revision).toMatch(/^[A-Za-z0-9+/]{43}=$/)
    const paged = await client().send(
      new ListPackageVersionsCommand({
        domain: 'acme',
        repository: 'python-internal',
        format: 'pypi',
        package: 'acme-widgets',
        maxResults: 1
      })
    )
    expect(paged.versions).toHaveLength(1)
    const next = await client().send(
      new ListPackageVersionsCommand({
        domain: 'acme',
        repository: 'python-internal',
        format: 'pypi',
        package: 'acme-widgets',
        maxResults: 1,
        nextToken: paged.nextToken
      })
    )
    expect(next.versions!.map((v) => v.version)).toEqual(['1.0.0'])
    expect(next.nextToken).toBeUndefined()
  })

  it('answers 404 for a package that has no versions', async () => {
    const error = await errorOf(
      client().send(
        new ListPackageVersionsCommand({
          domain: 'acme',
          repository: 'python-internal',
          format: 'pypi',
          package: 'ghost'
        })
      )
    )
    expect(error.name).toBe('ResourceNotFoundException')
  })
})

describe('fault injection', () => {
  it('consumes queued faults one per request; the SDK retries through throttling and 5xx', async () => {
    stack.codeartifact.injectFaults('GetAuthorizationToken', [
      { status: 429, errorType: 'ThrottlingException', retryAfterSeconds: 0 },
      { status: 500, errorType: 'InternalServerException' }
    ])
    stack.codeartifact.clearLog()
    const out = await client().send(new GetAuthorizationTokenCommand({ domain: 'acme' }))
    expect(out.$metadata.attempts).toBe(3)
    expect(stack.codeartifact.log.map((e) => [e.status, e.fault])).toEqual([
      [429, true],
      [500, true],
      [200, false]
    ])
  })

  it('keeps a persistent fault until cleared, and can drop connections', async () => {
    stack.codeartifact.injectFaults('*', [{ status: 503, persistent: true }])
    const error = await errorOf(
      client(undefined, 2).send(
        new GetRepositoryEndpointCommand({ domain: 'acme', repository: 'python-internal', format: 'pypi' })
      )
    )
    expect(error.$metadata.httpStatusCode).toBe(503)
    expect(error.$metadata.attempts).toBe(2)
    stack.codeartifact.clearFaults()
    stack.codeartifact.injectFaults('GetAuthorizationToken', [{ status: 0, drop: true }])
    const out = await client().send(new GetAuthorizationTokenCommand({ domain: 'acme' }))
    expect(out.$metadata.attempts).toBe(2)
  })

  it('does not let unsigned requests consume faults', async () => {
    stack.codeartifact.injectFaults('GetAuthorizationToken', [{ status: 500 }])
    await fetch(`${stack.codeartifact.url}/v1/authorization-token?domain=acme`, { method: 'POST' })
    const out = await client(undefined, 1)
      .send(new GetAuthorizationTokenCommand({ domain: 'acme' }))
      .catch((e: unknown) => e)
    expect((out as { name?: string }).name).toBe('InternalServerException')
  })
})
