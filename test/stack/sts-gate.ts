// STS as GitHub OIDC users meet it: moto implements AssumeRoleWithWebIdentity but accepts any
// token, so this proxy does what AWS does before handing out credentials - verify the token
// against the identity provider's key, expiry and issuer, then evaluate the role's trust policy
// conditions (`token.actions.githubusercontent.com:aud` / `:sub`, StringLike). Refusals are
// the same XML errors STS sends. Every other request goes to moto untouched.
import { createServer, request } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { closeServer, listen, readBody } from './http-util.ts'
import { stringLike, verifyRs256 } from './jwt.ts'

export interface TrustPolicy {
  /** The federated principal (OIDC provider URL) the role trusts. Default: the GitHub issuer. */
  issuer?: string
  /** Claim name -> StringLike pattern(s); every claim must match one of its patterns. */
  conditions: Record<string, string | string[]>
  /** The role's MaxSessionDuration; DurationSeconds above it is refused. Default 3600. */
  maxSessionDuration?: number
}

export const DEFAULT_TRUST_POLICY: TrustPolicy = {
  conditions: { aud: 'sts.amazonaws.com', sub: 'repo:acme/widgets:*' }
}

export interface StsGateOptions {
  /** moto's URL. */
  target: string
  publicKey: KeyObject
  issuer: string
  defaultPolicy?: TrustPolicy
  /** Policies by role ARN; roles not listed get the default. */
  policies?: Record<string, TrustPolicy>
}

export interface StsFault {
  status: number
  /** STS error code, e.g. `Throttling` (400), `IDPCommunicationError` (400), `ServiceUnavailable` (503). */
  code: string
  message?: string
  persistent?: boolean
}

export interface StsGateLogEntry {
  action: string
  roleArn?: string
  status: number
  /** STS error code when the gate refused; undefined when moto answered. */
  error?: string
}

export interface StsGate {
  readonly url: string
  readonly log: StsGateLogEntry[]
  setTrustPolicy(roleArn: string, policy: TrustPolicy): void
  /** Faults for AssumeRoleWithWebIdentity, consumed one per request (persistent ones stay). */
  injectFaults(faults: StsFault[]): void
  clearFaults(): void
  stop(): Promise<void>
}

class StsError extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

export async function startStsGate(options: StsGateOptions): Promise<StsGate> {
  const policies = new Map(Object.entries(options.policies ?? {}))
  const defaultPolicy = options.defaultPolicy ?? DEFAULT_TRUST_POLICY
  const target = new URL(options.target)
  const log: StsGateLogEntry[] = []
  let faults: StsFault[] = []

  const check = (params: URLSearchParams): void => {
    const fault = faults[0]
    if (fault) {
      if (!fault.persistent) faults.shift()
      throw new StsError(fault.status, fault.code, fault.message ?? 'Rate exceeded')
    }
    const roleArn = params.get('RoleArn') ?? ''
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) {
      throw new StsError(400, 'ValidationError', `${roleArn} is invalid`)
    }
    const sessionName = params.get('RoleSessionName') ?? ''
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new StsError(
        400,
        'ValidationError',
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`
      )
    }
    const policy = policies.get(roleArn) ?? defaultPolicy
    const duration = Number(params.get('DurationSeconds') ?? 3600)
    if (duration > (policy.maxSessionDuration ?? 3600)) {
      throw new StsError(
        400,
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'
      )
    }
    let payload: Record<string, unknown>
    try {
      payload = verifyRs256(params.get('WebIdentityToken') ?? '', options.publicKey).payload
    } catch {
      throw new StsError(
        400,
        'InvalidIdentityToken',
        'The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.'
      )
    }
    const now = Math.floor(Date.now() / 1000)
    if (typeof payload.exp !== 'number' || payload.exp <= now) {
      // Real STS answers an expired token with ExpiredTokenException, not InvalidIdentityToken.
      throw new StsError(
        400,
        'ExpiredTokenException',
        `Token expired: current date/time ${now} must be before the expiration date/time ${String(payload.exp)}`
      )
    }
    if (typeof payload.nbf === 'number' && payload.nbf > now + 60) {
      throw new StsError(400, 'InvalidIdentityToken', 'Token is not yet valid (nbf is in the future).')
    }
    const trusted = policy.issuer ?? options.issuer
    if (payload.iss !== trusted) {
      throw new StsError(
        400,
        'InvalidIdentityToken',
        `No OpenIDConnect provider found in your account for ${String(payload.iss)}`
      )
    }
    for (const [claim, patterns] of Object.entries(policy.conditions)) {
      const values = ([] as unknown[]).concat(payload[claim] ?? []).map(String)
      const wanted = ([] as string[]).concat(patterns)
      if (!values.some((value) => wanted.some((pattern) => stringLike(pattern, value)))) {
        throw new StsError(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity')
      }
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((error) => {
      if (!res.headersSent) sendStsError(res, new StsError(500, 'InternalFailure', (error as Error).message))
      else res.destroy()
    })
  })

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://gate')
    // awsQuery: parameters come form-encoded in the POST body, or in the query string.
    const params = new URLSearchParams(url.search)
    if (/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
      for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.set(key, value)
    }
    const action = params.get('Action') ?? ''
    if (action === 'AssumeRoleWithWebIdentity') {
      try {
        check(params)
      } catch (error) {
        if (!(error instanceof StsError)) throw error
        log.push({ action, roleArn: params.get('RoleArn') ?? undefined, status: error.status, error: error.code })
        return sendStsError(res, error)
      }
    }
    const status = await forward(req, body, res)
    log.push({ action, roleArn: params.get('RoleArn') ?? undefined, status })
  }

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<number> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, 'content-length': String(body.length) }
      delete headers['transfer-encoding']
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent: false },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers)
          upstreamRes.pipe(res)
          upstreamRes.on('end', () => resolve(upstreamRes.statusCode ?? 502))
          upstreamRes.on('error', reject)
        }
      )
      upstream.on('error', reject)
      upstream.end(body)
    })

  const { url } = await listen(server)
  return {
    url,
    log,
    setTrustPolicy(roleArn, policy) {
      policies.set(roleArn, policy)
    },
    injectFaults(more) {
      faults.push(...more)
    },
    clearFaults() {
      faults = []
    },
    stop: () => closeServer(server)
  }
}

function sendStsError(res: ServerResponse, error: StsError): void {
  const requestId = randomUUID()
  const type = error.status >= 500 ? 'Receiver' : 'Sender'
  const xml =
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n` +
    `  <Error>\n    <Type>${type}</Type>\n    <Code>${escapeXml(error.code)}</Code>\n    <Message>${escapeXml(error.message)}</Message>\n  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`
  res.writeHead(error.status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amzn-requestid': requestId
  })
  res.end(xml)
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)
}
