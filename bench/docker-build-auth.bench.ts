// Benchmark: what docker-build-auth costs on top of the build it runs.
//
// Peers: the same `podman build --secret id=pip_index_url,src=<0600 file>`, and the same
// `docker buildx build --secret ... --network host` against a real dockerd (the harness's private
// engine), typed by hand (the secret file written and removed around it), on the same context
// and the same builder configuration.
// The action's side is its committed bundle run the way the runner runs it (Node 24, INPUT_*
// variables, the runner's file commands): process start, input parsing, builder detection,
// secret file, build, outputs, job summary. Its post step is timed apart.
//
// Each run changes a file the Dockerfile copies before its RUN step, so every build really runs
// that step: it reads the mounted secret and fetches the private wheel from a local pypiserver.
// The two sides alternate, after one warm-up each, and the medians are compared.
//
//   node_modules/.bin/node bench/docker-build-auth.bench.ts [--runs N] [--builder podman,docker]
//   (default: 10 runs, both builders)
//
// Needs the system packages of scripts/install-system.sh, the buildx plugin of
// scripts/install-go-tools.sh and the .venv of scripts/setup-python.sh.
import { spawn } from 'node:child_process'
import { copyFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ROOT } from '../test/harness/action-runner.ts'
import { startPypiServer } from '../test/stack/pypiserver.ts'
import { type Podman, importBusyboxBase, run, setupPodman } from '../test/harness/containers.ts'
import { startDockerEngine } from '../test/harness/docker-engine.ts'
import { median } from './lib.ts'
import { inputEnv } from '../test/harness/inputs.ts'
import { buildWheel } from '../test/stack/tools.ts'

const runsArg = process.argv.indexOf('--runs')
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10
const builderArg = process.argv.indexOf('--builder')
const BUILDERS = (builderArg > 0 ? (process.argv[builderArg + 1] as string) : 'podman,docker').split(',')
const TOKEN = 'bench-token/KNOWN+value=0123456789'
const WHEEL = 'acme_widgets-0.1.0-py3-none-any.whl'
const NODE24 = join(ROOT, 'node_modules', '.bin', 'node')
const BUNDLE = join(ROOT, 'actions', 'docker-build-auth', 'dist', 'index.js')

