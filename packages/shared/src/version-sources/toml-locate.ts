// Finds where a TOML string value sits in the original text, so that an edit replaces only the
// characters between its quotes. smol-toml parses the document (that is the truth about what
// the keys hold); this scanner only locates, and the callers check that the located text equals
// what the parser read before they touch it. It walks the grammar far enough to never mistake
// text inside a multi-line string, an array or a comment for a table header or a key.

export interface TomlStringLocation {
  /** The full dotted key, table path included: ['project', 'version']. */
  key: readonly string[]
  /** The string's value with escapes decoded. */
  value: string
  /** Offsets of the text between the quotes. */
  start: number
  end: number
}

const BARE_KEY = /[A-Za-z0-9_-]/
const BASIC_ESCAPES: Readonly<Record<string, string>> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\x1b',
  '"': '"',
  '\\': '\\'
}

class Scanner {
  pos = 0
  readonly found: TomlStringLocation[] = []
  readonly text: string

  constructor(text: string) {
    this.text = text
  }

  fail(what: string): never {
    throw new Error(`cannot scan TOML at offset ${this.pos}: ${what}`)
  }

  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? ''
  }

  startsWith(token: string): boolean {
    return this.text.startsWith(token, this.pos)
  }

  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++
  }

  skipComment(): void {
    if (this.peek() !== '#') return
    while (this.pos < this.text.length && this.peek() !== '\n') this.pos++
  }

  /** Spaces, newlines and comments, as allowed between array elements. */
  skipBlank(): void {
    for (;;) {
      this.skipSpaces()
      if (this.peek() === '#') this.skipComment()
      else if (this.peek() === '\n' || this.peek() === '\r') this.pos++
      else return
    }
  }

  /** A basic or literal single-line string; returns its decoded value and content span. */
  readString(): { value: string; start: number; end: number } {
    const quote = this.peek()
    this.pos++
    const start = this.pos
    let value = ''
    for (;;) {
      const c = this.peek()
      if (c === '' || c === '\n') this.fail('unterminated string')
      if (c === quote) break
      if (c === '\\' && quote === '"') {
        const next = this.peek(1)
        if (next === 'u' || next === 'U') {
          const length = next === 'u' ? 4 : 8
          value += String.fromCodePoint(Number.parseInt(this.text.slice(this.pos + 2, this.pos + 2 + length), 16))
          this.pos += 2 + length
        } else if (next === 'x') {
          value += String.fromCharCode(Number.parseInt(this.text.slice(this.pos + 2, this.pos + 4), 16))
          this.pos += 4
        } else {
          value += BASIC_ESCAPES[next] ?? next
          this.pos += 2
        }
        continue
      }
      value += c
      this.pos++
    }
    const end = this.pos
    this.pos++
    return { value, start, end }
  }

  skipMultilineString(): void {
    const delimiter = this.text.slice(this.pos, this.pos + 3)
    this.pos += 3
    for (;;) {
      if (this.pos >= this.text.length) this.fail('unterminated multi-line string')
      if (delimiter === '"""' && this.peek() === '\\') {
        this.pos += 2
        continue
      }
      if (this.startsWith(delimiter)) {
        this.pos += 3
        // Up to two more quotes may close it: `""""` is a quote and then the delimiter.
        while (this.peek() === delimiter[0]) this.pos++
        return
      }
      this.pos++
    }
  }

  /** A dotted key: bare or quoted parts separated by dots. */
  readKey(): string[] {
    const parts: string[] = []
    for (;;) {
      this.skipSpaces()
      const c = this.peek()
      if (c === '"' || c === "'") parts.push(this.readString().value)
      else {
        const start = this.pos
        while (BARE_KEY.test(this.peek())) this.pos++
        if (this.pos === start) this.fail(`expected a key, found ${JSON.stringify(c)}`)
        parts.push(this.text.slice(start, this.pos))
      }
      this.skipSpaces()
      if (this.peek() !== '.') return parts
      this.pos++
    }
  }

  /** A value; strings are recorded under `key` (undefined inside arrays, which hold no keys). */
  readValue(key: readonly string[] | undefined): void {
    this.skipSpaces()
    const c = this.peek()
    if (this.startsWith('"""') || this.startsWith("'''")) {
      this.skipMultilineString()
    } else if (c === '"' || c === "'") {
      const string = this.readString()
      if (key) this.found.push({ key, ...string })
    } else if (c === '[') {
      this.pos++
      for (;;) {
        this.skipBlank()
        if (this.peek() === ']') break
        this.readValue(undefined)
        this.skipBlank()
        if (this.peek() === ',') this.pos++
        else if (this.peek() !== ']') this.fail('expected , or ] in an array')
      }
      this.pos++
    } else if (c === '{') {
      this.pos++
      for (;;) {
        this.skipBlank()
        if (this.peek() === '}') break
        const inner = this.readKey()
        if (this.peek() !== '=') this.fail('expected = in an inline table')
        this.pos++
        this.readValue(key ? [...key, ...inner] : undefined)
        this.skipBlank()
        if (this.peek() === ',') this.pos++
        else if (this.peek() !== '}') this.fail('expected , or } in an inline table')
      }
      this.pos++
    } else {
      // Numbers, booleans, dates: up to whatever ends a value.
      while (this.pos < this.text.length && !/[,\]}\n\r#]/.test(this.peek())) this.pos++
    }
  }

  scan(): TomlStringLocation[] {
    let table: string[] = []
    for (;;) {
      this.skipBlank()
      if (this.pos >= this.text.length) return this.found
      if (this.peek() === '[') {
        const arrayTable = this.peek(1) === '['
        this.pos += arrayTable ? 2 : 1
        const key = this.readKey()
        if (!this.startsWith(arrayTable ? ']]' : ']')) this.fail('expected ] after a table name')
        this.pos += arrayTable ? 2 : 1
        // Keys under [[x]] belong to one element of an array; mark the path so it never matches
        // a plain table of the same name.
        table = arrayTable ? [...key, '[]'] : key
      } else {
        const key = this.readKey()
        if (this.peek() !== '=') this.fail('expected = after a key')
        this.pos++
        this.readValue([...table, ...key])
      }
    }
  }
}

/** Every single-line string value reachable through keys (not inside arrays), in file order. */
export function locateTomlStrings(text: string): TomlStringLocation[] {
  return new Scanner(text).scan()
}
