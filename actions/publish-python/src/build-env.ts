// Isolated builds with uv, with the isolated environment made here: one per distinct
// `[build-system] requires`, its packages byte-compiled once. uv's own isolation makes a new
// environment for each build step (the sdist, then the wheel from it) and imports the backend
// from uncompiled sources each time, which is about two thirds of a small project's build time;
// a monorepo of 20 hatchling packages pays that once here. The environment holds only the
// declared build requirements, as uv's would, so the build is as isolated from the job's
// environment; a project whose backend asks for more at build time (get_requires_for_build_*,
// e.g. `wheel` for old setuptools) fails there and is rebuilt with uv's own isolation (see
// build.ts).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'smol-toml'
import { runCommand } from '@release/shared/exec'
import { createPrivateDir, removePrivateDir } from '@release/shared/private-files'
import { type Toolchain, venvPython } from '@release/shared/python/toolchain'

export interface BuildSystem {
  requires: string[]
  backend?: string
}

/** `[build-system]` of a project; undefined without a pyproject.toml or a `requires` list (legacy setup.py builds). */
export async function readBuildSystem(dir: string): Promise<BuildSystem | undefined> {
  let text: string
  try {
    text = await readFile(join(dir, 'pyproject.toml'), 'utf8')
  } catch {
    return undefined
  }
  try {
    const system = (parse(text) as { 'build-system'?: { requires?: unknown; 'build-backend'?: unknown } })[
      'build-system'
    ]
    if (!Array.isArray(system?.requires) || !system.requires.every((item) => typeof item === 'string')) return undefined
    return {
      requires: system.requires as string[],
      backend: typeof system['build-backend'] === 'string' ? system['build-backend'] : undefined
    }
  } catch {
    // Let the builder report the broken pyproject.toml in its own words.
    return undefined
  }
}

/** Requirement lists that are the same set, whatever their order or spacing. */
export function requiresKey(requires: readonly string[]): string {
  return JSON.stringify([...new Set(requires.map((item) => item.replace(/\s+/g, '')))].sort())
}

export interface SharedBuildEnv {
  /** Interpreter of the environment, for `uv build --no-build-isolation --python`. */
  python: string
  dir: string
}

/** Creates the environment with uv; undefined when it cannot (the builds then isolate one by one). */
export async function createSharedBuildEnv(
  toolchain: Toolchain,
  requires: readonly string[]
): Promise<SharedBuildEnv | undefined> {
  const uv = toolchain.uv
  if (!uv) return undefined
  const dir = await createPrivateDir('publish-python-build-env')
  const env = join(dir, 'env')
  const created = await runCommand(uv, ['venv', '--quiet', '--python', toolchain.python, env], {
    silent: true,
    ignoreReturnCode: true
  })
  const installed =
    created.exitCode === 0 && requires.length > 0
      ? // Compiled once here: the backend runs with bytecode writing off, so without this every
        // build step would compile the backend's sources again.
        await runCommand(
          uv,
          ['pip', 'install', '--quiet', '--compile-bytecode', '--python', venvPython(env), ...requires],
          { silent: true, ignoreReturnCode: true }
        )
      : created
  if (installed.exitCode !== 0) {
    await removePrivateDir(dir)
    return undefined
  }
  return { python: venvPython(env), dir }
}
