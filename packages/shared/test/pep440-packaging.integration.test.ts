// Cross-check against Python's packaging (the pinned .venv copy) over a generated corpus: validity,
// every parsed field, normalization, the helpers and the sort order must all agree.
import {
  compareVersions,
  normalizeVersion,
  parseVersion,
  publicVersion,
  baseVersion,
  isPrerelease,
  isPostrelease,
  isDevrelease
} from '../src/pep440.ts'
import type { Version } from '../src/pep440.ts'
import { seededRandom, versionCorpus } from './pep440/corpus.ts'
import { runOracle } from './pep440/oracle.ts'

type OracleResult =
  | { valid: false; error: string }
  | {
      valid: true
      normalized: string
      epoch: string
      release: string[]
      pre: [string, string] | null
      post: string | null
      dev: string | null
      local: ['int' | 'str', string][] | null
      public: string
      base: string
      isPrerelease: boolean
      isPostrelease: boolean
      isDevrelease: boolean
      rank: number
    }

const corpus = versionCorpus()
let oracle: OracleResult[]

beforeAll(async () => {
  const answer = await runOracle<{ tool: string; results: OracleResult[] }>('packaging_oracle.py', corpus)
  expect(answer.tool).toBe('26.3')
  oracle = answer.results
})

// Our answer in the oracle's shape, so one toEqual shows every disagreement for a string at once.
function ours(text: string): Omit<OracleResult & { valid: true }, 'rank'> | { valid: false } {
  let version: Version
  try {
    version = parseVersion(text)
  } catch {
    return { valid: false }
  }
  return {
    valid: true,
    normalized: normalizeVersion(text),
    epoch: String(version.epoch),
    release: version.release.map(String),
    pre: version.pre ? [version.pre[0], String(version.pre[1])] : null,
    post: version.post === undefined ? null : String(version.post),
    dev: version.dev === undefined ? null : String(version.dev),
    local: version.local ? version.local.map((s) => (typeof s === 'bigint' ? ['int', String(s)] : ['str', s])) : null,
    public: publicVersion(version),
    base: baseVersion(version),
    isPrerelease: isPrerelease(version),
    isPostrelease: isPostrelease(version),
    isDevrelease: isDevrelease(version)
  }
}

// At most this many mismatches are listed, so one broken rule does not bury the report.
const SHOWN = 10

describe('packaging cross-check', () => {
  it('covers a corpus of thousands of valid and invalid strings', () => {
    const valid = oracle.filter((r) => r.valid).length
    expect(corpus.length).toBeGreaterThanOrEqual(6000)
    expect(valid).toBeGreaterThan(3000)
    expect(corpus.length - valid).toBeGreaterThan(1000)
  })

  it('parses and normalizes every string as packaging does', () => {
    const mismatches: unknown[] = []
    corpus.forEach((text, i) => {
      const expected = oracle[i]
      const { rank: _rank, error: _error, ...fields } = expected as OracleResult & { rank?: number; error?: string }
      const actual = ours(text)
      if (JSON.stringify(actual) !== JSON.stringify(fields)) mismatches.push({ text, expected: fields, actual })
    })
    expect(mismatches.slice(0, SHOWN)).toEqual([])
  })

  // packaging gives each valid string the rank of its equality class in sorted order.
  const ranked = (): { text: string; version: Version; rank: number }[] =>
    corpus.flatMap((text, i) => {
      const r = oracle[i]
      return r.valid ? [{ text, version: parseVersion(text), rank: r.rank }] : []
    })

  it('sorts the corpus into packaging’s order', () => {
    const items = ranked()
    items.sort((a, b) => compareVersions(a.version, b.version))
    const mismatches: unknown[] = []
    for (let i = 1; i < items.length; i++) {
      const [a, b] = [items[i - 1], items[i]]
      const expected = Math.sign(a.rank - b.rank)
      const actual = compareVersions(a.version, b.version)
      if (a.rank > b.rank || actual !== expected) mismatches.push({ a: a.text, b: b.text, expected, actual })
    }
    expect(mismatches.slice(0, SHOWN)).toEqual([])
  })

  it('compares random pairs as packaging does, both ways round', () => {
    const items = ranked().sort((a, b) => a.rank - b.rank)
    const random = seededRandom(1)
    const mismatches: unknown[] = []
    for (let n = 0; n < 50000; n++) {
      const i = Math.floor(random() * items.length)
      // Every other pair are neighbours in sorted order, where the subtle rules (dev/pre/post/local) live.
      const j = n % 2 === 0 ? Math.min(i + 1, items.length - 1) : Math.floor(random() * items.length)
      const [a, b] = [items[i], items[j]]
      const expected = Math.sign(a.rank - b.rank)
      const forward = compareVersions(a.version, b.version)
      const backward = compareVersions(b.version, a.version)
      if (forward !== expected || backward !== -expected)
        mismatches.push({ a: a.text, b: b.text, expected, forward, backward })
    }
    expect(mismatches.slice(0, SHOWN)).toEqual([])
  })
})
