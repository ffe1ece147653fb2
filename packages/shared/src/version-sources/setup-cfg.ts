// setup.cfg, read the way setuptools reads it (configparser: `[section]` headers, `key = value`
// or `key: value`, keys case-insensitive, whole-line `#` / `;` comments, indented continuation
// lines). Only `[metadata] version` matters here, plus `[options] package_dir` for resolving an
// `attr:` reference.
import type { TokenMatch } from './types.ts'

export interface IniValue {
  /** The value's text, trimmed, continuation lines included. */
  value: string
  start: number
  end: number
}

/** The raw value of `key` in `[section]`, with the offsets of its trimmed text. */
export function findIniValue(text: string, section: string, key: string): IniValue | undefined {
  let current = ''
  let found: IniValue | undefined
  let offset = 0
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]
    const lineStart = offset
    offset += line.length + 1
    const header = /^\[([^\]]+)\]/.exec(line)
    if (header) {
      current = header[1].trim()
      continue
    }
    if (current !== section || /^[ \t]*[#;]/.test(line) || /^[ \t]/.test(line)) continue
    const entry = /^([^=:]+?)[ \t]*[=:][ \t]*/.exec(line)
    if (!entry || entry[1].trim().toLowerCase() !== key) continue
    // configparser lets a later duplicate win only in non-strict mode; setuptools is strict,
    // so there is one. Continuation lines (indented, non-empty) belong to the value.
    let end = lineStart + line.replace(/\r$/, '').length
    let next = index + 1
    let nextStart = offset
    while (next < lines.length && /^[ \t]+\S/.test(lines[next])) {
      end = nextStart + lines[next].replace(/\r$/, '').length
      nextStart += lines[next].length + 1
      next++
    }
    const start = lineStart + entry[0].length
    const raw = text.slice(start, end)
    const trimmedEnd = start + raw.trimEnd().length
    found = { value: text.slice(start, trimmedEnd), start, end: trimmedEnd }
    break
  }
  return found
}

export type SetupCfgVersion =
  | { kind: 'static'; match: TokenMatch }
  | { kind: 'attr'; reference: string; value: IniValue }
  | { kind: 'file'; files: string[]; value: IniValue }

/** `[metadata] version`: a literal, `attr: pkg.__version__` or `file: VERSION`. */
export function readSetupCfgVersion(text: string): SetupCfgVersion | undefined {
  const value = findIniValue(text, 'metadata', 'version')
  if (!value || !value.value) return undefined
  const directive = /^(attr|file)[ \t]*:[ \t]*([\s\S]*)$/.exec(value.value)
  if (directive?.[1] === 'attr') return { kind: 'attr', reference: directive[2].trim(), value }
  if (directive?.[1] === 'file') {
    const files = directive[2]
      .split(/[,\n]/)
      .map((file) => file.trim())
      .filter(Boolean)
    return { kind: 'file', files, value }
  }
  return {
    kind: 'static',
    match: { label: '[metadata] version', raw: value.value, start: value.start, end: value.end }
  }
}

/** `[options] package_dir` as a mapping (`=src` gives { '': 'src' }). */
export function readSetupCfgPackageDir(text: string): Record<string, string> {
  const value = findIniValue(text, 'options', 'package_dir')
  const mapping: Record<string, string> = {}
  if (!value) return mapping
  for (const item of value.value.split(/[,\n]/)) {
    const [name, dir] = item.split('=').map((part) => part.trim())
    if (dir !== undefined) mapping[name] = dir
  }
  return mapping
}