/** Wall time of one child process, in milliseconds; throws on a non-zero exit. */
async function timed(command: string, args: string[], env: Record<string, string>, cwd?: string): Promise<number> {
  const started = performance.now()
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  const elapsed = performance.now() - started
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.slice(-3000)}`)
  if (
    output.includes(TOKEN) &&
    !output.split('\n').every((line) => !line.includes(TOKEN) || line.startsWith('::add-mask::'))
  ) {
    throw new Error('the token appeared in a log line')
  }
  return elapsed
}

async function buildExampleWheel(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'bench-wheel-'))
  await buildWheel(join(ROOT, 'examples', 'acme-widgets'), out)
  return join(out, WHEEL)
}

interface Job {
  dir: string
  env: Record<string, string>
}

/** The runner's per-step files, fresh for each run, as the runner does. */
/** A runner's job files in a fresh directory; the workspace is the build context, as after a checkout. */
async function runnerJob(
  builderEnv: Record<string, string>,
  workspace: string,
  inputs: Record<string, string>
): Promise<Job> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-job-'))
  const files = {
    GITHUB_OUTPUT: 'output',
    GITHUB_ENV: 'env',
    GITHUB_STATE: 'state',
    GITHUB_STEP_SUMMARY: 'summary.md',
    GITHUB_PATH: 'path'
  }
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/root',
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    RUNNER_TEMP: join(dir, 'runner-temp'),
    GITHUB_WORKSPACE: workspace,
    ...builderEnv
  }
  await run('mkdir', [env['RUNNER_TEMP'] as string])
  for (const [name, file] of Object.entries(files)) {
    env[name] = join(dir, file)
    await writeFile(env[name] as string, '')
  }
  Object.assign(env, inputEnv(inputs))
  return { dir, env }
}

/** A `podman` that answers --version and, for build, writes the --iidfile and exits. */
async function noopPodman(): Promise<string> {
  const bin = await mkdtemp(join(tmpdir(), 'noop-podman-'))
  const script = [
    '#!/bin/sh',
    '[ "$1" = --version ] && { echo "podman version 4.3.1"; exit 0; }',
    'while [ $# -gt 0 ]; do [ "$1" = --iidfile ] && echo sha256:0000000000000000000000000000000000000000000000000000000000000000 > "$2"; shift; done',
    ''
  ].join('\n')
  await writeFile(join(bin, 'podman'), script, { mode: 0o755 })
  return bin
}

/** One builder as both sides see it: how to run it by hand, and what the action gets. */
interface Side {
  name: 'podman' | 'docker'
  /** Environment for the builder (its storage, socket, config). */
  env: Record<string, string>
  /** argv of the build by hand, after the command. */
  byHand(secret: string, context: string): string[]
  /** The action's inputs that pick this builder. */
  inputs: Record<string, string>
  version: string
  describe: string
}

interface Timings {
  action: number[]
  hand: number[]
  post: number[]
}

async function measure(side: Side, context: string, indexUrl: string, authenticated: string): Promise<Timings> {
  let nonce = 0
  const bust = (): Promise<void> => writeFile(join(context, 'requirements.txt'), `acme-widgets\n# run ${++nonce}\n`)
  const byHand = async (): Promise<number> => {
    await bust()
    const started = performance.now()
    const dir = await mkdtemp(join(tmpdir(), 'by-hand-'))
    const secret = join(dir, 'pip_index_url')
    await writeFile(secret, authenticated, { mode: 0o600 })
    await timed(side.name, side.byHand(secret, context), { ...(process.env as Record<string, string>), ...side.env })
    await rm(dir, { recursive: true, force: true })
    return performance.now() - started
  }
  const post: number[] = []
  const action = async (): Promise<number> => {
    await bust()
    const job = await runnerJob(side.env, context, {
      context,
      tags: `localhost/bench/service:action-${side.name}`,
      'index-url': indexUrl,
      'index-username': 'aws',
      'index-password': TOKEN,
      ...side.inputs
    })
    const elapsed = await timed(NODE24, [BUNDLE], job.env, job.dir)
    // The post step: the runner hands the saved state back as STATE_<name>.
    const state = await readFile(job.env['GITHUB_STATE'] as string, 'utf8')
    const stateEnv: Record<string, string> = {}
    for (const match of state.matchAll(/^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm))
      stateEnv[`STATE_${match[1]}`] = match[3] as string
    post.push(await timed(NODE24, [BUNDLE], { ...job.env, ...stateEnv }, job.dir))
    await rm(job.dir, { recursive: true, force: true })
    return elapsed
  }
  process.stderr.write(`${side.name}: warming up (one run each), then ${RUNS} runs each, alternating...\n`)
  await action()
  await byHand()
  post.length = 0
  const timings: Timings = { action: [], hand: [], post }
  for (let i = 0; i < RUNS; i++) {
    // Alternate which side goes first, so neither always follows the other.
    if (i % 2 === 0) {
      timings.action.push(await action())
      timings.hand.push(await byHand())
    } else {
      timings.hand.push(await byHand())
      timings.action.push(await action())
    }
    process.stderr.write(
      `  run ${i + 1}/${RUNS}: action ${(timings.action.at(-1) as number).toFixed(0)} ms, by hand ${(timings.hand.at(-1) as number).toFixed(0)} ms\n`
    )
  }
  return timings
}

/** The action around a stand-in podman that only writes the image id: its own fixed cost. */
async function fixedCost(
  podman: Podman,
  context: string,
  indexUrl: string,
  authenticated: string
): Promise<number[][]> {
  const noop = await noopPodman()
  const noopEnv = { PATH: `${noop}:${process.env['PATH']}` }
  const noopAction: number[] = []
  const noopHand: number[] = []
  try {
    for (let i = 0; i < RUNS * 2; i++) {
      const job = await runnerJob(podman.env, context, {
        context,
        builder: 'podman',
        'index-url': indexUrl,
        'index-username': 'aws',
        'index-password': TOKEN
      })
      noopAction.push(await timed(NODE24, [BUNDLE], { ...job.env, ...noopEnv }, job.dir))
      await rm(job.dir, { recursive: true, force: true })
      const dir = await mkdtemp(join(tmpdir(), 'by-hand-'))
      const started = performance.now()
      await writeFile(join(dir, 'pip_index_url'), authenticated, { mode: 0o600 })
      await timed(
        join(noop, 'podman'),
        [
          'build',
          '--secret',
          `id=pip_index_url,src=${join(dir, 'pip_index_url')}`,
          '--iidfile',
          join(dir, 'iid'),
          context
        ],
        process.env as Record<string, string>
      )
      noopHand.push(performance.now() - started)
      await rm(dir, { recursive: true, force: true })
    }
  } finally {
    await rm(noop, { recursive: true, force: true })
  }
  return [noopAction, noopHand]
}

