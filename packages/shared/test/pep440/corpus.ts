// Generated inputs for the oracle cross-checks. Deterministic (seeded), so a failure names a
// string that fails again on the next run.
import type { BumpKind } from '../../src/pep440.ts'

/** mulberry32: tiny seeded PRNG; Math.random would make failures unreproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Random = () => number
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
const maybe = (random: Random, probability: number, text: string): string => (random() < probability ? text : '')

const SEPARATORS = ['', '.', '-', '_']
const NUMBERS = ['', '0', '1', '01', '12']
const PRE_SPELLINGS = [
  'a',
  'A',
  'alpha',
  'ALPHA',
  'Alpha',
  'b',
  'B',
  'beta',
  'BETA',
  'c',
  'C',
  'rc',
  'RC',
  'Rc',
  'pre',
  'PRE',
  'preview',
  'Preview'
]
const POST_SPELLINGS = ['post', 'POST', 'Post', 'rev', 'REV', 'r', 'R']
const DEV_SPELLINGS = ['dev', 'DEV', 'Dev']
const EPOCHS = ['', '', '', '0!', '1!', '01!', '2!', '10!', '99999999999999999999!']
const SEGMENTS = ['0', '1', '2', '3', '10', '01', '007', '2024', '99999999999999999999']
const LOCALS = [
  'abc',
  'ABC',
  '1',
  '01',
  '0',
  'ubuntu-1',
  'ubuntu_1',
  'a_b.c-d',
  '1.2.3',
  'deadbeef.1',
  'x.00',
  '1.abc',
  'abc.1',
  '123abc',
  'abc123',
  'a.b.c.d.e',
  'Z9.z9',
  '9007199254740993',
  '99999999999999999999999.1'
]
// Everything Python's `\s` matches, plus look-alikes it does not (\ufeff, \u200b, \u180e).
export const SPACES = [
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\v',
  '\f',
  '\x1c',
  '\x1f',
  '\x85',
  '\xa0',
  '\u1680',
  '\u2000',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  '\u200b',
  '\u180e'
]

function release(random: Random): string {
  const length = 1 + Math.floor(random() * 4)
  return Array.from({ length }, () =>
    random() < 0.85 ? pick(random, SEGMENTS.slice(0, 8)) : pick(random, SEGMENTS)
  ).join('.')
}

function pre(random: Random): string {
  return pick(random, SEPARATORS) + pick(random, PRE_SPELLINGS) + pick(random, SEPARATORS) + pick(random, NUMBERS)
}

function post(random: Random): string {
  if (random() < 0.25) return `-${pick(random, NUMBERS.slice(1))}`
  return pick(random, SEPARATORS) + pick(random, POST_SPELLINGS) + pick(random, SEPARATORS) + pick(random, NUMBERS)
}

function dev(random: Random): string {
  return pick(random, SEPARATORS) + pick(random, DEV_SPELLINGS) + pick(random, SEPARATORS) + pick(random, NUMBERS)
}

/** A random string in (or near) PEP 440's grammar, every part optional and in any spelling. */
export function randomVersion(random: Random): string {
  const space = (): string => (random() < 0.1 ? pick(random, SPACES) : '')
  return [
    space(),
    maybe(random, 0.15, pick(random, ['v', 'V'])),
    pick(random, EPOCHS),
    release(random),
    random() < 0.45 ? pre(random) : '',
    random() < 0.35 ? post(random) : '',
    random() < 0.35 ? dev(random) : '',
    random() < 0.3 ? `+${pick(random, LOCALS)}` : '',
    space()
  ].join('')
}

// Characters that break versions in interesting ways: grammar characters out of place, non-ASCII
// letters that case-fold to ASCII ones (ſ -> s, K (Kelvin) -> k, İ -> i), non-ASCII digits.
const NOISE = [
  '.',
  '-',
  '_',
  '+',
  '!',
  '*',
  ' ',
  'v',
  'a',
  'x',
  '0',
  'ſ',
  '\u212a',
  '\u0130',
  '\uff11',
  '\u0663',
  '..',
  '++',
  'post',
  'dev'
]

function mutate(random: Random, text: string): string {
  const at = Math.floor(random() * (text.length + 1))
  const roll = random()
  if (roll < 0.4) return text.slice(0, at) + pick(random, NOISE) + text.slice(at)
  if (roll < 0.7) return text.slice(0, at) + text.slice(at + 1)
  if (roll < 0.85) return text.slice(0, at) + text.slice(at + 1, at + 2) + text.slice(at, at + 1) + text.slice(at + 2)
  return text + text.slice(at)
}

