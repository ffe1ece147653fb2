import { jest } from '@jest/globals'
import {
  CodeartifactClient,
  GetAuthorizationTokenCommand,
  GetRepositoryEndpointCommand,
  ListPackageVersionsCommand
} from '@aws-sdk/client-codeartifact'
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { mockClient } from 'aws-sdk-client-mock'
import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { checkAwsEndpointTransport } from '../src/aws/call.ts'
import { getRepositoryAccess, listPackageVersions } from '../src/aws/codeartifact.ts'
import { resolveAwsSession } from '../src/aws/credentials.ts'
import { describeError } from '../src/errors.ts'
import { registeredSecrets, resetSecretsForTests } from '../src/secrets.ts'

const sts = mockClient(STSClient)
const codeartifact = mockClient(CodeartifactClient)
const saved = { ...process.env }

function awsError(name: string, status: number, message = `${name} message`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } })
}

function fakeJwt(claims: Record<string, string>): string {
  return ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'sig'].join('.')
}

const credentialOptions = {
  region: 'us-east-1',
  roleToAssume: 'arn:aws:iam::111122223333:role/gh-publish',
  roleSessionName: 'GitHubActions',
  roleDurationSeconds: 3600,
  audience: 'sts.amazonaws.com',
  deadlineMs: 2_000
}

