import { runBundledAction } from '../../../test/harness/action-runner.ts'
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
    [{ tools: 'pip, npm' }, 'Input `tools`: "npm" is not accepted; use any of pip, uv, twine, poetry.'],
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
      /^CodeArtifact GetAuthorizationToken still failing after \d+ attempts in \d+\.\d s; last error: CodeArtifact is down$/
    )
    expect(Date.now() - started).toBeLessThan(8_000)
  })
})
