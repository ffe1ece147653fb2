import { jest } from '@jest/globals'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type SilentServer, startSilentServer } from '../../../test/harness/silent-server.ts'
import { restoreEnvAfterEach } from '../../../test/harness/inputs.ts'
import { getRepositoryAccess, listPackageVersions } from '../src/aws/codeartifact.ts'
import type { AwsSession } from '../src/aws/client-config.ts'
import { getAccountId, resolveAwsSession } from '../src/aws/credentials.ts'
import { getEcrAuthorization } from '../src/container/ecr.ts'
import { describeError } from '../src/errors.ts'
import { requestGitHubIdToken } from '../src/github-oidc.ts'
import { resetSecretsForTests } from '../src/secrets.ts'

// Hostile endpoints, for real over loopback and through the real SDK clients (no mock): one
// that accepts connections and never answers, and one that answers whatever a test scripts
// (a proxy's HTML page, an empty JSON object, a 5xx). Every failure must end within its
// deadline in exactly one line that names the fix.

const DEADLINE_MS = 2_000
/** A call given DEADLINE_MS must have failed by then: the deadline plus start-up and slack. */
const BOUND_MS = 6_000

const ENDPOINT_HINT =
  'Fix: check `aws-region`, the endpoint variables (AWS_ENDPOINT_URL*) and any proxy between the runner and AWS'
const RETRY_HINT = 'Fix: raise `retry-timeout-seconds` if the service is slow to recover'
const OIDC_SERVICE_HINT =
  "Fix: GitHub's token service failed; re-run the job, and check https://www.githubstatus.com if it keeps failing"

const ROLE = 'arn:aws:iam::111122223333:role/gh-publish'
const session: AwsSession = {
  region: 'us-east-1',
  source: 'ambient',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' }
}
const repository = { domain: 'acme', domainOwner: '111122223333', repository: 'python-internal', durationSeconds: 900 }
const credentialOptions = {
  region: 'us-east-1',
  roleToAssume: ROLE,
  roleSessionName: 'GitHubActions',
  roleDurationSeconds: 3600,
  audience: 'sts.amazonaws.com',
  deadlineMs: DEADLINE_MS
}

interface Answer {
  status: number
  type?: string
  body?: string
  headers?: Record<string, string>
}

const jwt = [
  'e30',
  Buffer.from('{"sub":"repo:acme/widgets:ref:refs/tags/v1","aud":"sts"}').toString('base64url'),
  's'
].join('.')
const tokenAnswer: Answer = { status: 200, type: 'application/json', body: JSON.stringify({ value: jwt }) }

/** What the scripted endpoint answers, in order (the last one repeats): token requests, other requests. */
let tokenAnswers: Answer[] = []
let answers: Answer[] = []
/** Token requests served. */
let requests = 0
let silent: SilentServer
let scripted: Server
let scriptedUrl: string
let closedUrl: string

function answer(request: IncomingMessage, response: ServerResponse): void {
  const isToken = request.url?.startsWith('/token') ?? false
  if (isToken) requests++
  const script = isToken ? tokenAnswers : answers
  const next = script.length > 1 ? (script.shift() as Answer) : script[0]
  request.resume()
  request.on('end', () => {
    if (!next) return void response.writeHead(500).end()
    response.writeHead(next.status, { ...(next.type ? { 'content-type': next.type } : {}), ...next.headers })
    response.end(next.body ?? '')
  })
}

async function listenLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  silent = await startSilentServer()
  scripted = createServer(answer)
  scriptedUrl = await listenLoopback(scripted)
  // A port nobody listens on: connection refused, the plainest network error.
  const closed = createServer()
  closedUrl = await listenLoopback(closed)
  await new Promise((resolve) => closed.close(resolve))
})
afterAll(async () => {
  await silent.close()
  scripted.closeAllConnections()
  await new Promise((resolve) => scripted.close(resolve))
})

