// Just enough JWT for the STS gate: split, decode, verify RS256. No library, because the
// gate only ever sees tokens from the OIDC fixture and must reject everything else.
import { createVerify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'

export interface DecodedJwt {
  header: Record<string, unknown>
  payload: Record<string, unknown>
}

/** Throws with a short reason when the token is malformed or its RS256 signature does not verify. */
export function verifyRs256(token: string, publicKey: KeyObject): DecodedJwt {
  const parts = token.split('.')
  if (parts.length !== 3) throw new Error('not a JWS compact token')
  const [h, p, s] = parts as [string, string, string]
  let decoded: DecodedJwt
  try {
    decoded = {
      header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
      payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>
    }
  } catch {
    throw new Error('header or payload is not base64url JSON')
  }
  if (decoded.header.alg !== 'RS256') throw new Error(`alg ${String(decoded.header.alg)} is not RS256`)
  const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(publicKey, Buffer.from(s, 'base64url'))
  if (!ok) throw new Error('signature does not verify')
  return decoded
}

/** IAM StringLike: `*` matches any run of characters, `?` exactly one; everything else literally. */
export function stringLike(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${source}$`, 's').test(value)
}
