// A version source is one place in one file that holds the project's version: the readers find
// them, the agreement check compares them, and the editor rewrites exactly the characters in
// [start, end) so everything else in the file (formatting, comments, line endings) stays put.

export interface VersionSource {
  /** Absolute path of the file. */
  path: string
  /** The path as people see it: relative to the project directory, `/`-separated. */
  file: string
  /** What in the file holds the version, e.g. `[project].version` or `__version__`. */
  label: string
  /** 1-based line of the version token, for messages. */
  line: number
  /** The version exactly as written, e.g. `1.0.0-dev0`. */
  raw: string
  /** Offsets (UTF-16, as JavaScript indexes strings) of the version token in the file's text. */
  start: number
  end: number
}

/** What a reader found in one file before it is tied to a path. */
export interface TokenMatch {
  label: string
  raw: string
  start: number
  end: number
}

/** 1-based line number of `offset` in `text`. */
export function lineAt(text: string, offset: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++
  return line
}

export function toSource(path: string, file: string, text: string, match: TokenMatch): VersionSource {
  return {
    path,
    file,
    label: match.label,
    line: lineAt(text, match.start),
    raw: match.raw,
    start: match.start,
    end: match.end
  }
}
