// Benchmark: publish-python against the release script it replaces, on one local stack.
//
//   node_modules/.bin/node bench/publish-python.bench.ts        (Node 24; BENCH_RUNS=5 by default)
//
// Both sides publish the same small hatchling library, a fresh version per run, to CodeArtifact
// (the loopback fixture in front of pypiserver) with the same ambient AWS session:
//
//   action  the bundled action as the runner runs it, with its defaults: an isolated build
//           (uv build), twine check --strict, the version gate against the tag, the sha256
//           comparison with the index, twine upload, and verify: index (ListPackageVersions).
//           It also fetches the CodeArtifact token itself (GetAuthorizationToken +
//           GetRepositoryEndpoint), which the script is handed for free.
//   script  the seeds' steps: a fresh venv, `pip install build twine`, `python -m build`,
//           `twine check --strict dist/*`, `twine upload dist/*`, and
//           `aws codeartifact list-package-versions` (.venv/bin/aws, --endpoint-url the fixture).
//
// No internet here, so both install from one local wheelhouse: the pinned tools' installed
// distributions in .venv repacked as wheels (build, twine, hatchling and their dependencies,
// closure computed from their metadata). pip gets it as --no-index --find-links (also inside
// `python -m build`'s isolated environment, via PIP_NO_INDEX / PIP_FIND_LINKS); uv gets it as
// UV_FIND_LINKS with UV_OFFLINE=1 for the action's isolated builds (its cache is warm after
// the first run, as it is on a runner that restores setup-uv's cache).
//
// Variant "action, bare python": the interpreter has neither build nor twine (pyenv's base
// Python), so the action runs twine through `uv tool run --from twine==7.0.0` (offline, warm
// uv cache): the case of a runner with only setup-python and setup-uv.
//
// Then the scale curve: 1, 5 and 20 packages in one call (isolated builds, and again with
// build-isolation: false).
import { existsSync, realpathSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, VENV_BIN, baseEnv, runBundledAction } from '../test/harness/action-runner.ts'
import { type AmbientCredentials, type Stack, startStack } from '../test/stack/stack.ts'
import { makeWheelhouse } from '../test/stack/wheelhouse.ts'
import { runOrThrow } from '../test/harness/process.ts'
import { median } from './lib.ts'

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5)
const SCALE_RUNS = Number(process.env['BENCH_SCALE_RUNS'] ?? 3)
const PYTHON = join(VENV_BIN, 'python')
const BARE_PYTHON = process.env['BENCH_BARE_PYTHON'] ?? '/root/.pyenv/versions/3.11.7/bin/python3'

interface Timed {
  ms: number
  phases: Record<string, number>
}

