import { ActionError, messageOf, oneLine } from './errors.ts'
import { info } from './workflow-commands.ts'

// Classified retries. Throttling, 5xx and network errors are worth another try after a
// jittered back-off; auth and validation errors never get better by waiting, so they fail
// at once. Every retry loop is bounded by a deadline rather than an attempt count, which is
// what keeps a dead endpoint from hanging a job for minutes. An attempt still in flight when
// the deadline passes is told so through its signal: an endpoint that accepts the connection
// and never answers must not hold the step past the deadline either.

export interface Classification {
  retryable: boolean
  /** Short reason for the log line, e.g. "HTTP 503" or "ECONNRESET". */
  reason: string
  /** Server-requested wait (Retry-After), when known. */
  retryAfterMs?: number
}

/** An HTTP Retry-After header (seconds, or an HTTP date) as milliseconds from now. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'PriorRequestNotComplete',
  'EC2ThrottledException'
])

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT'
])

const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError'])

interface ErrorLike {
  name?: string
  code?: string
  status?: number
  statusCode?: number
  $metadata?: { httpStatusCode?: number }
  $retryable?: { throttling?: boolean }
  $response?: { headers?: Record<string, string> }
  retryAfterMs?: number
  /** CodeArtifact's ThrottlingException carries the wait it wants. */
  retryAfterSeconds?: number
  cause?: unknown
}

function statusOf(error: ErrorLike): number | undefined {
  return error.$metadata?.httpStatusCode ?? error.statusCode ?? error.status
}

/** Decides whether an error from the AWS SDK, fetch, or a child process is transient. */
export function classifyError(error: unknown): Classification {
  // Walk the cause chain: fetch wraps socket errors as `TypeError: fetch failed` with a cause.
  for (
    let current = error as ErrorLike | undefined, depth = 0;
    current && depth < 5;
    current = current.cause as ErrorLike, depth++
  ) {
    if (typeof current !== 'object') break
    if (current.code && NETWORK_CODES.has(current.code)) return { retryable: true, reason: current.code }
    if (current.name && NETWORK_NAMES.has(current.name)) return { retryable: true, reason: current.name }
    if (current.name && THROTTLING_NAMES.has(current.name)) {
      const retryAfterMs =
        current.retryAfterMs ?? (current.retryAfterSeconds === undefined ? undefined : current.retryAfterSeconds * 1000)
      return { retryable: true, reason: current.name, retryAfterMs }
    }
    if (current.$retryable?.throttling) return { retryable: true, reason: current.name ?? 'throttled' }
    const status = statusOf(current)
    if (status !== undefined && status > 0) {
      // Name the error when the service gave one: "InternalServerException (HTTP 500)".
      const reason = current.name && current.name !== 'Error' ? `${current.name} (HTTP ${status})` : `HTTP ${status}`
      if (status === 429 || status >= 500) return { retryable: true, reason, retryAfterMs: current.retryAfterMs }
      return { retryable: false, reason }
    }
  }
  return { retryable: false, reason: 'not transient' }
}

export interface RetryOptions {
  /** What is being attempted, for the progress line ("CodeArtifact GetAuthorizationToken"). */
  label: string
  /** Total time budget from the first attempt; no new attempt starts after it. */
  deadlineMs?: number
  initialDelayMs?: number
  maxDelayMs?: number
  classify?: (error: unknown) => Classification
  onRetry?: (info: { attempt: number; delayMs: number; reason: string; error: unknown }) => void
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  random?: () => number
  /** Stops the loop, and the attempt in flight when the operation passes its signal on. */
  signal?: AbortSignal
  /** The fix named when the deadline runs out (e.g. RETRY_TIMEOUT_HINT), unless the last error has its own. */
  hint?: string
}

/** The fix for a deadline that ran out, in the actions that have a `retry-timeout-seconds` input. */
export const RETRY_TIMEOUT_HINT =
  "raise `retry-timeout-seconds` if the service is slow to recover; otherwise check the service's status and the runner's network (proxy, firewall)"

