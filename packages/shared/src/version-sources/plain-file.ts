// Files that are nothing but the version (a `VERSION` file, or what setuptools' `file:` points
// at), and user-given files with a search pattern such as `release = "{version}"`.
import type { TokenMatch } from './types.ts'

/** The whole file, surrounding whitespace aside, as the version; undefined when it is empty or several lines. */
export function readWholeFileVersion(text: string, label = 'file content'): TokenMatch | undefined {
  const start = text.length - text.trimStart().length
  const raw = text.trim()
  if (!raw || /[\r\n]/.test(raw)) return undefined
  return { label, raw, start, end: start + raw.length }
}

export const VERSION_PLACEHOLDER = '{version}'

// What the `{version}` placeholder stands for: PEP 440's alphabet (epoch `!`, local `+`, the
// separators) and a leading `v`. Greedy, so `{version}` at the end of a line takes all of it.
const VERSION_CHARS = '[vV]?[0-9][0-9A-Za-z!+._-]*'

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A literal search text with exactly one `{version}` in it, as a RegExp capturing the version. */
export function patternRegExp(pattern: string): RegExp {
  const parts = pattern.split(VERSION_PLACEHOLDER)
  if (parts.length !== 2) throw new Error(`the pattern must contain ${VERSION_PLACEHOLDER} exactly once`)
  return new RegExp(`${escapeRegExp(parts[0])}(?<version>${VERSION_CHARS})${escapeRegExp(parts[1])}`, 'dg')
}

/** Every place `pattern` matches, the version part of each as a token. */
export function findPatternVersions(text: string, pattern: string): TokenMatch[] {
  const matches: TokenMatch[] = []
  for (const match of text.matchAll(patternRegExp(pattern))) {
    const span = match.indices?.groups?.['version']
    if (span)
      matches.push({ label: `pattern ${pattern}`, raw: match.groups?.['version'] ?? '', start: span[0], end: span[1] })
  }
  return matches
}
