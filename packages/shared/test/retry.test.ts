import { ActionError, describeError } from '../src/errors.ts'
import { RETRY_TIMEOUT_HINT, RetryDeadlineError, classifyError, retryAfterMs, withRetry } from '../src/retry.ts'

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } })
}

describe('classifyError', () => {
  it.each([
    [awsError('ThrottlingException', 400), true],
    [awsError('InternalServerException', 500), true],
    [awsError('ServiceUnavailableException', 503), true],
    [Object.assign(new Error('x'), { statusCode: 429 }), true],
    [
      Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })
      }),
      true
    ],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    [awsError('AccessDeniedException', 403), false],
    [awsError('ValidationException', 400), false],
    [awsError('ResourceNotFoundException', 404), false],
    [new Error('plain'), false]
  ])('%s -> retryable %s', (error, retryable) => {
    expect(classifyError(error).retryable).toBe(retryable)
  })
})

describe('withRetry', () => {
  function fakeClock() {
    let time = 0
    const sleeps: number[] = []
    return {
      now: () => time,
      sleep: async (ms: number) => {
        sleeps.push(ms)
        time += ms
      },
      sleeps
    }
  }

  it('retries transient errors with growing jittered delays, then succeeds', async () => {
    const clock = fakeClock()
    let calls = 0
    const result = await withRetry(
      async () => {
        calls++
        if (calls < 4) throw awsError('ThrottlingException', 400)
        return 'ok'
      },
      { label: 'op', ...clock, random: () => 1, initialDelayMs: 100 }
    )
    expect(result).toBe('ok')
    expect(clock.sleeps).toEqual([100, 200, 400])
  })

  it('fails at once on an auth or validation error', async () => {
    const clock = fakeClock()
    let calls = 0
    await expect(
      withRetry(
        async () => {
          calls++
          throw awsError('AccessDeniedException', 403)
        },
        { label: 'op', ...clock }
      )
    ).rejects.toThrow('AccessDeniedException happened')
    expect(calls).toBe(1)
    expect(clock.sleeps).toEqual([])
  })

  it('gives up at the deadline with the last error in the message', async () => {
    const clock = fakeClock()
    const failure = withRetry(
      async () => {
        throw awsError('InternalServerException', 500)
      },
      {
        label: 'CodeArtifact GetAuthorizationToken',
        ...clock,
        random: () => 1,
        initialDelayMs: 1000,
        maxDelayMs: 4000,
        deadlineMs: 10_000
      }
    )
    await expect(failure).rejects.toBeInstanceOf(RetryDeadlineError)
    await expect(failure).rejects.toThrow(
      /^CodeArtifact GetAuthorizationToken still failing after 4 attempts in 7\.0 s; last error: InternalServerException happened$/
    )
    expect(clock.now()).toBeLessThanOrEqual(10_000)
  })

  it('waits at least what Retry-After asks for', async () => {
    const clock = fakeClock()
    let calls = 0
    await withRetry(
      async () => {
        if (calls++ === 0) throw Object.assign(new Error('slow down'), { status: 429, retryAfterMs: 1500 })
        return 1
      },
      { label: 'op', ...clock, random: () => 0 }
    )
    expect(clock.sleeps).toEqual([1500])
  })
})

describe('withRetry with an abort signal', () => {
  it('stops retrying once the signal is aborted, with the last error', async () => {
    const controller = new AbortController()
    let calls = 0
    const failure = withRetry(
      async () => {
        calls++
        throw awsError('InternalServerException', 500)
      },
      {
        label: 'op',
        signal: controller.signal,
        sleep: async () => {
          controller.abort()
        }
      }
    )
    await expect(failure).rejects.toThrow('InternalServerException happened')
    expect(calls).toBe(1)
  })
})

describe('withRetry and the attempt in flight', () => {
  /** An operation that never settles on its own: it ends only when its signal fires. */
  const hang = (_attempt: number, signal: AbortSignal): Promise<never> =>
    new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)))

  it('aborts an attempt still in flight at the deadline, and says it got no answer', async () => {
    const started = Date.now()
    const failure = withRetry(hang, { label: 'STS GetCallerIdentity', deadlineMs: 300, hint: RETRY_TIMEOUT_HINT })
    await expect(failure).rejects.toBeInstanceOf(RetryDeadlineError)
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(await failure.catch(describeError)).toMatch(
      /^STS GetCallerIdentity still failing after 1 attempt in 0\.\d s; last error: no answer within the deadline Fix: raise `retry-timeout-seconds`/
    )
  })

  it('gives a later attempt only what is left of the deadline', async () => {
    let attempts = 0
    const started = Date.now()
    const failure = withRetry(
      (attempt, signal) => {
        attempts = attempt
        if (attempt === 1) return Promise.reject(awsError('InternalServerException', 500))
        return hang(attempt, signal)
      },
      { label: 'op', deadlineMs: 600, initialDelayMs: 100, random: () => 1 }
    )
    await expect(failure).rejects.toThrow(/^op still failing after 2 attempts in 0\.\d s; last error: no answer/)
    expect(attempts).toBe(2)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('passes a caller that gives up on to the attempt in flight, with the abort as it is', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('sibling failed')), 50)
    const failure = withRetry(hang, { label: 'op', deadlineMs: 60_000, signal: controller.signal })
    await expect(failure).rejects.toThrow('sibling failed')
  })

  it('reports an operation that ignores its signal and fails after the deadline with its own error', async () => {
    const failure = withRetry(
      () => new Promise((_resolve, reject) => setTimeout(() => reject(awsError('AccessDeniedException', 403)), 150)),
      { label: 'op', deadlineMs: 50 }
    )
    await expect(failure).rejects.toThrow('AccessDeniedException happened')
  })
})

describe('RetryDeadlineError', () => {
  it.each<[string, unknown, string | undefined, string]>([
    [
      'the caller’s fix',
      new Error('HTTP 503'),
      RETRY_TIMEOUT_HINT,
      `op still failing after 3 attempts in 2.0 s; last error: HTTP 503 Fix: ${RETRY_TIMEOUT_HINT}`
    ],
    [
      'the last error’s own fix first',
      new ActionError('the endpoint answered HTTP 502 with a non-AWS body', { hint: 'check the proxy' }),
      RETRY_TIMEOUT_HINT,
      'op still failing after 3 attempts in 2.0 s; last error: the endpoint answered HTTP 502 with a non-AWS body Fix: check the proxy'
    ],
    [
      'no fix when the caller has none',
      new Error('HTTP 503'),
      undefined,
      'op still failing after 3 attempts in 2.0 s; last error: HTTP 503'
    ]
  ])('%s', (_name, last, hint, expected) => {
    expect(describeError(new RetryDeadlineError('op', 3, 2_000, last, hint))).toBe(expected)
  })
})

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and ignores what is neither', () => {
    expect(retryAfterMs('3')).toBe(3000)
    expect(retryAfterMs('0')).toBe(0)
    expect(retryAfterMs(null)).toBeUndefined()
    expect(retryAfterMs('soon')).toBeUndefined()
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString()
    expect(retryAfterMs(inTenSeconds)).toBeGreaterThan(8_000)
    expect(retryAfterMs(new Date(Date.now() - 60_000).toUTCString())).toBe(0)
  })
})