const HAND_PICKED = [
  // Invalid on purpose.
  '',
  ' ',
  'v',
  'latest',
  'french toast',
  '1.0-foo',
  '1.0.*',
  '1.0+',
  '1.0+a+',
  '1.0++',
  '1.0+_foobar',
  '1.0+foo&asd',
  '1.0+1+1',
  '1.0+a..b',
  '1.0+a-',
  '1. 0',
  '1 .0',
  '1.0 a1',
  '1.0a 1',
  '.',
  '..',
  '1..0',
  '1.0.',
  '.1.0',
  '1!',
  '!1',
  '1!!1',
  'vv1.0',
  'v 1.0',
  '1.0.dev1.post1',
  '1.0.post1.a1',
  '1.0a1a2',
  '1.0a1.1',
  '1.0-1-1',
  '1.0-',
  '1.0--1',
  '1.0+\u0130',
  '1.0+\u212a',
  '1.0\u017fpost',
  '\u0660\u0661\u0662.\u0663',
  '\uff11.0',
  '1.0\u0000',
  // Valid, and easy to get wrong.
  '1.0a-',
  '1.0.post.',
  '1.0-r',
  '1.0-post-1',
  '1.0r-1',
  '1.0-1.dev1',
  '1.0-0',
  '1.0a1-1',
  '1.0alpha_1',
  '1.0-preview.1',
  '1.0PREVIEW2',
  '1.0c1',
  '1.0rc1.post1.dev1',
  '1.0.DEV',
  '1.0_dev_',
  '00!1.2',
  '0100!0.0',
  '1.01',
  '1.0+AbC',
  '1.0+01.a.001',
  '   v1.0\t\n',
  '\u202f1.0\t\u2029\n ',
  '1.99999999999999999999',
  '9007199254740993',
  '9007199254740992.9007199254740993',
  '1.0a9007199254740993',
  '1.0+9007199254740993.9007199254740992',
  '18446744073709551614',
  '18446744073709551615',
  '18446744073709551616',
  // CPython's int() limit: 4300 digits parse, 4301 raise.
  `1.${'9'.repeat(4300)}`,
  `1.${'9'.repeat(4301)}`,
  `1.0+${'0'.repeat(4301)}`,
  `${'1'.repeat(4301)}!1.0`
]

/** A few thousand strings for the packaging cross-check: sweeps of each part, then random mixes. */
export function versionCorpus(): string[] {
  const random = seededRandom(440)
  const out = new Set<string>(HAND_PICKED)
  for (const before of SEPARATORS) {
    for (const label of PRE_SPELLINGS)
      for (const after of SEPARATORS) for (const n of NUMBERS) out.add(`1.0${before}${label}${after}${n}`)
    for (const label of POST_SPELLINGS)
      for (const after of SEPARATORS) for (const n of NUMBERS) out.add(`1.0${before}${label}${after}${n}`)
    for (const label of DEV_SPELLINGS)
      for (const after of SEPARATORS) for (const n of NUMBERS) out.add(`1.0${before}${label}${after}${n}`)
  }
  for (const n of NUMBERS.slice(1)) out.add(`1.0-${n}`)
  for (const epoch of EPOCHS) {
    for (const length of [1, 2, 3, 4]) {
      for (let i = 0; i < 6; i++) out.add(epoch + Array.from({ length }, () => pick(random, SEGMENTS)).join('.'))
    }
  }
  for (const local of LOCALS)
    for (const base of ['1.0', '1.0a1', '1!1.0.post1.dev2', '1.0.0']) out.add(`${base}+${local}`)
  for (const space of ['', ...SPACES]) {
    for (const prefix of ['', 'v', 'V']) {
      out.add(`${space}${prefix}1.0`)
      out.add(`${prefix}1.0rc1${space}`)
      out.add(`${space}${prefix}1.0+abc${space}`)
    }
  }
  while (out.size < 5000) out.add(randomVersion(random))
  const valid = [...out]
  while (out.size < 6500) out.add(mutate(random, pick(random, valid)))
  return [...out]
}

export interface BumpCase {
  version: string
  /** Kinds, or kinds with a value as uv takes them (`rc=3`). */
  bumps: string[]
}

