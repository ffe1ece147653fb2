// Builds each project's wheel and sdist with uv or pypa/build (both build the sdist, then the
// wheel from it, so a file missing from the sdist fails here and not on a user's machine).
// Projects build side by side, up to one per CPU, and isolated uv builds share a prepared
// environment per distinct build requirements (build-env.ts), so a 20-package call costs a
// few builds' worth of wall time, not 20.
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { basename, join } from 'node:path'
import { ActionError } from '@release/shared/errors'
import { echoedCommand, errorLine, printUntrusted, runCommand } from '@release/shared/exec'
import { listDistFiles } from '@release/shared/python/dist-files'
import { removePrivateDir } from '@release/shared/private-files'
import * as log from '@release/shared/workflow-commands'
import { type SharedBuildEnv, createSharedBuildEnv, readBuildSystem, requiresKey } from './build-env.ts'
import type { DistType } from './inputs.ts'
import type { Command, Toolchain } from '@release/shared/python/toolchain'

export interface Project {
  /** Absolute directory. */
  dir: string
  /** As the user wrote it (for messages). */
  label: string
}

export interface BuildOptions {
  isolation: boolean
  clean: boolean
  distTypes: DistType[]
}

export interface BuildResult {
  project: Project
  /** Absolute paths of the distributions in the project's dist/. */
  files: string[]
  ms: number
}

/** The argv that builds `project` into `outDir`. */
export function buildCommand(toolchain: Toolchain, project: Project, outDir: string, options: BuildOptions): Command {
  const both = options.distTypes.includes('sdist') && options.distTypes.includes('wheel')
  // With neither flag both tools build the sdist and then the wheel from the sdist; naming
  // both would build each straight from the source tree instead.
  const only = both ? [] : options.distTypes.map((type) => `--${type}`)
  if (toolchain.builder === 'uv') {
    return {
      command: toolchain.uv as string,
      args: [
        'build',
        project.dir,
        '--out-dir',
        outDir,
        '--python',
        toolchain.python,
        ...(options.isolation ? [] : ['--no-build-isolation']),
        ...only
      ]
    }
  }
  const build = toolchain.build as Command
  return {
    command: build.command,
    args: [...build.args, project.dir, '--outdir', outDir, ...(options.isolation ? [] : ['--no-isolation']), ...only]
  }
}

/** One line saying why a build failed and what fixes it, from the builder's output. */
/**
 * The build requirement the builder could not install, from uv's ("Failed to resolve
 * requirements from `build-system.requires` ... No solution found when resolving: `x>=1`") or
 * pip's ("No matching distribution found for x>=1" while installing build dependencies) words.
 */
