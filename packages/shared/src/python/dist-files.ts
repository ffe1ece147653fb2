// Distribution file names (wheels and sdists) as the packaging specifications define them:
// the binary distribution format (`{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`)
// and the source distribution format (`{name}-{version}.tar.gz`). Name and version come from the
// file name alone, so a directory of dists can be gated and compared with an index without
// opening an archive. Older setuptools wrote unnormalized sdist names (`Acme-Widgets-1.0.tar.gz`);
// those still parse, because the version never contains a `-` once normalized.
import { readdir } from 'node:fs/promises'

export type DistKind = 'wheel' | 'sdist'

export interface DistFilename {
  /** The file name as given. */
  file: string
  /** The project name, normalized per PEP 503 (`acme-widgets`). */
  project: string
  /** The version as written in the file name (normally already PEP 440-normalized). */
  version: string
  kind: DistKind
}

/** The archive suffixes of distributions an index accepts; legacy formats are not uploadable any more. */
export const SDIST_SUFFIXES = ['.tar.gz', '.zip'] as const

/** PEP 503: runs of `-`, `_` and `.` become one `-`, all lower case. */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase()
}

/** Name and version of a wheel or sdist file name; undefined for anything else. */
export function parseDistFilename(file: string): DistFilename | undefined {
  if (file.endsWith('.whl')) {
    // 5 or 6 dash-separated parts; names and versions in wheel names escape `-` as `_`.
    const parts = file.slice(0, -'.whl'.length).split('-')
    if (parts.length !== 5 && parts.length !== 6) return undefined
    const [name, version] = parts
    if (!name || !version) return undefined
    return { file, project: normalizeProjectName(name), version, kind: 'wheel' }
  }
  const suffix = SDIST_SUFFIXES.find((s) => file.endsWith(s))
  if (!suffix) return undefined
  const stem = file.slice(0, -suffix.length)
  const at = stem.lastIndexOf('-')
  if (at <= 0 || at === stem.length - 1) return undefined
  return { file, project: normalizeProjectName(stem.slice(0, at)), version: stem.slice(at + 1), kind: 'sdist' }
}

/**
 * Upload order within one project: wheels first, then the sdist (the order `dist/*` expands to),
 * by name within each kind, so every run uploads the same files in the same order.
 */
export function compareDistFiles(a: DistFilename, b: DistFilename): number {
  if (a.project !== b.project) return 0
  if (a.kind !== b.kind) return a.kind === 'wheel' ? -1 : 1
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0
}

/** The distribution files directly inside `dir`, sorted by name; other files are ignored. */
export async function listDistFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile() && parseDistFilename(entry.name) !== undefined)
    .map((entry) => entry.name)
    .sort()
}
