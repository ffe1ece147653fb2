// A real Docker engine for the tests, as on GitHub's ubuntu runners: Debian's dockerd (with
// BuildKit built in) started by the test on a private socket, data root, exec root and bridge,
// and the pinned buildx plugin (scripts/install-go-tools.sh) in a private DOCKER_CONFIG.
// Nothing of the machine's own Docker set-up is used or changed: no /var/run/docker.sock, no
// /var/lib/docker, no docker0, no iptables rules, no ~/.docker.
//
// Asynchronous like containers.ts: the local stack's servers share the jest process and must
// keep answering while dockerd builds.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, openSync, closeSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ROOT } from './action-runner.ts'
import { type Finding, searchSavedArchive } from './containers.ts'
import { type RunResult, run } from './process.ts'

export const BUILDX_PLUGIN = join(ROOT, '.tools', 'docker-plugins', 'docker-buildx')

export interface DockerEngine {
  /** Everything of this engine: data root, exec root, socket, DOCKER_CONFIG; removed by stop(). */
  readonly dir: string
  /** dockerd's --data-root: images, layers, containers and BuildKit's cache. */
  readonly dataRoot: string
  /** DOCKER_CONFIG: the buildx plugin, buildx's state, and what `docker login` writes. */
  readonly configDir: string
  /** DOCKER_HOST and DOCKER_CONFIG: give them to the action too. */
  readonly env: Record<string, string>
  /** From spawning dockerd to its first answer on the socket. */
  readonly startSeconds: number
  /** `dockerd --version`, e.g. "Docker version 20.10.24+dfsg1, build 5d6db84". */
  readonly version: string
  /** Runs the docker CLI against this engine. */
  run(args: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<RunResult>
  /** Stops dockerd (and the containerd it started), removes the bridge and every file. */
  stop(): Promise<void>
}

// Stops dockerd when the test process's end closes the pipe, however it ends, with SIGTERM so
// that it unmounts its layers and stops its containerd; then ends a containerd left by a dockerd
// that had to be killed (only if its command line names this engine's exec root), unmounts
// what is still mounted under the engine's directory, deletes the bridge and the directory.
// Cleanup lives here rather than in the test process so that a crashed jest leaves nothing.
const GUARD = `
import os, shutil, signal, subprocess, sys, threading
root, bridge = sys.argv[1], sys.argv[2]
exec_root = os.path.join(root, 'exec')
child = subprocess.Popen(sys.argv[3:], stdin=subprocess.DEVNULL)
lock = threading.Lock()
def stop(*_):
    lock.acquire()
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    try:
        pid = int(open(os.path.join(exec_root, 'containerd', 'containerd.pid')).read().strip())
        if exec_root.encode() in open('/proc/%d/cmdline' % pid, 'rb').read():
            os.kill(pid, signal.SIGKILL)
    except (OSError, ValueError):
        pass
    points = [line.split(' ')[4] for line in open('/proc/self/mountinfo')]
    for point in sorted((p for p in points if p == root or p.startswith(root + '/')), key=len, reverse=True):
        subprocess.call(['umount', '-l', point])
    subprocess.call(['ip', 'link', 'delete', bridge], stderr=subprocess.DEVNULL)
    shutil.rmtree(root, ignore_errors=True)
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
child.wait()
stop()
`

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('error', () => resolve(false))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}

/**
 * A private bridge for the default network: two engines (parallel test files, another
 * checkout) would otherwise share docker0 and hand out the same addresses. Containers reach
 * each other and the host over it; there is no NAT (no internet to reach anyway), so dockerd
 * runs with iptables off and the host's firewall is left alone.
 */
async function createBridge(): Promise<{ name: string; cidr: string }> {
  const name = `dkt${randomBytes(4).toString('hex')}`
  const [a, b] = randomBytes(2)
  const cidr = `10.${64 + ((a as number) % 64)}.${b as number}.1/24`
  for (const args of [
    ['link', 'add', 'name', name, 'type', 'bridge'],
    ['addr', 'add', cidr, 'dev', name],
    ['link', 'set', name, 'up']
  ]) {
    const result = await run('ip', args)
    if (result.code !== 0) {
      await run('ip', ['link', 'delete', name])
      throw new Error(`ip ${args.join(' ')} failed: ${result.stderr}`)
    }
  }
  return { name, cidr }
}

