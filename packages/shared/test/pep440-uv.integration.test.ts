// Cross-check of bumpVersion against `uv version --bump ... --dry-run` (the pinned .venv uv) over
// generated (version, bumps) cases: the same result where uv succeeds, a throw where uv errors,
// and uv's own wording for refused combinations and bumps that would not increase the version.
import { bumpVersion } from '../src/pep440.ts'
import { bumpCorpus } from './pep440/corpus.ts'
import type { BumpCase } from './pep440/corpus.ts'
import { runOracle } from './pep440/oracle.ts'

type UvResult = { ok: true; out: string } | { ok: false; err: string }

const cases = bumpCorpus()
let uv: UvResult[]

beforeAll(async () => {
  const answer = await runOracle<{ tool: string; results: UvResult[] }>('uv_oracle.py', cases)
  expect(answer.tool).toMatch(/^uv 0\.13\.9\b/)
  uv = answer.results
}, 120_000)

function ours(c: BumpCase): UvResult {
  try {
    return { ok: true, out: bumpVersion(c.version, c.bumps) }
  } catch (error) {
    return { ok: false, err: (error as Error).message }
  }
}

// uv reports an unreadable version wrapped in TOML parse context; that text is uv's, not ours.
const isParseError = (err: string): boolean => err.startsWith('error: Failed to parse')

describe('uv version --bump cross-check', () => {
  it('covers successes, refused combinations, non-increasing bumps and unreadable versions', () => {
    const errors = uv.filter((r): r is { ok: false; err: string } => !r.ok)
    expect(cases.length).toBeGreaterThan(1000)
    expect(uv.filter((r) => r.ok).length).toBeGreaterThan(500)
    expect(errors.filter((r) => r.err.includes("didn't increase the version")).length).toBeGreaterThan(100)
    expect(
      errors.filter((r) => r.err.includes('cannot be used with another') || r.err.includes('Only one')).length
    ).toBeGreaterThan(50)
    expect(errors.filter((r) => isParseError(r.err)).length).toBeGreaterThan(50)
  })

  it('bumps every case as uv does and fails exactly where uv fails, with uv’s message', () => {
    const mismatches: unknown[] = []
    cases.forEach((c, i) => {
      const theirs = uv[i]
      const mine = ours(c)
      const agree = theirs.ok
        ? mine.ok && mine.out === theirs.out
        : // uv's argument errors (a bad `kind=value`) add a usage trailer after the first line.
          !mine.ok && (isParseError(theirs.err) || theirs.err.split('\n')[0] === `error: ${mine.err}`)
      if (!agree) mismatches.push({ version: c.version, bumps: c.bumps, uv: theirs, ours: mine })
    })
    expect(mismatches.slice(0, 10)).toEqual([])
  })
})
