import { ActionError, messageOf } from './errors.ts'
import { logRetry, retryAfterMs, withRetry } from './retry.ts'
import { registerSecret } from './secrets.ts'
import { proxiedFetch } from './proxy.ts'

// The job's GitHub OIDC token, the one credential both the AWS role (STS) and PyPI trusted
// publishing start from. Requested with fetch rather than the toolkit's getIDToken: each
// attempt must end at the step's deadline (an endpoint that never answers would otherwise
// hold the job), and 5xx and network errors are retried like every other call.

export const ID_TOKEN_PERMISSION_HINT =
  'add `permissions: id-token: write` to the job (or the calling workflow) so GitHub issues an OIDC token; pull requests from forks never get one'

/** The runner gave the job a token request URL, but GitHub refused that request. */
const ID_TOKEN_REFUSED_HINT =
  'the runner sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN itself: do not override them in `env:`, and keep `permissions: id-token: write` on the job'

const ID_TOKEN_SERVICE_HINT =
  "GitHub's token service failed; re-run the job, and check https://www.githubstatus.com if it keeps failing"

export interface IdTokenOptions {
  /** Retry budget; the attempt in flight is aborted when it passes. Default 60 s. */
  deadlineMs?: number
  signal?: AbortSignal
}

/** A token for `audience`, masked before it is returned. */
export async function requestGitHubIdToken(audience: string, options: IdTokenOptions = {}): Promise<string> {
  const requestUrl = process.env['ACTIONS_ID_TOKEN_REQUEST_URL']
  const requestToken = process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']
  if (!requestUrl || !requestToken) {
    throw new ActionError('GitHub did not give this job an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set).', {
      hint: ID_TOKEN_PERMISSION_HINT
    })
  }
  try {
    const token = await withRetry(
      (_attempt, signal) => fetchIdToken(idTokenUrl(requestUrl, audience), requestToken, signal),
      {
        label: 'GitHub OIDC token request',
        deadlineMs: options.deadlineMs,
        signal: options.signal,
        onRetry: logRetry,
        hint: ID_TOKEN_SERVICE_HINT
      }
    )
    // Masked at birth; registering it also keeps it out of argv and summaries.
    registerSecret(token)
    return token
  } catch (error) {
    throw explainIdTokenError(error, audience)
  }
}

/** The request URL with the audience, as the toolkit builds it (the runner's URL has a query). */
function idTokenUrl(requestUrl: string, audience: string): URL {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch (error) {
    throw new ActionError('ACTIONS_ID_TOKEN_REQUEST_URL is not a URL.', { hint: ID_TOKEN_REFUSED_HINT, cause: error })
  }
  url.searchParams.set('audience', audience)
  return url
}

/** A failed answer of the token endpoint; `status` lets classifyError retry 5xx and 429. */
class IdTokenHttpError extends Error {
  readonly status: number
  readonly retryAfterMs?: number

  constructor(status: number, detail: string, retryAfter?: number) {
    // Named plain Error, so the retry line reads "retrying after HTTP 503".
    super(`HTTP ${status}${detail ? ` (${detail})` : ''}`)
    this.status = status
    this.retryAfterMs = retryAfter
  }
}

async function fetchIdToken(url: URL, requestToken: string, signal: AbortSignal): Promise<string> {
  const response = await proxiedFetch(url, {
    headers: { authorization: `Bearer ${requestToken}`, accept: 'application/json' },
    // The bearer token goes to the URL the runner gave, nowhere else.
    redirect: 'error',
    signal
  }).catch(namedNetworkError)
  const text = await response.text()
  if (!response.ok) {
    throw new IdTokenHttpError(response.status, jsonMessage(text), retryAfterMs(response.headers.get('retry-after')))
  }
  const value = (parseJson(text) as { value?: unknown } | undefined)?.value
  if (typeof value !== 'string' || !value) throw new Error('the answer holds no token')
  return value
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, ...) is in its cause, kept for classifyError. */
function namedNetworkError(error: unknown): never {
  const { name, cause } = error as { name?: string; cause?: { code?: string; message?: string } }
  if (name !== 'TypeError' || !cause) throw error
  throw new Error(`${messageOf(error)}: ${cause.code ?? cause.message}`, { cause: error })
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** GitHub's `{"message": ...}` error body; anything else (an HTML page) is not worth echoing. */
function jsonMessage(text: string): string {
  const message = (parseJson(text) as { message?: unknown } | undefined)?.message
  return typeof message === 'string' ? message : ''
}

function explainIdTokenError(error: unknown, audience: string): unknown {
  // Worded already: the URL check, or retries that ran out (with the service hint).
  if (error instanceof ActionError) return error
  const status = error instanceof IdTokenHttpError ? error.status : undefined
  const refused = status === 401 || status === 403
  return new ActionError(
    `${refused ? 'GitHub refused the OIDC token request' : 'Could not get the GitHub OIDC token'} for audience "${audience}": ${messageOf(error)}`,
    { hint: refused ? ID_TOKEN_REFUSED_HINT : ID_TOKEN_SERVICE_HINT, cause: error }
  )
}

/** The claims of a JWT, unverified: only for explaining a refused exchange (they are not secret). */
export function jwtClaims(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
  } catch {
    return {}
  }
}
