import { runBundledAction } from '../../../test/harness/action-runner.ts'
import { type SilentServer, startSilentServer } from '../../../test/harness/silent-server.ts'
import { type FaultProxy, startFaultProxy } from '../../../test/stack/fault-proxy.ts'
import { type Stack, startStack } from '../../../test/stack/stack.ts'

// Every way codeartifact-login can be misused or refused, run through the bundle against the
// local stack: each ends in exactly one error line that names the fix, and nothing is
// exported for later steps.

let stack: Stack

beforeAll(async () => {
  stack = await startStack()
}, 60_000)
afterAll(() => stack?.stop())
afterEach(() => {
  stack.codeartifact.clearFaults()
  stack.codeartifact.denyOperations.clear()
  stack.oidc.setClaims({ sub: 'repo:acme/widgets:ref:refs/tags/v1.0.0', exp: undefined })
  stack.stsGate.clearFaults()
})

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'aws-region': stack.region,
    'role-to-assume': stack.roleArn,
    domain: stack.domain,
    repository: stack.repository,
    ...extra
  }
}

async function expectOneError(run: Promise<Awaited<ReturnType<typeof runBundledAction>>>, message: string | RegExp) {
  const result = await run
  expect(result.errors).toHaveLength(1)
  if (typeof message === 'string') expect(result.errors[0]).toBe(message)
  else expect(result.errors[0]).toMatch(message)
  expect(result.exitCode).toBe(1)
  expect(result.files.env).toBe('')
  expect(result.files.output).toBe('')
  return result
}

describe('bad inputs fail before any AWS call', () => {
  it.each([
    [{ tools: 'pip, npm' }, 'Input `tools`: "npm" is not accepted; use any of pip, uv, twine, poetry, pipenv.'],
    [
      { 'duration-seconds': '60' },
      'Input `duration-seconds`: 60 is out of range; use 0 or a whole number from 900 to 43200.'
    ],
    [
      { 'role-duration-seconds': '50000' },
      'Input `role-duration-seconds`: 50000 is out of range; use a whole number from 900 to 43200.'
    ],
    [
      { 'aws-region': 'US-EAST-1' },
      'Input `aws-region`: "US-EAST-1" is not valid; expected an AWS region such as us-east-1.'
    ],
    [
      { domain: 'Acme_Corp' },
      'Input `domain`: "Acme_Corp" is not valid; expected a CodeArtifact domain name: 2-50 lowercase letters, digits and hyphens, starting with a letter.'
    ],
    [
      { repository: 'python internal' },
      'Input `repository`: "python internal" is not valid; expected a CodeArtifact repository name: 2-100 letters, digits, dots, hyphens and underscores.'
    ],
    [
      { 'role-to-assume': 'arn:aws:iam::1111:role/x' },
      'Input `role-to-assume`: "arn:aws:iam::1111:role/x" is not valid; expected an IAM role ARN such as arn:aws:iam::111122223333:role/github-publish.'
    ],
    [{ 'index-mode': 'only' }, 'Input `index-mode`: "only" is not accepted; use one of replace, extra.'],
    // Needs the rebuilt bundle (partitions are checked since the "hostile inputs" change).
    [
      { 'role-to-assume': 'arn:awsx:iam::123456789012:role/x' },
      'Input `role-to-assume`: "arn:awsx:iam::123456789012:role/x" is not valid; expected an IAM role ARN such as arn:aws:iam::111122223333:role/github-publish.'
    ],
    [
      { 'role-to-assume': 'arn:aws-cn:iam::111122223333:role/x' },
      'Input `role-to-assume`: "arn:aws-cn:iam::111122223333:role/x" is a role of partition aws-cn, but the region us-east-1 from `aws-region` is in partition aws; use a role of partition aws, or a region of partition aws-cn (cn-*).'
    ],
    [{ domain: '' }, 'Input `domain`: is required but empty; set it in the step’s `with:`.']
  ])('%j', async (extra, message) => {
    const before = stack.codeartifact.log.length
    await expectOneError(runBundledAction('codeartifact-login', { inputs: inputs(extra), env: stack.env }), message)
    expect(stack.codeartifact.log.length).toBe(before)
  })
})

