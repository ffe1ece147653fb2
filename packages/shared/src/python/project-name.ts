// The project name of a source tree, for `{name}` in tag templates: read where backends read it
// (pyproject.toml's [project] or [tool.poetry] table, setup.cfg's [metadata], a literal `name=`
// in setup.py's setup() call), normalized per PEP 503 as in file names and indexes.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'smol-toml'
import { ActionError } from '../errors.ts'
import { findIniValue } from '../version-sources/setup-cfg.ts'
import { normalizeProjectName } from './dist-files.ts'

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

function fromPyproject(text: string): string | undefined {
  try {
    const toml = parse(text) as { project?: { name?: unknown }; tool?: { poetry?: { name?: unknown } } }
    const name = toml.project?.name ?? toml.tool?.poetry?.name
    return typeof name === 'string' ? name : undefined
  } catch {
    return undefined
  }
}

/** The normalized project name of the project in `dir`, or undefined when no file states it plainly. */
export function readProjectName(dir: string): string | undefined {
  const pyproject = readText(join(dir, 'pyproject.toml'))
  const setupCfg = readText(join(dir, 'setup.cfg'))
  const setupPy = readText(join(dir, 'setup.py'))
  const name =
    (pyproject === undefined ? undefined : fromPyproject(pyproject)) ??
    (setupCfg === undefined ? undefined : findIniValue(setupCfg, 'metadata', 'name')?.value) ??
    (setupPy === undefined ? undefined : /\bname\s*=\s*(['"])([A-Za-z0-9._-]+)\1/.exec(setupPy)?.[2])
  return name && /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(name) ? normalizeProjectName(name) : undefined
}

/** readProjectName, or one error line naming the directory, what needs the name, and the fix. */
export function requireProjectName(dir: string, label: string, purpose: string): string {
  const name = readProjectName(dir)
  if (name !== undefined) return name
  throw new ActionError(`No project name found in ${label} ${purpose}.`, {
    hint: 'state it in pyproject.toml (`[project] name`), setup.cfg (`[metadata] name`) or as a literal `name=` in setup.py'
  })
}
