// The GitHub Actions OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL). @actions/core's
// getIDToken() appends `&audience=<aud>` to that URL and sends
// `Authorization: Bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>`; the answer is `{"value": "<jwt>"}`.
// Tokens are RS256 JWTs shaped like GitHub's, signed with a key made at start, so the STS gate
// can verify them exactly as AWS verifies GitHub's against its JWKS.
import { createServer } from 'node:http'
import { createSign, generateKeyPair, randomBytes, randomUUID } from 'node:crypto'
import type { JsonWebKey, KeyObject } from 'node:crypto'
import { closeServer, listen, sendJson } from './http-util.ts'

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'

export interface OidcFixtureOptions {
  /** Default `repo:acme/widgets:ref:refs/tags/v1.0.0`. */
  subject?: string
  repository?: string
  ref?: string
  /** Extra or overriding claims for every token. */
  claims?: Record<string, unknown>
  /** Lifetime of issued tokens; default 300 s like GitHub's. */
  ttlSeconds?: number
}

export interface OidcFixture {
  readonly url: string
  readonly issuer: string
  readonly publicKey: KeyObject
  readonly jwks: { keys: JsonWebKey[] }
  /** What a job sees: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  readonly env: { ACTIONS_ID_TOKEN_REQUEST_URL: string; ACTIONS_ID_TOKEN_REQUEST_TOKEN: string }
  /** Token requests served (successful or not). */
  readonly requestCount: number
  /** Merges claims into every token issued from now on (e.g. another `sub`). */
  setClaims(claims: Record<string, unknown>): void
  /** Signs a token directly, e.g. an expired one: `mint({ aud: 'sts.amazonaws.com', exp: 1 })`. */
  mint(claims?: Record<string, unknown>): string
  stop(): Promise<void>
}

export async function startOidcFixture(options: OidcFixtureOptions = {}): Promise<OidcFixture> {
  // Async key generation runs on the thread pool while the Python servers start.
  const { publicKey, privateKey } = await new Promise<{ publicKey: KeyObject; privateKey: KeyObject }>(
    (resolve, reject) =>
      generateKeyPair('rsa', { modulusLength: 2048 }, (error, pub, priv) =>
        error ? reject(error) : resolve({ publicKey: pub, privateKey: priv })
      )
  )
  const kid = randomBytes(8).toString('hex')
  const requestToken = randomBytes(24).toString('base64url')
  const ttl = options.ttlSeconds ?? 300
  const repository = options.repository ?? 'acme/widgets'
  const ref = options.ref ?? 'refs/tags/v1.0.0'
  let claims: Record<string, unknown> = {
    sub: options.subject ?? `repo:${repository}:ref:${ref}`,
    repository,
    repository_owner: repository.split('/')[0],
    ref,
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha: randomBytes(20).toString('hex'),
    workflow: 'release',
    event_name: 'push',
    job_workflow_ref: `${repository}/.github/workflows/release.yml@${ref}`,
    runner_environment: 'github-hosted',
    ...options.claims
  }
  let requests = 0

  const mint = (extra: Record<string, unknown> = {}): string => {
    const now = Math.floor(Date.now() / 1000)
    const header = { typ: 'JWT', alg: 'RS256', kid }
    const payload = {
      jti: randomUUID(),
      iss: GITHUB_ISSUER,
      aud: `https://github.com/${String(claims.repository_owner)}`,
      ...claims,
      nbf: now,
      iat: now,
      // A claimed exp (setClaims({ exp })) wins, so tests can make every issued token stale.
      exp: typeof claims['exp'] === 'number' ? claims['exp'] : now + ttl,
      ...extra
    }
    const signingInput = `${b64(header)}.${b64(payload)}`
    const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey).toString('base64url')
    return `${signingInput}.${signature}`
  }

  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture')
    if (req.method === 'GET' && url.pathname === '/.well-known/jwks') return sendJson(res, 200, jwks)
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return sendJson(res, 200, { issuer: GITHUB_ISSUER, jwks_uri: `${base}/.well-known/jwks` })
    }
    if (url.pathname !== '/token') return sendJson(res, 404, { message: 'Not Found' })
    requests++
    if (req.headers.authorization !== `Bearer ${requestToken}`)
      return sendJson(res, 401, { message: 'Bad credentials' })
    // Without `audience` GitHub uses the repository owner's URL, as mint() does.
    const audience = url.searchParams.get('audience')
    sendJson(res, 200, { value: mint(audience === null ? {} : { aud: audience }) })
  })
  const { url: base } = await listen(server)

  return {
    url: base,
    issuer: GITHUB_ISSUER,
    publicKey,
    jwks,
    env: {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${base}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken
    },
    get requestCount() {
      return requests
    },
    setClaims(extra) {
      claims = { ...claims, ...extra }
    },
    mint,
    stop: () => closeServer(server)
  }
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}
