// Only light modules here: index.ts parses inputs before main.ts (exec, the index client and,
// for CodeArtifact, the AWS SDK) loads, so a bad input fails in milliseconds with one line.
import { InputError } from '@release/shared/errors'
import {
  getBoolean,
  getEnum,
  getEnumList,
  getInteger,
  getList,
  getOptionalString,
  getString
} from '@release/shared/inputs'
import {
  type CodeArtifactInputs,
  getCodeArtifactInputs,
  getCredentialInputs,
  getRetryTimeoutMs
} from '@release/shared/aws/inputs'
import type { CredentialOptions } from '@release/shared/aws/credentials'
import { HANDOFF_ENV, readHandoff } from '@release/shared/aws/handoff'
import { CODEARTIFACT_USERNAME } from '@release/shared/aws/names'
import { normalizeVersionInput } from '@release/shared/pep440'
import { registerSecret } from '@release/shared/secrets'
import { checkCredentialTransport } from '@release/shared/transport'
import type { Uploader as SharedUploader } from '@release/shared/python/uploader'
import { tagTemplateProblem } from '@release/shared/tag-template'
import { getTagPrefix } from '@release/shared/released-version'

export const BUILDERS = ['auto', 'uv', 'build'] as const
export type Builder = (typeof BUILDERS)[number]
export const DIST_TYPES = ['sdist', 'wheel'] as const
export type DistType = (typeof DIST_TYPES)[number]
export const EXISTING_MODES = ['skip-identical', 'skip-released', 'fail'] as const
export type ExistingMode = (typeof EXISTING_MODES)[number]
export const VERIFY_MODES = ['index', 'install', 'none'] as const
export type VerifyMode = (typeof VERIFY_MODES)[number]
export const UPLOADERS = ['twine', 'uv'] as const satisfies readonly SharedUploader[]
export type Uploader = (typeof UPLOADERS)[number]

export const PYPI_UPLOAD_URL = 'https://upload.pypi.org/legacy/'

/** Where the files go; decided once here so every later phase sees one answer. */
export type Target =
  | { kind: 'codeartifact'; credentials: CredentialOptions; repository: CodeArtifactInputs }
  /** The token, upload URL and index an earlier codeartifact-login step left in the environment. */
  | { kind: 'codeartifact-login'; uploadUrl: string; indexUrl: string; username: string; password: string }
  | { kind: 'index'; uploadUrl: string; indexUrl: string; username: string; password?: string }
  | { kind: 'trusted-publishing'; uploadUrl: string; indexUrl: string }
  /** Only with dry-run: build, check and gate without an index. */
  | { kind: 'none' }

export interface Inputs {
  workingDirectory: string
  /** Project directories relative to working-directory, published in this order. */
  packages: string[]
  /** Already-built distributions (relative to working-directory): no build. */
  packagesDir?: string
  builder: Builder
  /** Interpreter for builds, checks and uploads; undefined: python, else python3, from PATH. */
  python?: string
  buildIsolation: boolean
  clean: boolean
  distTypes: DistType[]
  check: boolean
  /** Normalized; undefined: from the tag in GITHUB_REF, if any. */
  expectedVersion?: string
  tagPrefix: string
  /**
   * Set when each package has its own tags (`{name}` in `tag-template`): the run publishes the
   * packages the tag (or the tags on HEAD) names, each gated against its own version.
   */
  tagTemplate?: string
  allowLocalVersion: boolean
  target: Target
  existing: ExistingMode
  verify: VerifyMode
  /** Modules to import after a verify install; empty: the wheels' top-level modules. */
  importNames: string[]
  uploader: Uploader
  dryRun: boolean
  /** Budget for each retried remote operation (index reads, uploads, AWS calls). */
  retryTimeoutMs: number
  /** How long one upload attempt may run; undefined: from the size of what it sends. */
  uploadTimeoutMs?: number
  /** `s3-archive`: copy the released files to S3 after they are uploaded and verified. */
  s3Archive?: S3Archive
}