describe('credential problems name the fix', () => {
  it('no credentials at all', async () => {
    await expectOneError(
      runBundledAction('codeartifact-login', { inputs: inputs({ 'role-to-assume': '' }), env: stack.env }),
      /^No AWS credentials: none were given and none were found in the environment\. Fix: set `role-to-assume` \(with `permissions: id-token: write`\), or run aws-actions\/configure-aws-credentials in an earlier step$/
    )
  })

  it('the OIDC environment is missing (no id-token permission)', async () => {
    await expectOneError(
      runBundledAction('codeartifact-login', {
        inputs: inputs(),
        env: { ...stack.env, ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined }
      }),
      /^GitHub did not give this job an OIDC token \(ACTIONS_ID_TOKEN_REQUEST_URL is not set\)\. Fix: add `permissions: id-token: write`/
    )
  })

  it('STS refuses the token because the trust policy does not match its sub', async () => {
    stack.oidc.setClaims({ sub: 'repo:evil/fork:ref:refs/heads/main' })
    await expectOneError(
      runBundledAction('codeartifact-login', { inputs: inputs(), env: stack.env }),
      new RegExp(
        '^STS refused to let this workflow assume arn:aws:iam::111122223333:role/gh-publish: Not authorized to perform sts:AssumeRoleWithWebIdentity Fix: ' +
          '.*trust policy.*the token has sub "repo:evil/fork:ref:refs/heads/main" and aud "sts.amazonaws.com"\\)$'
      )
    )
  })

  it('STS rejects an expired OIDC token', async () => {
    stack.oidc.setClaims({ exp: 1_000_000_000 })
    await expectOneError(
      runBundledAction('codeartifact-login', { inputs: inputs(), env: stack.env }),
      /^STS rejected the GitHub OIDC token as expired: .* Fix: the token lives about 5 minutes/
    )
  })

  it('STS throttling is retried', async () => {
    stack.stsGate.injectFaults([{ status: 400, code: 'Throttling', message: 'Rate exceeded' }])
    const result = await runBundledAction('codeartifact-login', { inputs: inputs(), env: stack.env })
    expect(result.errors).toEqual([])
    expect(result.stdout).toMatch(/retrying after Throttling/)
  })
})

describe('CodeArtifact refusals name the permission or the resource', () => {
  it('AccessDenied on GetAuthorizationToken names sts:GetServiceBearerToken too', async () => {
    stack.codeartifact.denyOperations.add('GetServiceBearerToken')
    await expectOneError(
      runBundledAction('codeartifact-login', { inputs: inputs(), env: stack.env }),
      /^CodeArtifact GetAuthorizationToken was denied: .* Fix: the role needs `codeartifact:GetAuthorizationToken` on arn:aws:codeartifact:us-east-1:111122223333:domain\/acme and `sts:GetServiceBearerToken`/
    )
  })

  it('AccessDenied on GetRepositoryEndpoint names that permission', async () => {
    stack.codeartifact.denyOperations.add('GetRepositoryEndpoint')
    await expectOneError(
      runBundledAction('codeartifact-login', { inputs: inputs(), env: stack.env }),
      /^CodeArtifact GetRepositoryEndpoint was denied: .* Fix: the role needs `codeartifact:GetRepositoryEndpoint` on arn:aws:codeartifact:us-east-1:111122223333:repository\/acme\/python-internal$/
    )
  })

  it('a repository that does not exist', async () => {
    await expectOneError(
      runBundledAction('codeartifact-login', { inputs: inputs({ repository: 'no-such-repo' }), env: stack.env }),
      /^CodeArtifact GetRepositoryEndpoint: domain "acme" \(owner 111122223333\) or repository "no-such-repo" was not found in us-east-1: .* Fix: check `domain`, `domain-owner`, `repository` and `aws-region`$/
    )
  })
})

