import { existsSync, realpathSync, statSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { InputError } from './errors.ts'

// One confinement rule for every path an action reads or writes on the user's behalf: it must
// resolve, symlinks included, inside the workspace. A lexical check (no `..`) is not enough:
// whoever controls the repository's content controls its symlinks, and a `VERSION` that links
// to ~/.ssh/config would otherwise be rewritten, committed and pushed.

/**
 * The real path of `path`, symlinks resolved. A path that does not exist yet resolves through
 * its nearest existing parent, so a link anywhere above it still counts.
 */
export function realPath(path: string): string {
  const absolute = resolve(path)
  if (existsSync(absolute)) return realpathSync(absolute)
  const parent = dirname(absolute)
  return parent === absolute ? absolute : resolve(realPath(parent), relative(parent, absolute))
}

/** Whether `path` resolves (symlinks included) to `root` or below it. */
export function resolvesInside(root: string, path: string): boolean {
  const inside = relative(realPath(root), realPath(path))
  // `..internal` is a name inside; only `..` itself or `../...` leads out.
  return inside === '' || (inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside))
}

/** Where the action may read and write: the runner's workspace, else (a local run) the current directory. */
export function workspaceRoot(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env['GITHUB_WORKSPACE'] || process.cwd())
}

/** Where a path may also lie, besides the workspace. */
export interface Confinement {
  /** Files the action only reads may also come from RUNNER_TEMP (an artifact downloaded there). */
  runnerTemp?: boolean
}

function confined(input: string, path: string, resolved: string, options: Confinement): void {
  const root = workspaceRoot()
  const temp = options.runnerTemp ? process.env['RUNNER_TEMP'] : undefined
  if (resolvesInside(root, resolved) || (temp && resolvesInside(temp, resolved))) return
  throw new InputError(
    input,
    `"${path}" resolves to ${realPath(resolved)}, outside the workspace ${realPath(root)}${temp ? ' and RUNNER_TEMP' : ''}`,
    `use a path inside the workspace${temp ? ' or RUNNER_TEMP' : ''} (symlinks included)`
  )
}

/**
 * The directory an input names, resolved against the current directory (the workspace, where
 * the runner starts actions). Fails with one line naming the input when it is not a directory
 * or resolves outside the workspace.
 */
export function inputDirectory(input: string, path: string, accepted: string, options: Confinement = {}): string {
  const dir = resolve(path)
  confined(input, path, dir, options)
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError(input, `"${path}" is not a directory${dir === path ? '' : ` (${dir})`}`, `use ${accepted}`)
  }
  return dir
}

/** A file an input names (it may not exist yet), resolved and confined like inputDirectory. */
export function inputFile(input: string, path: string, options: Confinement = {}): string {
  const file = resolve(path)
  confined(input, path, file, options)
  return file
}
