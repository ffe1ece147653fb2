// Test support: run the real Python tools from .venv, and build a tiny sample distribution
// to upload. Secrets go to the tools through env, never argv, as in the actions.
import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { VENV_BIN } from './service-process.ts'

export interface ToolResult {
  code: number
  stdout: string
  stderr: string
}

/** Environment that keeps pip/twine/uv away from user config, keyrings and the real PyPI. */
export const ISOLATED_TOOL_ENV: Record<string, string> = {
  PIP_CONFIG_FILE: '/dev/null',
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
  PIP_NO_CACHE_DIR: '1',
  PIP_NO_INPUT: '1',
  PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
  UV_NO_CACHE: '1',
  NO_COLOR: '1'
}

/** Runs `.venv/bin/<tool>`; never throws for a non-zero exit, the test asserts on `code`. */
export function runTool(
  tool: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}
): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      join(VENV_BIN, tool),
      args,
      {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...ISOLATED_TOOL_ENV, ...options.env },
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 60000,
        maxBuffer: 16 * 1024 * 1024
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ code, stdout, stderr })
      }
    )
  })
}

/** Writes a minimal hatchling project `<name>` (module `<name with _>`) and builds wheel + sdist into `<dir>/dist`. */
export async function buildSampleDist(dir: string, name: string, version: string): Promise<string> {
  const module = name.replace(/[-.]/g, '_').toLowerCase()
  await mkdir(join(dir, 'src', module), { recursive: true })
  await writeFile(
    join(dir, 'pyproject.toml'),
    `[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "${name}"\nversion = "${version}"\nrequires-python = ">=3.9"\n`
  )
  await writeFile(join(dir, 'src', module, '__init__.py'), `VERSION = "${version}"\n`)
  // --no-isolation: hatchling is in .venv, and an isolated build would need the real PyPI.
  const result = await runTool('python', ['-m', 'build', '--no-isolation', '--outdir', 'dist', '.'], { cwd: dir })
  if (result.code !== 0) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`)
  return join(dir, 'dist')
}

/** Builds the wheel of `projectDir` into `outDir` (no isolation: its backend is in .venv, and PyPI is not reachable). */
export async function buildWheel(projectDir: string, outDir: string): Promise<void> {
  const result = await runTool('python', ['-m', 'build', '--wheel', '--no-isolation', '--outdir', outDir, projectDir])
  if (result.code !== 0)
    throw new Error(`building the wheel of ${projectDir} failed:\n${result.stdout}\n${result.stderr}`)
}
