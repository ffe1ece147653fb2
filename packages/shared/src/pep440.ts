// PEP 440 versions: parsed, normalized and ordered exactly as Python's packaging.version.Version
// (packaging 26.3) does, and bumped exactly as `uv version --bump` (uv 0.13.9) does. Both are
// checked against the real tools over generated corpora in packages/shared/test/pep440*.test.ts,
// so an edit here that drifts from either tool fails there.
import { ActionError, InputError } from './errors.ts'

/** A version string that PEP 440 (or uv, when bumping) rejects, or a bump uv refuses. */
export class VersionError extends ActionError {
  constructor(message: string) {
    super(message)
    this.name = 'VersionError'
  }
}

export type PreReleaseLabel = 'a' | 'b' | 'rc'

/**
 * A parsed version, fields as packaging.version.Version has them. Numbers are bigints because
 * PEP 440 puts no bound on them and Python compares them exactly: `1.99999999999999999999` must not
 * turn into 1e20. JSON.stringify refuses bigints, so turn a Version into text with formatVersion().
 */
export interface Version {
  readonly epoch: bigint
  readonly release: readonly bigint[]
  readonly pre?: readonly [PreReleaseLabel, bigint]
  readonly post?: bigint
  readonly dev?: bigint
  /** Lowercased; all-digit segments are numbers, so `+ubuntu.01` is ['ubuntu', 1n]. */
  readonly local?: readonly (string | bigint)[]
}

// Built up field by field, then handed out as a (readonly) Version.
interface Draft {
  epoch: bigint
  release: bigint[]
  pre?: [PreReleaseLabel, bigint]
  post?: bigint
  dev?: bigint
  local?: (string | bigint)[]
}

// packaging's VERSION_PATTERN minus its possessive quantifiers, which JavaScript lacks. packaging
// itself uses this plain form on Pythons older than 3.11.5 because both accept the same strings
// and capture the same groups.
const VERSION_BODY = [
  'v?',
  '(?:(?<epoch>[0-9]+)!)?',
  '(?<release>[0-9]+(?:\\.[0-9]+)*)',
  '(?:[._-]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[._-]?(?<preN>[0-9]+)?)?',
  '(?:-(?<postN1>[0-9]+)|[._-]?(?<postL>post|rev|r)[._-]?(?<postN2>[0-9]+)?)?',
  '(?:[._-]?(?<devL>dev)[._-]?(?<devN>[0-9]+)?)?',
  '(?:\\+(?<local>[a-z0-9]+(?:[._-][a-z0-9]+)*))?'
].join('')

// What Python's `\s` matches in a str pattern (str.isspace()). JavaScript's `\s` differs: it
// lacks \x1c-\x1f and \x85 and adds \ufeff, so spell the set out.
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]'
// uv trims only ASCII whitespace as Rust defines it (no \v) and rejects any other space.
const UV_SPACE = '[\\t\\n\\f\\r ]'

// No `u` flag on purpose: with it, `i` would use Unicode case folding and let 'ſ' match 's' or the
// Kelvin sign match 'k'; Python matches all of these letters as ASCII only.
const PY_VERSION = new RegExp(`^${PY_SPACE}*(?:${VERSION_BODY})${PY_SPACE}*$`, 'i')
const UV_VERSION = new RegExp(`^${UV_SPACE}*(?:${VERSION_BODY})${UV_SPACE}*$`, 'i')
const VERSION_PREFIX = new RegExp(`^${PY_SPACE}*(?:${VERSION_BODY})`, 'i')
const ONLY_SPACE = new RegExp(`^${PY_SPACE}*$`)

const PRE_LABELS: Readonly<Record<string, PreReleaseLabel>> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  pre: 'rc',
  preview: 'rc',
  rc: 'rc'
}

// CPython's int() refuses decimal strings longer than this (sys.get_int_max_str_digits()), so
// packaging raises for such a version rather than parsing it.
const PYTHON_INT_MAX_STR_DIGITS = 4300

interface Groups {
  epoch?: string
  release: string
  preL?: string
  preN?: string
  postN1?: string
  postL?: string
  postN2?: string
  devL?: string
  devN?: string
  local?: string
}

function quote(text: unknown): string {
  return typeof text === 'string' ? JSON.stringify(text) : String(text)
}

