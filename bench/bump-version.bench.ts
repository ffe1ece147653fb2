// bump-version against the same release done by hand: `uv version --bump patch`, `git commit
// -am`, `git tag -a`, `git push --atomic` (as a `run:` step would, in bash). Each contender works
// on an identical sample repository with its own bare origin, so each pays for a real push, and
// runs alternate between them so machine noise hits all alike.
//
// The action does more per run than the hand path: it checks the tree is clean and that the tag
// is not taken, finds and cross-checks every version source, and writes outputs and a job
// summary. The target is to stay within 1.5x of the hand path; the verdict is printed per origin.
// Against loopback origins even the floor below is 1.3-1.9x, since Node's start alone costs about
// three uv runs, so only origins as slow as real remotes can show the target met.
//
// The origin decides much of the ratio, because the push is most of the hand path's time, so the
// bench measures several kinds, each served on this machine:
//   file     a file:// path: no network at all, the cheapest push there is;
//   git      the git:// protocol through `git daemon` on loopback;
//   http     git's smart HTTP protocol through `git http-backend` on loopback (how runners reach
//            GitHub, minus TLS and the distance);
//   http@N   the same with N ms added to each request: a model of a remote that far away (a push
//            is two requests), since the real one (GitHub) cannot be reached from here.
// Two more contenders give scale. bench/bump-version-floor.mjs is the least a Node action can do
// (Node starts and runs the same three git commands, nothing else): the gap between it and the
// hand path is Node's, the gap between the action and it is the action's. And the hand path with
// `uv version --bump patch` exactly as the issue names it, without --frozen: uv then also locks
// and syncs the project's .venv (offline, from a wheelhouse of .venv's hatchling and editables).
//
//   node bench/bump-version.bench.ts [runs] [--origin file,git,http,http@20,http@50]
//   (Node 24: node_modules/.bin/node)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { type GitHttpServer, startGitHttpServer } from '../test/harness/git-http-server.ts'
import { makeWheelhouse } from '../test/stack/wheelhouse.ts'
import { median, row, timeProcess, type TimedRun, verdict } from './lib.ts'

const ROOT = new URL('..', import.meta.url).pathname
const NODE24 = join(ROOT, 'node_modules', '.bin', 'node')
const VENV_BIN = join(ROOT, '.venv', 'bin')
const BUNDLE = join(ROOT, 'actions', 'bump-version', 'dist', 'index.js')
const FLOOR = join(ROOT, 'bench', 'bump-version-floor.mjs')
interface OriginKind {
  /** How it is served. */
  protocol: 'file' | 'git' | 'http'
  /** Added to each HTTP request (http only). */
  delayMs: number
  label: string
}
const originArg = process.argv.indexOf('--origin')
const origins: OriginKind[] = (originArg > 0 ? process.argv[originArg + 1] : 'file,git,http,http@20,http@50')
  .split(',')
  .map((spec) => {
    const match = /^(file|git|http)(?:@(\d+))?$/.exec(spec)
    if (!match || (match[2] !== undefined && match[1] !== 'http'))
      throw new Error(`--origin: "${spec}" is not file, git, http or http@<ms>`)
    const delayMs = Number(match[2] ?? 0)
    return {
      protocol: match[1] as OriginKind['protocol'],
      delayMs,
      label: delayMs ? `http:// + ${delayMs} ms per request (model)` : `${match[1]}://`
    }
  })
const runs = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 25)
const WARMUP = 2

const PROJECT: Record<string, string> = {
  'pyproject.toml':
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "sample"\nversion = "1.0.0"\ndescription = "A sample library"\nrequires-python = ">=3.9"\n',
  'README.md': '# sample\n',
  'src/sample/__init__.py': '"""A sample library."""\n',
  '.gitignore': 'dist/\n.venv/\nuv.lock\n'
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'github-actions[bot]',
  GIT_AUTHOR_EMAIL: '41898282+github-actions[bot]@users.noreply.github.com',
  GIT_COMMITTER_NAME: 'github-actions[bot]',
  GIT_COMMITTER_EMAIL: '41898282+github-actions[bot]@users.noreply.github.com'
}
const BASE_ENV = { PATH: `${VENV_BIN}:${process.env['PATH']}`, HOME: process.env['HOME'], GIT_CONFIG_NOSYSTEM: '1' }
const CONTENDERS = ['action', 'hand', 'floor', 'synced'] as const
type Contender = (typeof CONTENDERS)[number]

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, env: { ...process.env, ...IDENTITY }, stdio: 'ignore' })
}

