// A real PyPI-compatible index: pypiserver with htpasswd auth on upload, download and list,
// so every pip/uv/twine call must carry credentials exactly as with CodeArtifact.
// pypiserver keeps its default of refusing to overwrite an existing file, as CodeArtifact does.
import { createHash } from 'node:crypto'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startService } from './service-process.ts'

export interface PypiUser {
  user: string
  password: string
}

export interface PypiServerOptions {
  users: PypiUser[]
  /** Serve (and keep, after stop) this directory's packages instead of a fresh temp one. */
  packagesDir?: string
}

export interface PypiServer {
  /** Root URL of pypiserver itself (no credentials); the simple index is `${url}/simple/`. */
  readonly url: string
  readonly port: number
  readonly pid: number
  /** Where uploaded files land; the CodeArtifact fixture lists versions from here. */
  readonly packagesDir: string
  /** Adds or replaces a user; pypiserver rereads the htpasswd file when it changes. */
  setUser(user: string, password: string): Promise<void>
  output(): string
  stop(): Promise<void>
}

/** htpasswd line in the `{SHA}` scheme (base64 SHA-1), which passlib accepts. */
export function htpasswdLine({ user, password }: PypiUser): string {
  if (user.includes(':') || /[\r\n]/.test(user + password))
    throw new Error(`unusable htpasswd user ${JSON.stringify(user)}`)
  return `${user}:{SHA}${createHash('sha1').update(password, 'utf8').digest('base64')}`
}

export async function startPypiServer(options: PypiServerOptions): Promise<PypiServer> {
  const dir = await mkdtemp(join(tmpdir(), 'stack-pypiserver-'))
  const packagesDir = options.packagesDir ?? join(dir, 'packages')
  const htpasswd = join(dir, 'htpasswd')
  const users = new Map(options.users.map((u) => [u.user, u.password]))
  const writeUsers = (): Promise<void> =>
    writeFile(htpasswd, [...users].map(([user, password]) => htpasswdLine({ user, password }) + '\n').join(''), {
      mode: 0o600
    })
  try {
    await mkdir(packagesDir, { recursive: true })
    await writeUsers()
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  const service = await startService({
    name: 'pypiserver',
    script: 'pypi-server',
    dir,
    readyPath: '/',
    // `-a update,download,list`: auth on every action except the welcome page at `/`.
    args: (port) => [
      'run',
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '-P',
      htpasswd,
      '-a',
      'update,download,list',
      packagesDir
    ]
  })
  return {
    url: service.url,
    port: service.port,
    pid: service.pid,
    packagesDir,
    async setUser(user, password) {
      users.set(user, password)
      await writeUsers()
    },
    output: service.output,
    stop: service.stop
  }
}
