// Rewrites version tokens in place: only the characters of each token change, so formatting,
// comments, quoting and line endings stay byte-for-byte as they were. Version files are small and
// read synchronously, as discovery reads them.
import { readFileSync, writeFileSync } from 'node:fs'
import { ActionError } from '../errors.ts'
import type { VersionSource } from './types.ts'

export interface TokenEdit {
  start: number
  end: number
  /** The text expected at [start, end) now; a mismatch means the file changed since it was read. */
  expected: string
  replacement: string
}

/** Applies non-overlapping edits to `text`, checking each one still finds what was read. */
export function applyEdits(text: string, edits: readonly TokenEdit[], file = 'file'): string {
  const ordered = [...edits].sort((a, b) => b.start - a.start)
  let result = text
  let limit = Infinity
  for (const edit of ordered) {
    if (edit.end > limit) throw new Error(`overlapping version edits in ${file}`)
    const current = text.slice(edit.start, edit.end)
    if (current !== edit.expected) {
      throw new ActionError(
        `${file} changed while the version was being bumped: expected "${edit.expected}", found "${current}".`,
        {
          hint: 'run again on a tree nothing else is editing'
        }
      )
    }
    result = result.slice(0, edit.start) + edit.replacement + result.slice(edit.end)
    limit = edit.start
  }
  return result
}

/** Each file's new text with each source's version in it, without writing anything. */
export function renderVersionEdits(
  edits: readonly { source: VersionSource; version: string }[]
): Map<string, { before: string; after: string }> {
  const byPath = new Map<string, { source: VersionSource; version: string }[]>()
  for (const edit of edits) byPath.set(edit.source.path, [...(byPath.get(edit.source.path) ?? []), edit])
  const rendered = new Map<string, { before: string; after: string }>()
  for (const [path, fileEdits] of byPath) {
    const before = readFileSync(path, 'utf8')
    const tokens = fileEdits.map(({ source, version }) => ({
      start: source.start,
      end: source.end,
      expected: source.raw,
      replacement: version
    }))
    rendered.set(path, { before, after: applyEdits(before, tokens, fileEdits[0].source.file) })
  }
  return rendered
}

/**
 * Writes each source's version (one file may hold several projects' versions, as a workspace's
 * uv.lock does); returns the paths whose content changed.
 */
export function writeVersions(edits: readonly { source: VersionSource; version: string }[]): string[] {
  const changed: string[] = []
  for (const [path, { before, after }] of renderVersionEdits(edits)) {
    if (after === before) continue
    writeFileSync(path, after, 'utf8')
    changed.push(path)
  }
  return changed
}

/** Writes `version` into every source; returns the paths whose content changed. */
export function writeVersion(sources: readonly VersionSource[], version: string): string[] {
  return writeVersions(sources.map((source) => ({ source, version })))
}
