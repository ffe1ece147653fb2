// Where build, twine and uv come from, for publish-python's builds and uploads and for
// bump-version's question to the build backend. In order of preference:
//   1. the given interpreter's environment (`python -m build`, `python -m twine`): what the job
//      installed is what runs, offline and with no install time;
//   2. uv, when on PATH: `uv tool run --from twine==<pin> twine` (uv caches the tool);
//   3. a private virtual environment with the pinned versions, installed with pip once and
//      kept with @actions/cache under a key made of the pins, the OS and the Python version.
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ActionError, InputError } from '@release/shared/errors'
import { outputTail, runCommand } from '@release/shared/exec'
import { which } from '@release/shared/which'
import * as log from '@release/shared/workflow-commands'

/** The versions installed when the interpreter's environment lacks a tool. */
export const PINNED = { twine: '7.0.0', build: '1.6.1' } as const

/** A command and the leading arguments that run one tool. */
export interface Command {
  command: string
  args: string[]
}

export interface Toolchain {
  /** Absolute path of the interpreter. */
  python: string
  pythonVersion: string
  uv?: string
  builder: 'uv' | 'build'
  /** `python -m build` or a stand-in; set when builder is build. */
  build?: Command
  /** Set when checks or uploads use twine. */
  twine?: Command
  /** pip is importable in `python` (so `pip --python <venv>` can install into a fresh venv). */
  pip: boolean
  /** One line per tool: where it came from. */
  notes: string[]
}

export type Builder = 'auto' | 'uv' | 'build'

/** The first pypa/build with `--metadata` (it deprecated `build.util.project_wheel_metadata` for it). */
const BUILD_WITH_METADATA = [1, 5]

export interface ToolNeeds {
  builder?: Builder
  twine: boolean
  /** `build` must offer `--metadata` (an older one in the interpreter is passed over). */
  buildMetadata?: boolean
}

/** The interpreter inside a virtual environment. */
export function venvPython(venv: string): string {
  return process.platform === 'win32' ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python')
}

interface Probe {
  executable: string
  version: string
  modules: Record<'build' | 'twine' | 'pip', boolean>
  /** The interpreter's pypa/build version, when it has one. */
  buildVersion?: string
}

// find_spec does not import anything, so the probe costs one interpreter start.
const PROBE = [
  'import sys, json, importlib.util as u',
  'modules = {m: u.find_spec(m) is not None for m in ("build", "twine", "pip")}',
  // Read only when build is there: the metadata look-up scans sys.path.
  'version = __import__("importlib.metadata").metadata.version("build") if modules["build"] else None',
  'print(json.dumps({"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3],',
  ' "modules": modules, "buildVersion": version}))'
].join('\n')

function atLeast(version: string | undefined, minimum: readonly number[]): boolean {
  const parts = (version ?? '').split('.').map((part) => Number.parseInt(part, 10))
  for (const [index, want] of minimum.entries()) {
    const have = parts[index] ?? 0
    if (Number.isNaN(have)) return false
    if (have !== want) return have > want
  }
  return true
}

async function probe(python: string): Promise<Probe> {
  const result = await runCommand(python, ['-c', PROBE], { silent: true, ignoreReturnCode: true })
  if (result.exitCode !== 0) {
    throw new ActionError(`\`${python}\` did not run: ${outputTail(result) || `exit code ${result.exitCode}`}`, {
      hint: 'point `python` at a working Python 3 interpreter (actions/setup-python puts one on PATH)'
    })
  }
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Probe
}

function findPython(given: string | undefined): string {
  if (given) {
    const found = which(given)
    if (!found)
      throw new InputError(
        'python',
        `"${given}" was not found or is not executable`,
        'use an interpreter on PATH (python, python3.12) or a path to one'
      )
    return found
  }
  const found = which('python') ?? which('python3')
  if (!found) {
    throw new ActionError('No Python interpreter: neither `python` nor `python3` is on PATH.', {
      hint: 'run actions/setup-python before this step, or set `python` to an interpreter'
    })
  }
  return found
}

