// Test and benchmark support for real image builds: a podman configured explicitly for this
// machine (vfs storage in a temp dir, chroot isolation, no registry on the internet), a static
// busybox base image, a real registry v2 (Debian's docker-registry) with htpasswd auth, and
// leak scanners over saved images and directory trees.
//
// Everything here is asynchronous on purpose: the local stack's servers run inside the jest
// process and must keep answering while podman runs.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile, copyFile, lstat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { freePort } from '../stack/service-process.ts'
import { type RunResult, run } from './process.ts'

export { type RunResult, run } from './process.ts'

export const BASE_IMAGE = 'localhost/busybox-base:test'

export interface Podman {
  /** Where storage, run state and configuration live; removed by cleanup(). */
  readonly dir: string
  readonly graphRoot: string
  readonly runRoot: string
  /** REGISTRY_AUTH_FILE: where `podman login` stores credentials. */
  readonly authFile: string
  /** Variables that point podman at this configuration; give them to the action too. */
  readonly env: Record<string, string>
  /** Runs podman with this configuration. */
  run(args: readonly string[], options?: { input?: string; env?: Record<string, string> }): Promise<RunResult>
  /** Plain-HTTP registries (loopback) podman may push to and pull from. */
  allowInsecureRegistries(hosts: readonly string[]): Promise<void>
  cleanup(): Promise<void>
}

function registriesConf(insecure: readonly string[]): string {
  // No search registries: a short name never reaches out to docker.io (there is no internet).
  return (
    [
      'unqualified-search-registries = []',
      'short-name-mode = "enforcing"',
      ...insecure.flatMap((host) => ['', '[[registry]]', `location = "${host}"`, 'insecure = true'])
    ].join('\n') + '\n'
  )
}

/**
 * A podman that works on a fresh machine as root, in CI, without systemd or a TTY: vfs storage
 * (no overlay mounts needed), cgroupfs, events to a file, and chroot isolation for RUN steps
 * (the OCI runtime cannot create cgroups on this kernel setup). BUILDAH_ISOLATION reaches
 * `podman build` through the environment, so the action under test needs no extra flags.
 */
export async function setupPodman(options: { storageDriver?: 'vfs' | 'overlay' } = {}): Promise<Podman> {
  const dir = await mkdtemp(join(tmpdir(), 'podman-test-'))
  const graphRoot = join(dir, 'storage')
  const runRoot = join(dir, 'run')
  const authFile = join(dir, 'auth.json')
  const storageConf = join(dir, 'storage.conf')
  const registriesFile = join(dir, 'registries.conf')
  const containersConf = join(dir, 'containers.conf')
  await writeFile(
    storageConf,
    `[storage]\ndriver = "${options.storageDriver ?? 'vfs'}"\ngraphroot = "${graphRoot}"\nrunroot = "${runRoot}"\n`
  )
  await writeFile(registriesFile, registriesConf([]))
  await writeFile(
    containersConf,
    `[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "${join(dir, 'events.log')}"\n`
  )
  await writeFile(authFile, '{"auths":{}}\n', { mode: 0o600 })
  const env: Record<string, string> = {
    CONTAINERS_STORAGE_CONF: storageConf,
    CONTAINERS_REGISTRIES_CONF: registriesFile,
    CONTAINERS_CONF: containersConf,
    REGISTRY_AUTH_FILE: authFile,
    BUILDAH_ISOLATION: 'chroot',
    // podman stages build contexts and secrets under TMPDIR; keep them in the scanned tree.
    TMPDIR: join(dir, 'tmp')
  }
  await mkdir(env['TMPDIR'] as string)
  const podman: Podman = {
    dir,
    graphRoot,
    runRoot,
    authFile,
    env,
    run: (args, options = {}) =>
      run('podman', args, {
        env: { ...(process.env as Record<string, string>), ...env, ...options.env },
        input: options.input
      }),
    allowInsecureRegistries: (hosts) => writeFile(registriesFile, registriesConf(hosts)),
    async cleanup() {
      // vfs layers are plain directories; the overlay driver keeps its storage directory
      // bind-mounted (and any layer still in use), which must go before the files do.
      await unmountUnder(dir)
      await rm(dir, { recursive: true, force: true })
    }
  }
  await importBusyboxBase((args) => podman.run(args), dir)
  return podman
}

/** Unmounts whatever is mounted at or below `dir`, deepest first. */
export async function unmountUnder(dir: string): Promise<void> {
  const table = await readFile('/proc/self/mountinfo', 'utf8')
  const points = table
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length)
  for (const point of points) await run('umount', ['-l', point])
}

/**
 * The base image of every test build: a static busybox and its applet links, imported from a
 * tarball (`FROM scratch` + COPY + RUN --install would cost a build; an import is one command).
 * `importer` runs the builder's CLI (`podman ...` or `docker ...`); `dir` is scratch space.
 */
