// Reads what pypiserver holds (its packages directory) as CodeArtifact would report it:
// package names normalized per PEP 503, one entry per version, newest publication first.
import { readdir, stat } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { join } from 'node:path'

export interface PublishedVersion {
  version: string
  files: string[]
  /** Latest upload time of the version's files (ms). */
  publishedMs: number
  /** Stable per set of files, like CodeArtifact's revision. */
  revision: string
}

/** PEP 503: runs of `-`, `_`, `.` become one `-`, lower case. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase()
}

/** Name and version of a wheel or sdist file name, or undefined for anything else. */
export function parseDistFilename(file: string): { name: string; version: string } | undefined {
  if (file.endsWith('.whl')) {
    const [name, version] = file.slice(0, -4).split('-')
    return name && version ? { name, version } : undefined
  }
  const sdist = /^(.+)-([^-]+)\.(tar\.gz|zip|tar\.bz2|tgz)$/.exec(file)
  return sdist?.[1] && sdist[2] ? { name: sdist[1], version: sdist[2] } : undefined
}

export async function publishedVersions(packagesDir: string, packageName: string): Promise<PublishedVersion[]> {
  const wanted = normalizeName(packageName)
  const byVersion = new Map<string, Array<{ file: string; size: number; mtimeMs: number }>>()
  for (const file of await readdir(packagesDir)) {
    const parsed = parseDistFilename(file)
    if (!parsed || normalizeName(parsed.name) !== wanted) continue
    const info = await stat(join(packagesDir, file))
    const files = byVersion.get(parsed.version) ?? []
    files.push({ file, size: info.size, mtimeMs: info.mtimeMs })
    byVersion.set(parsed.version, files)
  }
  return [...byVersion]
    .map(([version, entries]) => {
      entries.sort((a, b) => a.file.localeCompare(b.file))
      return {
        version,
        files: entries.map((e) => e.file),
        publishedMs: Math.max(...entries.map((e) => e.mtimeMs)),
        revision: createHash('sha256')
          .update(JSON.stringify(entries.map((e) => [e.file, e.size])))
          .digest('base64')
      }
    })
    .sort((a, b) => b.publishedMs - a.publishedMs)
}