restoreEnvAfterEach()
beforeEach(() => {
  tokenAnswers = [tokenAnswer]
  answers = []
  requests = 0
  resetSecretsForTests()
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key]
  // Nothing may fall back to the instance metadata service or a profile of this machine.
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true'
  process.env['AWS_CONFIG_FILE'] = '/nonexistent'
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = '/nonexistent'
  process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = `${scriptedUrl}/token?api-version=2.0`
  process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = 'request-token'
  // The retry progress lines.
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(() => jest.restoreAllMocks())

/** The one line the step would fail with, and how long the call took. */
async function failure(call: () => Promise<unknown>): Promise<{ line: string; ms: number }> {
  const started = Date.now()
  const line = await call().then(
    () => 'no error',
    (error: unknown) => describeError(error)
  )
  return { line, ms: Date.now() - started }
}

describe('an endpoint that accepts the connection and never answers ends at the deadline', () => {
  const noAnswer = (label: string, hint: string) =>
    new RegExp(
      `^${label} still failing after 1 attempt in 2\\.\\d s; last error: no answer within the deadline ${hint.replace(/[()*`.?]/g, '\\$&')}`
    )

  it('STS AssumeRoleWithWebIdentity (AWS_ENDPOINT_URL_STS)', async () => {
    process.env['AWS_ENDPOINT_URL_STS'] = silent.url
    const { line, ms } = await failure(() => resolveAwsSession(credentialOptions))
    expect(line).toMatch(noAnswer('STS AssumeRoleWithWebIdentity', RETRY_HINT))
    expect(ms).toBeLessThan(BOUND_MS)
  })

  it('STS GetCallerIdentity (AWS_ENDPOINT_URL_STS)', async () => {
    process.env['AWS_ENDPOINT_URL_STS'] = silent.url
    const { line, ms } = await failure(() => getAccountId(session, DEADLINE_MS))
    expect(line).toMatch(noAnswer('STS GetCallerIdentity', RETRY_HINT))
    expect(ms).toBeLessThan(BOUND_MS)
  })

  it('CodeArtifact GetAuthorizationToken and GetRepositoryEndpoint (AWS_ENDPOINT_URL_CODEARTIFACT)', async () => {
    process.env['AWS_ENDPOINT_URL_CODEARTIFACT'] = silent.url
    const before = silent.connections
    const { line, ms } = await failure(() => getRepositoryAccess(session, { ...repository, deadlineMs: DEADLINE_MS }))
    expect(line).toMatch(noAnswer('CodeArtifact (GetAuthorizationToken|GetRepositoryEndpoint)', RETRY_HINT))
    expect(ms).toBeLessThan(BOUND_MS)
    // Both calls were in flight, and both were cut.
    expect(silent.connections - before).toBe(2)
  })

  it('CodeArtifact ListPackageVersions (AWS_ENDPOINT_URL_CODEARTIFACT)', async () => {
    process.env['AWS_ENDPOINT_URL_CODEARTIFACT'] = silent.url
    const { line, ms } = await failure(() => listPackageVersions(session, repository, 'widgets', DEADLINE_MS))
    expect(line).toMatch(noAnswer('CodeArtifact ListPackageVersions', RETRY_HINT))
    expect(ms).toBeLessThan(BOUND_MS)
  })

  // container/ecr.ts does not pass the attempt's signal to client.send yet, so its attempt
  // ends only at the SDK's 20 s requestTimeout. Enable once it sends
  // `client.send(new GetAuthorizationTokenCommand({}), { abortSignal })`.
  it('ECR GetAuthorizationToken (AWS_ENDPOINT_URL_ECR)', async () => {
    process.env['AWS_ENDPOINT_URL_ECR'] = silent.url
    const { line, ms } = await failure(() => getEcrAuthorization(session, DEADLINE_MS))
    expect(line).toMatch(noAnswer('ECR GetAuthorizationToken', RETRY_HINT))
    expect(ms).toBeLessThan(BOUND_MS)
  })

  it('the GitHub OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL)', async () => {
    process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = `${silent.url}/token?api-version=2.0`
    const { line, ms } = await failure(() => requestGitHubIdToken('sts.amazonaws.com', { deadlineMs: DEADLINE_MS }))
    expect(line).toMatch(noAnswer('GitHub OIDC token request', OIDC_SERVICE_HINT))
    expect(ms).toBeLessThan(BOUND_MS)
  })

  it('a sibling that fails for good cuts the other call short, long before the deadline', async () => {
    // The token call is refused at once; the endpoint call would hang until its 60 s deadline.
    const hanging = createServer((request, response) => {
      if (request.url?.startsWith('/v1/authorization-token')) {
        response
          .writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' })
          .end(JSON.stringify({ message: 'not authorized' }))
      }
    })
    process.env['AWS_ENDPOINT_URL_CODEARTIFACT'] = await listenLoopback(hanging)
    try {
      const { line, ms } = await failure(() => getRepositoryAccess(session, { ...repository, deadlineMs: 60_000 }))
      expect(line).toMatch(/^CodeArtifact GetAuthorizationToken was denied: not authorized Fix: /)
      expect(ms).toBeLessThan(BOUND_MS)
    } finally {
      hanging.closeAllConnections()
      await new Promise((resolve) => hanging.close(resolve))
    }
  })
})

describe('answers that are not from AWS name the endpoint to check', () => {
  const forbidden: Answer = { status: 403, type: 'text/plain', body: 'Forbidden' }
  const portal: Answer = { status: 200, type: 'text/html; charset=utf-8', body: '<html><body>Sign in</body></html>' }
  const badGateway: Answer = { status: 502, type: 'text/html', body: '<html><h1>502 Bad Gateway</h1></html>' }

  it.each<[string, Answer, () => Promise<unknown>, string | RegExp]>([
    [
      'CodeArtifact: 403 plain text',
      forbidden,
      () => getRepositoryAccess(session, { ...repository, deadlineMs: DEADLINE_MS }),
      /^CodeArtifact (GetAuthorizationToken|GetRepositoryEndpoint): the endpoint answered HTTP 403 with a non-AWS body \(text\/plain\)\. Fix: check `aws-region`/
    ],
    [
      'CodeArtifact: 200 HTML (a portal page)',
      portal,
      () => listPackageVersions(session, repository, 'widgets', DEADLINE_MS),
      `CodeArtifact ListPackageVersions: the endpoint answered HTTP 200 with a non-AWS body (text/html). ${ENDPOINT_HINT}`
    ],
    [
      'CodeArtifact: 200 JSON without a token',
      { status: 200, type: 'application/json', body: '{}' },
      () => getRepositoryAccess(session, { ...repository, deadlineMs: DEADLINE_MS }),
      `CodeArtifact returned no authorization token. ${ENDPOINT_HINT}`
    ],
    [
      'STS GetCallerIdentity: 403 plain text',
      forbidden,
      () => getAccountId(session, DEADLINE_MS),
      `STS GetCallerIdentity: the endpoint answered HTTP 403 with a non-AWS body (text/plain). ${ENDPOINT_HINT}`
    ],
    [
      'STS GetCallerIdentity: a proxy 502 page is retried, then named',
      badGateway,
      () => getAccountId(session, DEADLINE_MS),
      /^STS GetCallerIdentity still failing after \d+ attempts in \d\.\d s; last error: the endpoint answered HTTP 502 with a non-AWS body \(text\/html\) Fix: check `aws-region`/
    ],
    [
      'STS AssumeRoleWithWebIdentity: 200 HTML',
      portal,
      () => resolveAwsSession(credentialOptions),
      `STS returned no credentials for ${ROLE}. ${ENDPOINT_HINT}`
    ],
    [
      'ECR: 403 plain text',
      forbidden,
      () => getEcrAuthorization(session, DEADLINE_MS),
      `An AWS call: the endpoint answered HTTP 403 with a non-AWS body (text/plain). ${ENDPOINT_HINT}`
    ]
  ])('%s', async (_name, reply, call, expected) => {
    answers = [reply]
    for (const service of ['STS', 'CODEARTIFACT', 'ECR']) process.env[`AWS_ENDPOINT_URL_${service}`] = scriptedUrl
    const { line } = await failure(call)
    if (typeof expected === 'string') expect(line).toBe(expected)
    else expect(line).toMatch(expected)
    expect(line).not.toMatch(/\n|Deserialization|\$response/)
  })

  it('an AWS 5xx that does not stop names the retry budget', async () => {
    answers = [
      {
        status: 503,
        type: 'application/json',
        headers: { 'x-amzn-errortype': 'ServiceUnavailableException' },
        body: JSON.stringify({ message: 'CodeArtifact is down' })
      }
    ]
    process.env['AWS_ENDPOINT_URL_CODEARTIFACT'] = scriptedUrl
    const { line } = await failure(() => listPackageVersions(session, repository, 'widgets', DEADLINE_MS))
    expect(line).toMatch(
      /^CodeArtifact ListPackageVersions still failing after \d+ attempts in \d\.\d s; last error: CodeArtifact is down Fix: raise `retry-timeout-seconds` if the service is slow to recover; otherwise check the service's status and the runner's network \(proxy, firewall\)$/
    )
  })
})

describe('an endpoint variable that is not a URL is named', () => {
  it.each<[string, string, () => Promise<unknown>, string]>([
    [
      'AWS_ENDPOINT_URL_CODEARTIFACT',
      'not a url',
      () => listPackageVersions(session, repository, 'widgets', DEADLINE_MS),
      'CodeArtifact ListPackageVersions: AWS_ENDPOINT_URL_CODEARTIFACT is not a URL (Invalid URL).'
    ],
    [
      'AWS_ENDPOINT_URL',
      'sts.example',
      () => getAccountId(session, DEADLINE_MS),
      'STS GetCallerIdentity: AWS_ENDPOINT_URL is not a URL (Invalid URL).'
    ],
    [
      'AWS_ENDPOINT_URL_ECR',
      'http//ecr',
      () => getEcrAuthorization(session, DEADLINE_MS),
      'An AWS call: AWS_ENDPOINT_URL_ECR is not a URL (Invalid URL).'
    ]
  ])('%s=%j', async (variable, value, call, expected) => {
    process.env[variable] = value
    const { line } = await failure(call)
    expect(line).toBe(
      `${expected} Fix: set ${variable} to an absolute URL such as https://codeartifact.us-east-1.amazonaws.com, or unset it to use AWS's own endpoints`
    )
  })
})