/** Where `s3-archive` puts the files, and with which AWS credentials. */
export interface S3Archive {
  bucket: string
  /** Empty, or ends with `/`. */
  prefix: string
  /**
   * The CodeArtifact target's credentials when publishing there (one session serves both),
   * else read from the AWS inputs (`aws-region`, `role-to-assume`, ...) for the archive alone.
   */
  credentials?: CredentialOptions
}

// S3's rules for new buckets: 3-63 lower-case letters, digits, dots and hyphens, starting and
// ending with a letter or digit, not an IP address.
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/
const S3_ARCHIVE_ACCEPTED =
  'use s3://bucket/ or s3://bucket/prefix/ (a bucket name as S3 accepts it, then an optional key prefix)'

/** `s3://bucket/prefix/` -> bucket and a prefix that is empty or ends with `/`. */
export function parseS3Uri(value: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/s.exec(value)
  if (!match) {
    // Not echoed whole: a pasted https:// URL may carry a signature or credentials.
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1]
    throw new InputError(
      's3-archive',
      scheme ? `is a ${scheme}: URI, not an s3:// URI` : 'is not an s3:// URI',
      S3_ARCHIVE_ACCEPTED
    )
  }
  const bucket = match[1] as string
  let prefix = match[2] ?? ''
  if (!S3_BUCKET.test(bucket) || bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(bucket))
    throw new InputError('s3-archive', `"${bucket}" is not a valid S3 bucket name`, S3_ARCHIVE_ACCEPTED)
  // Keys are printed and compared; control characters, `//`, `.` and `..` segments make keys
  // that S3 keeps but that tools and people read differently.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(prefix))
    throw new InputError('s3-archive', 'has a control character or a backslash in its key prefix', S3_ARCHIVE_ACCEPTED)
  if (
    prefix.startsWith('/') ||
    prefix.includes('//') ||
    prefix.split('/').some((part) => part === '.' || part === '..')
  )
    throw new InputError(
      's3-archive',
      `"${value}" has an empty, "." or ".." segment in its key prefix`,
      S3_ARCHIVE_ACCEPTED
    )
  if (prefix && !prefix.endsWith('/')) prefix += '/'
  if (prefix.length > 700)
    throw new InputError('s3-archive', 'has a key prefix longer than 700 characters', S3_ARCHIVE_ACCEPTED)
  return { bucket, prefix }
}

function getS3Archive(target: Target): S3Archive | undefined {
  const value = getOptionalString('s3-archive')
  if (value === undefined) return undefined
  const location = parseS3Uri(value)
  // With CodeArtifact the archive uses the same session; otherwise the AWS inputs are read
  // now (`aws-region` or AWS_REGION is then required), for the archive alone.
  return { ...location, credentials: target.kind === 'codeartifact' ? undefined : getCredentialInputs() }
}

const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/

function getHttpUrl(name: string): string | undefined {
  const value = getOptionalString(name)
  if (value === undefined) return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    // Not echoed: a malformed URL can still carry a password (`https://user:tok en@host/`).
    throw new InputError(name, 'is not a URL', 'use an absolute http(s) URL such as https://upload.pypi.org/legacy/')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InputError(name, `uses ${url.protocol.slice(0, -1)}, not http(s)`, 'use an https:// URL')
  if (url.username || url.password) {
    // The URL is printed and passed around; credentials in it would leak.
    registerSecret(value)
    throw new InputError(
      name,
      'contains credentials',
      'put the user name in `username` and the password or token in `password`'
    )
  }
  return url.pathname.endsWith('/') ? url.toString() : `${url.toString()}/`
}

/**
 * The simple index beside an upload URL, for the existence check and the verify step:
 * PyPI and TestPyPI upload to `/legacy/` on their upload hosts, Warehouse-like and
 * CodeArtifact-like servers serve `simple/` next to (or instead of) `legacy/`.
 */