/** Why `text` is not a version, for the error message; only called once matching has failed. */
function whyInvalid(text: string): string {
  if (ONLY_SPACE.test(text)) return 'it is empty'
  const prefix = VERSION_PREFIX.exec(text)
  if (!prefix) return 'a version starts with a release number such as "1.0", optionally after "v" or an epoch "N!"'
  const rest = text.slice(prefix[0].length)
  const reason = `unexpected ${JSON.stringify(rest)} after ${JSON.stringify(prefix[0].trim())}`
  if (rest.includes('*')) return `${reason}; wildcards belong in specifiers such as "==1.0.*", not in versions`
  if (rest.startsWith('+'))
    return `${reason}; a local label after "+" is ASCII letters and digits separated by ".", "-" or "_"`
  return `${reason}; the order is [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`
}

function invalid(text: unknown, reason: string): VersionError {
  return new VersionError(`Invalid PEP 440 version ${quote(text)}: ${reason}`)
}

function match(text: unknown, pattern: RegExp): Groups | undefined {
  if (typeof text !== 'string') throw invalid(text, `expected a string, got ${typeof text}`)
  return pattern.exec(text)?.groups as Groups | undefined
}

function numbersIn(groups: Groups): string[] {
  const numbers = [groups.epoch, ...groups.release.split('.'), groups.preN, groups.postN1, groups.postN2, groups.devN]
  return numbers.filter((n): n is string => n !== undefined)
}

function localSegments(local: string): string[] {
  return local.toLowerCase().split(/[._-]/)
}

function fromGroups(groups: Groups, localNumber: (digits: string) => string | bigint): Draft {
  const version: Draft = {
    epoch: BigInt(groups.epoch ?? 0),
    release: groups.release.split('.').map(BigInt)
  }
  if (groups.preL !== undefined) version.pre = [PRE_LABELS[groups.preL.toLowerCase()], BigInt(groups.preN ?? 0)]
  // `1.0-1` is a post-release with no letters: only a number after a dash.
  if (groups.postL !== undefined || groups.postN1 !== undefined)
    version.post = BigInt(groups.postN1 ?? groups.postN2 ?? 0)
  if (groups.devL !== undefined) version.dev = BigInt(groups.devN ?? 0)
  if (groups.local !== undefined) {
    version.local = localSegments(groups.local).map((segment) =>
      /^[0-9]+$/.test(segment) ? localNumber(segment) : segment
    )
  }
  return version
}

/** Parses `text` exactly as Python's packaging.version.Version(text) does, or throws VersionError. */
export function parseVersion(text: string): Version {
  const groups = match(text, PY_VERSION)
  if (!groups) throw invalid(text, whyInvalid(text))
  const digits = [...numbersIn(groups), ...(groups.local === undefined ? [] : localSegments(groups.local))]
  if (digits.some((d) => d.length > PYTHON_INT_MAX_STR_DIGITS)) {
    throw invalid(text, `a number has more than ${PYTHON_INT_MAX_STR_DIGITS} digits, which Python's int() refuses`)
  }
  return fromGroups(groups, BigInt)
}

/** Whether packaging.version.Version accepts `text`. */
export function isValidVersion(text: string): boolean {
  try {
    parseVersion(text)
    return true
  } catch {
    return false
  }
}

function asVersion(version: Version | string): Version {
  return typeof version === 'string' ? parseVersion(version) : version
}

function baseText(version: Version): string {
  const release = version.release.join('.')
  return version.epoch === 0n ? release : `${version.epoch}!${release}`
}

function publicText(version: Version): string {
  let text = baseText(version)
  if (version.pre) text += `${version.pre[0]}${version.pre[1]}`
  if (version.post !== undefined) text += `.post${version.post}`
  if (version.dev !== undefined) text += `.dev${version.dev}`
  return text
}

/** The normalized text, as Python's str(Version(...)) gives it. */
export function formatVersion(version: Version): string {
  const text = publicText(version)
  return version.local === undefined ? text : `${text}+${version.local.join('.')}`
}

/** str(packaging.version.Version(text)): `V1.0-ALPHA.01_post-2.DEV+Ubuntu-01` gives `1.0a1.post2.dev0+ubuntu.1`. */
export function normalizeVersion(text: string): string {
  return formatVersion(parseVersion(text))
}

/** An action input holding a version, normalized; an InputError naming the input and `fix` when invalid. */
export function normalizeVersionInput(input: string, raw: string, fix: string): string {
  try {
    return normalizeVersion(raw)
  } catch (error) {
    if (!(error instanceof VersionError)) throw error
    throw new InputError(
      input,
      `"${raw}" is not a PEP 440 version (${error.message.replace(/^Invalid PEP 440 version "[^"]*": /, '')})`,
      fix
    )
  }
}

/** The version without its local label (packaging's Version.public). */
export function publicVersion(version: Version | string): string {
  return publicText(asVersion(version))
}

