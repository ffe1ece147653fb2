// Hand-picked cases, most from packaging's own tests/test_version.py, plus the uv bump rules
// found by experiment. The generated cross-checks against the real tools are in
// pep440-packaging.integration.test.ts and pep440-uv.integration.test.ts.
import {
  VersionError,
  baseVersion,
  bumpVersion,
  compareVersions,
  formatVersion,
  isBumpKind,
  isDevrelease,
  isLocal,
  isPostrelease,
  isPrerelease,
  isValidVersion,
  normalizeVersion,
  parseVersion,
  publicVersion
} from '../src/pep440.ts'
import type { BumpKind } from '../src/pep440.ts'

// packaging's VERSIONS list, which it keeps in sorting order.
const SORTED = [
  '1.0.dev0',
  '1.0.dev456',
  '1.0.dev456+local',
  '1.0a0',
  '1.0a0.post0.dev0',
  '1.0a0.post0',
  '1.0a1.dev1',
  '1.0a1.dev1+local',
  '1.0a1',
  '1.0a1+local',
  '1.0b0',
  '1.0b1.dev456',
  '1.0b2',
  '1.0b2.post345.dev456',
  '1.0b2.post345',
  '1.0b2-346',
  '1.0rc0',
  '1.0rc1.dev1',
  '1.0c1',
  '1.0rc2',
  '1.0',
  '1.0.post0.dev0',
  '1.0.post0',
  '1.0.post456.dev34',
  '1.0.post456',
  '1.0.post456+local',
  '1.0.1.dev1',
  '1.0.1a1',
  '1.0.1',
  '1.0.1+local',
  '1.0.1.post1',
  '1.1.dev1',
  '1.2+a',
  '1.2+abc',
  '1.2+abcdef',
  '1.2+def',
  '1.2+0',
  '1.2+1',
  '1.2+1.abc',
  '1.2+1.1',
  '1.2+1.1.0',
  '1.2+2',
  '1.2+123',
  '1.2+123456',
  '1.2.r32+123456',
  '1.2.rev33+123456',
  '1!1.0.dev0',
  '1!1.0a0.post0',
  '1!1.0rc2',
  '1!1.0',
  '1!1.2.rev33+123456'
]

describe('parseVersion', () => {
  it('gives typed fields with exact numbers', () => {
    expect(parseVersion('1!2.0.3rc4.post5.dev6+Ubuntu-01.x')).toEqual({
      epoch: 1n,
      release: [2n, 0n, 3n],
      pre: ['rc', 4n],
      post: 5n,
      dev: 6n,
      local: ['ubuntu', 1n, 'x']
    })
    expect(parseVersion('1.0')).toEqual({ epoch: 0n, release: [1n, 0n] })
    expect(parseVersion('1.99999999999999999999').release).toEqual([1n, 99999999999999999999n])
  })

  it('reads implicit numbers and the dash-only post-release', () => {
    expect(parseVersion('1.0a').pre).toEqual(['a', 0n])
    expect(parseVersion('1.0-5').post).toBe(5n)
    expect(parseVersion('1.0.post').post).toBe(0n)
    expect(parseVersion('1.0dev').dev).toBe(0n)
  })

  it.each([
    'french toast',
    '1.0+a+',
    '1.0++',
    '1.0+_foobar',
    '1.0+foo&asd',
    '1.0+1+1',
    '1. 0',
    '1 .0',
    '1. 0a1',
    '1 .0a1',
    '1.0 a1',
    '1.0a 1',
    '\u0660\u0661\u0662.\u0663\u0664\u0665.\u0666\u0667\u0668\u0669',
    '.',
    '..',
    '1..0',
    '1.0.',
    '.1.0',
    '1..2.3',
    // Non-ASCII letters that case-fold to ASCII must not pass as [a-z].
    '1.0+\u0130',
    '1.0+\u212a',
    '1.0\u017fpost',
    // JavaScript's \s has \ufeff, Python's does not.
    '\ufeff1.0'
  ])('rejects %j', (text) => {
    expect(() => parseVersion(text)).toThrow(VersionError)
    expect(isValidVersion(text)).toBe(false)
  })

  it('says why a version is invalid', () => {
    expect(() => parseVersion('1.0-foo')).toThrow('Invalid PEP 440 version "1.0-foo": unexpected "-foo" after "1.0"')
    expect(() => parseVersion('')).toThrow('Invalid PEP 440 version "": it is empty')
    expect(() => parseVersion('latest')).toThrow(/"latest": a version starts with a release number/)
    expect(() => parseVersion('1.0+')).toThrow(/a local label after "\+" is ASCII letters and digits/)
    expect(() => parseVersion('1.0.*')).toThrow(/wildcards belong in specifiers/)
    expect(() => parseVersion(`1.${'9'.repeat(4301)}`)).toThrow(/more than 4300 digits/)
    expect(() => parseVersion(undefined as unknown as string)).toThrow(
      'Invalid PEP 440 version undefined: expected a string, got undefined'
    )
  })
})