beforeEach(() => {
  sts.reset()
  codeartifact.reset()
  resetSecretsForTests()
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(() => {
  jest.restoreAllMocks()
  process.env = { ...saved }
})

describe('resolveAwsSession', () => {
  it('uses the ambient chain when no role is given', async () => {
    expect(await resolveAwsSession({ ...credentialOptions, roleToAssume: undefined })).toEqual({
      region: 'us-east-1',
      source: 'ambient'
    })
    expect(sts.calls()).toHaveLength(0)
  })

  it('says to add the id-token permission when the OIDC environment is missing', async () => {
    delete process.env['ACTIONS_ID_TOKEN_REQUEST_URL']
    delete process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']
    await expect(resolveAwsSession(credentialOptions).catch(describeError)).resolves.toMatch(
      /^GitHub did not give this job an OIDC token .* Fix: add `permissions: id-token: write`/
    )
  })
})

describe('getRepositoryAccess', () => {
  const session = { region: 'us-east-1', source: 'ambient' as const }
  const ref = { domain: 'acme', repository: 'python-internal', durationSeconds: 43200, deadlineMs: 2_000 }

  it('defaults the owner to the caller account, masks the token, and derives the index URL', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' })
    codeartifact
      .on(GetAuthorizationTokenCommand)
      .resolves({ authorizationToken: 'tok-123', expiration: new Date('2030-01-01T00:00:00Z') })
    codeartifact.on(GetRepositoryEndpointCommand).resolves({
      repositoryEndpoint: 'https://acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python-internal'
    })
    const access = await getRepositoryAccess(session, ref)
    expect(access).toEqual({
      domainOwner: '111122223333',
      token: 'tok-123',
      expiration: new Date('2030-01-01T00:00:00Z'),
      registryUrl: 'https://acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python-internal/',
      indexUrl: 'https://acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python-internal/simple/'
    })
    expect(registeredSecrets()).toContain('tok-123')
    expect(codeartifact.commandCalls(GetAuthorizationTokenCommand)[0]?.args[0].input).toEqual({
      domain: 'acme',
      domainOwner: '111122223333',
      durationSeconds: 43200
    })
    expect(codeartifact.commandCalls(GetRepositoryEndpointCommand)[0]?.args[0].input).toEqual({
      domain: 'acme',
      domainOwner: '111122223333',
      repository: 'python-internal',
      format: 'pypi'
    })
  })

  it('refuses AWS endpoint variables that would carry signed calls in plain text', () => {
    expect(() => checkAwsEndpointTransport({ AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:4566' })).not.toThrow()
    expect(() => checkAwsEndpointTransport({ AWS_ENDPOINT_URL: 'https://aws.corp.example' })).not.toThrow()
    expect(() => checkAwsEndpointTransport({ AWS_ENDPOINT_URL_CODEARTIFACT: 'not a url' })).not.toThrow()
    expect(() =>
      checkAwsEndpointTransport({ AWS_ENDPOINT_URL_CODEARTIFACT: 'http://stand-in.corp.example:4566' })
    ).toThrow(
      'AWS_ENDPOINT_URL_CODEARTIFACT (http://stand-in.corp.example:4566): the AWS calls would send credentials over plain http to stand-in.corp.example:4566.'
    )
    expect(() =>
      checkAwsEndpointTransport({
        AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:4566',
        HTTP_PROXY: 'http://proxy.corp.example:3128'
      })
    ).toThrow('through the proxy at proxy.corp.example:3128')
  })

  it('refuses a plain-http repository endpoint on another host: the tools would send the token in clear', async () => {
    codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: 't', expiration: new Date() })
    codeartifact.on(GetRepositoryEndpointCommand).resolves({ repositoryEndpoint: 'http://mirror.example.com/pypi/r/' })
    const message = await getRepositoryAccess(session, { ...ref, domainOwner: '111122223333' }).catch(describeError)
    expect(message).toBe(
      'The repository endpoint http://mirror.example.com/pypi/r/: the tools would send credentials over plain http to mirror.example.com. Fix: use an https:// URL (check AWS_ENDPOINT_URL_CODEARTIFACT)'
    )
  })

  it('names both permissions when GetAuthorizationToken is denied', async () => {
    codeartifact.on(GetAuthorizationTokenCommand).rejects(awsError('AccessDeniedException', 403, 'not authorized'))
    codeartifact.on(GetRepositoryEndpointCommand).resolves({ repositoryEndpoint: 'https://x/pypi/r/' })
    const message = await getRepositoryAccess(session, { ...ref, domainOwner: '111122223333' }).catch(describeError)
    expect(message).toBe(
      'CodeArtifact GetAuthorizationToken was denied: not authorized Fix: the role needs `codeartifact:GetAuthorizationToken` on arn:aws:codeartifact:us-east-1:111122223333:domain/acme and `sts:GetServiceBearerToken` (condition `sts:AWSServiceName` = codeartifact.amazonaws.com)'
    )
  })

  it.each([
    ['cn-north-1', 'aws-cn'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eusc-de-east-1', 'aws-eusc']
  ])('names the resource ARN in the partition of %s', async (region, partition) => {
    codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: 't', expiration: new Date() })
    codeartifact.on(GetRepositoryEndpointCommand).rejects(awsError('AccessDeniedException', 403, 'not authorized'))
    const message = await getRepositoryAccess(
      { region, source: 'ambient' },
      { ...ref, domainOwner: '111122223333' }
    ).catch(describeError)
    expect(message).toContain(`on arn:${partition}:codeartifact:${region}:111122223333:repository/acme/python-internal`)
  })

  it('stops retrying the endpoint once the token call has failed for good', async () => {
    codeartifact.on(GetAuthorizationTokenCommand).rejects(awsError('AccessDeniedException', 403, 'not authorized'))
    codeartifact.on(GetRepositoryEndpointCommand).rejects(awsError('InternalServerException', 500))
    const started = Date.now()
    await expect(
      getRepositoryAccess(session, { ...ref, domainOwner: '111122223333', deadlineMs: 20_000 })
    ).rejects.toThrow(/was denied/)
    // Give the endpoint loop the time of its first back-off to notice the abort.
    await new Promise((resolve) => setTimeout(resolve, 600))
    const endpointCalls = codeartifact.commandCalls(GetRepositoryEndpointCommand).length
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(codeartifact.commandCalls(GetRepositoryEndpointCommand).length).toBe(endpointCalls)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('explains a missing domain or repository', async () => {
    codeartifact.on(GetAuthorizationTokenCommand).resolves({ authorizationToken: 't', expiration: new Date() })
    codeartifact
      .on(GetRepositoryEndpointCommand)
      .rejects(awsError('ResourceNotFoundException', 404, 'Repository not found'))
    const message = await getRepositoryAccess(session, { ...ref, domainOwner: '111122223333' }).catch(describeError)
    expect(message).toMatch(
      /domain "acme" \(owner 111122223333\) or repository "python-internal" was not found in us-east-1.* Fix: check `domain`, `domain-owner`, `repository` and `aws-region`$/
    )
  })

  it('retries throttling and then succeeds', async () => {
    codeartifact
      .on(GetAuthorizationTokenCommand)
      .rejectsOnce(awsError('ThrottlingException', 429))
      .resolves({ authorizationToken: 't2', expiration: new Date() })
    codeartifact
      .on(GetRepositoryEndpointCommand)
      .rejectsOnce(awsError('InternalServerException', 500))
      .resolves({ repositoryEndpoint: 'https://x/pypi/r/' })
    const access = await getRepositoryAccess(session, { ...ref, domainOwner: '111122223333' })
    expect(access.token).toBe('t2')
    expect(codeartifact.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(2)
  })

  it('reports no credentials with the fix', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })
      )
    const message = await getRepositoryAccess(session, ref).catch(describeError)
    expect(message).toMatch(/^No AWS credentials: .* Fix: set `role-to-assume`/)
  })
})