export function unmetBuildRequirement(output: string): string | undefined {
  if (/build-system\.requires/.test(output))
    // uv names the one it could not find in its `Because ... you require X` clause; the
    // resolving line lists every requirement.
    return (
      /you require ([^\s,]+?)(?:,|\s|$)/.exec(output)?.[1] ??
      /Because (\S+) was not found/.exec(output)?.[1] ??
      /No solution found when resolving:? `([^`]+)`/.exec(output)?.[1]
    )
  if (/build-requirements|build dependencies/i.test(output))
    return /No matching distribution found for (\S+)/.exec(output)?.[1]
  return undefined
}

export function explainBuildFailure(
  project: Project,
  output: string,
  options: { isolation: boolean; python: string; backend?: string; requires?: readonly string[] }
): ActionError {
  const prefix = `Building ${project.label} failed`
  const unavailable = /Backend '([^']+)' is not available/.exec(output)?.[1]
  const missing = /No module named '([^']+)'/.exec(output)?.[1]
  const backend = unavailable ?? options.backend
  if (unavailable || (missing && backend && (backend === missing || backend.startsWith(`${missing}.`)))) {
    return new ActionError(
      `${prefix}: the build backend \`${backend}\` cannot be imported${missing ? ` (No module named '${missing}')` : ''}.`,
      {
        hint: options.isolation
          ? "list the backend's package in `[build-system] requires` of pyproject.toml, and let the builder reach a package index"
          : `with \`build-isolation: false\` the backend runs from ${options.python}: install the project's \`[build-system] requires\` into it first (\`python -m pip install ${options.requires?.length ? options.requires.map((r) => `"${r}"`).join(' ') : '<backend package>'}\`), or set \`build-isolation: true\``
      }
    )
  }
  if (/setuptools[-_]scm.*unable to detect version|unable to detect version for/i.test(output)) {
    return new ActionError(`${prefix}: setuptools-scm found no version (no git metadata or tags).`, {
      hint: 'check out the history with tags (actions/checkout with `fetch-depth: 0`), or set SETUPTOOLS_SCM_PRETEND_VERSION'
    })
  }
  const unmet = unmetBuildRequirement(output)
  if (unmet) {
    return new ActionError(`${prefix}: the build requirement \`${unmet}\` cannot be installed.`, {
      hint: `check it in \`[build-system] requires\` of pyproject.toml (name and version), and that the builder reaches an index that has it (PIP_INDEX_URL / UV_INDEX_URL, or codeartifact-login earlier in the job for a private one)`
    })
  }
  if (missing) {
    return new ActionError(`${prefix}: No module named '${missing}'.`, {
      hint: options.isolation
        ? 'add the missing package to `[build-system] requires` in pyproject.toml'
        : `install it into ${options.python} (with \`build-isolation: false\` the build uses that environment), or set \`build-isolation: true\``
    })
  }
  return new ActionError(`${prefix}: ${errorLine(output).replace(/^(ERROR|error:)\s*/, '')}`, {
    hint: 'see the build output above'
  })
}

/**
 * The commit time of HEAD, for SOURCE_DATE_EPOCH: wheels (all backends) and most sdists then
 * come out byte for byte the same when a job is re-run on a fresh checkout, so the files a
 * half-finished run uploaded are recognised by their sha256 instead of conflicting.
 */
async function sourceDateEpoch(dir: string): Promise<string | undefined> {
  if (process.env['SOURCE_DATE_EPOCH']) return undefined
  const result = await runCommand('git', ['-C', dir, 'log', '-1', '--format=%ct'], {
    silent: true,
    ignoreReturnCode: true
  }).catch(() => undefined)
  const epoch = result?.exitCode === 0 ? result.stdout.trim() : ''
  return /^\d+$/.test(epoch) ? epoch : undefined
}

async function runBuild(command: Command, epoch: string | undefined): Promise<{ ok: boolean; output: string }> {
  const result = await runCommand(command.command, command.args, {
    silent: true,
    ignoreReturnCode: true,
    env: { NO_COLOR: '1', UV_NO_PROGRESS: '1', PYTHONUNBUFFERED: '1', ...(epoch ? { SOURCE_DATE_EPOCH: epoch } : {}) }
  })
  return { ok: result.exitCode === 0, output: `${result.stdout}\n${result.stderr}`.trim() }
}

