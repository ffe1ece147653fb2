// What the index already holds, compared by SHA-256 before anything is uploaded. twine 6.2+
// refuses `--skip-existing` on every index but PyPI, and an index answers a re-upload with 400
// or 409 either way, so a re-run of a half-finished release needs this: identical files are
// skipped, and a file that exists with other bytes stops the run before any upload, since a
// released file can never be replaced.
import { ActionError } from '@release/shared/errors'
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { sdistFingerprint } from '@release/shared/python/sdist-contents'
import {
  type IndexFile,
  type SimpleIndexOptions,
  downloadFile,
  fileSha256,
  listProjectFiles
} from '@release/shared/python/simple-index'
import type { Dist } from './dists.ts'
import type { ExistingMode } from './inputs.ts'

/** Where and how to read the index: its simple API root, and the options every read takes. */
export interface IndexReader extends SimpleIndexOptions {
  indexUrl: string
  deadlineMs: number
}

export interface Comparison {
  /** Not on the index. */
  missing: Dist[]
  /**
   * On the index with the same SHA-256, or (sdists) with the same files and contents: then the
   * local file was replaced by the index's, so what is reported and attached is what is published.
   */
  identical: Dist[]
  /** The sdists among `identical` that matched by content, not bytes (file times, say). */
  equivalent: Dist[]
  /** On the index with other bytes: the index's hash beside each. */
  conflicting: Array<{ dist: Dist; indexSha256: string }>
}

/** The published files of each project the dists belong to, keyed by file name. */
async function indexFiles(dists: readonly Dist[], reader: IndexReader): Promise<Map<string, Map<string, IndexFile>>> {
  const projects = [...new Set(dists.map((dist) => dist.project))]
  const listings = await Promise.all(projects.map((project) => listProjectFiles(reader.indexUrl, project, reader)))
  return new Map(
    projects.map((project, i) => [project, new Map((listings[i] ?? []).map((file) => [file.filename, file]))])
  )
}

export async function compareWithIndex(dists: readonly Dist[], reader: IndexReader): Promise<Comparison> {
  const published = await indexFiles(dists, reader)
  const result: Comparison = { missing: [], identical: [], equivalent: [], conflicting: [] }
  await Promise.all(
    dists.map(async (dist) => {
      const files = published.get(dist.project) as Map<string, IndexFile>
      const file =
        files.get(dist.file) ?? [...files.values()].find((f) => f.filename.toLowerCase() === dist.file.toLowerCase())
      if (!file) return void result.missing.push(dist)
      // Indexes that list files without hashes: download and hash (rare; CodeArtifact, PyPI and pypiserver publish them).
      const indexSha256 = file.sha256 ?? (await fileSha256(file, reader.indexUrl, reader))
      if (indexSha256 === dist.sha256) result.identical.push(dist)
      else if (await sameSdistContents(dist, file, reader)) {
        result.identical.push(dist)
        result.equivalent.push(dist)
      } else result.conflicting.push({ dist, indexSha256 })
    })
  )
  // Promise.all settles in completion order; keep upload order.
  const order = (list: Dist[]): Dist[] => list.sort((a, b) => dists.indexOf(a) - dists.indexOf(b))
  order(result.missing)
  order(result.identical)
  result.conflicting.sort((a, b) => dists.indexOf(a.dist) - dists.indexOf(b.dist))
  return result
}

/**
 * An sdist rebuilt from the same commit whose bytes differ only in what tar and gzip record
 * beside the files (times, owners, order): the index's copy is the release. The local file is
 * overwritten with it, so the sha256 reported, the manifest and the release assets match the
 * index.
 */
async function sameSdistContents(dist: Dist, file: IndexFile, reader: IndexReader): Promise<boolean> {
  if (dist.kind !== 'sdist' || !dist.file.endsWith('.tar.gz')) return false
  const published = await downloadFile(file, reader.indexUrl, reader)
  try {
    if (sdistFingerprint(published) !== sdistFingerprint(await readFile(dist.path))) return false
  } catch {
    // Either archive unreadable: compare bytes only, which already differ.
    return false
  }
  await writeFile(dist.path, published)
  dist.sha256 = createHash('sha256').update(published).digest('hex')
  dist.size = published.length
  return true
}

/**
 * `existing: skip-released` and a file of this version on the index with other bytes: the
 * version was released before, from another build (an earlier commit, in the version-change
 * flow), so this run uploads nothing and succeeds. Uploading the files that are missing would
 * mix two builds in one release.
 */
export function releasedBefore(comparison: Comparison, mode: ExistingMode): boolean {
  return mode === 'skip-released' && comparison.conflicting.length > 0
}

/** Fails when a file exists with other bytes (unless releasedBefore) or exists at all (existing: fail). */
export function assertUploadable(comparison: Comparison, mode: ExistingMode, version: string, indexUrl: string): void {
  if (releasedBefore(comparison, mode)) return
  if (comparison.conflicting.length > 0) {
    const details = comparison.conflicting.map(
      ({ dist, indexSha256 }) =>
        `${dist.file} (index sha256 ${indexSha256.slice(0, 12)}…, built ${dist.sha256.slice(0, 12)}…)`
    )
    throw new ActionError(
      `${details.join(', ')} already on ${indexUrl} with different content; a published file can never be replaced, so nothing was uploaded.`,
      {
        hint: `bump the version (${version} is taken) and release again; the files of a published version are immutable on every index`
      }
    )
  }
  if (mode === 'fail' && comparison.identical.length > 0) {
    throw new ActionError(
      `${comparison.identical.map((dist) => dist.file).join(', ')} already on ${indexUrl} (identical); \`existing: fail\` stops here, so nothing was uploaded.`,
      {
        hint: 'bump the version to publish new files, or use `existing: skip-identical` so a re-run skips what is already there'
      }
    )
  }
}