export function simpleIndexFor(uploadUrl: string): string {
  const url = new URL(uploadUrl)
  if (url.host === 'upload.pypi.org') return 'https://pypi.org/simple/'
  if (url.host === 'test.pypi.org' && url.pathname.startsWith('/legacy')) return 'https://test.pypi.org/simple/'
  const base = url.toString().endsWith('/') ? url.toString() : `${url.toString()}/`
  return base.endsWith('/legacy/') ? `${base.slice(0, -'legacy/'.length)}simple/` : `${base}simple/`
}

function getExpectedVersion(): string | undefined {
  const raw = getOptionalString('expected-version')
  if (raw === undefined) return undefined
  return normalizeVersionInput(
    'expected-version',
    raw,
    'use a version such as 1.4.0 or 2.0.0rc1, or leave it empty to use the tag'
  )
}

function getTarget(dryRun: boolean): Target {
  const trustedPublishing = getBoolean('trusted-publishing', false)
  const repositoryUrl = getHttpUrl('repository-url')
  const indexUrl = getHttpUrl('index-url')
  const password = getOptionalString('password')
  if (password) registerSecret(password)
  const username = getString('username', { default: '__token__' })
  const domain = getOptionalString('domain')
  const allowInsecureHttp = getBoolean('allow-insecure-http', false)

  if (domain && (repositoryUrl || trustedPublishing)) {
    throw new InputError(
      repositoryUrl ? 'repository-url' : 'trusted-publishing',
      'cannot be combined with `domain`',
      'choose one target: CodeArtifact (`domain`, `repository`) or another index (`repository-url`)'
    )
  }
  if (domain && indexUrl) {
    // CodeArtifact names its own index (GetRepositoryEndpoint); another one would be ignored.
    throw new InputError(
      'index-url',
      'cannot be combined with `domain`',
      "remove `index-url`: with `domain` the index is the CodeArtifact repository's own"
    )
  }
  if (trustedPublishing) {
    if (password)
      throw new InputError(
        'password',
        'is set together with `trusted-publishing: true`',
        'remove `password` (the index mints the upload token) or set `trusted-publishing: false`'
      )
    const uploadUrl = repositoryUrl ?? PYPI_UPLOAD_URL
    // The minted upload token goes to the upload URL.
    checkCredentialTransport('repository-url', uploadUrl, allowInsecureHttp)
    return { kind: 'trusted-publishing', uploadUrl, indexUrl: indexUrl ?? simpleIndexFor(uploadUrl) }
  }
  if (domain) {
    // Read only now: `aws-region` is required for CodeArtifact and meaningless otherwise.
    const repository = getCodeArtifactInputs({ required: true }) as CodeArtifactInputs
    return { kind: 'codeartifact', credentials: getCredentialInputs(), repository }
  }
  if (repositoryUrl) {
    // The password goes to the upload URL and, for reading the index, to the index URL.
    if (password) {
      checkCredentialTransport('repository-url', repositoryUrl, allowInsecureHttp)
      checkCredentialTransport('index-url', indexUrl ?? simpleIndexFor(repositoryUrl), allowInsecureHttp)
    }
    return {
      kind: 'index',
      uploadUrl: repositoryUrl,
      indexUrl: indexUrl ?? simpleIndexFor(repositoryUrl),
      username,
      password
    }
  }
  const handoff = readHandoff()
  if (handoff) {
    return {
      kind: 'codeartifact-login',
      uploadUrl: handoff.registryUrl.endsWith('/') ? handoff.registryUrl : `${handoff.registryUrl}/`,
      indexUrl: indexUrl ?? handoff.indexUrl,
      username: CODEARTIFACT_USERNAME,
      password: handoff.token
    }
  }
  if (dryRun) return { kind: 'none' }
  throw new InputError(
    'domain',
    'is empty and no other target is set',
    `publish to CodeArtifact with \`domain\` and \`repository\` (or run codeartifact-login earlier in the job, which sets ${HANDOFF_ENV.token}), to another index with \`repository-url\` and \`password\`, or to PyPI with \`trusted-publishing: true\``
  )
}

