import { runBundledAction } from '../../../test/harness/action-runner.ts'
import { type ForwardProxy, startForwardProxy } from '../../../test/stack/forward-proxy.ts'
import { type Stack, startStack } from '../../../test/stack/stack.ts'

// codeartifact-login's bundle behind a forwarding proxy: every call it makes (the GitHub OIDC
// token request, STS AssumeRoleWithWebIdentity, CodeArtifact GetAuthorizationToken and
// GetRepositoryEndpoint) goes through HTTP_PROXY, as the proxy's log shows; with NO_PROXY
// covering the stand-ins' host none does. The stack is on http://127.0.0.1, so these are
// absolute-form forwards; CONNECT (https targets) is covered in packages/shared/test/proxy.test.ts.

const PROXY_USER = 'egress'
const PROXY_PASSWORD = 'proxy-pass.SECRET+value'
let stack: Stack
let proxy: ForwardProxy

function loginInputs(): Record<string, string> {
  return {
    'aws-region': stack.region,
    'role-to-assume': stack.roleArn,
    domain: stack.domain,
    repository: stack.repository,
    tools: 'pip'
  }
}

function proxyUrl(): string {
  const url = new URL(proxy.url)
  url.username = PROXY_USER
  url.password = encodeURIComponent(PROXY_PASSWORD)
  return url.toString()
}

beforeAll(async () => {
  ;[stack, proxy] = await Promise.all([
    startStack(),
    startForwardProxy({ credentials: { user: PROXY_USER, password: PROXY_PASSWORD } })
  ])
}, 120_000)
afterAll(async () => {
  await proxy?.stop()
  await stack?.stop()
})
beforeEach(() => {
  proxy.log.length = 0
})

it('sends OIDC, STS and CodeArtifact calls through HTTP_PROXY, with its credentials masked', async () => {
  const oidcBefore = stack.oidc.requestCount
  const result = await runBundledAction('codeartifact-login', {
    inputs: loginInputs(),
    env: { ...stack.env, HTTP_PROXY: proxyUrl(), HTTPS_PROXY: proxyUrl(), RUNNER_DEBUG: '1' }
  })
  expect(result.errors).toEqual([])
  expect(result.exitCode).toBe(0)
  expect(stack.oidc.requestCount).toBeGreaterThan(oidcBefore)

  // fetch (undici's ProxyAgent) tunnels with CONNECT even to an http:// target; the SDK's agent
  // forwards http:// requests in absolute form, as curl does.
  const carried = proxy.log.map((entry) =>
    entry.method === 'CONNECT' ? `CONNECT ${entry.target}` : `${entry.method} ${new URL(entry.target).origin}`
  )
  const origin = (url: string) => new URL(url).origin
  const codeartifact = origin(stack.env.AWS_ENDPOINT_URL_CODEARTIFACT)
  // OIDC, then STS, then the two CodeArtifact calls, which run at once (either may go first).
  expect(carried.slice(0, 2)).toEqual([
    `CONNECT ${new URL(stack.env.ACTIONS_ID_TOKEN_REQUEST_URL).host}`,
    `POST ${origin(stack.env.AWS_ENDPOINT_URL_STS)}`
  ])
  expect(carried.slice(2).sort()).toEqual([`GET ${codeartifact}`, `POST ${codeartifact}`])
  expect(
    proxy.log
      .slice(2)
      .map((entry) => new URL(entry.target).pathname)
      .sort()
  ).toEqual([expect.stringContaining('/v1/authorization-token'), expect.stringContaining('/v1/repository/endpoint')])
  // Every call authenticated to the proxy; none was refused.
  expect(proxy.log.every((entry) => entry.user === PROXY_USER && entry.status === 200)).toBe(true)

  // The proxy password is masked before anything prints, and never printed unmasked.
  expect(result.stdout).toContain(`::add-mask::${PROXY_PASSWORD}`)
  const masked = result.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'))
  expect(masked.join('\n')).not.toContain(PROXY_PASSWORD)
}, 60_000)

it('goes direct for hosts NO_PROXY covers', async () => {
  for (const noProxy of ['127.0.0.1', 'localhost,.example.com, 127.0.0.1', '*']) {
    proxy.log.length = 0
    const result = await runBundledAction('codeartifact-login', {
      inputs: loginInputs(),
      env: { ...stack.env, HTTP_PROXY: proxyUrl(), https_proxy: proxyUrl(), NO_PROXY: noProxy }
    })
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(proxy.log).toEqual([])
  }
}, 90_000)

it('fails clearly when the proxy refuses, naming no password', async () => {
  const wrong = new URL(proxy.url)
  wrong.username = PROXY_USER
  wrong.password = 'not-the-password'
  const result = await runBundledAction('codeartifact-login', {
    inputs: loginInputs(),
    env: { ...stack.env, HTTP_PROXY: wrong.toString(), AWS_MAX_ATTEMPTS: '1' }
  })
  expect(result.exitCode).not.toBe(0)
  // Refused at once, not retried until the deadline: a wrong proxy password is no network blip.
  expect(proxy.log).toEqual([expect.objectContaining({ method: 'CONNECT', status: 407 })])
  expect(result.errors.join('\n')).toMatch(/proxy refused the connection \(HTTP 407\).*user name and password/)
  const printed = result.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'))
  expect(printed.join('\n')).not.toContain('not-the-password')
}, 60_000)
