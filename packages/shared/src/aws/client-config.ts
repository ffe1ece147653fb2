// Settings every SDK client shares. Endpoints are left to the SDK: it honours the standard
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> variables, which is how the tests reach the
// loopback stand-ins. The SDK's own retries are turned off (maxAttempts 1) because withRetry
// classifies errors and bounds the whole loop by a deadline; callAws (call.ts) also aborts the
// attempt in flight at that deadline.

import { proxyAgent } from '../proxy.ts'

export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  expiration?: Date
}

export interface AwsSession {
  region: string
  /**
   * Undefined means the SDK's default provider chain (environment, profile, IMDS, ...); a
   * function is a provider the SDK calls (and calls again when the credentials expire).
   */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>)
  /** How the credentials were obtained, for logs and summaries. */
  source: 'oidc' | 'ambient'
  /** The assumed role, when `source` is oidc. */
  roleArn?: string
  /** Known from AssumeRoleWithWebIdentity; saves a GetCallerIdentity round trip. */
  accountId?: string
}

export function clientConfig(session: Pick<AwsSession, 'region' | 'credentials'>) {
  return {
    region: session.region,
    credentials: session.credentials,
    maxAttempts: 1,
    requestHandler: requestHandlerConfig()
  }
}

/**
 * Timeouts and the proxy agent of every SDK client, also for the clients a credential provider
 * makes itself (SSO, STS for a profile's role), which do not inherit the caller's.
 */
export function requestHandlerConfig() {
  return {
    // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes and
    // keeps waiting. Thrown, it bounds every attempt (a TimeoutError, retried like a network
    // error), also for callers that do not pass an abort signal.
    // The agent picks the proxy per request from HTTPS_PROXY/HTTP_PROXY/NO_PROXY (proxy.ts).
    httpAgent: proxyAgent(),
    httpsAgent: proxyAgent(),
    connectionTimeout: 5_000,
    requestTimeout: 20_000,
    throwOnRequestTimeout: true
  }
}
