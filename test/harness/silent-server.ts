import { type Socket, createServer } from 'node:net'

// An endpoint that accepts every connection and never answers: the hostile case the SDK's own
// timeouts do not end (a firewall that blackholes after the handshake, a wedged proxy). Tests
// point AWS_ENDPOINT_URL_* or ACTIONS_ID_TOKEN_REQUEST_URL at it and assert that the call
// still ends within its deadline.

export interface SilentServer {
  /** http://127.0.0.1:<port> */
  readonly url: string
  /** Connections accepted so far (each one a request that got no answer). */
  readonly connections: number
  close(): Promise<void>
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>()
  let connections = 0
  const server = createServer((socket) => {
    connections++
    sockets.add(socket)
    // The client aborting resets the connection; that is expected here, not a failure.
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    // Read and drop what the client sends, so it is never held up on a full buffer.
    socket.resume()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('silent server has no TCP address')
  return {
    url: `http://127.0.0.1:${address.port}`,
    get connections() {
      return connections
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