async function buildOne(
  project: Project,
  toolchain: Toolchain,
  options: BuildOptions,
  epoch: string | undefined,
  shared?: SharedBuildEnv
): Promise<BuildResult> {
  if (!existsSync(join(project.dir, 'pyproject.toml')) && !existsSync(join(project.dir, 'setup.py'))) {
    throw new ActionError(
      `${project.label} is not a Python project: it has no pyproject.toml or setup.py (looked in ${project.dir}).`,
      {
        hint: 'list project directories in `packages` (relative to `working-directory`), or set `packages-dir` to publish files that are already built'
      }
    )
  }
  const outDir = join(project.dir, 'dist')
  if (options.clean) await rm(outDir, { recursive: true, force: true })
  const started = Date.now()
  let command = buildCommand(toolchain, project, outDir, options)
  let result: { ok: boolean; output: string } | undefined
  if (shared) {
    // The shared environment stands in for the per-build one: same requirements, built once.
    const inShared = buildCommand({ ...toolchain, python: shared.python }, project, outDir, {
      ...options,
      isolation: false
    })
    result = await runBuild(inShared, epoch)
    if (!result.ok) {
      log.info(
        `${project.label}: the build failed in the prepared build environment; building it again with uv's own isolation`
      )
      if (options.clean) await rm(outDir, { recursive: true, force: true })
      result = undefined
    } else {
      command = inShared
    }
  }
  result ??= await runBuild(command, epoch)
  if (!result.ok) {
    log.info(`[command]${echoedCommand(command.command, command.args)}`)
    printUntrusted(result.output.split('\n').slice(-200).join('\n'))
    const system = await readBuildSystem(project.dir)
    throw explainBuildFailure(project, result.output, {
      isolation: options.isolation,
      python: toolchain.python,
      backend: system?.backend,
      requires: system?.requires
    })
  }
  const files = existsSync(outDir) ? (await listDistFiles(outDir)).map((file) => join(outDir, file)) : []
  if (files.length === 0)
    throw new ActionError(`Building ${project.label} produced no wheel or sdist in ${outDir}.`, {
      hint: 'see the build output above'
    })
  return { project, files, ms: Date.now() - started }
}

/** With uv and isolation: one prepared isolated environment per distinct build requirements (build-env.ts). */
async function sharedEnvironments(
  projects: readonly Project[],
  toolchain: Toolchain,
  options: BuildOptions
): Promise<Map<Project, SharedBuildEnv>> {
  const shared = new Map<Project, SharedBuildEnv>()
  if (toolchain.builder !== 'uv' || !options.isolation) return shared
  const systems = await Promise.all(projects.map((project) => readBuildSystem(project.dir)))
  const groups = new Map<string, { requires: string[]; members: Project[] }>()
  projects.forEach((project, i) => {
    const system = systems[i]
    if (!system) return
    const key = requiresKey(system.requires)
    const group = groups.get(key) ?? { requires: system.requires, members: [] }
    group.members.push(project)
    groups.set(key, group)
  })
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const env = await createSharedBuildEnv(toolchain, group.requires)
      if (!env) return
      const who = group.members.length === 1 ? (group.members[0] as Project).label : `${group.members.length} projects`
      log.info(`Isolated build environment for ${who}: ${group.requires.join(', ') || 'no requirements'}`)
      for (const project of group.members) shared.set(project, env)
    })
  )
  return shared
}

/** Builds every project (in parallel), returning results in the order given; the first failure wins. */
export async function buildProjects(
  projects: readonly Project[],
  toolchain: Toolchain,
  options: BuildOptions
): Promise<BuildResult[]> {
  const workers = Math.max(1, Math.min(projects.length, availableParallelism()))
  log.info(
    `Building ${projects.length} project${projects.length === 1 ? '' : 's'} with ${toolchain.builder === 'uv' ? 'uv build' : 'pypa/build'}${options.isolation ? '' : ' (no build isolation)'}${workers > 1 ? `, ${workers} at a time` : ''}`
  )
  // The projects sit in one checkout, so one HEAD: its commit time is read once per run.
  const first = projects[0]
  const [shared, epoch] = await Promise.all([
    sharedEnvironments(projects, toolchain, options),
    first ? sourceDateEpoch(first.dir) : undefined
  ])
  const results: Array<BuildResult | undefined> = new Array(projects.length)
  const failures: Array<{ index: number; error: unknown }> = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < projects.length && failures.length === 0) {
      const index = next++
      const project = projects[index] as Project
      try {
        const result = await buildOne(project, toolchain, options, epoch, shared.get(project))
        results[index] = result
        log.info(
          `Built ${project.label} in ${(result.ms / 1000).toFixed(1)} s: ${result.files.map((file) => basename(file)).join(', ')}`
        )
      } catch (error) {
        failures.push({ index, error })
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: workers }, worker))
  } finally {
    await Promise.all([...new Set(shared.values())].map((env) => removePrivateDir(env.dir)))
  }
  if (failures.length > 0) throw failures.sort((a, b) => a.index - b.index)[0]?.error
  return results as BuildResult[]
}
