// A forwarding proxy on loopback that logs what it carried, as a company's egress proxy would
// see a runner's traffic: CONNECT tunnels (https:// targets) and absolute-form requests (http://
// targets, forwarded as they are). With `credentials` set it insists on Proxy-Authorization
// (Basic), answering 407 otherwise, so a test can prove a proxy password is sent and masked.
import { connect } from 'node:net'
import { createServer, request } from 'node:http'
import type { Socket } from 'node:net'
import { LOOPBACK, closeServer, listen } from './http-util.ts'

export interface ForwardProxyEntry {
  /** CONNECT, or the forwarded request's method. */
  method: string
  /** host:port for CONNECT, the absolute URL otherwise. */
  target: string
  /** The Basic user name the client sent (never the password); undefined without one. */
  user?: string
  /** 407 when refused for missing or wrong credentials. */
  status: number
}

export interface ForwardProxy {
  url: string
  port: number
  log: ForwardProxyEntry[]
  stop(): Promise<void>
}

function proxyUser(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '')
  if (!match?.[1]) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString()
  const colon = decoded.indexOf(':')
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

export async function startForwardProxy(options: { credentials?: { user: string; password: string } } = {}) {
  const log: ForwardProxyEntry[] = []
  const sockets = new Set<Socket>()
  const authorized = (header: string | undefined) => {
    if (!options.credentials) return true
    const sent = proxyUser(header)
    return sent?.user === options.credentials.user && sent.password === options.credentials.password
  }

  const server = createServer((req, res) => {
    const target = req.url ?? ''
    const user = proxyUser(req.headers['proxy-authorization'])?.user
    if (!authorized(req.headers['proxy-authorization'])) {
      log.push({ method: req.method ?? '', target, user, status: 407 })
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end()
      return
    }
    let url: URL
    try {
      url = new URL(target)
    } catch {
      res.writeHead(400).end('absolute-form request expected')
      return
    }
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    delete headers['proxy-connection']
    const upstream = request(
      { host: url.hostname, port: url.port || 80, path: `${url.pathname}${url.search}`, method: req.method, headers },
      (answer) => {
        log.push({ method: req.method ?? '', target, user, status: answer.statusCode ?? 0 })
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    upstream.on('error', () => {
      log.push({ method: req.method ?? '', target, user, status: 502 })
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(upstream)
  })

  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? ''
    const user = proxyUser(req.headers['proxy-authorization'])?.user
    if (!authorized(req.headers['proxy-authorization'])) {
      log.push({ method: 'CONNECT', target, user, status: 407 })
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n')
      return
    }
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))]
    const upstream = connect({ host: host.replace(/^\[|\]$/g, ''), port }, () => {
      log.push({ method: 'CONNECT', target, user, status: 200 })
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => {
      log.push({ method: 'CONNECT', target, user, status: 502 })
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')
    })
    client.on('error', () => upstream.destroy())
  })

  const { port } = await listen(server)
  return {
    url: `http://${LOOPBACK}:${port}`,
    port,
    log,
    async stop() {
      for (const socket of sockets) socket.destroy()
      await closeServer(server)
    }
  } satisfies ForwardProxy
}
