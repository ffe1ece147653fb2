import { InputError } from './errors.ts'
import { type Env, proxyForUrl } from './proxy-env.ts'

// Credentials never travel over plain http except to this machine: on any other host the
// network path (a proxy, a shared runner network, a hotel Wi-Fi for a self-hosted runner) can
// read them. Loopback is exempt because nothing leaves the machine, which is also how the
// tests reach their local stand-ins.

/** localhost, 127.0.0.0/8 and ::1, as a URL's hostname gives them. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  // Names other than `localhost` are not trusted to resolve to loopback (a resolver may not
  // follow RFC 6761 for *.localhost).
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** The input that lets credentials go over http to other hosts; off by default. */
export const ALLOW_INSECURE_HTTP_INPUT = 'allow-insecure-http'

/**
 * Why sending credentials to `url` would expose them, or undefined when it would not: plain http
 * to a host other than loopback, or to loopback through a proxy on another host.
 */
export function credentialTransportProblem(url: string | URL, env: Env = process.env): string | undefined {
  const parsed = typeof url === 'string' ? new URL(url) : url
  if (parsed.protocol !== 'http:') return undefined
  if (!isLoopbackHost(parsed.hostname)) return `would send credentials over plain http to ${parsed.host}`
  // Loopback is exempt only while the request stays on this machine. Through a proxy on another
  // host (loopback is not exempt from HTTP_PROXY, as with curl) the request, its credentials
  // included, crosses the network in plain text, and the proxy would reach its own loopback.
  const proxy = proxyForUrl(parsed, env)
  if (proxy && !isLoopbackHost(proxy.hostname))
    return `would send credentials over plain http to ${parsed.host} through the proxy at ${proxy.host}`
  return undefined
}

/** The fix for a credentialTransportProblem of `url`, however it came to be used. */
export function credentialTransportFix(url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url) : url
  return isLoopbackHost(parsed.hostname)
    ? `add ${parsed.hostname} to NO_PROXY so the request stays on this machine, or use an https:// URL`
    : 'use an https:// URL'
}

/**
 * Refuses, with one line naming `input`, to send credentials to `url` over plain http on a host
 * other than loopback (or to loopback through a remote proxy), unless the workflow opted in with
 * `allow-insecure-http: true`.
 */
export function checkCredentialTransport(
  input: string,
  url: string | URL,
  allowInsecureHttp: boolean,
  env: Env = process.env
): void {
  const problem = allowInsecureHttp ? undefined : credentialTransportProblem(url, env)
  if (!problem) return
  const parsed = typeof url === 'string' ? new URL(url) : url
  throw new InputError(
    input,
    problem,
    isLoopbackHost(parsed.hostname)
      ? credentialTransportFix(parsed)
      : `use an https:// URL (or, only on a network you trust end to end, set \`${ALLOW_INSECURE_HTTP_INPUT}: true\`)`
  )
}
