// The projects a built distribution depends on, from its core metadata (a wheel's
// `*.dist-info/METADATA`, an sdist's `PKG-INFO`): enough to publish the packages of a monorepo
// dependencies first, so each one's install check finds what it needs already on the index.
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { normalizeProjectName, parseDistFilename } from './dist-files.ts'
import { sdistPkgInfo } from './sdist-contents.ts'
import { readZipEntry } from './wheel-contents.ts'

/**
 * The project names in the `Requires-Dist` fields of `metadata`, normalized; requirements that
 * only an extra pulls in (`; extra == "test"`) are left out: installing the release does not
 * need them.
 */
export function requiredProjects(metadata: string): string[] {
  // Headers end at the first blank line; the description follows.
  const headers = metadata.split(/\r?\n\r?\n/, 1)[0] ?? ''
  const names = new Set<string>()
  for (const match of headers.matchAll(/^Requires-Dist:[ \t]*([A-Za-z0-9][A-Za-z0-9._-]*)([^\r\n]*)$/gim)) {
    const marker = match[2].split(';').slice(1).join(';')
    if (/\bextra\s*==/.test(marker)) continue
    names.add(normalizeProjectName(match[1]))
  }
  return [...names].sort()
}

/** The core metadata of a wheel or .tar.gz sdist, or undefined when it has none that can be read. */
export async function distMetadata(path: string): Promise<string | undefined> {
  const parsed = parseDistFilename(basename(path))
  if (parsed?.kind === 'wheel') return (await readZipEntry(path, /^[^/]+\.dist-info\/METADATA$/))?.toString('utf8')
  if (path.endsWith('.tar.gz')) return sdistPkgInfo(await readFile(path))
  return undefined
}