async function main(): Promise<void> {
  const wanted = BUILDERS
  const [podman, engine, wheel, pypi] = await Promise.all([
    wanted.includes('podman') ? setupPodman() : undefined,
    wanted.includes('docker') ? startDockerEngine() : undefined,
    buildExampleWheel(),
    startPypiServer({ users: [{ user: 'aws', password: TOKEN }] })
  ])
  const context = await mkdtemp(join(tmpdir(), 'bench-context-'))
  const scratch = [context, dirname(wheel)]
  try {
    await copyFile(wheel, join(pypi.packagesDir, WHEEL))
    await cp(join(ROOT, 'test', 'fixtures', 'docker', 'service'), context, { recursive: true })
    const indexUrl = `${pypi.url}/simple/`
    const url = new URL(indexUrl)
    url.username = 'aws'
    url.password = encodeURIComponent(TOKEN)
    const authenticated = url.toString()

    const sides: Side[] = []
    if (podman)
      sides.push({
        name: 'podman',
        env: podman.env,
        byHand: (secret, dir) => [
          'build',
          '--secret',
          `id=pip_index_url,src=${secret}`,
          '--tag',
          'localhost/bench/service:hand',
          dir
        ],
        inputs: { builder: 'podman' },
        version: (await run('podman', ['--version'])).stdout.trim(),
        describe: 'vfs storage, chroot isolation'
      })
    if (engine) {
      const importDir = await mkdtemp(join(tmpdir(), 'busybox-base-'))
      scratch.push(importDir)
      await importBusyboxBase((args) => engine.run(args), importDir)
      sides.push({
        name: 'docker',
        env: engine.env,
        // The RUN step reaches the index on 127.0.0.1 only through the host network.
        byHand: (secret, dir) => [
          'buildx',
          'build',
          '--secret',
          `id=pip_index_url,src=${secret}`,
          '--network',
          'host',
          '--tag',
          'localhost/bench/service:hand',
          dir
        ],
        inputs: { builder: 'docker', network: 'host' },
        version: `${engine.version}, ${(await engine.run(['buildx', 'version'])).stdout.trim()}`,
        describe: "buildx's docker driver"
      })
    }

    const results: { side: Side; timings: Timings }[] = []
    for (const side of sides) results.push({ side, timings: await measure(side, context, indexUrl, authenticated) })
    const fixed = podman ? await fixedCost(podman, context, indexUrl, authenticated) : undefined

    console.log(`docker-build-auth vs the same build by hand: ${RUNS} runs each, medians`)
    console.log('')
    console.log('| builder | variant | median ms | min ms | max ms |')
    console.log('| --- | --- | ---: | ---: | ---: |')
    const row = (builder: string, name: string, times: number[]): void =>
      console.log(
        `| ${builder} | ${name} | ${median(times).toFixed(0)} | ${Math.min(...times).toFixed(0)} | ${Math.max(...times).toFixed(0)} |`
      )
    for (const { side, timings } of results) {
      row(side.name, 'docker-build-auth (main step)', timings.action)
      row(side.name, `${side.name} ${side.byHand('<file>', '.').slice(0, 3).join(' ')} ... by hand`, timings.hand)
      row(side.name, 'docker-build-auth (post step)', timings.post)
    }
    if (fixed) {
      row('podman', 'docker-build-auth around a no-op podman', fixed[0] as number[])
      row('podman', 'the no-op podman by hand', fixed[1] as number[])
    }
    console.log('')
    for (const { side, timings } of results) {
      const a = median(timings.action)
      const h = median(timings.hand)
      const overhead = (a - h) / 1000
      console.log(
        `${side.name} (${side.version}; ${side.describe}): overhead (median action - median by hand) ${overhead.toFixed(3)} s; ratio ${(a / h).toFixed(2)}x; target <= 0.300 s: ${overhead <= 0.3 ? 'met' : 'NOT met'}`
      )
    }
    if (fixed)
      console.log(
        `fixed cost with a no-op builder (${RUNS * 2} runs each): ${((median(fixed[0] as number[]) - median(fixed[1] as number[])) / 1000).toFixed(3)} s`
      )
  } finally {
    await Promise.allSettled([pypi.stop(), ...scratch.map((dir) => rm(dir, { recursive: true, force: true }))])
    await Promise.allSettled([podman?.cleanup(), engine?.stop()])
  }
}

await main()
