import { spawn } from 'node:child_process'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import { closeServer, listen } from '../stack/http-util.ts'

// git's smart HTTP protocol (the one GitHub speaks) on loopback: a Node server that hands each
// request to `git http-backend` as CGI. With `authorization`, it answers 401 unless a request
// carries exactly that Authorization header, to test token paths end to end. With `delayMs`,
// each request waits that long before it is handled: a model of a remote further away than
// loopback, for benchmarks (a push is two requests: ref discovery, then the pack).

export interface GitHttpServer {
  /** Base URL; a bare repository `<projectRoot>/x.git` is at `${url}/x.git`. */
  url: string
  server: Server
  /** Authorization headers of every request, as received (all values when repeated). */
  seen: string[][]
  close(): Promise<void>
}

export async function startGitHttpServer(
  projectRoot: string,
  options: { authorization?: string; delayMs?: number } = {}
): Promise<GitHttpServer> {
  const seen: string[][] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (options.delayMs) setTimeout(() => handle(req, res), options.delayMs)
    else handle(req, res)
  })
  function handle(req: IncomingMessage, res: ServerResponse): void {
    const auth = req.headersDistinct['authorization'] ?? []
    seen.push(auth)
    if (options.authorization !== undefined && (auth.length !== 1 || auth[0] !== options.authorization)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end()
      return
    }
    const url = new URL(req.url ?? '/', 'http://localhost')
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...process.env,
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        // http-backend serves receive-pack (push) only to an authenticated user.
        REMOTE_USER: 'x-access-token',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: (req.headers['git-protocol'] as string | undefined) ?? ''
      }
    })
    req.pipe(cgi.stdin)
    // CGI output: headers (a `Status:` line among them), a blank line, then the body.
    let buffer = Buffer.alloc(0)
    let headersDone = false
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) return void res.write(chunk)
      buffer = Buffer.concat([buffer, chunk])
      const end = buffer.indexOf('\r\n\r\n')
      if (end === -1) return
      headersDone = true
      let status = 200
      for (const line of buffer.subarray(0, end).toString().split('\r\n')) {
        const [name, ...rest] = line.split(':')
        const value = rest.join(':').trim()
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10)
        else res.setHeader(name, value)
      }
      res.writeHead(status)
      res.write(buffer.subarray(end + 4))
    })
    cgi.on('close', () => res.end())
  }
  const { url } = await listen(server)
  return { url, server, seen, close: () => closeServer(server) }
}