export async function startDockerEngine(options: { storageDriver?: string } = {}): Promise<DockerEngine> {
  if (!existsSync(BUILDX_PLUGIN))
    throw new Error(`${BUILDX_PLUGIN} is missing: run \`bash scripts/install-go-tools.sh\``)
  const dir = await mkdtemp(join(tmpdir(), 'docker-engine-'))
  const dataRoot = join(dir, 'data')
  const execRoot = join(dir, 'exec')
  const configDir = join(dir, 'config')
  const socket = join(dir, 'docker.sock')
  await mkdir(join(configDir, 'cli-plugins'), { recursive: true })
  await symlink(BUILDX_PLUGIN, join(configDir, 'cli-plugins', 'docker-buildx'))
  await writeFile(join(configDir, 'config.json'), '{}\n', { mode: 0o600 })
  // An empty daemon.json of its own: /etc/docker/daemon.json is the machine's.
  await writeFile(join(dir, 'daemon.json'), '{}\n')
  const env = { DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: configDir }
  const id = randomBytes(4).toString('hex')
  const bridge = await createBridge()
  // Beside the directory, which the guard removes as dockerd ends: a failed start's log survives it.
  const logFile = `${dir}.log`
  const log = openSync(logFile, 'a')
  const started = Date.now()
  let child: ChildProcess
  try {
    child = spawn(
      'python3',
      [
        '-c',
        GUARD,
        dir,
        bridge.name,
        'dockerd',
        '--config-file',
        join(dir, 'daemon.json'),
        '--host',
        env.DOCKER_HOST,
        '--data-root',
        dataRoot,
        '--exec-root',
        execRoot,
        '--pidfile',
        join(dir, 'dockerd.pid'),
        '--storage-driver',
        options.storageDriver ?? process.env['DOCKER_TEST_STORAGE_DRIVER'] ?? 'overlay2',
        '--bridge',
        bridge.name,
        '--iptables=false',
        '--ip-forward=false',
        '--ip-masq=false',
        // A containerd already running on the machine (as on GitHub's runners) is shared:
        // namespaces of their own keep this engine's containers and plugins apart.
        '--containerd-namespace',
        `moby-test-${id}`,
        '--containerd-plugins-namespace',
        `plugins-test-${id}`,
        '--log-level',
        'warn'
      ],
      { stdio: ['pipe', log, log] }
    )
  } finally {
    closeSync(log)
  }
  child.stdin?.on('error', () => {})
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let gone = false
  void exited.then(() => (gone = true))

  const stop = async (): Promise<void> => {
    if (!gone) {
      // EOF on stdin: the guard stops dockerd (SIGTERM, SIGKILL after 20 s) and cleans up.
      child.stdin?.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 40_000)
      await exited
      clearTimeout(timer)
    }
    // Only left when the guard itself was killed.
    await run('ip', ['link', 'delete', bridge.name])
    await rm(dir, { recursive: true, force: true })
    await rm(logFile, { force: true })
  }

  const deadline = Date.now() + 60_000
  while (!gone && Date.now() < deadline && !(await ping(socket)))
    await new Promise((resolve) => setTimeout(resolve, 50))
  const startSeconds = (Date.now() - started) / 1000
  if (gone || Date.now() >= deadline) {
    const output = await readFile(logFile, 'utf8').catch(() => '')
    await stop()
    throw new Error(`dockerd did not start within 60 s:\n${output.slice(-3000)}`)
  }
  const runDocker = (args: readonly string[], runOptions: { input?: string; timeoutMs?: number } = {}) =>
    run('docker', args, {
      env: { ...process.env, ...env },
      input: runOptions.input,
      timeoutMs: runOptions.timeoutMs
    })
  const version = (await run('dockerd', ['--version'])).stdout.trim()
  return { dir, dataRoot, configDir, env, startSeconds, version, run: runDocker, stop }
}

/** `docker save`s the image (every layer, config, manifest) and searches every file inside. */
export async function searchDockerSavedImage(
  engine: DockerEngine,
  image: string,
  needles: readonly string[]
): Promise<{ findings: Finding[]; files: string[] }> {
  // Outside engine.dir, so that a later scan of the data root does not find the copy.
  const out = join(await mkdtemp(join(tmpdir(), 'docker-save-')), 'image.tar')
  try {
    const saved = await engine.run(['save', '-o', out, image], { timeoutMs: 300_000 })
    if (saved.code !== 0) throw new Error(`docker save failed: ${saved.stderr}`)
    return await searchSavedArchive(out, needles)
  } finally {
    await rm(dirname(out), { recursive: true, force: true })
  }
}
