// Server-side SigV4 check, as an AWS front end does it: parse the Authorization header, find
// the secret for the access key, require the session token, check scope and clock, then sign
// the same canonical request again (same date, region, service and signed headers) with
// @smithy/signature-v4 and compare signatures. Failures carry the error type and message AWS
// uses, so SDK error handling sees what it sees in production.
import type { IncomingHttpHeaders } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import { SignatureV4 } from '@smithy/signature-v4'
import { Sha256 } from '@aws-crypto/sha256-js'
import type { SessionCredentials } from './moto.ts'

export interface SignedRequest {
  method: string
  /** The raw request target as received, e.g. `/v1/authorization-token?domain=acme`. */
  url: string
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface VerifyOptions {
  region: string
  service: string
  /** Credentials by access key id; called again once when a key is unknown (new session). */
  lookup: (accessKeyId: string, refresh: boolean) => Promise<SessionCredentials | undefined>
  /** Allowed clock difference; AWS allows 5 minutes. */
  maxSkewMs?: number
}

export type VerifyResult =
  | { ok: true; caller: SessionCredentials }
  | { ok: false; status: number; errorType: string; message: string; accessKeyId?: string }

interface ParsedAuthorization {
  accessKeyId: string
  shortDate: string
  region: string
  service: string
  signedHeaders: string[]
  signature: string
}

const INVALID_TOKEN = 'The security token included in the request is invalid.'
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

function parseAuthorization(header: string): ParsedAuthorization | string {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(header)
  if (!match?.[1])
    return `Authorization header requires the AWS4-HMAC-SHA256 algorithm. Authorization=${header.split(' ')[0] ?? ''}`
  const fields = new Map<string, string>()
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=')
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  const credential = fields.get('Credential')
  const signedHeaders = fields.get('SignedHeaders')
  const signature = fields.get('Signature')
  if (!credential || !signedHeaders || !signature) {
    return "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters."
  }
  const [accessKeyId, shortDate, region, service, terminator] = credential.split('/')
  if (!accessKeyId || !shortDate || !region || !service || terminator !== 'aws4_request') {
    return `Credential should be of the form <AccessKeyId>/<date>/<region>/<service>/aws4_request; got ${credential.split('/').slice(1).join('/')}`
  }
  return { accessKeyId, shortDate, region, service, signedHeaders: signedHeaders.split(';'), signature }
}

/** `20261121T232720Z` -> Date, or undefined when malformed. */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (!m) return undefined
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number]
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s))
}

export async function verifySigV4(req: SignedRequest, options: VerifyOptions): Promise<VerifyResult> {
  const fail = (status: number, errorType: string, message: string, accessKeyId?: string): VerifyResult => ({
    ok: false,
    status,
    errorType,
    message,
    accessKeyId
  })
  const header = req.headers.authorization
  if (!header) return fail(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token')
  const auth = parseAuthorization(header)
  if (typeof auth === 'string') return fail(400, 'IncompleteSignatureException', auth)
  const { accessKeyId } = auth

  let caller = await options.lookup(accessKeyId, false)
  caller ??= await options.lookup(accessKeyId, true)
  if (!caller) return fail(403, 'UnrecognizedClientException', INVALID_TOKEN, accessKeyId)
  // Only session credentials exist here (moto's assumed roles): the token must come along.
  if (req.headers['x-amz-security-token'] !== caller.sessionToken)
    return fail(403, 'UnrecognizedClientException', INVALID_TOKEN, accessKeyId)

  if (auth.service !== options.service) {
    return fail(
      403,
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${options.service}'.`,
      accessKeyId
    )
  }
  if (auth.region !== options.region) {
    return fail(403, 'InvalidSignatureException', `Credential should be scoped to a valid region. `, accessKeyId)
  }
  for (const required of ['host', 'x-amz-date']) {
    if (!auth.signedHeaders.includes(required)) {
      return fail(
        403,
        'InvalidSignatureException',
        `'${required === 'host' ? 'Host' : 'X-Amz-Date'}' must be a 'SignedHeader' in the AWS Authorization.`,
        accessKeyId
      )
    }
  }
  const amzDate = String(req.headers['x-amz-date'] ?? '')
  const signingDate = parseAmzDate(amzDate)
  if (!signingDate || !amzDate.startsWith(auth.shortDate)) {
    return fail(
      403,
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.shortDate}' != '${amzDate.slice(0, 8)}'`,
      accessKeyId
    )
  }
  const skew = Math.abs(Date.now() - signingDate.getTime())
  if (skew > (options.maxSkewMs ?? 5 * 60 * 1000)) {
    return fail(
      403,
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is now earlier or later than the server time (5 min.)`,
      accessKeyId
    )
  }

  const expected = await resign(req, auth, caller, signingDate)
  const given = Buffer.from(auth.signature)
  const want = Buffer.from(expected)
  if (given.length !== want.length || !timingSafeEqual(given, want))
    return fail(403, 'InvalidSignatureException', MISMATCH, accessKeyId)
  return { ok: true, caller }
}

async function resign(
  req: SignedRequest,
  auth: ParsedAuthorization,
  caller: SessionCredentials,
  signingDate: Date
): Promise<string> {
  const url = new URL(req.url, 'http://signed.invalid')
  const query: Record<string, string | string[]> = {}
  for (const [key, value] of url.searchParams) {
    const seen = query[key]
    query[key] = seen === undefined ? value : ([] as string[]).concat(seen, value)
  }
  // Exactly the headers the client signed; the signer re-adds x-amz-date (and the token when
  // it was signed) from the values given here.
  const headers: Record<string, string> = {}
  for (const name of auth.signedHeaders) {
    const value = req.headers[name]
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value
  }
  const signedToken = auth.signedHeaders.includes('x-amz-security-token')
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: caller.accessKeyId,
      secretAccessKey: caller.secretAccessKey,
      ...(signedToken ? { sessionToken: caller.sessionToken } : {})
    },
    region: auth.region,
    service: auth.service,
    sha256: Sha256,
    applyChecksum: false
  })
  // The raw wire path is what the SDK held when it signed (labels already URI-encoded once);
  // the signer escapes it again exactly as it did on the client.
  const path = req.url.split('?')[0] ?? '/'
  const signed = await signer.sign(
    { method: req.method, protocol: 'http:', hostname: url.hostname, path, query, headers, body: req.body },
    { signingDate, signingRegion: auth.region, signingService: auth.service }
  )
  const authorization = String(signed.headers.authorization ?? '')
  return /Signature=([0-9a-f]+)/.exec(authorization)?.[1] ?? ''
}
