import * as http from 'node:http'
import * as https from 'node:https'
import { isIP } from 'node:net'
import { checkServerIdentity } from 'node:tls'
import { Agent as AgentBase, type AgentConnectOpts } from 'agent-base'
import { HttpProxyAgent } from 'http-proxy-agent'
import { HttpsProxyAgent } from 'https-proxy-agent'
import { ProxyAgent as UndiciProxyAgent, fetch as undiciFetch } from 'undici'
import { ActionError } from './errors.ts'
import { type Env, proxyForUrl } from './proxy-env.ts'

// The proxy is chosen per URL by proxy-env.ts (curl's rules, see there).
//
// The tunnelling itself is left to well-kept libraries rather than hand-written: https-proxy-agent
// (CONNECT, also through a TLS proxy) and http-proxy-agent (absolute-form requests) for the
// node:http agents the AWS SDK's NodeHttpHandler takes, on agent-base's per-request connect; and
// undici's ProxyAgent for fetch. undici's own fetch is used with it, because a dispatcher from the
// undici package is not guaranteed to fit the undici inside Node's global fetch.

/**
 * A node:http agent that connects each request directly or through the proxy the environment
 * names for its URL: give it as both `httpAgent` and `httpsAgent`. Keep-alive, like the SDK's own.
 */
export class EnvProxyAgent extends AgentBase {
  private readonly direct = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) }
  private readonly tunnels = new Map<string, http.Agent>()

  private readonly env: Env

  constructor(env: Env = process.env) {
    super({ keepAlive: true })
    this.env = env
  }

  override connect(req: http.ClientRequest, opts: AgentConnectOpts): http.Agent {
    const scheme = opts.secureEndpoint ? 'https' : 'http'
    const host = opts.host?.includes(':') ? `[${opts.host}]` : opts.host
    const proxy = proxyForUrl(`${scheme}://${host}:${opts.port}${req.path}`, this.env)
    if (!proxy) return this.direct[scheme]
    // https-proxy-agent leaves out the servername for an IP-literal host (SNI takes no IP), and
    // tls then checks the certificate against "localhost"; check it against the IP instead.
    if (opts.secureEndpoint && isIP(opts.host ?? '') && !opts.checkServerIdentity) {
      const ip = opts.host ?? ''
      opts.checkServerIdentity = (_host, cert) => checkServerIdentity(ip, cert)
    }
    const key = `${scheme} ${proxy.href}`
    let agent = this.tunnels.get(key)
    if (!agent) {
      agent = opts.secureEndpoint
        ? new HttpsProxyAgent(proxy, { keepAlive: true })
        : new HttpProxyAgent(proxy, { keepAlive: true })
      this.tunnels.set(key, agent)
    }
    return agent
  }

  override destroy(): void {
    this.direct.http.destroy()
    this.direct.https.destroy()
    for (const agent of this.tunnels.values()) agent.destroy()
    this.tunnels.clear()
    super.destroy()
  }
}

let sharedAgent: EnvProxyAgent | undefined

/** The one EnvProxyAgent the SDK clients share (the environment does not change mid-run). */
export function proxyAgent(): EnvProxyAgent {
  sharedAgent ??= new EnvProxyAgent()
  return sharedAgent
}

const dispatchers = new Map<string, UndiciProxyAgent>()

/**
 * fetch, through the proxy the environment names for `input` (or direct). Same arguments and
 * answer as the global fetch. Redirects that change host keep the first choice; the callers
 * either refuse redirects or follow them one hop at a time through this function.
 */
export async function proxiedFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const proxy = proxyForUrl(input)
  if (!proxy) return fetch(input, init)
  let dispatcher = dispatchers.get(proxy.href)
  if (!dispatcher) {
    const token = proxy.username
      ? `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`
      : undefined
    const uri = new URL(proxy.href)
    uri.username = ''
    uri.password = ''
    dispatcher = new UndiciProxyAgent({ uri: uri.href, ...(token ? { token } : {}) })
    dispatchers.set(proxy.href, dispatcher)
  }
  try {
    const response = await undiciFetch(input, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1])
    return response as unknown as Response
  } catch (error) {
    throw proxyRefusal(error) ?? error
  }
}

/** An error for a CONNECT the proxy answered with other than 200, carrying that status. */
export class ProxyRefusedError extends ActionError {
  readonly status: number

  constructor(status: number, cause: unknown) {
    super(`the proxy refused the connection (HTTP ${status}).`, {
      cause,
      hint:
        status === 407
          ? 'check the user name and password in HTTPS_PROXY/HTTP_PROXY (http://user:password@host:port)'
          : 'check HTTPS_PROXY/HTTP_PROXY, or list the host in NO_PROXY if it must be reached directly'
    })
    this.name = 'ProxyRefusedError'
    this.status = status
  }
}

/** undici reports a refused tunnel only in its message: "Proxy response (407) !== 200 ...". */
function proxyRefusal(error: unknown): ProxyRefusedError | undefined {
  // Duck-typed, not instanceof Error: the error may come from another realm.
  let current = error as { message?: unknown; cause?: unknown } | undefined
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const match = /Proxy response \((\d{3})\)/.exec(String(current.message))
    if (match) return new ProxyRefusedError(Number(match[1]), error)
    current = current.cause as typeof current
  }
  return undefined
}
