// PyPI's trusted publishing endpoints in front of the stack's index, shaped like Warehouse's
// (warehouse/oidc/views.py):
//   GET  /_/oidc/audience     -> {"audience": "<aud>"}
//   POST /_/oidc/mint-token   {"token": "<GitHub OIDC JWT>"} -> {"success": true, "token": "pypi-...", "expires": <epoch>}
//                             or 422 {"message": "Token request failed", "errors": [{"code", "description"}]}
// The JWT must verify against the stack's OIDC fixture key (RS256), come from its issuer, carry
// this audience, be within its lifetime and match a configured publisher (repository, and
// optionally the workflow file and environment), as Warehouse checks GitHub publishers. A minted
// token becomes the pypiserver password of `__token__`, so uploads with it really authenticate.
// Every other request is passed on to `target` unchanged (same path, same Host), so the upload
// URL and the simple index live on this fixture's origin exactly as on upload.pypi.org.
import { randomBytes } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { createServer, request } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { closeServer, listen, readBody, sendJson } from './http-util.ts'
import { verifyRs256 } from './jwt.ts'
import type { Stack } from './stack.ts'

export interface TrustedPublisher {
  /** `owner/name`, the token's `repository` claim. */
  repository: string
  /** The workflow file, e.g. `.github/workflows/release.yml`; matched against `job_workflow_ref`. */
  workflow?: string
  /** The deployment environment, when the publisher requires one. */
  environment?: string
}

export interface TrustedPublishingFixtureOptions {
  /** Where everything but /_/oidc/* goes (the stack's fault proxy). */
  target: string
  publicKey: KeyObject
  issuer: string
  publishers: TrustedPublisher[]
  /** Adds a pypiserver user; minted tokens are passwords of `__token__`. */
  setUser: (user: string, password: string) => Promise<void>
  /** Default `pypi`, as on PyPI. */
  audience?: string
  /** Minted token lifetime; default 900 s, as on PyPI. */
  ttlSeconds?: number
}

export interface MintLogEntry {
  status: number
  /** The error code when refused (never the token). */
  code?: string
  repository?: string
}

export interface TrustedPublishingFixture {
  readonly url: string
  readonly audience: string
  readonly mintLog: MintLogEntry[]
  /** Every token minted so far (for leak checks in tests). */
  readonly minted: readonly string[]
  setPublishers(publishers: TrustedPublisher[]): void
  stop(): Promise<void>
}

export const TRUSTED_PUBLISHING_USER = '__token__'

class MintError extends Error {
  readonly code: string
  constructor(code: string, description: string) {
    super(description)
    this.code = code
  }
}

export async function startTrustedPublishingFixture(
  options: TrustedPublishingFixtureOptions
): Promise<TrustedPublishingFixture> {
  const audience = options.audience ?? 'pypi'
  const target = new URL(options.target)
  let publishers = [...options.publishers]
  const mintLog: MintLogEntry[] = []
  const minted: string[] = []

  const verify = (jwt: unknown): Record<string, unknown> => {
    if (typeof jwt !== 'string' || !jwt) throw new MintError('invalid-payload', 'missing or empty token')
    let payload: Record<string, unknown>
    try {
      payload = verifyRs256(jwt, options.publicKey).payload
    } catch (error) {
      throw new MintError('invalid-token', `token is not a valid GitHub OIDC token: ${(error as Error).message}`)
    }
    const now = Math.floor(Date.now() / 1000)
    if (payload['iss'] !== options.issuer)
      throw new MintError('invalid-token', `unknown issuer ${String(payload['iss'])}`)
    if (payload['aud'] !== audience)
      throw new MintError('invalid-token', `audience ${String(payload['aud'])} is not ${audience}`)
    if (typeof payload['exp'] !== 'number' || payload['exp'] <= now)
      throw new MintError('invalid-token', 'token has expired')
    if (typeof payload['nbf'] === 'number' && payload['nbf'] > now + 60)
      throw new MintError('invalid-token', 'token is not yet valid')
    const workflowRef = String(payload['job_workflow_ref'] ?? '')
    const match = publishers.find(
      (p) =>
        p.repository === payload['repository'] &&
        (!p.workflow || workflowRef.startsWith(`${p.repository}/${p.workflow}@`)) &&
        (!p.environment || p.environment === payload['environment'])
    )
    if (!match) {
      throw new MintError(
        'invalid-publisher',
        `valid token, but no corresponding publisher (Publisher with matching claims was not found: repository ${String(payload['repository'])}, workflow ${workflowRef})`
      )
    }
    return payload
  }

  const mint = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let body: { token?: unknown }
    try {
      body = JSON.parse((await readBody(req)).toString('utf8')) as { token?: unknown }
    } catch {
      mintLog.push({ status: 422, code: 'invalid-json' })
      return sendJson(res, 422, {
        message: 'Token request failed',
        errors: [{ code: 'invalid-json', description: 'missing JSON body' }]
      })
    }
    try {
      const claims = verify(body.token)
      const token = `pypi-${randomBytes(32).toString('base64url')}`
      await options.setUser(TRUSTED_PUBLISHING_USER, token)
      minted.push(token)
      mintLog.push({ status: 200, repository: String(claims['repository']) })
      sendJson(res, 200, { success: true, token, expires: Math.floor(Date.now() / 1000) + (options.ttlSeconds ?? 900) })
    } catch (error) {
      if (!(error instanceof MintError)) throw error
      mintLog.push({ status: 422, code: error.code })
      sendJson(res, 422, {
        message: 'Token request failed',
        errors: [{ code: error.code, description: error.message }]
      })
    }
  }

  const pass = (req: IncomingMessage, res: ServerResponse): void => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers)
        upstreamRes.pipe(res)
      }
    )
    upstream.on('error', () => {
      if (res.headersSent) res.destroy()
      else res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway\n')
    })
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    req.pipe(upstream)
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://fixture').pathname
    if (path === '/_/oidc/audience' && req.method === 'GET') return sendJson(res, 200, { audience })
    if (path === '/_/oidc/mint-token') {
      if (req.method !== 'POST') return sendJson(res, 405, { message: 'Method Not Allowed' })
      void mint(req, res).catch((error) => {
        if (res.headersSent) res.destroy()
        else sendJson(res, 500, { message: (error as Error).message })
      })
      return
    }
    pass(req, res)
  })
  const { url } = await listen(server)
  return {
    url,
    audience,
    mintLog,
    get minted() {
      return minted
    },
    setPublishers(next) {
      publishers = [...next]
    },
    stop: () => closeServer(server)
  }
}

/** The fixture in front of a running stack: its index, its OIDC key and issuer, its pypiserver. */
export function startTrustedPublishingFor(
  stack: Pick<Stack, 'index' | 'oidc' | 'pypiserver'>,
  publishers: TrustedPublisher[]
): Promise<TrustedPublishingFixture> {
  return startTrustedPublishingFixture({
    target: stack.index.url,
    publicKey: stack.oidc.publicKey,
    issuer: stack.oidc.issuer,
    setUser: (user, password) => stack.pypiserver.setUser(user, password),
    publishers
  })
}