/** A clone with the sample project on main, pushed to its own bare origin `<name>.git` in `root`. */
function sampleRepo(root: string, name: string): { work: string; origin: string } {
  const origin = join(root, `${name}.git`)
  const work = join(root, name)
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', origin)
  git(root, 'init', '--quiet', '--initial-branch=main', work)
  for (const [path, text] of Object.entries(PROJECT)) {
    mkdirSync(dirname(join(work, path)), { recursive: true })
    writeFileSync(join(work, path), text)
  }
  git(work, 'add', '--all')
  git(work, 'commit', '--quiet', '-m', 'Initial commit')
  git(work, 'remote', 'add', 'origin', `file://${origin}`)
  git(work, 'push', '--quiet', '--set-upstream', 'origin', 'main')
  return { work, origin }
}

/** Serves `root`'s bare repositories the `kind` way; returns the base URL and how to stop. */
async function serveOrigins(kind: OriginKind, root: string): Promise<{ base: string; stop: () => Promise<void> }> {
  if (kind.protocol === 'file') return { base: `file://${root}`, stop: async () => undefined }
  if (kind.protocol === 'http') {
    const server: GitHttpServer = await startGitHttpServer(root, { delayMs: kind.delayMs })
    return { base: server.url, stop: () => server.close() }
  }
  const port = 20000 + Math.floor(Math.random() * 20000)
  const daemon: ChildProcess = spawn(
    'git',
    [
      'daemon',
      '--reuseaddr',
      '--export-all',
      '--enable=receive-pack',
      `--base-path=${root}`,
      '--listen=127.0.0.1',
      `--port=${port}`,
      root
    ],
    { stdio: 'ignore' }
  )
  return {
    base: `git://127.0.0.1:${port}`,
    stop: async () => {
      daemon.kill()
    }
  }
}

