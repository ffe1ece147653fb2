// uv.lock records the version of the project itself (a `[[package]]` whose source is the
// project's own directory: `editable` for a package, `virtual` for a workspace root without one).
// `uv version --bump` rewrites that entry; so does bump-version, or `uv lock --check` and every
// `uv sync --locked` after the bump would fail ("mismatched version"). The entry follows the
// project's version sources: it is rewritten, not compared (a lock may lag its project).
import { dirname, join, relative, sep } from 'node:path'
import { existsSync, readFileSync } from 'node:fs'
import { locateTomlStrings } from './toml-locate.ts'
import type { TokenMatch } from './types.ts'

/** PEP 503 normalization, as uv writes names in the lock. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-')
}

/** The project's name from pyproject.toml ([project] or [tool.poetry]), if it names one. */
export function pyprojectName(pyprojectText: string): string | undefined {
  const locations = locateTomlStrings(pyprojectText)
  const find = (key: string): string | undefined => locations.find((l) => l.key.join('.') === key)?.value
  return find('project.name') ?? find('tool.poetry.name')
}

/** The `version` token of every lock entry of `name` that uv locked from a local directory. */
export function uvLockEntries(lockText: string, name: string): TokenMatch[] {
  const wanted = normalize(name)
  const matches: TokenMatch[] = []
  let entry: { name?: string; version?: TokenMatch; local: boolean } | undefined
  const flush = (): void => {
    if (entry?.version && entry.local && entry.name !== undefined && normalize(entry.name) === wanted)
      matches.push(entry.version)
  }
  for (const location of locateTomlStrings(lockText)) {
    const key = location.key.join('.')
    if (key === 'package.[].name') {
      flush()
      entry = { name: location.value, local: false }
    } else if (entry && key === 'package.[].version') {
      entry.version = {
        label: `[[package]] "${entry.name}" version`,
        raw: location.value,
        start: location.start,
        end: location.end
      }
    } else if (entry && (key === 'package.[].source.editable' || key === 'package.[].source.virtual')) {
      entry.local = true
    }
  }
  flush()
  return matches
}

/** The uv.lock that covers `projectDir`: its own, or a workspace root's up to `root`. */
export function findUvLock(projectDir: string, root: string): string | undefined {
  for (let dir = projectDir; ; dir = dirname(dir)) {
    const lock = join(dir, 'uv.lock')
    if (existsSync(lock)) return lock
    const outside = relative(root, dir)
    if (dir === root || outside.startsWith(`..${sep}`) || outside === '..' || dirname(dir) === dir) return undefined
  }
}

/** Reads the lock and returns its text, with the entries of the project named in its pyproject.toml. */
export function readUvLock(lockPath: string, pyprojectText: string): { text: string; matches: TokenMatch[] } {
  const text = readFileSync(lockPath, 'utf8')
  const name = pyprojectName(pyprojectText)
  return { text, matches: name === undefined ? [] : uvLockEntries(text, name) }
}
