import { ActionError } from './errors.ts'
import { registerSecret } from './secrets.ts'

// Every HTTP call the actions make (the AWS SDK's, fetch's) picks its proxy here (proxy.ts does the connecting), per URL, from
// the environment, as curl does:
// - https:// URLs use https_proxy / HTTPS_PROXY, then all_proxy / ALL_PROXY; http:// URLs use
//   http_proxy / HTTP_PROXY, then all_proxy / ALL_PROXY. Lowercase wins over uppercase. An https
//   URL never falls back to HTTP_PROXY (curl does not; undici's EnvHttpProxyAgent does, which is
//   one reason the choice is made here and not left to it). curl ignores uppercase HTTP_PROXY
//   (httpoxy, a CGI concern); an action is no CGI script, so it is honoured, as pip and uv do.
// - A proxy URL without a scheme is http://; http:// and https:// proxies are supported (socks
//   is refused with a clear error rather than silently bypassed).
// - no_proxy / NO_PROXY: `*` alone bypasses every proxy; otherwise a comma (or space) separated
//   list of host names, domain suffixes (`example.com` and `.example.com` both match
//   `example.com` and `a.example.com`, a leading `*.` is read as `.`), IP addresses (`[::1]` or
//   `::1`) and `host:port` entries that match that port only. Matching is case-insensitive.
// - Loopback is NOT implicitly exempt (curl's behaviour; @actions/http-client differs): pip, uv,
//   twine and git, which read the same variables, would otherwise take a different path than
//   the action itself. A runner whose endpoints are on loopback lists them in NO_PROXY
//   (`NO_PROXY=localhost,127.0.0.1,::1`), as the README says. CIDR entries (curl 7.86+) are not
//   supported.
//
//
// Kept free of the HTTP libraries so that run-action.ts can mask proxy credentials before an
// action's main module loads.

export type Env = NodeJS.ProcessEnv

function variable(env: Env, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()]
  return value?.trim() || undefined
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : protocol === 'http:' ? '80' : ''
}

function normalizeHost(host: string): string {
  return host.replace(/^\[|\]$/g, '').toLowerCase()
}

/** True when NO_PROXY (or no_proxy) says `url` goes direct. */
export function bypassesProxy(url: URL, env: Env = process.env): boolean {
  const list = variable(env, 'no_proxy')
  if (!list) return false
  if (list === '*') return true
  const host = normalizeHost(url.hostname)
  const port = url.port || defaultPort(url.protocol)
  for (const raw of list.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase()
    if (!entry) continue
    if (entry === '*') return true
    let entryPort: string | undefined
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
    if (bracketed) {
      entry = bracketed[1] ?? ''
      entryPort = bracketed[2]
    } else if (/^[^:]*:\d+$/.test(entry)) {
      ;[entry, entryPort] = entry.split(':') as [string, string]
    }
    if (entryPort !== undefined && entryPort !== port) continue
    entry = entry.replace(/^\*?\./, '')
    if (!entry) continue
    if (host === entry || host.endsWith(`.${entry}`)) return true
  }
  return false
}

/** The proxy `url` goes through, or undefined for a direct connection. */
export function proxyForUrl(url: string | URL, env: Env = process.env): URL | undefined {
  const target = typeof url === 'string' ? new URL(url) : url
  const scheme = target.protocol.replace(/:$/, '')
  if (scheme !== 'http' && scheme !== 'https') return undefined
  const configured = variable(env, `${scheme}_proxy`) ?? variable(env, 'all_proxy')
  if (!configured || bypassesProxy(target, env)) return undefined
  const proxy = parseProxyUrl(configured)
  return proxy
}

function parseProxyUrl(configured: string): URL {
  let proxy: URL
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(configured) ? configured : `http://${configured}`)
  } catch {
    // Not echoed: it may hold a password.
    throw new ActionError('the proxy set in HTTPS_PROXY/HTTP_PROXY/ALL_PROXY is not a URL.', {
      hint: 'set it to http://host:port (or http://user:password@host:port)'
    })
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new ActionError(`a ${proxy.protocol.replace(/:$/, '')} proxy is not supported.`, {
      hint: 'use an http:// or https:// proxy in HTTPS_PROXY/HTTP_PROXY/ALL_PROXY'
    })
  }
  return proxy
}

const PROXY_VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy']

/** The names of the proxy variables, both cases, that children inherit as they are. */
export const PROXY_VARIABLE_NAMES: readonly string[] = [...PROXY_VARIABLES, 'no_proxy'].flatMap((name) => [
  name,
  name.toUpperCase()
])

/**
 * Masks the credentials of every configured proxy (`user:password@` of its URL, decoded and
 * encoded, and the whole URL) so that no log line, error or summary prints them. Called when an
 * action starts, before anything can print.
 */
export function maskProxyCredentials(env: Env = process.env): void {
  for (const name of PROXY_VARIABLES) {
    for (const key of [name, name.toUpperCase()]) {
      const value = env[key]?.trim()
      if (!value) continue
      let proxy: URL
      try {
        proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`)
      } catch {
        continue
      }
      if (!proxy.password) continue
      registerSecret(decodeURIComponent(proxy.password))
      registerSecret(proxy.password)
      registerSecret(value)
      registerSecret(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`)
    }
  }
}
