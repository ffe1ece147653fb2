// The distributions this run publishes: name, version and kind from the file name, size and
// SHA-256 from the file, in upload order.
import { createReadStream, existsSync, statSync } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { Writable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { basename, join } from 'node:path'
import { ActionError } from '@release/shared/errors'
import { type DistKind, compareDistFiles, listDistFiles, parseDistFilename } from '@release/shared/python/dist-files'
import { digestFile } from '@release/shared/python/sha256'
import { zipEntryNames } from '@release/shared/python/wheel-contents'

export interface Dist {
  path: string
  file: string
  /** PEP 503-normalized project name. */
  project: string
  /** As written in the file name. */
  version: string
  kind: DistKind
  size: number
  sha256: string
}

/**
 * Fails, naming the file, when a distribution is not the archive its name says: a truncated
 * artifact download or a half-written build would otherwise surface as a traceback from twine
 * or a rejection from the index that names no file.
 */
async function checkArchive(path: string, file: string): Promise<void> {
  let problem: string | undefined
  if (/\.(whl|zip)$/.test(file)) {
    problem = await zipEntryNames(path).then(
      () => undefined,
      () => 'not a readable zip archive'
    )
  } else if (file.endsWith('.tar.gz')) {
    // Read to the end: a truncated download starts right and fails only at the gzip trailer.
    problem = await pipeline(
      createReadStream(path),
      createGunzip(),
      new Writable({ write: (_c, _e, done) => done() })
    ).then(
      () => undefined,
      () => 'not a complete gzip-compressed tar archive'
    )
  }
  if (problem) {
    throw new ActionError(`${file} is ${problem}, so it cannot be checked or published.`, {
      hint: 'rebuild it; if it came from an artifact (`packages-dir`), check that the download finished, then run again'
    })
  }
}

/**
 * Describes `paths` (already in upload order across projects); within a project, wheels go
 * before the sdist so every run uploads in the same order.
 */
export async function describeDists(paths: readonly string[]): Promise<Dist[]> {
  const dists = await Promise.all(
    paths.map(async (path) => {
      const parsed = parseDistFilename(basename(path))
      if (!parsed) throw new ActionError(`${basename(path)} is not a wheel or sdist file name.`)
      await checkArchive(path, parsed.file)
      const digest = await digestFile(path)
      return {
        path,
        file: parsed.file,
        project: parsed.project,
        version: parsed.version,
        kind: parsed.kind,
        size: digest.size,
        sha256: digest.sha256
      }
    })
  )
  const firstSeen = new Map<string, number>()
  dists.forEach((dist, index) => firstSeen.has(dist.project) || firstSeen.set(dist.project, index))
  return dists.sort(
    (a, b) => (firstSeen.get(a.project) as number) - (firstSeen.get(b.project) as number) || compareDistFiles(a, b)
  )
}

/** The wheels and sdists in an already-built `packages-dir`. */
export async function distsInDirectory(dir: string, label: string): Promise<string[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ActionError(`\`packages-dir\` ${label} is not a directory (${dir}).`, {
      hint: 'point `packages-dir` at the directory the build wrote (usually dist), relative to `working-directory`, or leave it empty to build here'
    })
  }
  const files = await listDistFiles(dir)
  if (files.length === 0) {
    throw new ActionError(
      `\`packages-dir\` ${label} holds no wheel or sdist (no .whl, .tar.gz or .zip files in ${dir}).`,
      {
        hint: 'build before this step (or leave `packages-dir` empty to let the action build), and check that the artifact was downloaded into that directory'
      }
    )
  }
  return files.map((file) => join(dir, file))
}