export async function importBusyboxBase(
  importer: (args: readonly string[]) => Promise<RunResult>,
  dir: string
): Promise<void> {
  const busybox = '/bin/busybox'
  if (!existsSync(busybox))
    throw new Error('/bin/busybox is missing: run `bash scripts/install-system.sh` (Debian package busybox-static)')
  const rootfs = join(dir, 'rootfs')
  await mkdir(join(rootfs, 'bin'), { recursive: true })
  await mkdir(join(rootfs, 'tmp'))
  await copyFile(busybox, join(rootfs, 'bin', 'busybox'))
  const applets = (await run(busybox, ['--list'])).stdout
    .split('\n')
    .filter((name) => /^[\w.[-]+$/.test(name) && name !== 'busybox')
  await Promise.all(applets.map((applet) => symlink('busybox', join(rootfs, 'bin', applet))))
  const tarball = join(dir, 'rootfs.tar')
  const tar = await run('tar', ['-C', rootfs, '-cf', tarball, '.'])
  if (tar.code !== 0) throw new Error(`tar failed: ${tar.stderr}`)
  const imported = await importer(['import', tarball, BASE_IMAGE])
  if (imported.code !== 0) throw new Error(`import of the busybox base failed: ${imported.stderr}`)
  await rm(rootfs, { recursive: true, force: true })
  await rm(tarball)
}

export interface Registry {
  /** `127.0.0.1:<port>`, as it goes into image names. */
  readonly host: string
  stop(): Promise<void>
}

// Kills the registry when this process's end closes the pipe, however it ends (see
// test/stack/service-process.ts for the same guard around the Python servers).
const ORPHAN_GUARD = `
import os, signal, subprocess, sys, threading
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)
def stop(*_):
    child.kill()
    child.wait()
    os._exit(0)
def watch():
    try:
        while os.read(0, 65536):
            pass
    except OSError:
        pass
    stop()
signal.signal(signal.SIGTERM, stop)
threading.Thread(target=watch, daemon=True).start()
sys.exit(child.wait())
`

/** A registry v2 on loopback that requires one of `users` (bcrypt htpasswd, as the registry demands). */
export async function startRegistry(users: ReadonlyArray<{ user: string; password: string }>): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), 'registry-test-'))
  const lines: string[] = []
  for (const { user, password } of users) {
    // -i: the password from stdin, not argv.
    const entry = await run('htpasswd', ['-niB', '-C', '4', user], { input: `${password}\n` })
    if (entry.code !== 0) throw new Error(`htpasswd failed: ${entry.stderr}`)
    lines.push(entry.stdout.trim())
  }
  await writeFile(join(dir, 'htpasswd'), lines.join('\n') + '\n')
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    await writeFile(
      join(dir, 'config.yml'),
      [
        'version: 0.1',
        'log:',
        '  level: error',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(dir, 'data')}`,
        'http:',
        `  addr: 127.0.0.1:${port}`,
        'auth:',
        '  htpasswd:',
        '    realm: test-registry',
        `    path: ${join(dir, 'htpasswd')}`,
        ''
      ].join('\n')
    )
    const child = spawn('python3', ['-c', ORPHAN_GUARD, 'docker-registry', 'serve', join(dir, 'config.yml')], {
      stdio: ['pipe', 'pipe', 'pipe']
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stdin.on('error', () => {})
    // 'exit', not 'close': the registry shares the guard's output pipes until it is killed.
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    let gone = false
    void exited.then(() => (gone = true))
    const deadline = Date.now() + 15_000
    while (!gone && Date.now() < deadline) {
      const answer = await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined)
      if (answer?.status === 401) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const stop = async (): Promise<void> => {
      if (!gone) {
        // EOF on stdin makes the guard kill the registry and exit; SIGKILL if it does not.
        child.stdin.end()
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
        await exited
        clearTimeout(timer)
      }
      await rm(dir, { recursive: true, force: true })
    }
    if (!gone && Date.now() < deadline) return { host: `127.0.0.1:${port}`, stop }
    await stop().catch(() => {})
    if (attempt >= 3 || !/address already in use/i.test(output))
      throw new Error(`docker-registry did not start: ${output}`)
  }
}

/** Every form in which a token could be written down: raw, URL-encoded, base64, and inside HTTP Basic. */
export function secretForms(token: string, user = 'aws'): string[] {
  return [
    token,
    encodeURIComponent(token),
    Buffer.from(token).toString('base64'),
    Buffer.from(`${user}:${token}`).toString('base64')
  ]
}

export interface Finding {
  /** Where the needle was found, e.g. `image.tar!abc/layer.tar!etc/pip.conf`. */
  where: string
  needle: string
}

function searchBuffer(data: Buffer, where: string, needles: readonly string[], findings: Finding[]): void {
  for (const needle of needles) if (data.includes(needle)) findings.push({ where, needle })
}

function isTar(data: Buffer): boolean {
  return data.length >= 512 && data.toString('latin1', 257, 262) === 'ustar'
}

/** Entries of an uncompressed tar (ustar/pax/GNU): name and content. */
export function* tarEntries(data: Buffer): Generator<{ name: string; body: Buffer }> {
  let offset = 0
  let longName: string | undefined
  while (offset + 512 <= data.length) {
    const header = data.subarray(offset, offset + 512)
    if (header.every((byte) => byte === 0)) break
    const field = (start: number, length: number): string =>
      header.toString('utf8', start, start + length).replace(/\0.*$/s, '')
    const size = Number.parseInt(field(124, 12).trim() || '0', 8)
    const type = field(156, 1)
    const prefix = field(345, 155)
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100))
    const body = data.subarray(offset + 512, offset + 512 + size)
    longName = type === 'L' ? body.toString('utf8').replace(/\0.*$/s, '') : undefined
    if (type === 'x') {
      const path = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1]
      if (path) longName = path
    }
    yield { name, body }
    offset += 512 + Math.ceil(size / 512) * 512
  }
}

/**
 * Searches a file's bytes and, when it is a (gzipped) tar, every file inside it, recursively:
 * a saved image holds its config, manifest and history as JSON and each layer as a tar.
 */
export function searchArchive(
  data: Buffer,
  where: string,
  needles: readonly string[],
  findings: Finding[] = []
): Finding[] {
  searchBuffer(data, where, needles, findings)
  let content = data
  if (data[0] === 0x1f && data[1] === 0x8b) {
    content = gunzipSync(data)
    searchBuffer(content, `${where} (gunzipped)`, needles, findings)
  }
  if (isTar(content))
    for (const entry of tarEntries(content)) searchArchive(entry.body, `${where}!${entry.name}`, needles, findings)
  return findings
}

/** Every regular file under `dir` (symlinks not followed) searched for the needles. */
export async function searchTree(
  dir: string,
  needles: readonly string[],
  findings: Finding[] = []
): Promise<Finding[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) await searchTree(path, needles, findings)
    else if (entry.isFile()) {
      const stats = await lstat(path).catch(() => undefined)
      // Device-sized or sparse files are not where a token would be written.
      if (stats && stats.size < 256 * 1024 * 1024)
        searchBuffer(await readFile(path).catch(() => Buffer.alloc(0)), path, needles, findings)
    }
  }
  return findings
}

/** Searches a saved image (docker-archive tar) for the needles; also lists every file it holds, layers opened. */
export async function searchSavedArchive(
  path: string,
  needles: readonly string[]
): Promise<{ findings: Finding[]; files: string[] }> {
  const data = await readFile(path)
  const files: string[] = []
  const walk = (buffer: Buffer, prefix: string): void => {
    if (!isTar(buffer)) return
    for (const entry of tarEntries(buffer)) {
      files.push(`${prefix}${entry.name}`)
      walk(entry.body, `${prefix}${entry.name}!`)
    }
  }
  walk(data, '')
  return { findings: searchArchive(data, 'image.tar', needles), files }
}

/** `podman save`s the image and searches every file inside (config, manifest, history, layers). */
export async function searchSavedImage(
  podman: Podman,
  image: string,
  needles: readonly string[]
): Promise<{ findings: Finding[]; files: string[] }> {
  const out = join(podman.dir, `saved-${Date.now()}.tar`)
  const saved = await podman.run(['save', '--format', 'docker-archive', '-o', out, image])
  if (saved.code !== 0) throw new Error(`podman save failed: ${saved.stderr}`)
  try {
    return await searchSavedArchive(out, needles)
  } finally {
    await rm(out, { force: true })
  }
}

/**
 * Runs an image's program (its entrypoint and CMD, in its WORKDIR, as its USER, with its ENV)
 * with `podman run`. Where the kernel refuses the OCI runtime's setrlimit calls ("crun:
 * setrlimit `RLIMIT_NOFILE`: Operation not permitted", as on the VMs these tests run in), podman
 * cannot start any container; as root the same program then runs in the image's filesystem,
 * mounted and entered with chroot.
 */
export async function runPodmanImage(podman: Podman, image: string): Promise<RunResult> {
  const ran = await podman.run(['run', '--rm', '--network', 'none', image])
  if (ran.code !== 126 || !/rlimit/i.test(ran.stderr) || process.getuid?.() !== 0) return ran
  const inspected = await podman.run(['image', 'inspect', image])
  if (inspected.code !== 0) throw new Error(`podman image inspect failed: ${inspected.stderr}`)
  const config = (
    JSON.parse(inspected.stdout) as Array<{
      Config: { Env?: string[]; Cmd?: string[]; Entrypoint?: string[]; WorkingDir?: string; User?: string }
    }>
  )[0]?.Config
  if (!config) throw new Error(`no config in podman image inspect ${image}`)
  const mounted = await podman.run(['image', 'mount', image])
  if (mounted.code !== 0) throw new Error(`podman image mount failed: ${mounted.stderr}`)
  try {
    const env = Object.fromEntries(
      (config.Env ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])
    )
    const program = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])]
    return await run(
      'chroot',
      [
        `--userspec=${config.User || 'root'}`,
        mounted.stdout.trim(),
        '/bin/sh',
        '-c',
        'cd "$1" && shift && exec "$@"',
        'sh',
        config.WorkingDir || '/',
        ...program
      ],
      { env: { HOME: '/', ...env } }
    )
  } finally {
    await podman.run(['image', 'unmount', image])
  }
}