/**
 * `tag-template` as bump-version takes it. With `{name}` it selects packages by their tags;
 * without, it is a tag prefix written as a template (`shared-v{version}`).
 */
function getTagTemplate(expectedVersion: string | undefined): { tagPrefix: string; tagTemplate?: string } {
  const template = getString('tag-template')
  const prefix = getTagPrefix()
  if (!template) return { tagPrefix: prefix }
  if (prefix !== 'v')
    throw new InputError(
      'tag-template',
      'is set together with a non-default `tag-prefix`',
      'set only one: `tag-template` (e.g. `{name}-v{version}`) or `tag-prefix`'
    )
  const wrong = tagTemplateProblem(template)
  if (wrong) throw new InputError('tag-template', wrong.problem, wrong.fix)
  if (!template.includes('{name}')) {
    if (!template.endsWith('{version}'))
      throw new InputError(
        'tag-template',
        `"${template}" has text after {version}`,
        'use tags that end with the version, e.g. shared-v{version}'
      )
    return { tagPrefix: template.slice(0, -'{version}'.length) }
  }
  if (expectedVersion !== undefined)
    throw new InputError(
      'expected-version',
      'is set while `tag-template` gives each package its own version',
      'leave `expected-version` empty: each package is gated against the version in its own tag'
    )
  return { tagPrefix: prefix, tagTemplate: template }
}

function getImportNames(): string[] {
  const names = getList('import-name')
  const bad = names.find((name) => !PYTHON_IDENTIFIER.test(name))
  if (bad)
    throw new InputError(
      'import-name',
      `"${bad}" is not a module name`,
      'use dotted Python module names such as acme_widgets, comma or newline separated'
    )
  return names
}

export function getInputs(): Inputs {
  const dryRun = getBoolean('dry-run', false)
  const packages = getList('packages', { linesOnly: true })
  const packagesDir = getOptionalString('packages-dir')
  if (packagesDir && packages.length > 0) {
    throw new InputError(
      'packages-dir',
      'is set together with `packages`',
      'either build the projects listed in `packages` or publish the files already in `packages-dir`'
    )
  }
  const distTypes = getEnumList('dist-types', DIST_TYPES, ['sdist', 'wheel'])
  const verify = getEnum('verify', VERIFY_MODES, 'index')
  if (verify === 'install' && !distTypes.includes('wheel') && !packagesDir) {
    throw new InputError(
      'verify',
      '`install` needs a wheel but `dist-types` builds none',
      'add wheel to `dist-types` or use verify: index'
    )
  }
  const expectedVersion = getExpectedVersion()
  const target = getTarget(dryRun)
  return {
    workingDirectory: getString('working-directory', { default: '.' }),
    packages: packages.length > 0 ? packages : ['.'],
    packagesDir,
    builder: getEnum('builder', BUILDERS, 'auto'),
    python: getOptionalString('python'),
    buildIsolation: getBoolean('build-isolation', true),
    clean: getBoolean('clean', true),
    distTypes,
    check: getBoolean('check', true),
    expectedVersion,
    ...getTagTemplate(expectedVersion),
    allowLocalVersion: getBoolean('allow-local-version', false),
    target,
    existing: getEnum('existing', EXISTING_MODES, 'skip-identical'),
    verify,
    importNames: getImportNames(),
    uploader: getEnum('uploader', UPLOADERS, 'twine'),
    dryRun,
    retryTimeoutMs: getRetryTimeoutMs(),
    // 0 (the default) means automatic.
    uploadTimeoutMs:
      getInteger('upload-timeout-seconds', { default: 0, min: 1, max: 21_600, also: [0] }) * 1000 || undefined,
    s3Archive: getS3Archive(target)
  }
}
