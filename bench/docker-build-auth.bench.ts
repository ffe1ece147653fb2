// Benchmark: what docker-build-auth costs on top of the build it runs.
//
// Peer: the same `podman build --secret id=pip_index_url,src=<0600 file>` typed by hand (the
// secret file written and removed around it), on the same context, same podman configuration.
// The action's side is its committed bundle run the way the runner runs it (Node 24, INPUT_*
// variables, the runner's file commands): process start, input parsing, builder detection,
// secret file, build, outputs, job summary. Its post step is timed apart.
//
// Each run changes a file the Dockerfile copies before its RUN step, so every build really runs
// that step: it reads the mounted secret and fetches the private wheel from a local pypiserver.
// The two sides alternate, after one warm-up each, and the medians are compared.
//
//   node_modules/.bin/node bench/docker-build-auth.bench.ts [--runs N]     (default 10)
//
// Needs the system packages of scripts/install-system.sh and the .venv of scripts/setup-python.sh.
import { spawn } from 'node:child_process'
import { copyFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ROOT } from '../test/harness/action-runner.ts'
import { startPypiServer } from '../test/stack/pypiserver.ts'
import { type Podman, run, setupPodman } from '../test/harness/containers.ts'
import { median } from './lib.ts'
import { inputEnv } from '../test/harness/inputs.ts'
import { buildWheel } from '../test/stack/tools.ts'

const runsArg = process.argv.indexOf('--runs')
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10
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
async function runnerJob(podman: Podman, workspace: string, inputs: Record<string, string>): Promise<Job> {
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
    ...podman.env
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

async function main(): Promise<void> {
  const [podman, wheel, pypi] = await Promise.all([
    setupPodman(),
    buildExampleWheel(),
    startPypiServer({ users: [{ user: 'aws', password: TOKEN }] })
  ])
  const context = await mkdtemp(join(tmpdir(), 'bench-context-'))
  const scratch = [context, dirname(wheel)]
  try {
    await copyFile(wheel, join(pypi.packagesDir, WHEEL))
    await cp(join(ROOT, 'test', 'fixtures', 'docker', 'service'), context, { recursive: true })
    const indexUrl = `${pypi.url}/simple/`
    const authenticated = new URL(indexUrl)
    authenticated.username = 'aws'
    authenticated.password = encodeURIComponent(TOKEN)
    let nonce = 0
    const bust = (): Promise<void> => writeFile(join(context, 'requirements.txt'), `acme-widgets\n# run ${++nonce}\n`)

    const byHand = async (): Promise<number> => {
      await bust()
      const started = performance.now()
      const dir = await mkdtemp(join(tmpdir(), 'by-hand-'))
      const secret = join(dir, 'pip_index_url')
      await writeFile(secret, authenticated.toString(), { mode: 0o600 })
      await timed(
        'podman',
        ['build', '--secret', `id=pip_index_url,src=${secret}`, '--tag', 'localhost/bench/service:hand', context],
        {
          ...(process.env as Record<string, string>),
          ...podman.env
        }
      )
      await rm(dir, { recursive: true, force: true })
      return performance.now() - started
    }

    const postTimes: number[] = []
    const action = async (): Promise<number> => {
      await bust()
      const job = await runnerJob(podman, context, {
        context,
        tags: 'localhost/bench/service:action',
        'index-url': indexUrl,
        'index-username': 'aws',
        'index-password': TOKEN
      })
      const elapsed = await timed(NODE24, [BUNDLE], job.env, job.dir)
      // The post step: the runner hands the saved state back as STATE_<name>.
      const state = await readFile(job.env['GITHUB_STATE'] as string, 'utf8')
      const stateEnv: Record<string, string> = {}
      for (const match of state.matchAll(/^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm))
        stateEnv[`STATE_${match[1]}`] = match[3] as string
      postTimes.push(await timed(NODE24, [BUNDLE], { ...job.env, ...stateEnv }, job.dir))
      await rm(job.dir, { recursive: true, force: true })
      return elapsed
    }

    process.stderr.write(`warming up (one run each), then ${RUNS} runs each, alternating...\n`)
    await action()
    await byHand()
    postTimes.length = 0
    const actionTimes: number[] = []
    const handTimes: number[] = []
    for (let i = 0; i < RUNS; i++) {
      // Alternate which side goes first, so neither always follows the other.
      if (i % 2 === 0) {
        actionTimes.push(await action())
        handTimes.push(await byHand())
      } else {
        handTimes.push(await byHand())
        actionTimes.push(await action())
      }
      process.stderr.write(
        `  run ${i + 1}/${RUNS}: action ${(actionTimes.at(-1) as number).toFixed(0)} ms, by hand ${(handTimes.at(-1) as number).toFixed(0)} ms\n`
      )
    }

    // The fixed cost alone, without the build's own variance: the same two sides around a
    // stand-in podman that only writes the image id, so what remains is the action's own work
    // (process start, inputs, builder detection, secret file, outputs, summary).
    const noop = await noopPodman()
    scratch.push(noop)
    const noopEnv = { PATH: `${noop}:${process.env['PATH']}` }
    const noopAction: number[] = []
    const noopHand: number[] = []
    for (let i = 0; i < RUNS * 2; i++) {
      const job = await runnerJob(podman, context, {
        context,
        'index-url': indexUrl,
        'index-username': 'aws',
        'index-password': TOKEN
      })
      noopAction.push(await timed(NODE24, [BUNDLE], { ...job.env, ...noopEnv }, job.dir))
      await rm(job.dir, { recursive: true, force: true })
      const dir = await mkdtemp(join(tmpdir(), 'by-hand-'))
      const started = performance.now()
      await writeFile(join(dir, 'pip_index_url'), authenticated.toString(), { mode: 0o600 })
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

    const a = median(actionTimes)
    const h = median(handTimes)
    const version = (await run('podman', ['--version'])).stdout.trim()
    const rows = [
      ['docker-build-auth (main step)', a, Math.min(...actionTimes), Math.max(...actionTimes)],
      ['podman build --secret, by hand', h, Math.min(...handTimes), Math.max(...handTimes)],
      ['docker-build-auth (post step)', median(postTimes), Math.min(...postTimes), Math.max(...postTimes)],
      ['docker-build-auth around a no-op podman', median(noopAction), Math.min(...noopAction), Math.max(...noopAction)],
      ['the no-op podman by hand', median(noopHand), Math.min(...noopHand), Math.max(...noopHand)]
    ] as const
    console.log(
      `docker-build-auth vs podman build by hand: ${RUNS} runs each, ${version}, vfs storage, chroot isolation`
    )
    console.log('')
    console.log('| variant | median ms | min ms | max ms |')
    console.log('| --- | ---: | ---: | ---: |')
    for (const [name, med, min, max] of rows)
      console.log(`| ${name} | ${med.toFixed(0)} | ${min.toFixed(0)} | ${max.toFixed(0)} |`)
    console.log('')
    const overhead = (a - h) / 1000
    console.log(
      `overhead (median action - median by hand): ${overhead.toFixed(3)} s; ratio ${(a / h).toFixed(2)}x; target <= 0.300 s: ${overhead <= 0.3 ? 'met' : 'NOT met'}`
    )
    console.log(
      `fixed cost with a no-op builder (${RUNS * 2} runs each): ${((median(noopAction) - median(noopHand)) / 1000).toFixed(3)} s`
    )
  } finally {
    await Promise.allSettled([pypi.stop(), ...scratch.map((dir) => rm(dir, { recursive: true, force: true }))])
    await podman.cleanup()
  }
}

await main()
