// bump-version against the same release done by hand: `uv version --bump patch`, `git commit
// -am`, `git tag -a`, `git push --atomic` (as a `run:` step would, in bash). Both work on
// identical sample repositories, each with its own bare origin (file://), so both pay for a real
// push; runs alternate between the two so machine noise hits both alike.
//
// The action does more per run than the hand path: it checks the tree is clean, that the tag is
// on neither side, that the remote has not moved, finds and cross-checks every version source,
// and writes outputs and a job summary. The target is to stay within 1.5x of the hand path.
//
// With `--origin git` both origins are served over TCP by `git daemon` on loopback (git://), a
// network protocol like a real remote's, instead of file:// paths.
//
//   node bench/bump-version.bench.ts [runs] [--origin file|git]      (Node 24: node_modules/.bin/node)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { median, row, timeProcess, type TimedRun, verdict } from './lib.ts'

const ROOT = new URL('..', import.meta.url).pathname
const NODE24 = join(ROOT, 'node_modules', '.bin', 'node')
const VENV_BIN = join(ROOT, '.venv', 'bin')
const BUNDLE = join(ROOT, 'actions', 'bump-version', 'dist', 'index.js')
const originArg = process.argv.indexOf('--origin')
const originKind = originArg > 0 ? process.argv[originArg + 1] : 'file'
const runs = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 25)
const WARMUP = 2

const PROJECT: Record<string, string> = {
  'pyproject.toml': '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "sample"\nversion = "1.0.0"\ndescription = "A sample library"\nrequires-python = ">=3.9"\n',
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

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, env: { ...process.env, ...IDENTITY }, stdio: 'ignore' })
}

/** A clone with the sample project on main, pushed to its own bare origin. */
function sampleRepo(root: string, name: string): string {
  const origin = join(root, `${name}-origin.git`)
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
  return work
}