/** Raised when the deadline runs out; carries the last error as `cause` and in the message. */
export class RetryDeadlineError extends ActionError {
  readonly attempts: number
  constructor(label: string, attempts: number, elapsedMs: number, lastError: unknown, hint?: string) {
    // Embedded in our message, so made one line here (the SDK's can span two).
    const last = oneLine(messageOf(lastError))
    // The last error's own fix is the more specific one (e.g. "check the endpoint variables").
    const lastHint = lastError instanceof ActionError ? lastError.hint : undefined
    super(
      `${label} still failing after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${(elapsedMs / 1000).toFixed(1)} s; last error: ${last}`,
      { cause: lastError, hint: lastHint ?? hint }
    )
    this.name = 'RetryDeadlineError'
    this.attempts = attempts
  }
}

/** The last error of an attempt the deadline cut short: the endpoint never answered in time. */
export class NoAnswerError extends Error {
  constructor(cause: unknown) {
    super('no answer within the deadline', { cause })
    this.name = 'NoAnswerError'
  }
}

/** The progress line every retry loop prints, so a slow step says why it is slow. */
export function logRetry(retry: { attempt: number; delayMs: number; reason: string }): void {
  info(`  retrying after ${retry.reason} (attempt ${retry.attempt}, waiting ${retry.delayMs} ms)`)
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** An attempt that ended because its signal fired (the SDK's AbortError, fetch's TimeoutError). */
function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name
  return name === 'AbortError' || name === 'TimeoutError'
}

/**
 * The signal one attempt runs under: aborted when the deadline passes or the caller gives up.
 * `deadline` is kept apart so that a cut attempt can be told from a caller that gave up.
 */
function attemptSignals(remainingMs: number, caller?: AbortSignal): { deadline: AbortSignal; signal: AbortSignal } {
  // The timer is unref'd: it never keeps the process alive after the attempt is done.
  const deadline = AbortSignal.timeout(Math.max(0, remainingMs))
  return { deadline, signal: caller ? AbortSignal.any([deadline, caller]) : deadline }
}

/**
 * Runs `operation` until it succeeds, fails for good, or the deadline passes. Operations that
 * do I/O pass `signal` on (`client.send(command, { abortSignal })`, `fetch(url, { signal })`)
 * so that an attempt in flight ends at the deadline too.
 */
export async function withRetry<T>(
  operation: (attempt: number, signal: AbortSignal) => Promise<T>,
  options: RetryOptions
): Promise<T> {
  const {
    deadlineMs = 60_000,
    initialDelayMs = 250,
    maxDelayMs = 8_000,
    classify = classifyError,
    sleep = defaultSleep,
    now = Date.now,
    random = Math.random
  } = options
  const started = now()
  for (let attempt = 1; ; attempt++) {
    const { deadline, signal } = attemptSignals(deadlineMs - (now() - started), options.signal)
    try {
      return await operation(attempt, signal)
    } catch (error) {
      if (options.signal?.aborted) throw error
      // Only an abort is the deadline's doing: an operation that ignores its signal may still
      // fail on its own after the deadline, and that error is reported as it is.
      if (deadline.aborted && isAbort(error)) {
        throw new RetryDeadlineError(options.label, attempt, now() - started, new NoAnswerError(error), options.hint)
      }
      const classification = classify(error)
      if (!classification.retryable) throw error
      // Full jitter (AWS architecture blog): spreads concurrent clients apart after an outage.
      const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1))
      const delayMs = Math.max(classification.retryAfterMs ?? 0, Math.round(random() * ceiling))
      const elapsed = now() - started
      if (elapsed + delayMs >= deadlineMs)
        throw new RetryDeadlineError(options.label, attempt, elapsed, error, options.hint)
      options.onRetry?.({ attempt, delayMs, reason: classification.reason, error })
      await sleep(delayMs)
      if (options.signal?.aborted) throw error
    }
  }
}