describe('normalizeVersion', () => {
  it.each([
    ['1.0dev', '1.0.dev0'],
    ['1.0.dev', '1.0.dev0'],
    ['1.0-DEV1', '1.0.dev1'],
    ['1.0a', '1.0a0'],
    ['1.0.a1', '1.0a1'],
    ['1.0-alpha', '1.0a0'],
    ['1.0ALPHA1', '1.0a1'],
    ['1.0.b', '1.0b0'],
    ['1.0-BETA1', '1.0b1'],
    ['1.0c', '1.0rc0'],
    ['1.0-C1', '1.0rc1'],
    ['1.0.RC', '1.0rc0'],
    ['1.0pre1', '1.0rc1'],
    ['1.0-preview', '1.0rc0'],
    ['1.0post', '1.0.post0'],
    ['1.0-POST1', '1.0.post1'],
    ['1.0r', '1.0.post0'],
    ['1.0rev', '1.0.post0'],
    ['1.0.r1', '1.0.post1'],
    ['1.0-5', '1.0.post5'],
    ['1.0-r5', '1.0.post5'],
    ['1.0-rev5', '1.0.post5'],
    ['1.0+AbC', '1.0+abc'],
    ['1.0+ubuntu-1_a', '1.0+ubuntu.1.a'],
    ['1.0+001.a', '1.0+1.a'],
    ['1.01', '1.1'],
    ['1.0a05', '1.0a5'],
    ['1.0c056', '1.0rc56'],
    ['1.0.post000', '1.0.post0'],
    ['1.1.dev09000', '1.1.dev9000'],
    ['00!1.2', '1.2'],
    ['0100!0.0', '100!0.0'],
    ['v1.0', '1.0'],
    ['V1.0', '1.0'],
    ['   v1.0\t\n', '1.0'],
    ['\u202f1.0\t\u2029\n ', '1.0'],
    ['\x1c1.0\x85', '1.0'],
    ['1.0a-', '1.0a0'],
    ['1.0.post.dev', '1.0.post0.dev0'],
    ['1.99999999999999999999', '1.99999999999999999999'],
    ['9007199254740993', '9007199254740993'],
    ['0!1.0.4+8.0', '1.0.4+8.0'],
    ['7!1.0b2.post345.dev456', '7!1.0b2.post345.dev456']
  ])('%j -> %j', (text, normalized) => {
    expect(normalizeVersion(text)).toBe(normalized)
    expect(formatVersion(parseVersion(text))).toBe(normalized)
  })
})

describe('compareVersions', () => {
  it('keeps packaging’s list in order', () => {
    for (let i = 0; i < SORTED.length; i++) {
      for (let j = 0; j < SORTED.length; j++) {
        expect([SORTED[i], SORTED[j], compareVersions(SORTED[i], SORTED[j])]).toEqual([
          SORTED[i],
          SORTED[j],
          Math.sign(i - j)
        ])
      }
    }
  })

  it('sorts a shuffled list back into order', () => {
    const shuffled = [...SORTED].reverse()
    expect(shuffled.sort(compareVersions)).toEqual(SORTED)
  })

  it.each([
    ['1.0', '1.0.0'],
    ['1.0rc1', '1.0c1'],
    ['1.0+1', '1.0+01'],
    ['1.0', 'v1.0.0'],
    ['0!1', '1']
  ])('%j == %j', (a, b) => {
    expect(compareVersions(a, b)).toBe(0)
  })

  it('compares big numbers exactly', () => {
    expect(compareVersions('1.99999999999999999999', '1.99999999999999999998')).toBe(1)
    expect(compareVersions('9007199254740993', '9007199254740992')).toBe(1)
    expect(compareVersions('1.0+9007199254740993', '1.0+9007199254740992')).toBe(1)
  })

  it('takes parsed versions too', () => {
    expect(compareVersions(parseVersion('2.0'), '1.0')).toBe(1)
  })
})