/** Epoch and release only (packaging's Version.base_version): `1!2.0rc1.post1+x` gives `1!2.0`. */
export function baseVersion(version: Version | string): string {
  return baseText(asVersion(version))
}

/** A pre-release or a development release, as packaging's is_prerelease has it. */
export function isPrerelease(version: Version | string): boolean {
  const v = asVersion(version)
  return v.pre !== undefined || v.dev !== undefined
}

export function isDevrelease(version: Version | string): boolean {
  return asVersion(version).dev !== undefined
}

export function isPostrelease(version: Version | string): boolean {
  return asVersion(version).post !== undefined
}

export function isLocal(version: Version | string): boolean {
  return asVersion(version).local !== undefined
}

function sign(a: bigint, b: bigint): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0
}

// The release with trailing zeros dropped, so that 1.0 == 1.0.0 (packaging's _cmpkey).
function trimmedRelease(release: readonly bigint[]): readonly bigint[] {
  let end = release.length
  while (end > 0 && release[end - 1] === 0n) end--
  return release.slice(0, end)
}

const PRE_RANK: Readonly<Record<PreReleaseLabel, bigint>> = { a: 0n, b: 1n, rc: 2n }

// packaging's 6-number suffix: (pre rank, pre n, has post, post n, no dev, dev n). A dev release
// with neither pre nor post ranks below every alpha (1.0.dev1 < 1.0a1), a version without a
// pre-release ranks above rc, and `no dev` = 1 puts X.devN just before X.
function suffixKey(version: Version): bigint[] {
  let preRank = 3n
  let preNumber = 0n
  if (version.pre) [preRank, preNumber] = [PRE_RANK[version.pre[0]], version.pre[1]]
  else if (version.post === undefined && version.dev !== undefined) preRank = -1n
  return [
    preRank,
    preNumber,
    version.post === undefined ? 0n : 1n,
    version.post ?? 0n,
    version.dev === undefined ? 1n : 0n,
    version.dev ?? 0n
  ]
}

// Python tuple order: element by element, then the shorter tuple first.
function compareSequences<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => -1 | 0 | 1): -1 | 0 | 1 {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compare(a[i], b[i])
    if (c !== 0) return c
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0
}

