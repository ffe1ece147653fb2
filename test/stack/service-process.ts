// Runs one of the Python servers from .venv (pypiserver, moto) on a free loopback port, waits
// until it answers HTTP, and guarantees it dies with us.
//
// Why the Python wrapper: the child reads its stdin (a pipe from this process) and exits as
// soon as it hits EOF. The kernel closes that pipe however this process ends - normal exit,
// crash, SIGKILL of a jest worker - so no server outlives the test run. The 'exit' hook below
// covers the normal path quicker, and stop() covers the intended one.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { existsSync, rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { LOOPBACK } from './http-util.ts'
import { ownsListener } from './listener-owner.ts'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const VENV_BIN = join(REPO_ROOT, '.venv', 'bin')

const ORPHAN_GUARD = `
import os, sys, threading, runpy
def _watch_parent():
    try:
        while os.read(0, 65536):
            pass
    except OSError:
        pass
    os._exit(0)
threading.Thread(target=_watch_parent, daemon=True).start()
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
`

const live = new Set<ChildProcess>()
const ownedDirs = new Set<string>()
let exitHookInstalled = false
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Synchronous by necessity: 'exit' handlers cannot await. Runs only for what stop() missed.
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL')
    for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true })
  })
}

export interface ServiceProcess {
  readonly name: string
  readonly port: number
  readonly url: string
  readonly pid: number
  /** The last 64 KiB of the server's stdout+stderr, for failure messages. */
  output(): string
  stop(): Promise<void>
}

export interface ServiceOptions {
  name: string
  /** Console script in .venv/bin, e.g. 'pypi-server'. */
  script: string
  args: (port: number) => string[]
  /** A temp dir the service owns: its working directory, removed when it stops. */
  dir: string
  /** Any HTTP answer on this path means the server is up. */
  readyPath: string
  timeoutMs?: number
}

/** A port that was free a moment ago; the Python servers cannot report a kernel-chosen one. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, LOOPBACK, () => resolve())
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return address.port
}

export async function startService(options: ServiceOptions): Promise<ServiceProcess> {
  if (!existsSync(join(VENV_BIN, options.script))) {
    throw new Error(
      `${join(VENV_BIN, options.script)} is missing: run \`bash scripts/setup-python.sh\` to create .venv`
    )
  }
  installExitHook()
  ownedDirs.add(options.dir)
  // Another process may grab the port between freePort() and the server's bind: retry then.
  for (let attempt = 1; ; attempt++) {
    try {
      const service = await startOnce(options, await freePort())
      return {
        ...service,
        async stop() {
          await service.stop()
          await rm(options.dir, { recursive: true, force: true })
          ownedDirs.delete(options.dir)
        }
      }
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortInUseError)) {
        await rm(options.dir, { recursive: true, force: true })
        ownedDirs.delete(options.dir)
        throw error
      }
    }
  }
}

class PortInUseError extends Error {}

async function startOnce(options: ServiceOptions, port: number): Promise<ServiceProcess> {
  const script = join(VENV_BIN, options.script)
  const child = spawn(join(VENV_BIN, 'python'), ['-c', ORPHAN_GUARD, script, ...options.args(port)], {
    cwd: options.dir,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  live.add(child)
  let output = ''
  const keep = (chunk: Buffer): void => {
    // Always drain the pipes: a full pipe would block the server mid-request.
    output = (output + chunk.toString('utf8')).slice(-65536)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  // Never let a broken stdin pipe (child already gone) crash the test process.
  child.stdin?.on('error', () => {})
  const exited = new Promise<void>((resolve) => {
    const done = (): void => {
      live.delete(child)
      resolve()
    }
    child.once('exit', done)
    // A failed spawn emits 'error' (maybe without 'exit'); unhandled it would crash the run.
    child.once('error', (error) => {
      keep(Buffer.from(`spawn failed: ${error.message}\n`))
      done()
    })
  })

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.stdin?.end()
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
    await exited
    clearTimeout(timer)
  }

  const url = `http://${LOOPBACK}:${port}`
  try {
    await waitUntilAnswering(url + options.readyPath, child.pid ?? -1, port, exited, options.timeoutMs ?? 30000)
  } catch (error) {
    await stop()
    const message = `${options.name} did not start on port ${port}: ${(error as Error).message}\n${output}`
    throw /address already in use/i.test(output) ? new PortInUseError(message) : new Error(message)
  }
  return {
    name: options.name,
    port,
    url,
    pid: child.pid ?? -1,
    output: () => output,
    stop
  }
}

async function waitUntilAnswering(
  url: string,
  pid: number,
  port: number,
  exited: Promise<void>,
  timeoutMs: number
): Promise<void> {
  let gone = false
  void exited.then(() => {
    gone = true
  })
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (gone) throw new Error('the process exited')
    // Ours only if our child holds the listening socket; otherwise it will fail to bind and exit.
    if ((await answers(url)) && (await ownsListener(pid, port))) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`no answer within ${timeoutMs} ms`)
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume()
      resolve(true)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
    req.end()
  })
}