describe('the GitHub OIDC token endpoint', () => {
  const request = () => requestGitHubIdToken('sts.amazonaws.com', { deadlineMs: DEADLINE_MS })
  const refusedHint =
    'Fix: the runner sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN itself: do not override them in `env:`, and keep `permissions: id-token: write` on the job'

  it('retries a 5xx and then succeeds', async () => {
    tokenAnswers = [{ status: 503, type: 'text/html', body: '<html>unavailable</html>' }, tokenAnswer]
    await expect(request()).resolves.toBe(jwt)
    expect(requests).toBe(2)
  })

  it.each<[string, Answer[] | 'refused' | 'missing', string | RegExp, number | 'several']>([
    [
      'a 5xx that does not stop',
      [{ status: 500, type: 'application/json', body: '{"message":"Internal error"}' }],
      /^GitHub OIDC token request still failing after \d+ attempts in \d\.\d s; last error: HTTP 500 \(Internal error\) Fix: GitHub's token service failed; re-run the job/,
      'several'
    ],
    [
      'a connection that is refused',
      'refused',
      /^GitHub OIDC token request still failing after \d+ attempts in \d\.\d s; last error: fetch failed: ECONNREFUSED Fix: GitHub's token service failed/,
      0
    ],
    [
      '401: the request token is refused',
      [{ status: 401, type: 'application/json', body: '{"message":"Bad credentials"}' }],
      `GitHub refused the OIDC token request for audience "sts.amazonaws.com": HTTP 401 (Bad credentials) ${refusedHint}`,
      1
    ],
    [
      '403: the request token is refused',
      [{ status: 403, type: 'text/html', body: '<html>no</html>' }],
      `GitHub refused the OIDC token request for audience "sts.amazonaws.com": HTTP 403 ${refusedHint}`,
      1
    ],
    [
      '200 without a token',
      [{ status: 200, type: 'application/json', body: '{"count":0}' }],
      `Could not get the GitHub OIDC token for audience "sts.amazonaws.com": the answer holds no token ${OIDC_SERVICE_HINT}`,
      1
    ],
    [
      'no token request variables (no id-token permission)',
      'missing',
      /^GitHub did not give this job an OIDC token \(ACTIONS_ID_TOKEN_REQUEST_URL is not set\)\. Fix: add `permissions: id-token: write`/,
      0
    ]
  ])('%s', async (_name, script, expected, count) => {
    if (script === 'refused') process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = `${closedUrl}/token?api-version=2.0`
    else if (script === 'missing') delete process.env['ACTIONS_ID_TOKEN_REQUEST_URL']
    else tokenAnswers = script
    const { line, ms } = await failure(request)
    if (typeof expected === 'string') expect(line).toBe(expected)
    else expect(line).toMatch(expected)
    expect(ms).toBeLessThan(BOUND_MS)
    if (count === 'several') expect(requests).toBeGreaterThan(1)
    else expect(requests).toBe(count)
  })
})