function must(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {}
): Promise<string> {
  return runOrThrow(command, args, { cwd: options.cwd, env: { ...baseEnv(), ...options.env } })
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`

/** A tiny hatchling library `name` (module name with underscores) at `version`. */
async function writeProject(dir: string, name: string, version: string): Promise<void> {
  const module = name.replace(/-/g, '_')
  await mkdir(join(dir, 'src', module), { recursive: true })
  await writeFile(
    join(dir, 'pyproject.toml'),
    `[build-system]\nrequires = ["hatchling>=1.26"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "${name}"\nversion = "${version}"\ndescription = "Benchmark library"\nreadme = "README.md"\nrequires-python = ">=3.9"\n\n[tool.hatch.build.targets.wheel]\npackages = ["src/${module}"]\n`
  )
  await writeFile(join(dir, 'README.md'), `# ${name}\n\nA small library for the publish-python benchmark.\n`)
  await writeFile(join(dir, 'src', module, '__init__.py'), `def hello() -> str:\n    return "hello from ${name}"\n`)
}

async function setVersion(dir: string, version: string): Promise<void> {
  const path = join(dir, 'pyproject.toml')
  await writeFile(path, (await readFile(path, 'utf8')).replace(/^version = "[^"]*"/m, `version = "${version}"`))
}

interface Context {
  stack: Stack
  credentials: AmbientCredentials
  wheelhouse: string
  work: string
}

function actionEnv(ctx: Context, version: string): Record<string, string> {
  return {
    ...ctx.stack.env,
    ...ctx.credentials,
    AWS_REGION: ctx.stack.region,
    GITHUB_REF: `refs/tags/v${version}`,
    // The projects live in temp directories, which stand for the checkout.
    GITHUB_WORKSPACE: realpathSync(tmpdir()),
    UV_FIND_LINKS: ctx.wheelhouse,
    UV_OFFLINE: '1'
  }
}

async function runAction(
  ctx: Context,
  projectRoot: string,
  packages: string[],
  version: string,
  extra: Record<string, string> = {}
): Promise<number> {
  const started = performance.now()
  const result = await runBundledAction('publish-python', {
    inputs: {
      'working-directory': projectRoot,
      packages: packages.join('\n'),
      domain: ctx.stack.domain,
      'domain-owner': ctx.stack.domainOwner,
      repository: ctx.stack.repository,
      ...extra
    },
    env: actionEnv(ctx, version),
    timeoutMs: 600_000
  })
  const ms = performance.now() - started
  if (result.exitCode !== 0)
    throw new Error(`action failed:\n${result.errors.join('\n')}\n${result.stdout.slice(-4000)}`)
  const uploaded = JSON.parse(result.outputs['uploaded'] ?? '[]') as string[]
  if (uploaded.length !== packages.length * 2)
    throw new Error(`expected ${packages.length * 2} uploads, got ${uploaded.length}`)
  return ms
}

async function runScript(ctx: Context, project: string, name: string): Promise<Timed> {
  const phases: Record<string, number> = {}
  const step = async (
    label: string,
    command: string,
    args: string[],
    env: Record<string, string> = {}
  ): Promise<void> => {
    const started = performance.now()
    await must(command, args, { cwd: project, env })
    phases[label] = performance.now() - started
  }
  const venv = join(await mkdtemp(join(ctx.work, 'seed-')), 'venv')
  const pipEnv = { PIP_NO_INDEX: '1', PIP_FIND_LINKS: ctx.wheelhouse, PIP_DISABLE_PIP_VERSION_CHECK: '1' }
  const started = performance.now()
  await step('venv', PYTHON, ['-m', 'venv', venv])
  await step('pip install build twine', join(venv, 'bin', 'pip'), ['install', '--quiet', 'build', 'twine'], pipEnv)
  await step('python -m build', join(venv, 'bin', 'python'), ['-m', 'build', '--outdir', 'dist', '.'], pipEnv)
  const dists = ['dist/*.whl', 'dist/*.tar.gz']
  const files = (await must('sh', ['-c', `ls ${dists.join(' ')}`], { cwd: project })).trim().split('\n')
  await step('twine check', join(venv, 'bin', 'twine'), ['check', '--strict', ...files])
  await step(
    'twine upload',
    join(venv, 'bin', 'twine'),
    ['upload', '--non-interactive', '--disable-progress-bar', ...files],
    {
      TWINE_REPOSITORY_URL: ctx.stack.uploadUrl,
      TWINE_USERNAME: 'aws',
      TWINE_PASSWORD: ctx.stack.token
    }
  )
  await step(
    'aws codeartifact list-package-versions',
    join(VENV_BIN, 'aws'),
    [
      'codeartifact',
      'list-package-versions',
      '--endpoint-url',
      ctx.stack.env.AWS_ENDPOINT_URL_CODEARTIFACT,
      '--region',
      ctx.stack.region,
      '--domain',
      ctx.stack.domain,
      '--domain-owner',
      ctx.stack.domainOwner,
      '--repository',
      ctx.stack.repository,
      '--format',
      'pypi',
      '--package',
      name
    ],
    { ...ctx.credentials }
  )
  return { ms: performance.now() - started, phases }
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'actions', 'publish-python', 'dist', 'index.js')))
    throw new Error('build the bundle first: node scripts/build.mjs publish-python')
  const work = await mkdtemp(join(tmpdir(), 'bench-publish-'))
  const stack = await startStack()
  try {
    const wheelhouse = join(work, 'wheelhouse')
    const [credentials] = await Promise.all([
      stack.ambientCredentials(),
      makeWheelhouse(wheelhouse, ['build', 'twine', 'hatchling', 'pip', 'setuptools'])
    ])
    const ctx: Context = { stack, credentials, wheelhouse, work }
    console.log(
      `stack up in ${stack.startupMs} ms; wheelhouse ${wheelhouse}; ${RUNS} runs each, ${SCALE_RUNS} per scale point; Node ${process.version}`
    )

    // One library for the side-by-side; a fresh version per run for every contestant.
    const lib = join(work, 'acme-bench')
    await writeProject(lib, 'acme-bench', '0.0.0')
    const bareLib = join(work, 'acme-bench-bare')
    await writeProject(bareLib, 'acme-bench-bare', '0.0.0')
    const scriptLib = join(work, 'acme-bench-script')
    await writeProject(scriptLib, 'acme-bench-script', '0.0.0')
    const hasBare = existsSync(BARE_PYTHON)

    // A warm-up of each, not counted: first imports, uv's cache, the page cache.
    await setVersion(lib, '0.0.1')
    await runAction(ctx, lib, ['.'], '0.0.1')
    if (hasBare) {
      await setVersion(bareLib, '0.0.1')
      await runAction(ctx, bareLib, ['.'], '0.0.1', { python: BARE_PYTHON })
    }
    await setVersion(scriptLib, '0.0.1')
    await rm(join(scriptLib, 'dist'), { recursive: true, force: true })
    await runScript(ctx, scriptLib, 'acme-bench-script')

    const action: number[] = []
    const bare: number[] = []
    const script: Timed[] = []
    for (let i = 0; i < RUNS; i++) {
      const version = `1.0.${i}`
      await setVersion(lib, version)
      action.push(await runAction(ctx, lib, ['.'], version))
      if (hasBare) {
        await setVersion(bareLib, version)
        bare.push(await runAction(ctx, bareLib, ['.'], version, { python: BARE_PYTHON }))
      }
      await setVersion(scriptLib, version)
      await rm(join(scriptLib, 'dist'), { recursive: true, force: true })
      script.push(await runScript(ctx, scriptLib, 'acme-bench-script'))
      process.stdout.write(
        `  run ${i + 1}/${RUNS}: action ${seconds(action.at(-1) as number)}${hasBare ? `, action (bare python) ${seconds(bare.at(-1) as number)}` : ''}, script ${seconds((script.at(-1) as Timed).ms)}\n`
      )
    }
    const actionMedian = median(action)
    const scriptMedian = median(script.map((t) => t.ms))
    console.log('\n== one library: build, check, gate, upload, verify (median of %d runs)', RUNS)
    console.log(`action (python with twine, isolated uv build)      ${seconds(actionMedian)}`)
    if (hasBare) console.log(`action (bare python: twine via uv tool run)        ${seconds(median(bare))}`)
    console.log(`script (venv + pip install build twine + ...)      ${seconds(scriptMedian)}`)
    for (const phase of Object.keys(script[0]?.phases ?? {}))
      console.log(`  script: ${phase.padEnd(40)} ${seconds(median(script.map((t) => t.phases[phase] as number)))}`)
    console.log(
      `ratio script / action: ${(scriptMedian / actionMedian).toFixed(1)}x${hasBare ? `; script / action (bare python): ${(scriptMedian / median(bare)).toFixed(1)}x` : ''} (target >= 3x)`
    )

    // Scale: N packages in one call.
    const scale = async (count: number, label: string, extra: Record<string, string>): Promise<number> => {
      const root = join(work, `scale-${label}-${count}`)
      const names = Array.from(
        { length: count },
        (_, i) => `acme-scale-${label}-${count}-${String(i).padStart(2, '0')}`
      )
      for (const name of names) await writeProject(join(root, name), name, '0.0.0')
      const times: number[] = []
      for (let i = 0; i < SCALE_RUNS; i++) {
        const version = `2.0.${i}`
        for (const name of names) await setVersion(join(root, name), version)
        times.push(await runAction(ctx, root, names, version, extra))
      }
      return median(times)
    }
    for (const [label, extra] of [
      ['isolated', {}],
      ['no-isolation', { 'build-isolation': 'false' }]
    ] as const) {
      const points: Array<[number, number]> = []
      for (const count of [1, 5, 20]) points.push([count, await scale(count, label, extra)])
      const one = points[0]?.[1] as number
      console.log(`\n== scale curve, ${label} builds (median of ${SCALE_RUNS} runs)`)
      for (const [count, ms] of points)
        console.log(
          `${String(count).padStart(2)} package${count === 1 ? ' ' : 's'}  ${seconds(ms).padStart(8)}  ${(ms / one).toFixed(2)}x one`
        )
      console.log(`20 packages / 1 package: ${((points[2]?.[1] as number) / one).toFixed(2)}x (target <= 5x)`)
    }
  } finally {
    await stack.stop()
    await rm(work, { recursive: true, force: true })
  }
}

await main()