describe('helpers', () => {
  it.each([
    ['1.0.dev0', true, true, false, false],
    ['1.0a1', true, false, false, false],
    ['1.0rc1.post1', true, false, true, false],
    ['1.0a1.post1.dev1', true, true, true, false],
    ['1.0', false, false, false, false],
    ['1.0+dev', false, false, false, true],
    ['1.0.post1+dev', false, false, true, true]
  ])('%j: prerelease %j, devrelease %j, postrelease %j, local %j', (text, pre, dev, post, local) => {
    expect(isPrerelease(text)).toBe(pre)
    expect(isDevrelease(text)).toBe(dev)
    expect(isPostrelease(text)).toBe(post)
    expect(isLocal(text)).toBe(local)
  })

  it.each([
    ['1.0', '1.0', '1.0'],
    ['1.0.dev6+deadbeef', '1.0.dev6', '1.0'],
    ['1!1.0a1.post5.dev6+deadbeef', '1!1.0a1.post5.dev6', '1!1.0'],
    ['1!1.0.post5', '1!1.0.post5', '1!1.0']
  ])('%j: public %j, base %j', (text, pub, base) => {
    expect(publicVersion(text)).toBe(pub)
    expect(baseVersion(parseVersion(text))).toBe(base)
  })

  it('knows the bump kinds', () => {
    expect(isBumpKind('rc')).toBe(true)
    expect(isBumpKind('release')).toBe(false)
  })
})

