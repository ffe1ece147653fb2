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

/** Each file's new text with `version` in every source, without writing anything. */
export function renderVersionEdits(
  sources: readonly VersionSource[],
  version: string
): Map<string, { before: string; after: string }> {
  const byPath = new Map<string, VersionSource[]>()
  for (const source of sources) byPath.set(source.path, [...(byPath.get(source.path) ?? []), source])
  const rendered = new Map<string, { before: string; after: string }>()
  for (const [path, fileSources] of byPath) {
    const before = readFileSync(path, 'utf8')
    const edits = fileSources.map((s) => ({ start: s.start, end: s.end, expected: s.raw, replacement: version }))
    rendered.set(path, { before, after: applyEdits(before, edits, fileSources[0].file) })
  }
  return rendered
}

/** Writes `version` into every source; returns the paths whose content changed. */
export function writeVersion(sources: readonly VersionSource[], version: string): string[] {
  const changed: string[] = []
  for (const [path, { before, after }] of renderVersionEdits(sources, version)) {
    if (after === before) continue
    writeFileSync(path, after, 'utf8')
    changed.push(path)
  }
  return changed
}
