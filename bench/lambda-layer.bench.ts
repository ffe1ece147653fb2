// lambda-layer (bundle, Node 24) against the seed script it replaces:
//   pip install --target python/ --platform manylinux2014_x86_64 --only-binary=:all: -r requirements.txt
//   zip -r -q layer.zip python
// on a realistic layer (boto3 with botocore, pydantic with its compiled core, for python3.11 on
// x86_64), from the local stack's index (pypiserver behind the CodeArtifact stand-in), the
// wheels repacked from .venv's installed copies. Runs alternate so machine noise hits both
// alike; every run of either starts with an empty pip cache (XDG_CACHE_HOME), so each downloads
// what it installs. Also reports the zip sizes and whether each side gives the same bytes twice.
//
//   node bench/lambda-layer.bench.ts [runs]   (Node 24: node_modules/.bin/node)
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { baseEnv, runBundledAction } from '../test/harness/action-runner.ts'
import { startStack } from '../test/stack/stack.ts'
import { makeWheelhouse } from '../test/stack/wheelhouse.ts'
import { median, row, timeProcess, type TimedRun } from './lib.ts'

const runs = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 5)
const REQUIREMENTS = 'boto3\npydantic\n'

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex')

const stack = await startStack()
try {
  const wheels = await makeWheelhouse(stack.pypiserver.packagesDir, ['boto3', 'pydantic'])
  const index = new URL(stack.indexUrl)
  index.username = 'aws'
  index.password = stack.token
  const handoff = {
    CODEARTIFACT_AUTH_TOKEN: stack.token,
    CODEARTIFACT_INDEX_URL: stack.indexUrl,
    CODEARTIFACT_REGISTRY_URL: stack.repositoryEndpoint
  }
  const work = mkdtempSync(join(tmpdir(), 'bench-layer-'))
  writeFileSync(join(work, 'requirements.txt'), REQUIREMENTS)

  const action = async (i: number): Promise<TimedRun & { zip: string }> => {
    const output = `action-${i}.zip`
    const started = process.hrtime.bigint()
    const result = await runBundledAction('lambda-layer', {
      inputs: { requirements: 'requirements.txt', 'python-version': '3.11', output },
      cwd: work,
      // A fresh, empty pip cache per run (the action drops PIP_* settings, so not PIP_NO_CACHE_DIR).
      env: { ...handoff, GITHUB_WORKSPACE: work, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'bench-layer-cache-')) },
      timeoutMs: 600_000
    })
    return {
      ms: Number(process.hrtime.bigint() - started) / 1e6,
      exitCode: result.exitCode,
      output: result.stdout + result.stderr,
      zip: join(work, output)
    }
  }
  const script = async (i: number): Promise<TimedRun & { zip: string }> => {
    const dir = join(work, `script-${i}`)
    const zip = join(work, `script-${i}.zip`)
    const timed = await timeProcess(
      'bash',
      [
        '-c',
        `set -e; pip install --quiet --disable-pip-version-check --target "$1/python" --platform manylinux2014_x86_64 --only-binary=:all: --python-version 3.11 -r requirements.txt; cd "$1"; zip -r -q "$2" python`,
        'seed',
        dir,
        zip
      ],
      {
        cwd: work,
        env: {
          ...baseEnv(),
          PIP_INDEX_URL: index.toString(),
          XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'bench-layer-cache-'))
        }
      }
    )
    return { ...timed, zip }
  }

  const times = { action: [] as number[], script: [] as number[] }
  const zips = { action: [] as string[], script: [] as string[] }
  for (let i = -1; i < runs; i++) {
    for (const [name, fn] of [
      ['action', action],
      ['script', script]
    ] as const) {
      const result = await fn(i)
      if (result.exitCode !== 0) throw new Error(`${name} failed:\n${result.output.slice(-3000)}`)
      if (i < 0) continue // warm-up
      times[name].push(result.ms)
      zips[name].push(result.zip)
    }
  }
  const describe = (name: 'action' | 'script'): string => {
    const hashes = new Set(zips[name].map(sha256))
    return `zip ${(statSync(zips[name][0] as string).size / 1048576).toFixed(1)} MB, ${hashes.size === 1 ? 'same sha256 every run' : `${hashes.size} different sha256 in ${zips[name].length} runs`}`
  }
  console.log(
    `${wheels} wheels on the index; layer of: ${REQUIREMENTS.trim().split('\n').join(', ')} for python3.11 x86_64`
  )
  console.log(row('lambda-layer (bundle)', times.action, describe('action')))
  console.log(row('seed script (pip --target + zip -r)', times.script, describe('script')))
  console.log(`ratio action/script (medians): ${(median(times.action) / median(times.script)).toFixed(2)}`)
  rmSync(work, { recursive: true, force: true })
} finally {
  await stack.stop()
}