// What uv 0.13.9 answered for each; pep440-uv.integration.test.ts replays a generated corpus against uv.
describe('bumpVersion', () => {
  it.each<[string, BumpKind | BumpKind[], string]>([
    ['1.2.3', 'major', '2.0.0'],
    ['1.2.3', 'minor', '1.3.0'],
    ['1.2.3', 'patch', '1.2.4'],
    ['1.2', 'patch', '1.2.1'],
    ['1', 'minor', '1.1'],
    ['1', 'patch', '1.0.1'],
    ['1.2.3.4', 'patch', '1.2.4.0'],
    ['1!1.2', 'minor', '1!1.3'],
    ['1.2+loc', 'patch', '1.2.1+loc'],
    ['1.2.3rc1', 'patch', '1.2.4'],
    ['1.2.3.post1', 'patch', '1.2.4'],
    ['1.2.3.dev1', 'patch', '1.2.4'],
    ['1.2.3a1', 'alpha', '1.2.3a2'],
    ['1.2.3a1.dev1', 'alpha', '1.2.3a2'],
    ['1.2.3a0', 'alpha', '1.2.3a1'],
    ['1.2.3b1', 'rc', '1.2.3rc1'],
    ['1.2.3.dev1', 'alpha', '1.2.3a1'],
    ['1.2.3rc1.post1', 'rc', '1.2.3rc2'],
    ['1.2.3a1', 'stable', '1.2.3'],
    ['1.2.3b4.post5.dev6', 'stable', '1.2.3'],
    ['1.2.3a1+local', 'stable', '1.2.3+local'],
    ['1.2.3', 'post', '1.2.3.post1'],
    ['1.2.3.dev1', 'post', '1.2.3.post1'],
    ['1.2.3.post1.dev1', 'post', '1.2.3.post2'],
    ['1.2.3a1.dev2', 'post', '1.2.3a1.post1'],
    ['1.2.3.dev0', 'dev', '1.2.3.dev1'],
    ['1.2.3a4.dev6', 'dev', '1.2.3a4.dev7'],
    ['1.2.3.post1.dev1', 'dev', '1.2.3.post1.dev2'],
    ['1.2.3', ['minor', 'rc'], '1.3.0rc1'],
    ['1.2.3', ['rc', 'minor'], '1.3.0rc1'],
    ['1.2.3', ['patch', 'dev'], '1.2.4.dev1'],
    ['1.2.3', ['major', 'alpha'], '2.0.0a1'],
    ['1.2.3a1', ['patch', 'alpha'], '1.2.4a1'],
    ['1.2.3rc1', ['minor', 'beta'], '1.3.0b1'],
    [' V1.02.003 ', 'patch', '1.2.4'],
    ['1.0+aB.Cd', 'patch', '1.0.1+ab.cd'],
    ['18446744073709551614', 'major', '18446744073709551615'],
    // uv keeps a local number too big for u64 as text, leading zeros and all.
    ['1.0+018446744073709551616', 'patch', '1.0.1+018446744073709551616'],
    ['1.0+00018446744073709551615', 'patch', '1.0.1+18446744073709551615']
  ])('%j + %j = %j', (version, bumps, expected) => {
    expect(bumpVersion(version, bumps)).toBe(expected)
  })

  it.each<[string, BumpKind | BumpKind[], string]>([
    [
      '1.2.3',
      'alpha',
      "1.2.3 => 1.2.3a1 didn't increase the version; when bumping to a pre-release version you also need to increase a release version component, e.g., with `--bump <major|minor|patch>`"
    ],
    [
      '1.2.3.post1',
      'alpha',
      "1.2.3.post1 => 1.2.3a1 didn't increase the version; when bumping to a pre-release version you also need to increase a release version component, e.g., with `--bump <major|minor|patch>`"
    ],
    [
      '1.2.3rc1',
      'beta',
      "1.2.3rc1 => 1.2.3b1 didn't increase the version; provide the exact version to force an update"
    ],
    [
      '1.2.3.post1.dev1',
      'alpha',
      "1.2.3.post1.dev1 => 1.2.3a1 didn't increase the version; provide the exact version to force an update"
    ],
    ['1.2.3', 'stable', "1.2.3 => 1.2.3 didn't increase the version; provide the exact version to force an update"],
    [
      '1.2.3.post1',
      'stable',
      "1.2.3.post1 => 1.2.3 didn't increase the version; provide the exact version to force an update"
    ],
    [
      '1.2.3',
      'dev',
      "1.2.3 => 1.2.3.dev1 didn't increase the version; when bumping to a dev version you also need to increase another version component, e.g., with `--bump <major|minor|patch|alpha|beta|rc>`"
    ],
    [
      '1.2.3a1',
      'dev',
      "1.2.3a1 => 1.2.3a1.dev1 didn't increase the version; when bumping to a dev version you also need to increase another version component, e.g., with `--bump <major|minor|patch|alpha|beta|rc>`"
    ],
    ['1.2.3', ['stable', 'patch'], '`--bump stable` cannot be used with another `--bump` value, got: stable, patch'],
    ['1.2.3', ['post', 'dev'], '`--bump post` cannot be used with another `--bump` value, got: post, dev'],
    [
      '1.2.3',
      ['major', 'minor', 'post'],
      '`--bump post` cannot be used with another `--bump` value, got: major, minor, post'
    ],
    ['1.2.3', ['major', 'major'], 'Only one release version component can be provided to `--bump`, got: major, major'],
    [
      '1.2.3',
      ['major', 'minor', 'alpha', 'beta'],
      'Only one release version component can be provided to `--bump`, got: major, minor'
    ],
    [
      '1.2.3',
      ['alpha', 'beta'],
      'Only one pre-release version component can be provided to `--bump`, got: alpha, beta'
    ],
    [
      '1.2.3',
      ['major', 'beta', 'dev'],
      'Only one pre-release version component can be provided to `--bump`, got: beta, dev'
    ],
    ['1.2.3', [], 'No version bump given'],
    ['1.2.3', 'release' as BumpKind, 'Unknown version bump "release"'],
    ['latest', 'patch', 'Invalid PEP 440 version "latest"'],
    ['18446744073709551615', 'patch', 'uv allows numbers up to 18446744073709551614, got 18446744073709551615'],
    ['\xa01.2.3', 'patch', 'uv trims only ASCII whitespace'],
    ['\v1.2.3', 'patch', 'uv trims only ASCII whitespace']
  ])('%j + %j throws %j', (version, bumps, message) => {
    expect(() => bumpVersion(version, bumps)).toThrow(VersionError)
    expect(() => bumpVersion(version, bumps)).toThrow(message)
  })
})