// PEP 440: in a local label a string sorts before any number, strings compare as strings and
// numbers as numbers.
function compareLocalSegments(a: string | bigint, b: string | bigint): -1 | 0 | 1 {
  if (typeof a === 'bigint') return typeof b === 'bigint' ? sign(a, b) : 1
  if (typeof b === 'bigint') return -1
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Orders versions as packaging does (its _cmpkey), usable with Array.prototype.sort:
 * 1.0.dev1 < 1.0a1.dev1 < 1.0a1 < 1.0b1 < 1.0rc1 < 1.0 == 1.0.0 < 1.0+local < 1.0.post1.dev1 < 1.0.post1.
 */
export function compareVersions(a: Version | string, b: Version | string): -1 | 0 | 1 {
  const x = asVersion(a)
  const y = asVersion(b)
  return (
    sign(x.epoch, y.epoch) ||
    compareSequences(trimmedRelease(x.release), trimmedRelease(y.release), sign) ||
    compareSequences(suffixKey(x), suffixKey(y), sign) ||
    // No local label sorts before any local label.
    (x.local === undefined
      ? y.local === undefined
        ? 0
        : -1
      : y.local === undefined
        ? 1
        : compareSequences(x.local, y.local, compareLocalSegments))
  )
}

// ---------------------------------------------------------------------------------------------
// Bumping, as `uv version --bump <kind> [--bump <kind> ...]` does it. Rules found by running uv
// 0.13.9 (and matching its source, crates/uv/src/commands/project/version.rs and uv-pep440's
// Version::bump); the test suite replays them against uv itself:
//
// Input. uv accepts exactly the strings packaging accepts, except that it trims only ASCII
// whitespace (space, \t, \n, \f, \r) and rejects any epoch, release, pre, post or dev number
// above 18446744073709551614 (u64::MAX - 1). A numeric local segment above u64::MAX stays the
// text it was (leading zeros and all) instead of becoming a number, and local numbers have no
// digit limit (packaging refuses more than 4300).
//
// Combinations, checked in this order against the kinds as given:
//   - `stable` with anything else (even a second `stable`) is refused;
//   - `post` with anything else (even a second `post`) is refused;
//   - more than one of major/minor/patch is refused (also `major` twice);
//   - more than one of alpha/beta/rc/dev is refused (also `dev` twice, and `alpha` + `dev`).
// So the accepted lists are one kind, or one release kind plus one of alpha/beta/rc/dev; their
// order does not matter because uv applies release kinds first.
//
// Each kind clears every component below it (release > pre > post > dev) and keeps epoch and
// local label:
//   - major/minor/patch add 1 to release index 0/1/2, zero the later segments and never shorten
//     the release but pad it only up to that index: 1 +minor = 1.1, 1.2 +patch = 1.2.1,
//     1.2.3.4 +patch = 1.2.4.0, 1.2.3rc1 +patch = 1.2.4, 1.2.3.post1 +patch = 1.2.4;
//   - stable drops pre, post and dev: 1.2.3b4.post5.dev6 = 1.2.3, 1.2.3a1+x = 1.2.3+x;
//   - alpha/beta/rc add 1 to a pre-release of the same kind, otherwise start at 1, and drop post
//     and dev: 1.2.3a1 +alpha = 1.2.3a2, 1.2.3a1.dev1 +alpha = 1.2.3a2, 1.2.3b1 +rc = 1.2.3rc1;
//   - post adds 1 (or starts at 1) and drops dev: 1.2.3.dev1 +post = 1.2.3.post1;
//   - dev adds 1 (or starts at 1) and keeps pre and post: 1.2.3a4.dev6 +dev = 1.2.3a4.dev7.
//
// Finally uv refuses any result that is not greater than the input: 1.2.3 +alpha (1.2.3a1 is
// lower), 1.2.3rc1 +beta, 1.2.3.post1 +stable, 1.2.3 +stable, 1.2.3 +dev. It words the message
// by case: a stable input (no pre, no dev) bumped to a pre-release, then a result that gained a
// dev number, then everything else.
// ---------------------------------------------------------------------------------------------

/** The values `uv version --bump` takes, in the order uv applies them. */
export const BUMP_KINDS = ['major', 'minor', 'patch', 'stable', 'alpha', 'beta', 'rc', 'post', 'dev'] as const
export type BumpKind = (typeof BUMP_KINDS)[number]

export function isBumpKind(value: string): value is BumpKind {
  return (BUMP_KINDS as readonly string[]).includes(value)
}

/**
 * A bump as `uv version --bump` takes it: a kind, or a kind with the number to set
 * (`rc=3`, `patch=7`, `post=5`) instead of adding one.
 */
export type BumpSpec = BumpKind | `${BumpKind}=${string}`

/** The kind of a bump spec (`rc` of `rc=3`). */
export function bumpKindOf(spec: string): string {
  const equals = spec.indexOf('=')
  return equals < 0 ? spec : spec.slice(0, equals)
}

/** Whether `value` names a bump kind, with or without `=<value>` (the value is checked when bumping). */
export function isBumpSpec(value: string): value is BumpSpec {
  return isBumpKind(bumpKindOf(value))
}

/** Checks each spec's value as uv parses it (no value for stable, not empty, a u64); throws VersionError. */
export function checkBumpValues(specs: readonly string[]): void {
  for (const spec of specs) bumpValue(spec, bumpKindOf(spec))
}

/** A spec's number, with uv's refusals for a value `stable` does not take, an empty or a non-numeric one. */
function bumpValue(spec: string, kind: string): bigint | undefined {
  const equals = spec.indexOf('=')
  if (equals < 0) return undefined
  const text = spec.slice(equals + 1)
  if (kind === 'stable') throw new VersionError('`--bump stable` does not accept a value')
  if (text === '') throw new VersionError('`--bump` values cannot be empty')
  if (!/^\d+$/.test(text) || BigInt(text) > U64_MAX)
    throw new VersionError(`invalid numeric value \`${text}\` for \`--bump ${kind}\``)
  return BigInt(text)
}

const RELEASE_KINDS: readonly string[] = ['major', 'minor', 'patch']
const PRE_KINDS: readonly string[] = ['alpha', 'beta', 'rc', 'dev']
const PRE_LABEL_OF: Readonly<Record<string, PreReleaseLabel>> = { alpha: 'a', beta: 'b', rc: 'rc' }

const UV_NUMBER_MAX = 18446744073709551614n
const U64_MAX = 18446744073709551615n

function parseForUv(text: string): Draft {
  const groups = match(text, UV_VERSION)
  if (!groups) {
    if (match(text, PY_VERSION)) {
      throw invalid(text, 'uv trims only ASCII whitespace (space, tab, CR, LF, form feed) around a version')
    }
    throw invalid(text, whyInvalid(text))
  }
  const tooBig = numbersIn(groups).find((digits) => BigInt(digits) > UV_NUMBER_MAX)
  if (tooBig !== undefined) throw invalid(text, `uv allows numbers up to ${UV_NUMBER_MAX}, got ${tooBig}`)
  return fromGroups(groups, (digits) => (BigInt(digits) > U64_MAX ? digits : BigInt(digits)))
}

/** Applies one bump; `value` sets the component instead of adding one to it. */
function apply(version: Draft, kind: BumpKind, value?: bigint): void {
  switch (kind) {
    case 'major':
    case 'minor':
    case 'patch': {
      const index = RELEASE_KINDS.indexOf(kind)
      const old = version.release
      version.release = Array.from({ length: Math.max(old.length, index + 1) }, (_, i) =>
        i < index ? (old[i] ?? 0n) : i === index ? (value ?? (old[i] ?? 0n) + 1n) : 0n
      )
      delete version.pre
      delete version.post
      delete version.dev
      return
    }
    case 'stable':
      delete version.pre
      delete version.post
      delete version.dev
      return
    case 'alpha':
    case 'beta':
    case 'rc': {
      const label = PRE_LABEL_OF[kind]
      version.pre = [label, value ?? (version.pre?.[0] === label ? version.pre[1] + 1n : 1n)]
      delete version.post
      delete version.dev
      return
    }
    case 'post':
      version.post = value ?? (version.post ?? 0n) + 1n
      delete version.dev
      return
    case 'dev':
      version.dev = value ?? (version.dev ?? 0n) + 1n
      return
  }
}

/**
 * What `uv version --bump <kind> [--bump <kind> ...]` sets the version to, or a VersionError
 * where uv errors; the message is uv's own for refused combinations and non-increasing bumps.
 * See the rules above. An empty list throws, where uv would just print the version unchanged.
 */
export function bumpVersion(version: string, bumps: string | readonly string[]): string {
  const specs: readonly string[] = typeof bumps === 'string' ? [bumps] : bumps
  const kinds = specs.map(bumpKindOf)
  const unknown = kinds.find((kind) => !isBumpKind(kind))
  if (unknown !== undefined)
    throw new VersionError(`Unknown version bump "${unknown}"; expected ${BUMP_KINDS.join(', ')}`)
  if (kinds.length === 0)
    throw new VersionError(`No version bump given; expected one or more of ${BUMP_KINDS.join(', ')}`)

  const values = specs.map((spec, i) => bumpValue(spec, kinds[i] as string))
  const old = parseForUv(version)

  const given = specs.join(', ')
  if (kinds.includes('stable') && kinds.length > 1) {
    throw new VersionError(`\`--bump stable\` cannot be used with another \`--bump\` value, got: ${given}`)
  }
  if (kinds.includes('post') && kinds.length > 1) {
    throw new VersionError(`\`--bump post\` cannot be used with another \`--bump\` value, got: ${given}`)
  }
  // uv names the bumps as given, values included.
  const release = specs.filter((_, i) => RELEASE_KINDS.includes(kinds[i] as string))
  if (release.length > 1) {
    throw new VersionError(
      `Only one release version component can be provided to \`--bump\`, got: ${release.join(', ')}`
    )
  }
  const pre = specs.filter((_, i) => PRE_KINDS.includes(kinds[i] as string))
  if (pre.length > 1) {
    throw new VersionError(
      `Only one pre-release version component can be provided to \`--bump\`, got: ${pre.join(', ')}`
    )
  }

  const next: Draft = { ...old, release: [...old.release] }
  if (old.pre) next.pre = [...old.pre]
  const order = (i: number): number => BUMP_KINDS.indexOf(kinds[i] as BumpKind)
  const ordered = kinds.map((_, i) => i).sort((a, b) => order(a) - order(b))
  for (const i of ordered) apply(next, kinds[i] as BumpKind, values[i])

  if (compareVersions(next, old) <= 0) {
    const change = `${formatVersion(old)} => ${formatVersion(next)} didn't increase the version`
    if (old.pre === undefined && old.dev === undefined && next.pre !== undefined) {
      throw new VersionError(
        `${change}; when bumping to a pre-release version you also need to increase a release version component, e.g., with \`--bump <major|minor|patch>\``
      )
    }
    if (next.dev !== undefined && old.dev === undefined) {
      throw new VersionError(
        `${change}; when bumping to a dev version you also need to increase another version component, e.g., with \`--bump <major|minor|patch|alpha|beta|rc>\``
      )
    }
    throw new VersionError(`${change}; provide the exact version to force an update`)
  }
  return formatVersion(next)
}
