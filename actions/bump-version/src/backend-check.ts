// Asks the project's build backend which version it will build, so a bump whose files the
// backend does not read (a version kept somewhere the action cannot see or edit) is refused
// before anything is committed, tagged or pushed. pypa/build's `--metadata` runs the PEP 517
// hook prepare_metadata_for_build_wheel (or build_wheel where the backend lacks it) in an
// isolated environment, which uv fills from its cache in a fraction of a second.
//
// The backend is third-party code. It runs with the environment every child gets (no INPUT_*,
// tokens or runner file commands), but as the same user; so `check-build: auto` runs it only in
// a step that pushes nothing (see inputs.ts), and a push token stays out of its reach.
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { ActionError } from '@release/shared/errors'
import { errorLine, printUntrusted, runCommand } from '@release/shared/exec'
import { type GitRepo, git } from '@release/shared/git'
import { normalizeVersion } from '@release/shared/pep440'
import { resolveToolchain } from '@release/shared/python/toolchain'
import * as log from '@release/shared/workflow-commands'

export interface BackendVersion {
  version: string
  /** What ran, for the log: `python -m build` or `uv tool run ...`. */
  tool: string
  ms: number
}

/**
 * Files git does not track under `dir` (ignored ones too), directories collapsed: what is there
 * before the backend runs is left alone, what it adds (setuptools' `*.egg-info`) is removed.
 */
async function untrackedEntries(repo: GitRepo, dir: string): Promise<Set<string>> {
  const result = await git({ ...repo, cwd: dir }, ['ls-files', '--others', '--directory', '-z'], {
    ignoreReturnCode: true
  })
  return new Set(result.exitCode === 0 ? result.stdout.split('\0').filter(Boolean) : [])
}

/** The last JSON object `build --metadata` printed (backends may print before it). */
function metadataVersion(stdout: string): string | undefined {
  const start = stdout.lastIndexOf('\n{')
  try {
    const parsed = JSON.parse(stdout.slice(start === -1 ? stdout.indexOf('{') : start)) as { version?: unknown }
    return typeof parsed.version === 'string' ? parsed.version : undefined
  } catch {
    return undefined
  }
}

export async function versionTheBackendBuilds(
  repo: GitRepo,
  projectDir: string,
  python: string | undefined
): Promise<BackendVersion> {
  const started = Date.now()
  const toolchain = await resolveToolchain(python, { builder: 'build', twine: false, buildMetadata: true })
  const build = toolchain.build as NonNullable<typeof toolchain.build>
  const before = await untrackedEntries(repo, projectDir)
  const args = [...build.args, '--metadata', ...(toolchain.uv ? ['--installer', 'uv'] : []), projectDir]
  const result = await runCommand(build.command, args, { cwd: projectDir, silent: true, ignoreReturnCode: true })
  const added = [...(await untrackedEntries(repo, projectDir))].filter((entry) => !before.has(entry))
  await Promise.all(added.map((entry) => rm(join(projectDir, entry), { recursive: true, force: true })))
  const raw = result.exitCode === 0 ? metadataVersion(result.stdout) : undefined
  if (raw === undefined) {
    printUntrusted(`${result.stdout}${result.stderr}`)
    throw new ActionError(
      `Asking the build backend for the version it builds failed: ${errorLine(`${result.stdout}\n${result.stderr}`)}`,
      {
        hint: 'nothing was committed, tagged or pushed; run `python -m build --metadata` in the project to see why, or set `check-build: false` to bump without asking'
      }
    )
  }
  const tool = [build.command, ...build.args].join(' ')
  log.info(`The build backend builds ${raw} (${tool} --metadata, ${Date.now() - started} ms)`)
  return { version: normalizeVersion(raw), tool, ms: Date.now() - started }
}
