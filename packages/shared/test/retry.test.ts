import { RetryDeadlineError, classifyError, retryAfterMs, withRetry } from '../src/retry.ts'

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