describe('transient failures', () => {
  it('retries throttling and 5xx, then succeeds', async () => {
    stack.codeartifact.injectFaults('GetAuthorizationToken', [
      { status: 429, errorType: 'ThrottlingException' },
      { status: 500, errorType: 'InternalServerException' }
    ])
    stack.codeartifact.injectFaults('GetRepositoryEndpoint', [{ status: 503 }])
    const result = await runBundledAction('codeartifact-login', { inputs: inputs(), env: stack.env })
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/retrying after ThrottlingException \(attempt 1/)
    expect(result.stdout).toMatch(/retrying after InternalServerException \(HTTP 500\) \(attempt 2/)
    expect(result.stdout).toMatch(/retrying after ServiceUnavailableException \(HTTP 503\) \(attempt 1/)
    expect(result.outputs['index-url']).toBe(stack.indexUrl)
  })

  it('a persistent outage fails within the retry deadline with the last error', async () => {
    stack.codeartifact.injectFaults('GetAuthorizationToken', [
      { status: 503, persistent: true, message: 'CodeArtifact is down' }
    ])
    const started = Date.now()
    await expectOneError(
      runBundledAction('codeartifact-login', { inputs: inputs({ 'retry-timeout-seconds': '3' }), env: stack.env }),
      /^CodeArtifact GetAuthorizationToken still failing after \d+ attempts in \d+\.\d s; last error: CodeArtifact is down Fix: raise `retry-timeout-seconds` if the service is slow to recover; otherwise check the service's status and the runner's network \(proxy, firewall\)$/
    )
    expect(Date.now() - started).toBeLessThan(8_000)
  })
})

// Everything below needs the bundle rebuilt with the "hostile inputs" change (deadlines that
// abort the attempt in flight, endpoint errors in one line, the OIDC request retried).
describe('hostile endpoints end within the deadline in one line', () => {
  let silent: SilentServer
  const proxies: FaultProxy[] = []

  beforeAll(async () => {
    silent = await startSilentServer()
  })
  afterAll(async () => {
    await silent.close()
    await Promise.all(proxies.map((proxy) => proxy.stop()))
  })

  /** A proxy in front of `target` that answers every request with `status` and a plain-text body. */
  async function failingProxy(target: string, status: number, body: string): Promise<string> {
    const proxy = await startFaultProxy({ target })
    proxies.push(proxy)
    proxy.addFault({ status, body, persistent: true })
    return proxy.url
  }

  it.each([
    ['AWS_ENDPOINT_URL_STS', 'STS AssumeRoleWithWebIdentity'],
    ['AWS_ENDPOINT_URL_CODEARTIFACT', 'CodeArtifact (GetAuthorizationToken|GetRepositoryEndpoint)'],
    ['ACTIONS_ID_TOKEN_REQUEST_URL', 'GitHub OIDC token request']
  ])('%s pointing at an endpoint that never answers', async (variable, label) => {
    const started = Date.now()
    await expectOneError(
      runBundledAction('codeartifact-login', {
        inputs: inputs({ 'retry-timeout-seconds': '2' }),
        env: {
          ...stack.env,
          [variable]: variable.startsWith('ACTIONS_') ? `${silent.url}/token?api-version=2.0` : silent.url
        }
      }),
      new RegExp(
        `^${label} still failing after 1 attempt in 2\\.\\d s; last error: no answer within the deadline Fix: `
      )
    )
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('the OIDC token service answering 503 is retried, then named', async () => {
    const url = await failingProxy(stack.oidc.url, 503, 'Service Unavailable')
    await expectOneError(
      runBundledAction('codeartifact-login', {
        inputs: inputs({ 'retry-timeout-seconds': '3' }),
        env: { ...stack.env, ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/token?api-version=2.0` }
      }),
      /^GitHub OIDC token request still failing after \d+ attempts in \d\.\d s; last error: HTTP 503 Fix: GitHub's token service failed; re-run the job/
    )
  })

  it('a CodeArtifact endpoint answering 403 with a non-AWS body', async () => {
    const url = await failingProxy(stack.codeartifact.url, 403, 'Forbidden')
    await expectOneError(
      runBundledAction('codeartifact-login', {
        inputs: inputs(),
        env: { ...stack.env, AWS_ENDPOINT_URL_CODEARTIFACT: url }
      }),
      /^CodeArtifact (GetAuthorizationToken|GetRepositoryEndpoint): the endpoint answered HTTP 403 with a non-AWS body \(text\/plain\)\. Fix: check `aws-region`, the endpoint variables \(AWS_ENDPOINT_URL\*\) and any proxy between the runner and AWS$/
    )
  })

  it('AWS_ENDPOINT_URL_CODEARTIFACT that is not a URL', async () => {
    await expectOneError(
      runBundledAction('codeartifact-login', {
        inputs: inputs(),
        env: { ...stack.env, AWS_ENDPOINT_URL_CODEARTIFACT: 'not a url' }
      }),
      /^CodeArtifact (GetAuthorizationToken|GetRepositoryEndpoint): AWS_ENDPOINT_URL_CODEARTIFACT is not a URL \(Invalid URL\)\. Fix: set AWS_ENDPOINT_URL_CODEARTIFACT to an absolute URL/
    )
  })

  it('a 6000-character input is cut in the error line', async () => {
    const value = `arn:aws:iam::111122223333:role/${'a'.repeat(6000)}`
    const result = await expectOneError(
      runBundledAction('codeartifact-login', { inputs: inputs({ 'role-to-assume': value }), env: stack.env }),
      /^Input `role-to-assume`: "arn:aws:iam::111122223333:role\/a+…a+" is not valid; expected an IAM role ARN/
    )
    expect(result.errors[0]?.length).toBeLessThanOrEqual(300)
  })
})