/** Waits until the origin answers (a daemon takes a moment to listen). */
async function waitForOrigin(work: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const answered = await timeProcess('git', ['ls-remote', 'origin'], { cwd: work })
    if (answered.exitCode === 0) return
    if (attempt > 50) throw new Error(`the origin of ${work} does not answer: ${answered.output}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

interface OriginResult {
  kind: OriginKind
  times: Record<Contender | 'uv' | 'node', number[]>
}

async function benchOrigin(kind: OriginKind, root: string, index: number): Promise<OriginResult> {
  const dir = join(root, `origin-${index}`)
  mkdirSync(dir)
  const repos = Object.fromEntries(CONTENDERS.map((name) => [name, sampleRepo(dir, name)])) as Record<
    Contender,
    { work: string; origin: string }
  >
  const served = await serveOrigins(kind, dir)
  try {
    for (const name of CONTENDERS) {
      git(repos[name].work, 'remote', 'set-url', 'origin', `${served.base}/${name}.git`)
      await waitForOrigin(repos[name].work)
    }
    const runnerFiles = join(dir, 'runner')
    mkdirSync(runnerFiles)

    const start: Record<Contender, () => Promise<TimedRun>> = {
      // The action, exactly as the runner starts it: Node 24, INPUT_* and the runner's files.
      action: () => {
        const files = Object.fromEntries(
          ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY'].map((name) => [
            name,
            join(runnerFiles, name)
          ])
        )
        for (const file of Object.values(files)) writeFileSync(file, '')
        return timeProcess(NODE24, [BUNDLE], {
          cwd: repos.action.work,
          env: { ...BASE_ENV, ...files, RUNNER_TEMP: runnerFiles, GITHUB_ACTIONS: 'true', INPUT_BUMP: 'patch' }
        })
      },
      // By hand, the way a `run:` step does it. --frozen: uv edits pyproject.toml without locking
      // and syncing an environment (which needs an index and takes seconds), the fastest hand path.
      hand: () => timeProcess('bash', [handScript], { cwd: repos.hand.work, env: { ...BASE_ENV, ...IDENTITY } }),
      floor: () => timeProcess(NODE24, [FLOOR], { cwd: repos.floor.work, env: { ...BASE_ENV, ...IDENTITY } }),
      synced: () =>
        timeProcess('bash', [syncedScript], {
          cwd: repos.synced.work,
          env: { ...BASE_ENV, ...IDENTITY, ...UV_OFFLINE }
        })
    }
    // A single `uv version --bump patch --frozen` edit alone, and Node's own start, for scale.
    const uvOnly = join(dir, 'uv-only')
    mkdirSync(uvOnly)
    writeFileSync(join(uvOnly, 'pyproject.toml'), PROJECT['pyproject.toml'])
    const uvRun = (): Promise<TimedRun> =>
      timeProcess(join(VENV_BIN, 'uv'), ['version', '--bump', 'patch', '--frozen', '--short'], {
        cwd: uvOnly,
        env: BASE_ENV
      })
    const nodeRun = (): Promise<TimedRun> => timeProcess(NODE24, ['-e', '0'], { env: BASE_ENV })

    const check = (label: string, run: TimedRun): TimedRun => {
      if (run.exitCode !== 0)
        throw new Error(`${label} (${kind.label}) failed (exit ${run.exitCode}):\n${run.output.slice(-2000)}`)
      return run
    }
    const times: OriginResult['times'] = { action: [], hand: [], floor: [], synced: [], uv: [], node: [] }
    for (let i = -WARMUP; i < runs; i++) {
      // Rotate which goes first, so none always runs on a warmer cache.
      const order = CONTENDERS.map((_, k) => CONTENDERS[(k + i + WARMUP) % CONTENDERS.length])
      for (const name of order) {
        const run = check(name, await start[name]())
        if (i >= 0) times[name].push(run.ms)
      }
      const uv = check('uv', await uvRun())
      const node = check('node', await nodeRun())
      if (i >= 0) {
        times.uv.push(uv.ms)
        times.node.push(node.ms)
      }
    }

    // Every origin must have got every release: the same count of commits and tags.
    const releases = runs + WARMUP
    for (const name of CONTENDERS) {
      const count = (...args: string[]): number =>
        execFileSync('git', args, { cwd: repos[name].origin }).toString().trim().split('\n').length
      const commits = count('rev-list', 'main')
      const tags = count('tag', '--list')
      if (commits !== releases + 1)
        throw new Error(`${name} (${kind.label}): origin has ${commits} commits, expected ${releases + 1}`)
      if (tags !== releases) throw new Error(`${name} (${kind.label}): origin has ${tags} tags, expected ${releases}`)
    }
    return { kind, times }
  } finally {
    await served.stop()
  }
}

const root = mkdtempSync(join(tmpdir(), 'bench-bump-'))
const handScript = join(root, 'by-hand.sh')
const syncedScript = join(root, 'by-hand-synced.sh')
const byHand = (uvArgs: string): string =>
  [
    'set -euo pipefail',
    `new=$(uv version --bump patch ${uvArgs})`,
    'git commit -q -am "Bump version to $new"',
    'git tag -a -m "Release $new" "v$new"',
    'git push -q --atomic origin HEAD:refs/heads/main "refs/tags/v$new"',
    ''
  ].join('\n')
writeFileSync(handScript, byHand('--frozen --short'))
writeFileSync(syncedScript, byHand('--short'))
// Offline, uv locks and syncs against a wheelhouse holding the sample's build backend.
const wheelhouse = join(root, 'wheelhouse')
await makeWheelhouse(wheelhouse, ['hatchling', 'editables'])
const UV_OFFLINE = {
  UV_FIND_LINKS: wheelhouse,
  UV_OFFLINE: '1',
  UV_PYTHON: join(VENV_BIN, 'python'),
  UV_CACHE_DIR: join(root, 'uv-cache')
}
try {
  const results: OriginResult[] = []
  for (const [index, kind] of origins.entries()) results.push(await benchOrigin(kind, root, index))

  console.log(
    `bump-version: ${runs} runs each (after ${WARMUP} warm-up), alternating, Node ${execFileSync(NODE24, ['--version']).toString().trim()}, ${execFileSync(join(VENV_BIN, 'uv'), ['--version']).toString().trim()}`
  )
  for (const { kind, times } of results) {
    console.log(`\n${kind.label} origins`)
    console.log(row('action: bump + commit + tag + push (bundle)', times.action))
    console.log(row('by hand: uv version + git commit/tag/push', times.hand))
    console.log(row('floor: Node + the same 3 git commands', times.floor))
    console.log(row('  (by hand with uv locking and syncing)', times.synced))
    console.log(row('  (uv version --bump patch --frozen alone)', times.uv))
    console.log(row('  (Node 24 start and exit: node -e 0)', times.node))
    const ratio = median(times.action) / median(times.hand)
    console.log(
      `ratio action / by hand (medians): ${ratio.toFixed(2)}x; floor / by hand: ${(median(times.floor) / median(times.hand)).toFixed(2)}x; action - floor: ${(median(times.action) - median(times.floor)).toFixed(1)} ms`
    )
    console.log(verdict(ratio <= 1.5, `within 1.5x of the hand path (${kind.label})`))
  }
} finally {
  rmSync(root, { recursive: true, force: true })
}
