// The index URL every client is given points here, not at pypiserver: a streaming reverse
// proxy that can fail on demand (status codes, Retry-After, dropped connections, delays) so
// upload/download retry paths run against real twine/pip/uv.
//
// With `pathPrefix` it also mimics CodeArtifact's URL layout (`/pypi/<repository>/...`): the
// prefix is stripped before pypiserver and announced in X-Forwarded-Host, which pypiserver
// folds into the links and redirects it generates.
import { createServer, request, STATUS_CODES } from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { closeServer, listen } from './http-util.ts'

export interface ProxyFault {
  /** Matches any method when omitted. */
  method?: string
  /** Matches the path as the client sent it (query included); any path when omitted. */
  pathPrefix?: string
  /** Answer this status instead of passing the request on. */
  status?: number
  /** Sets Retry-After (seconds) on the fault answer. */
  retryAfter?: number
  headers?: Record<string, string>
  body?: string
  /** Destroy the client socket instead of answering (a connection reset). */
  drop?: boolean
  /** Wait this long first; without status/drop the request then passes through. */
  delayMs?: number
  /** How many matching requests this fault takes; default 1. */
  times?: number
  /** Keep matching until clearFaults(). */
  persistent?: boolean
}

export interface ProxyLogEntry {
  method: string
  path: string
  /** HTTP status the client got; 0 when the connection was dropped or broke. */
  status: number
  /** A fault rule matched (answered, dropped or delayed the request). */
  fault: boolean
  /** Basic-auth user name (never the password). */
  user?: string
}

export interface FaultProxy {
  readonly url: string
  readonly port: number
  readonly log: ProxyLogEntry[]
  addFault(fault: ProxyFault): void
  clearFaults(): void
  clearLog(): void
  stop(): Promise<void>
}

export interface FaultProxyOptions {
  target: string
  pathPrefix?: string
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']
// pypiserver (wsgiref) serves one request at a time with an accept backlog of 5; a burst of
// parallel downloads (uv, pip) past that gets SYNs dropped and stalls a second per retry.
// Queuing here instead keeps bursts fast.
const MAX_UPSTREAM = 4

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target)
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '')
  const log: ProxyLogEntry[] = []
  let faults: Array<ProxyFault & { left: number }> = []

  const takeFault = (req: IncomingMessage): ProxyFault | undefined => {
    const path = req.url ?? '/'
    const fault = faults.find(
      (f) =>
        (f.persistent || f.left > 0) &&
        (!f.method || f.method.toUpperCase() === req.method) &&
        path.startsWith(f.pathPrefix ?? '')
    )
    if (fault && !fault.persistent) fault.left--
    return fault
  }

  const server = createServer((req, res) => {
    const entry: ProxyLogEntry = {
      method: req.method ?? '',
      path: req.url ?? '/',
      status: 0,
      fault: false,
      user: basicUser(req.headers)
    }
    log.push(entry)
    res.on('finish', () => {
      entry.status = res.statusCode
    })
    const fault = takeFault(req)
    entry.fault = fault !== undefined
    const proceed = (): void => {
      if (fault?.drop) {
        req.socket.destroy()
      } else if (fault?.status !== undefined) {
        answerFault(req, res, fault)
      } else {
        pass(req, res)
      }
    }
    if (fault?.delayMs) setTimeout(proceed, fault.delayMs)
    else proceed()
  })

  let inFlight = 0
  const waiting: Array<() => void> = []
  const slot = (run: (release: () => void) => void): void => {
    const start = (): void => {
      inFlight++
      let released = false
      run(() => {
        if (released) return
        released = true
        inFlight--
        waiting.shift()?.()
      })
    }
    if (inFlight < MAX_UPSTREAM) start()
    else waiting.push(start)
  }

  const pass = (req: IncomingMessage, res: ServerResponse): void => {
    let path = req.url ?? '/'
    const headers: IncomingHttpHeaders = { ...req.headers }
    for (const name of HOP_BY_HOP) delete headers[name]
    if (prefix) {
      if (path !== prefix && !path.startsWith(prefix + '/')) {
        req.resume()
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n')
        return
      }
      path = path.slice(prefix.length) || '/'
      headers['x-forwarded-host'] = `${req.headers.host ?? ''}${prefix}`
    }
    // A chunked client body must stay chunked upstream: keep the framing header then.
    if (req.headers['transfer-encoding'] && headers['content-length'] === undefined)
      headers['transfer-encoding'] = 'chunked'
    slot((release) => {
      // pypiserver speaks HTTP/1.0 and closes each connection; a fresh socket per request
      // avoids reusing one it just closed.
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path, headers, agent: false },
        (upstreamRes) => {
          const responseHeaders = { ...upstreamRes.headers }
          for (const name of HOP_BY_HOP) delete responseHeaders[name]
          res.writeHead(upstreamRes.statusCode ?? 502, responseHeaders)
          upstreamRes.pipe(res)
        }
      )
      upstream.on('close', release)
      upstream.on('error', () => {
        if (res.headersSent) res.destroy()
        else res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway: index unreachable\n')
      })
      // The client went away mid-exchange: do not leave the upstream request hanging.
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy()
      })
      if (res.destroyed) upstream.destroy()
      req.pipe(upstream)
    })
  }

  const { url, port } = await listen(server)
  return {
    url,
    port,
    log,
    addFault(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 })
    },
    clearFaults() {
      faults = []
    },
    clearLog() {
      log.length = 0
    },
    stop: () => closeServer(server)
  }
}

function answerFault(req: IncomingMessage, res: ServerResponse, fault: ProxyFault): void {
  const status = fault.status ?? 500
  const body = fault.body ?? `${status} ${STATUS_CODES[status] ?? 'Error'}\n`
  const headers: Record<string, string> = { 'content-type': 'text/plain', ...fault.headers }
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter)
  // Read the whole body first (twine streams a multipart upload): answering mid-upload would
  // look like a reset to the client rather than the status we mean to send.
  req.on('end', () => res.writeHead(status, headers).end(body))
  req.resume()
}

function basicUser(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Basic\s+(\S+)/i.exec(headers.authorization ?? '')
  if (!match?.[1]) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  return decoded.slice(0, Math.max(0, decoded.indexOf(':')))
}