const SINGLE_BUMPS: BumpKind[] = ['major', 'minor', 'patch', 'stable', 'alpha', 'beta', 'rc', 'post', 'dev']
const RELEASE_BUMPS: BumpKind[] = ['major', 'minor', 'patch']
const PRE_BUMPS: BumpKind[] = ['alpha', 'beta', 'rc', 'dev']
// Lists uv refuses, to pin down which check fires first and what it reports.
const REFUSED_BUMPS: BumpKind[][] = [
  ['stable', 'patch'],
  ['patch', 'stable'],
  ['stable', 'stable'],
  ['post', 'dev'],
  ['dev', 'post'],
  ['post', 'post'],
  ['major', 'post'],
  ['stable', 'post'],
  ['major', 'minor'],
  ['patch', 'patch'],
  ['alpha', 'beta'],
  ['dev', 'dev'],
  ['alpha', 'dev'],
  ['rc', 'rc'],
  ['major', 'alpha', 'dev'],
  ['minor', 'beta', 'rc'],
  ['major', 'minor', 'post'],
  ['major', 'minor', 'alpha', 'beta'],
  ['stable', 'major', 'minor']
]

const VALUE_BUMPS: string[][] = [
  ['major=2'],
  ['minor=5'],
  ['patch=7'],
  ['patch=07'],
  ['major=0'],
  ['alpha=2'],
  ['beta=3'],
  ['rc=3'],
  ['rc=0'],
  ['post=5'],
  ['dev=4'],
  ['minor', 'rc=2'],
  ['rc=2', 'minor=3'],
  ['minor=3', 'dev=9'],
  ['stable=1'],
  ['rc='],
  ['rc=x'],
  ['rc=18446744073709551616'],
  ['alpha=2', 'beta=3'],
  ['post=1', 'dev']
]

const BUMP_VERSIONS = [
  '0',
  '1',
  '0.0',
  '1.2',
  '1.2.3',
  '1.2.3.4',
  '1.2.3.4.5',
  '0.0.0',
  '2024.1',
  '1.02.003',
  '1!1.2.3',
  '2!0',
  '1.2.3a0',
  '1.2.3a1',
  '1.2.3b2',
  '1.2.3rc1',
  '1.2.3c3',
  '1.2.3.post0',
  '1.2.3.post1',
  '1.2.3.dev0',
  '1.2.3.dev4',
  '1.2.3a1.dev1',
  '1.2.3a1.post1',
  '1.2.3a1.post1.dev1',
  '1.2.3rc2.dev3',
  '1.2.3.post1.dev1',
  '1.2.3+local',
  '1.2.3a1+local.7',
  '1.2.3.dev1+0',
  '1!0.1rc1.post2+x',
  'v1.2.3',
  ' 1.2.3\t',
  '\n1.2.3\r',
  '\f1.2.3',
  '1.2.3-1',
  '1.2.3alpha',
  '1.2.3.POST',
  '1.2.3-dev',
  '18446744073709551614',
  '1.18446744073709551614.1a18446744073709551614',
  '1.2.3.post18446744073709551614',
  '18446744073709551615',
  '1.2.3.dev18446744073709551615',
  '18446744073709551615!1',
  '99999999999999999999',
  '1.2+018446744073709551616',
  '1.2+00018446744073709551615',
  '1.2+18446744073709551616.a',
  // packaging accepts these, uv does not: it trims only ASCII whitespace.
  '\xa01.2.3',
  '\v1.2.3',
  '1.2.3\x1c',
  '1.2.3\u3000',
  // Invalid for both.
  'latest',
  '',
  '1.2.*',
  '1.2.3+',
  '1.2.3-foo'
]

/**
 * (version, bumps) pairs for the uv cross-check: every single bump and a few release + pre-release
 * pairs (in either order) per version, plus refused lists on a handful of versions. ~1300 uv runs.
 */
export function bumpCorpus(): BumpCase[] {
  const random = seededRandom(9)
  const versions = [...BUMP_VERSIONS]
  while (versions.length < 85) {
    const version = randomVersion(random)
    if (!versions.includes(version)) versions.push(version)
  }
  const cases: BumpCase[] = []
  for (const version of versions) {
    for (const bump of SINGLE_BUMPS) cases.push({ version, bumps: [bump] })
    for (let i = 0; i < 5; i++) {
      const pair = [pick(random, RELEASE_BUMPS), pick(random, PRE_BUMPS)]
      cases.push({ version, bumps: random() < 0.5 ? pair : pair.reverse() })
    }
  }
  for (const version of ['1.2.3', '1.2.3a1', '1.2.3.post1.dev1', '1!2+x', 'latest']) {
    for (const bumps of REFUSED_BUMPS) cases.push({ version, bumps })
  }
  // `kind=value` sets the component instead of adding one (and can fail to increase).
  for (const version of BUMP_VERSIONS.slice(0, 24)) for (const bumps of VALUE_BUMPS) cases.push({ version, bumps })
  return cases
}
