import { ActionError } from '../errors.ts'
import { RETRY_TIMEOUT_HINT, logRetry, withRetry } from '../retry.ts'
import { credentialTransportFix, credentialTransportProblem } from '../transport.ts'

// One AWS call of the shared code: retried within the deadline, each attempt aborted when the
// deadline passes (the SDK's own timeouts do not end a request an endpoint accepted and never
// answered), and the endpoint problems the SDK words badly put in one line with their fix:
// a body that is not from AWS (a proxy's or portal's page) and an endpoint that is not a URL.

/** What to check when whatever answered is not AWS, or not the service asked for. */
export const AWS_ENDPOINT_HINT =
  'check `aws-region`, the endpoint variables (AWS_ENDPOINT_URL*) and any proxy between the runner and AWS'

export interface AwsCallOptions {
  /** Retry budget of the call; the attempt in flight is aborted when it passes. */
  deadlineMs?: number
  /** Stops the call when the caller no longer needs it (e.g. a sibling call failed). */
  signal?: AbortSignal
}

/** `send` gets the signal to hand the SDK: `client.send(command, { abortSignal })`. */
export async function callAws<T>(
  label: string,
  send: (abortSignal: AbortSignal) => Promise<T>,
  options: AwsCallOptions
): Promise<T> {
  try {
    return await withRetry(
      (_attempt, abortSignal) =>
        send(abortSignal).catch((error: unknown) => {
          throw toEndpointError(error)
        }),
      { label, deadlineMs: options.deadlineMs, signal: options.signal, onRetry: logRetry, hint: RETRY_TIMEOUT_HINT }
    )
  } catch (error) {
    throw explainEndpointError(error, label)
  }
}

/**
 * An endpoint problem, worded without the call so that it reads as a retry's "last error"; it
 * keeps the HTTP status, so a proxy's 502 page is retried like any 5xx.
 */
class EndpointError extends ActionError {
  readonly $metadata: { httpStatusCode?: number }

  constructor(message: string, hint: string, cause: unknown, status?: number) {
    super(message, { hint, cause })
    this.name = 'EndpointError'
    this.$metadata = { httpStatusCode: status }
  }
}

/** `error` as the step's failure line when it is an endpoint problem, naming the call; others unchanged. */
export function explainEndpointError(error: unknown, label = 'An AWS call'): unknown {
  const endpointError = toEndpointError(error)
  if (!(endpointError instanceof EndpointError)) return error
  return new ActionError(`${label}: ${endpointError.message}.`, { hint: endpointError.hint, cause: error })
}

interface SdkError {
  name?: string
  message?: string
  code?: string
  input?: unknown
  $metadata?: { httpStatusCode?: number }
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> }
}

function toEndpointError(error: unknown): unknown {
  // Errors already worded (ours, or a retry that ran out) are left as they are.
  if (error instanceof ActionError || typeof error !== 'object' || error === null) return error
  const sdkError = error as SdkError
  if (sdkError.code === 'ERR_INVALID_URL') return invalidEndpoint(sdkError)
  const status = sdkError.$metadata?.httpStatusCode ?? sdkError.$response?.statusCode
  if (status === undefined || !isNonAwsBody(sdkError)) return error
  const type = sdkError.$response?.headers?.['content-type']
  return new EndpointError(
    `the endpoint answered HTTP ${status} with a non-AWS body${type ? ` (${type.split(';')[0]})` : ''}`,
    AWS_ENDPOINT_HINT,
    error,
    status
  )
}

/**
 * The SDK could not read the answer as the service's JSON or XML ("Deserialization error"), or
 * read no error code from it ("Unknown"): whatever answered was not AWS.
 */
function isNonAwsBody(error: SdkError): boolean {
  if (/Deserialization error/.test(error.message ?? '')) return true
  const type = error.$response?.headers?.['content-type'] ?? ''
  return (error.name === 'Unknown' || error.name === 'UnknownError') && !/json|xml/i.test(type)
}

const ENDPOINT_VARIABLE = /^AWS_ENDPOINT_URL(?:_[A-Z0-9_]+)?$/

/**
 * Refuses an AWS_ENDPOINT_URL* that would carry signed calls in plain text: the session token
 * travels in every request (X-Amz-Security-Token), and the answers carry tokens and
 * credentials. Loopback stand-ins pass (unless a proxy elsewhere would carry them).
 */
export function checkAwsEndpointTransport(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of Object.keys(env).sort()) {
    const value = env[name]
    if (!ENDPOINT_VARIABLE.test(name) || !value || !URL.canParse(value)) continue
    const problem = credentialTransportProblem(value, env)
    if (problem)
      throw new ActionError(`${name} (${value}): the AWS calls ${problem}.`, {
        hint: `${credentialTransportFix(value)}, or unset ${name} to use AWS's own endpoints`
      })
  }
}

/** Names the AWS_ENDPOINT_URL* variable that is not a URL; the SDK only says "Invalid URL". */
function invalidEndpoint(error: SdkError): EndpointError {
  const invalid = Object.keys(process.env)
    .filter((name) => ENDPOINT_VARIABLE.test(name) && !URL.canParse(process.env[name] ?? ''))
    .sort()
  // The SDK reports the value it failed on; a service's own variable wins over AWS_ENDPOINT_URL.
  const variable = invalid.find((name) => process.env[name] === error.input) ?? invalid[0]
  const subject = variable ?? 'the AWS endpoint URL'
  return new EndpointError(
    `${subject} is not a URL (${error.message ?? 'Invalid URL'})`,
    `set ${variable ?? 'it'} to an absolute URL such as https://codeartifact.us-east-1.amazonaws.com, or unset it to use AWS's own endpoints`,
    error
  )
}