describe('OIDC -> STS', () => {
  // A minimal token endpoint; the full OIDC fixture (test/stack) is used by the integration tests.
  let server: Server
  const jwt = fakeJwt({ sub: 'repo:acme/widgets:ref:refs/heads/main', aud: 'sts.amazonaws.com' })
  beforeAll(async () => {
    server = createServer((request, response) => {
      const authorized = request.headers.authorization === 'Bearer request-token'
      response
        .writeHead(authorized ? 200 : 401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ value: jwt }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  })
  afterAll(() => new Promise((resolve) => server.close(resolve)))
  beforeEach(() => {
    process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] =
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`
    process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = 'request-token'
  })

  it('assumes the role with the OIDC token and masks the session credentials', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLE',
        SecretAccessKey: 'secret-key',
        SessionToken: 'session-token',
        Expiration: new Date('2030-01-01')
      },
      AssumedRoleUser: { Arn: 'arn:aws:sts::111122223333:assumed-role/gh-publish/GitHubActions', AssumedRoleId: 'x' }
    })
    const session = await resolveAwsSession(credentialOptions)
    expect(session).toMatchObject({
      source: 'oidc',
      accountId: '111122223333',
      roleArn: credentialOptions.roleToAssume
    })
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0]?.args[0].input).toEqual({
      RoleArn: credentialOptions.roleToAssume,
      RoleSessionName: 'GitHubActions',
      DurationSeconds: 3600,
      WebIdentityToken: jwt
    })
    expect(registeredSecrets()).toEqual(expect.arrayContaining(['secret-key', 'session-token', 'ASIAEXAMPLE']))
  })

  it('explains an STS refusal with the trust policy claims', async () => {
    sts
      .on(AssumeRoleWithWebIdentityCommand)
      .rejects(awsError('AccessDenied', 403, 'Not authorized to perform sts:AssumeRoleWithWebIdentity'))
    const message = await resolveAwsSession(credentialOptions).catch(describeError)
    expect(message).toContain('STS refused to let this workflow assume arn:aws:iam::111122223333:role/gh-publish')
    expect(message).toContain('the token has sub "repo:acme/widgets:ref:refs/heads/main" and aud "sts.amazonaws.com"')
  })
})

describe('listPackageVersions', () => {
  it('follows pagination', async () => {
    codeartifact
      .on(ListPackageVersionsCommand)
      .resolvesOnce({ versions: [{ version: '1.0.0', revision: 'a', status: 'Published' }], nextToken: 'n' })
      .resolvesOnce({ versions: [{ version: '1.1.0', revision: 'b', status: 'Published' }] })
    const versions = await listPackageVersions(
      { region: 'us-east-1', source: 'ambient' },
      { domain: 'acme', domainOwner: '111122223333', repository: 'r1' },
      'widgets'
    )
    expect(versions).toEqual(['1.0.0', '1.1.0'])
  })
})

describe('readHandoff', () => {
  it('returns what codeartifact-login left, and names it when the token expired', async () => {
    const { readHandoff } = await import('../src/aws/handoff.ts')
    const env = {
      CODEARTIFACT_AUTH_TOKEN: 't',
      CODEARTIFACT_REGISTRY_URL: 'https://r/',
      CODEARTIFACT_INDEX_URL: 'https://r/simple/',
      CODEARTIFACT_TOKEN_EXPIRATION: '2030-01-01T00:00:00.000Z'
    }
    expect(readHandoff(env, new Date('2029-12-31T00:00:00Z'))?.token).toBe('t')
    expect(() => readHandoff(env, new Date('2030-01-02T00:00:00Z'))).toThrow(
      'The CodeArtifact token that codeartifact-login left in the environment expired at 2030-01-01T00:00:00.000Z.'
    )
    expect(readHandoff({})).toBeUndefined()
  })
})
