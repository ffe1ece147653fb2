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
  /** When the tests are not root: lets them read every file of dockerd's data root (for the leak scans). */
  makeReadable(): Promise<void>
  /** Stops dockerd (and the containerd it started), removes the bridge and every file. */
  stop(): Promise<void>
}

// dockerd needs root: as root the guard runs directly, otherwise through `sudo -n` (GitHub's
// runners allow it), and everything privileged happens in it. It makes a private bridge for the
// default network (two engines, e.g. parallel test files, would otherwise share docker0 and hand
// out the same addresses; no NAT, so dockerd runs with iptables off and the host's firewall is
// left alone), starts dockerd, and stops it when the test asks (a `stop` file in the engine's
// directory) or when the test process is gone however it ended: SIGTERM, so dockerd unmounts
// its layers and stops its containerd; then it ends a containerd left by a dockerd that had to
// be killed (only if its command line names this engine's exec root), unmounts what is still
// mounted under the engine's directory, deletes the bridge and the directory.
const GUARD = `
import os, shutil, signal, subprocess, sys, time
root, bridge, cidr, watched = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
exec_root = os.path.join(root, 'exec')
def cleanup():
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
for args in (['link', 'add', 'name', bridge, 'type', 'bridge'], ['addr', 'add', cidr, 'dev', bridge], ['link', 'set', bridge, 'up']):
    if subprocess.call(['ip'] + args) != 0:
        cleanup()
        sys.exit('ip %s failed' % ' '.join(args))
child = subprocess.Popen(sys.argv[5:], stdin=subprocess.DEVNULL)
def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
signal.signal(signal.SIGTERM, lambda *_: os.path.exists(root) and open(os.path.join(root, 'stop'), 'w').close())
while child.poll() is None and alive(watched) and not os.path.exists(os.path.join(root, 'stop')):
    time.sleep(0.1)
if child.poll() is None:
    child.terminate()
    try:
        child.wait(20)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
cleanup()
# The log beside the directory is the test's to read, unless the test is gone.
if not alive(watched):
    try:
        os.remove(root + '.log')
    except OSError:
        pass
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

const AS_ROOT = process.getuid?.() === 0

/** Runs a command as root: directly when the tests are root, else through `sudo -n`. */
function runAsRoot(command: string, args: readonly string[]): Promise<RunResult> {
  return AS_ROOT ? run(command, args) : run('sudo', ['-n', command, ...args])
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
  const [a, b] = randomBytes(2)
  const bridge = { name: `dkt${id}`, cidr: `10.${64 + ((a as number) % 64)}.${b as number}.1/24` }
  // Beside the directory, which the guard removes as dockerd ends: a failed start's log survives it.
  const logFile = `${dir}.log`
  const log = openSync(logFile, 'a')
  const started = Date.now()
  let child: ChildProcess
  try {
    const guard = [
      'python3',
      '-c',
      GUARD,
      dir,
      bridge.name,
      bridge.cidr,
      String(process.pid),
      'dockerd',
      // The socket's group: the tests' own, when they are not root.
      ...(AS_ROOT ? [] : ['--group', String(process.getgid?.())]),
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
    ]
    child = spawn(AS_ROOT ? 'python3' : 'sudo', AS_ROOT ? guard.slice(1) : ['-n', ...guard], {
      stdio: ['ignore', log, log]
    })
  } finally {
    closeSync(log)
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let gone = false
  void exited.then(() => (gone = true))

  const stop = async (): Promise<void> => {
    if (!gone) {
      // The guard stops dockerd (SIGTERM, SIGKILL after 20 s) and cleans up.
      await writeFile(join(dir, 'stop'), '')
      await exited
    }
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
  // dockerd's files are root's, most of them private: the leak scans read them all.
  const makeReadable = async (): Promise<void> => {
    if (!AS_ROOT) await runAsRoot('chmod', ['-R', 'a+rX', dataRoot])
  }
  return { dir, dataRoot, configDir, env, startSeconds, version, run: runDocker, makeReadable, stop }
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
