// What `check-build` costs: bump-version (bundle, Node 24) on projects whose version the build
// backend computes, with the backend asked (`check-build: true`) and not (`false`), runs
// alternating so machine noise hits both alike. `push: false`, as in bump-and-release's prepare
// job (where `auto` asks): the bump is written, checked, committed and tagged, then reset, so
// every run bumps the same version. The backends' isolated environments come from uv's cache
// (filled offline from a wheelhouse of .venv's copies, as a runner's uv cache would be after
// its first run); without uv on PATH, pypa/build fills them with pip, which costs more.
//
//   node bench/bump-version-check-build.bench.ts [runs]   (Node 24: node_modules/.bin/node)
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { makeWheelhouse } from '../test/stack/wheelhouse.ts'
import { median, row, timeProcess, type TimedRun } from './lib.ts'

const ROOT = new URL('..', import.meta.url).pathname
const NODE24 = join(ROOT, 'node_modules', '.bin', 'node')
const VENV_BIN = join(ROOT, '.venv', 'bin')
const BUNDLE = join(ROOT, 'actions', 'bump-version', 'dist', 'index.js')
const runs = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 15)
const WARMUP = 2

const PROJECTS: Record<string, Record<string, string>> = {
  'hatchling, [tool.hatch.version] path': {
    'pyproject.toml':
      '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "sample"\ndynamic = ["version"]\n\n[tool.hatch.version]\npath = "src/sample/__init__.py"\n',
    'src/sample/__init__.py': '__version__ = "1.0.0"\n'
  },
  'setuptools, setup.py VERSION constant': {
    'setup.py':
      "from setuptools import setup\n\nVERSION = '1.0.0'\n\nsetup(name='sample', version=VERSION, packages=['sample'])\n",
    'sample/__init__.py': "__version__ = '1.0.0'\n"
  }
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@example.com',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@example.com'
    }
  })
    .toString()
    .trim()
}

function sampleRepo(dir: string, files: Record<string, string>): { work: string; base: string } {
  const work = join(dir, 'work')
  git(dir, 'init', '--quiet', '--initial-branch=main', work)
  for (const [path, text] of Object.entries({ ...files, 'README.md': '# sample\n', '.gitignore': '*.egg-info/\n' })) {
    mkdirSync(dirname(join(work, path)), { recursive: true })
    writeFileSync(join(work, path), text)
  }
  git(work, 'add', '--all')
  git(work, 'commit', '--quiet', '-m', 'Initial commit')
  return { work, base: git(work, 'rev-parse', 'HEAD') }
}

const root = mkdtempSync(join(tmpdir(), 'bench-check-build-'))
try {
  const wheelhouse = join(root, 'wheelhouse')
  await makeWheelhouse(wheelhouse, ['hatchling', 'setuptools'])
  const env = {
    PATH: `${VENV_BIN}:${process.env['PATH']}`,
    HOME: process.env['HOME'] ?? root,
    GIT_CONFIG_NOSYSTEM: '1',
    UV_FIND_LINKS: wheelhouse,
    UV_OFFLINE: '1',
    UV_CACHE_DIR: join(root, 'uv-cache'),
    GITHUB_ACTIONS: 'true',
    INPUT_BUMP: 'patch',
    INPUT_PUSH: 'false'
  }
  console.log(
    `bump-version check-build: ${runs} runs each (after ${WARMUP} warm-up), alternating, Node ${execFileSync(NODE24, ['--version']).toString().trim()}, ${execFileSync(join(VENV_BIN, 'uv'), ['--version']).toString().trim()}`
  )
  for (const [index, [label, files]] of Object.entries(PROJECTS).entries()) {
    const dir = join(root, `project-${index}`)
    mkdirSync(dir)
    const { work, base } = sampleRepo(dir, files)
    const runnerFiles = join(dir, 'runner')
    mkdirSync(runnerFiles)
    const bump = async (check: 'true' | 'false'): Promise<TimedRun> => {
      const outputs = Object.fromEntries(
        ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY'].map((name) => [
          name,
          join(runnerFiles, name)
        ])
      )
      for (const file of Object.values(outputs)) writeFileSync(file, '')
      const run = await timeProcess(NODE24, [BUNDLE], {
        cwd: work,
        env: { ...env, ...outputs, RUNNER_TEMP: runnerFiles, 'INPUT_CHECK-BUILD': check }
      })
      if (run.exitCode !== 0) throw new Error(`check-build: ${check} failed on ${label}:\n${run.output.slice(-2000)}`)
      if (check === 'true' && !run.output.includes('The build backend builds 1.0.1'))
        throw new Error(`check-build: true did not ask the backend on ${label}:\n${run.output.slice(-2000)}`)
      // The same bump next time: drop the commit and the tag.
      git(work, 'reset', '--quiet', '--hard', base)
      git(work, 'tag', '-d', 'v1.0.1')
      return run
    }
    const times: Record<'on' | 'off', number[]> = { on: [], off: [] }
    for (let i = -WARMUP; i < runs; i++) {
      const order: ('on' | 'off')[] = i % 2 === 0 ? ['on', 'off'] : ['off', 'on']
      for (const which of order) {
        const run = await bump(which === 'on' ? 'true' : 'false')
        if (i >= 0) times[which].push(run.ms)
      }
    }
    console.log(`\n${label}`)
    console.log(row('check-build: true (backend asked)', times.on))
    console.log(row('check-build: false', times.off))
    console.log(`cost of the check (medians): ${(median(times.on) - median(times.off)).toFixed(0)} ms`)
  }
} finally {
  rmSync(root, { recursive: true, force: true })
}