/** A private venv with the pinned tools, restored from (and saved to) the Actions cache when possible. */
async function privateToolVenv(python: string, pythonVersion: string): Promise<string> {
  const key = `python-release-tools-${process.platform}-${process.arch}-py${pythonVersion}-twine${PINNED.twine}-build${PINNED.build}`
  const root = process.env['RUNNER_TOOL_CACHE'] || process.env['RUNNER_TEMP'] || resolve('.python-release-tools')
  const venv = join(root, 'python-release-tools', key)
  // Written last, so an install that failed half-way is never taken for a usable environment.
  const complete = join(venv, '.complete')
  if (existsSync(complete)) return venv
  const cache = await loadCache()
  if (cache && (await cache.restoreCache([venv], key).catch(() => undefined)) && existsSync(complete)) {
    log.info(`Restored the tool environment from the Actions cache (${key})`)
    return venv
  }
  log.info(`Installing twine==${PINNED.twine} and build==${PINNED.build} into ${venv}`)
  try {
    await runCommand(python, ['-m', 'venv', '--clear', venv])
    await runCommand(venvPython(venv), [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--quiet',
      `twine==${PINNED.twine}`,
      `build==${PINNED.build}`
    ])
  } catch (error) {
    throw new ActionError(`Could not install twine and build for ${python}: ${(error as Error).message}`, {
      hint: 'install them into the interpreter first (`python -m pip install twine build`), or put uv on PATH (astral-sh/setup-uv)'
    })
  }
  await writeFile(complete, `${key}\n`)
  if (cache)
    await cache.saveCache([venv], key).catch((error: unknown) => log.info(`Not cached: ${(error as Error).message}`))
  return venv
}

async function loadCache(): Promise<typeof import('@actions/cache') | undefined> {
  // Only on a runner that offers the cache service; elsewhere the venv simply stays on disk.
  if (!process.env['ACTIONS_RUNTIME_TOKEN']) return undefined
  try {
    const cache = await import('@actions/cache')
    return cache.isFeatureAvailable() ? cache : undefined
  } catch {
    return undefined
  }
}

export async function resolveToolchain(pythonInput: string | undefined, needs: ToolNeeds): Promise<Toolchain> {
  const python = findPython(pythonInput)
  const uv = which('uv')
  const found = await probe(python)
  const notes = [`python: ${python} (Python ${found.version})`]
  let builder: 'uv' | 'build' | undefined
  if (needs.builder) {
    if (needs.builder === 'uv' && !uv) {
      throw new ActionError('`builder: uv` but uv is not on PATH.', {
        hint: 'install uv first (astral-sh/setup-uv), or use `builder: build`'
      })
    }
    builder = needs.builder === 'auto' ? (uv ? 'uv' : 'build') : needs.builder
  }
  if (uv) notes.push(`uv: ${uv}`)

  let venv: string | undefined
  const fromVenv = async (module: string): Promise<Command> => {
    venv ??= await privateToolVenv(python, found.version)
    return { command: venvPython(venv), args: ['-m', module] }
  }
  const tool = async (module: 'build' | 'twine', uvFrom: string, uvEntry: string): Promise<Command> => {
    const usable = module === 'build' && needs.buildMetadata ? atLeast(found.buildVersion, BUILD_WITH_METADATA) : true
    if (found.modules[module] && usable) {
      notes.push(`${module}: \`python -m ${module}\` from ${found.executable}`)
      return { command: python, args: ['-m', module] }
    }
    if (uv) {
      const why = found.modules[module]
        ? `build ${found.buildVersion} in ${found.executable} lacks --metadata`
        : `not installed in ${found.executable}`
      notes.push(`${module}: \`uv tool run --from ${uvFrom}\` (${why})`)
      return { command: uv, args: ['tool', 'run', '--python', python, '--from', uvFrom, uvEntry] }
    }
    const command = await fromVenv(module)
    notes.push(`${module}: ${command.command} -m ${module} (a private environment with the pinned version)`)
    return command
  }

  const build = builder === 'build' ? await tool('build', `build==${PINNED.build}`, 'pyproject-build') : undefined
  const twine = needs.twine ? await tool('twine', `twine==${PINNED.twine}`, 'twine') : undefined
  if (builder === 'uv') notes.push('builder: uv build')
  return {
    python,
    pythonVersion: found.version,
    uv,
    builder: builder ?? 'build',
    build,
    twine,
    pip: found.modules.pip,
    notes
  }
}