const root = mkdtempSync(join(tmpdir(), 'bench-bump-'))
let daemon: ChildProcess | undefined
try {
  const actionRepo = sampleRepo(root, 'action')
  const handRepo = sampleRepo(root, 'hand')
  if (originKind === 'git') {
    const port = 20000 + Math.floor(Math.random() * 20000)
    daemon = spawn('git', ['daemon', '--reuseaddr', '--export-all', '--enable=receive-pack', `--base-path=${root}`, '--listen=127.0.0.1', `--port=${port}`, root], { stdio: 'ignore' })
    for (const [repo, name] of [[actionRepo, 'action'], [handRepo, 'hand']] as const) git(repo, 'remote', 'set-url', 'origin', `git://127.0.0.1:${port}/${name}-origin.git`)
    // Wait until the daemon answers.
    for (let attempt = 0; ; attempt++) {
      try {
        execFileSync('git', ['ls-remote', 'origin'], { cwd: actionRepo, stdio: 'ignore' })
        break
      } catch (error) {
        if (attempt > 50) throw error
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  }
  const runnerFiles = join(root, 'runner')
  mkdirSync(runnerFiles)

  // The action, exactly as the runner starts it: Node 24, INPUT_* and the runner's files.
  const actionRun = (): Promise<TimedRun> => {
    const files = Object.fromEntries(['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY'].map(name => [name, join(runnerFiles, name)]))
    for (const file of Object.values(files)) writeFileSync(file, '')
    return timeProcess(NODE24, [BUNDLE], {
      cwd: actionRepo,
      env: { ...BASE_ENV, ...files, RUNNER_TEMP: runnerFiles, GITHUB_ACTIONS: 'true', INPUT_BUMP: 'patch' }
    })
  }

  // By hand, the way a `run:` step does it. --frozen: uv edits pyproject.toml without locking
  // and syncing an environment (which needs an index and takes seconds), the fastest hand path.
  const script = join(root, 'by-hand.sh')
  writeFileSync(
    script,
    [
      'set -euo pipefail',
      'new=$(uv version --bump patch --frozen --short)',
      'git commit -q -am "Bump version to $new"',
      'git tag -a -m "Release $new" "v$new"',
      'git push -q --atomic origin HEAD:refs/heads/main "refs/tags/v$new"',
      ''
    ].join('\n')
  )
  const handRun = (): Promise<TimedRun> => timeProcess('bash', [script], { cwd: handRepo, env: { ...BASE_ENV, ...IDENTITY } })

  // A single `uv version --bump patch --frozen` edit alone, for scale.
  const uvOnly = join(root, 'uv-only')
  mkdirSync(uvOnly)
  writeFileSync(join(uvOnly, 'pyproject.toml'), PROJECT['pyproject.toml'])
  const uvRun = (): Promise<TimedRun> => timeProcess(join(VENV_BIN, 'uv'), ['version', '--bump', 'patch', '--frozen', '--short'], { cwd: uvOnly, env: BASE_ENV })

  // What any JavaScript action pays before its first line runs, for reading the gap.
  const nodeRun = (): Promise<TimedRun> => timeProcess(NODE24, ['-e', '0'], { env: BASE_ENV })

  const check = (label: string, run: TimedRun): TimedRun => {
    if (run.exitCode !== 0) throw new Error(`${label} failed (exit ${run.exitCode}):\n${run.output.slice(-2000)}`)
    return run
  }
  const times = { action: [] as number[], hand: [] as number[], uv: [] as number[], node: [] as number[] }
  for (let i = -WARMUP; i < runs; i++) {
    // Alternate which goes first, so neither always runs on a warmer cache.
    const order = i % 2 === 0 ? (['action', 'hand'] as const) : (['hand', 'action'] as const)
    for (const which of order) {
      const run = check(which, await (which === 'action' ? actionRun() : handRun()))
      if (i >= 0) times[which].push(run.ms)
    }
    const uv = check('uv', await uvRun())
    const node = check('node', await nodeRun())
    if (i >= 0) {
      times.uv.push(uv.ms)
      times.node.push(node.ms)
    }
  }

  // Both origins must have got every release: same count of commits and tags.
  const count = (repo: string, ...args: string[]): string => execFileSync('git', args, { cwd: repo }).toString().trim().split('\n').length.toString()
  const releases = runs + WARMUP
  for (const [name, repo] of [['action', actionRepo], ['hand', handRepo]] as const) {
    const commits = count(repo, 'rev-list', 'origin/main')
    const tags = count(repo, 'ls-remote', '--tags', 'origin')
    if (commits !== String(releases + 1)) throw new Error(`${name}: origin has ${commits} commits, expected ${releases + 1}`)
    if (Number(tags) < releases) throw new Error(`${name}: origin has ${tags} tag refs, expected at least ${releases}`)
  }

  const ratio = median(times.action) / median(times.hand)
  console.log(`bump-version: ${runs} runs each (after ${WARMUP} warm-up), alternating, ${originKind}:// origins, Node ${execFileSync(NODE24, ['--version']).toString().trim()}, ${execFileSync(join(VENV_BIN, 'uv'), ['--version']).toString().trim()}`)
  console.log(row('action: bump + commit + tag + push (bundle)', times.action))
  console.log(row('by hand: uv version + git commit/tag/push', times.hand))
  console.log(row('  (uv version --bump patch --frozen alone)', times.uv))
  console.log(row('  (Node 24 start and exit: node -e 0)', times.node))
  console.log(`ratio action / by hand (medians): ${ratio.toFixed(2)}x`)
  console.log(`action minus Node start vs by hand: ${((median(times.action) - median(times.node)) / median(times.hand)).toFixed(2)}x (${(median(times.action) - median(times.hand)).toFixed(1)} ms more per bump)`)
  console.log(verdict(ratio <= 1.5, 'within 1.5x of the hand path'))
} finally {
  daemon?.kill()
  rmSync(root, { recursive: true, force: true })
}
