// Only light modules here: index.ts parses inputs before main.ts (exec, zip, the AWS SDK)
// loads, so a bad input fails in milliseconds with one line.
import { getCredentialInputs } from '@release/shared/aws/inputs'
import type { CredentialOptions } from '@release/shared/aws/credentials'
import { ActionError, InputError } from '@release/shared/errors'
import { HANDOFF_ENV, readHandoff } from '@release/shared/aws/handoff'
import { credentialTransportFix, credentialTransportProblem } from '@release/shared/transport'
import { getEnum, getInteger, getOptionalString, getString } from '@release/shared/inputs'

/** The Python runtimes Lambda offers (python3.9 ... python3.14). */
export const PYTHON_VERSIONS = ['3.9', '3.10', '3.11', '3.12', '3.13', '3.14'] as const
export type PythonVersion = (typeof PYTHON_VERSIONS)[number]
export const ARCHITECTURES = ['x86_64', 'arm64'] as const
export type Architecture = (typeof ARCHITECTURES)[number]

/**
 * The glibc of each runtime's OS: python3.9-3.11 run on Amazon Linux 2 (glibc 2.26),
 * python3.12 and later on Amazon Linux 2023 (glibc 2.34). A manylinux wheel needs at most this.
 */
export function runtimeGlibc(version: PythonVersion): { minor: number; os: string } {
  const minor = Number(version.split('.')[1])
  return minor >= 12 ? { minor: 34, os: 'Amazon Linux 2023' } : { minor: 26, os: 'Amazon Linux 2' }
}

/**
 * The `--platform` tags pip gets, most specific first: every manylinux_2_N from the runtime's
 * glibc down to the oldest of the architecture, each followed by its legacy alias
 * (manylinux2014 = 2_17, manylinux2010 = 2_12, manylinux1 = 2_5), as packaging orders the tags
 * of a real glibc system. pip takes several --platform flags as one set, but expands only the
 * legacy aliases itself (manylinux2014_x86_64 -> 2010, 1): a wheel tagged only
 * manylinux_2_28_x86_64 matches nothing unless that tag is passed, hence the whole list.
 * Pure-Python wheels (py3-none-any) need no platform tag; pip accepts them anyway.
 */
export function platformTags(version: PythonVersion, architecture: Architecture): string[] {
  const machine = architecture === 'arm64' ? 'aarch64' : 'x86_64'
  // manylinux2014 (glibc 2.17) is the first manylinux with aarch64 wheels.
  const oldest = machine === 'x86_64' ? 5 : 17
  const legacy: Record<number, string> = { 17: 'manylinux2014', 12: 'manylinux2010', 5: 'manylinux1' }
  const tags: string[] = []
  for (let minor = runtimeGlibc(version).minor; minor >= oldest; minor--) {
    tags.push(`manylinux_2_${minor}_${machine}`)
    const alias = legacy[minor]
    if (alias) tags.push(`${alias}_${machine}`)
  }
  return tags
}

/** The runtime identifier Lambda uses (CompatibleRuntimes). */
export function runtimeId(version: PythonVersion): string {
  return `python${version}`
}

/** Where the requirements come from. */
export type Requirements =
  { kind: 'file'; path: string; input: 'requirements' } | { kind: 'packages'; specifiers: string[]; input: 'packages' }

export interface Publish {
  layerName: string
  credentials: CredentialOptions
  /** Set: the zip goes to s3://bucket/key first and PublishLayerVersion reads it from there. */
  s3Bucket?: string
  s3KeyPrefix: string
  description?: string
}

/** The index pip resolves from: codeartifact-login's (with its token) or `index-url` (without credentials). */
export type IndexSource =
  { kind: 'codeartifact-login'; indexUrl: string; token: string } | { kind: 'index-url'; indexUrl: string }

export interface Inputs {
  requirements: Requirements
  pythonVersion: PythonVersion
  architecture: Architecture
  /** Where the zip goes, as given; main.ts resolves it inside the workspace. */
  output: string
  /** Where pip resolves from. */
  index: IndexSource
  /** Interpreter whose pip resolves and downloads; undefined: python, else python3, from PATH. */
  python?: string
  /** How long pip may run. */
  pipTimeoutMs: number
  /** Set when `layer-name` is: publish the zip as a layer version. */
  publish?: Publish
}

// A requirement specifier pip resolves from the index: a name, extras, version specifiers and
// a marker. Direct references (URLs, paths, VCS) are refused: they bypass the index and, for a
// source tree, would run a build backend beside the index token.
const NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?(\[[A-Za-z0-9._,\s-]*\])?/

/** Why a specifier is refused, or undefined when pip may resolve it from the index. */
export function specifierProblem(specifier: string): string | undefined {
  const match = NAME.exec(specifier)
  if (!match)
    return 'is not a requirement specifier (a project name, optional [extras], version specifiers and ; marker)'
  const rest = specifier.slice(match[0].length).trim()
  const beforeMarker = rest.split(';')[0] ?? ''
  if (/^@/.test(rest) || beforeMarker.includes('://'))
    return 'is a direct reference (a URL, path or VCS link); only requirements resolved from the index are accepted'
  if (beforeMarker && !/^[(<>=!~]/.test(beforeMarker))
    return 'is not a requirement specifier (a project name, optional [extras], version specifiers and ; marker)'
  return undefined
}

/**
 * `packages`: one or more specifiers a line, separated by blanks. A blank inside a specifier
 * (`requests >= 2.31`, `x; python_version < "3.12"`) is kept: a token that starts with an
 * operator, follows one, or follows a `;` continues the specifier before it.
 */
export function parsePackages(value: string): string[] {
  const specifiers: string[] = []
  for (const rawLine of value.split(/\r?\n/)) {
    const line = rawLine.replace(/(^|\s)#.*$/, '').trim()
    if (!line) continue
    let current: string | undefined
    let inMarker = false
    for (const token of line.split(/\s+/)) {
      const continues =
        current !== undefined && (inMarker || /^[(<>=!~,;[@]/.test(token) || /[<>=!~,(@]$/.test(current))
      if (continues) current = `${current} ${token}`
      else {
        if (current !== undefined) specifiers.push(current)
        current = token
        inMarker = false
      }
      if (token.includes(';')) inMarker = true
    }
    if (current !== undefined) specifiers.push(current)
  }
  return specifiers
}

/**
 * The lines of a requirements file pip would act on: comments dropped, `\` continuations
 * joined. Options that change where pip looks (an index, find-links, another file, an editable
 * or a direct reference) are refused, so the index is always the one this step chose; `--hash`
 * on a requirement line is kept (pip then checks every download).
 */
export function checkRequirementsText(text: string, input: string): string[] {
  const joined = text.replace(/\\\r?\n/g, ' ')
  const specifiers: string[] = []
  for (const [index, rawLine] of joined.split(/\r?\n/).entries()) {
    const line = rawLine.replace(/(^|\s)#.*$/, '').trim()
    if (!line) continue
    const where = `line ${index + 1} ("${line.length > 60 ? `${line.slice(0, 57)}...` : line}")`
    if (line.startsWith('-'))
      throw new InputError(
        input,
        `${where} is a pip option`,
        'list requirements only (name, extras, version specifiers, markers, --hash); the index is the one of codeartifact-login or `index-url`, and every requirement is taken as a manylinux wheel'
      )
    const specifier = line.replace(/\s--hash[=\s]\S+/g, '').trim()
    const problem = specifierProblem(specifier)
    if (problem) throw new InputError(input, `${where} ${problem}`, 'list requirements resolved from the index')
    specifiers.push(specifier)
  }
  if (specifiers.length === 0)
    throw new InputError(input, 'lists no requirement', 'list at least one requirement, e.g. requests==2.32.3')
  return specifiers
}

function getRequirements(): Requirements {
  const file = getOptionalString('requirements')
  const packages = getOptionalString('packages')
  if ((file === undefined) === (packages === undefined))
    throw new InputError(
      file ? 'packages' : 'requirements',
      file ? 'is set together with `requirements`' : 'and `packages` are both empty',
      'set exactly one: `requirements` (a requirements file in the workspace) or `packages` (requirement specifiers)'
    )
  if (file !== undefined) {
    return { kind: 'file', path: file, input: 'requirements' }
  }
  const specifiers = parsePackages(packages as string)
  for (const specifier of specifiers) {
    const problem = specifierProblem(specifier)
    if (problem)
      throw new InputError('packages', `"${specifier}" ${problem}`, 'use specifiers such as requests==2.32.3')
  }
  return { kind: 'packages', specifiers, input: 'packages' }
}

function getIndex(): IndexSource {
  const value = getOptionalString('index-url')
  if (value === undefined) {
    // Read (and its token masked) before anything else prints; an expired token fails here.
    const handoff = readHandoff()
    if (!handoff)
      throw new InputError(
        'index-url',
        `is empty and no codeartifact-login ran earlier in the job (${HANDOFF_ENV.token} is not set)`,
        'run codeartifact-login before this step (the layer then resolves from its repository), or set `index-url` to an index that needs no credentials'
      )
    const problem = credentialTransportProblem(handoff.indexUrl)
    if (problem)
      throw new ActionError(`The index codeartifact-login left in ${HANDOFF_ENV.indexUrl}: ${problem}.`, {
        hint: credentialTransportFix(handoff.indexUrl)
      })
    return { kind: 'codeartifact-login', indexUrl: handoff.indexUrl, token: handoff.token }
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InputError(
      'index-url',
      'is not a URL',
      'use the https:// URL of a simple index, e.g. https://pypi.org/simple/'
    )
  }
  if (url.username || url.password)
    throw new InputError(
      'index-url',
      'has credentials in it',
      "run codeartifact-login before this step and leave `index-url` empty (the token then travels in pip's environment only)"
    )
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InputError('index-url', `is a ${url.protocol} URL`, 'use an https:// URL of a simple index')
  return { kind: 'index-url', indexUrl: url.toString() }
}

// Lambda's LayerName: letters, digits, - and _, up to 140 characters (a name, not an ARN here:
// the layer is published in the session's own account and region).
const LAYER_NAME = { regex: /^[A-Za-z0-9_-]{1,140}$/, accepted: 'a layer name of letters, digits, - and _ (up to 140)' }
const S3_BUCKET = {
  regex: /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  accepted: 'a bucket name as S3 accepts it (3-63 lower-case letters, digits, dots and hyphens)'
}
const S3_PREFIX = {
  // Printable, no leading slash, no empty / . / .. segment.
  regex: /^(?!\/)(?!.*\/\/)(?!(.*\/)?\.{1,2}(\/|$))[\x21-\x7e]{0,512}$/,
  accepted: 'a key prefix such as lambda-layers/ (printable characters, no leading slash, no empty, . or .. segment)'
}

export function getInputs(): Inputs {
  const requirements = getRequirements()
  const pythonVersion = getString('python-version', { default: '3.12' })
  if (!(PYTHON_VERSIONS as readonly string[]).includes(pythonVersion))
    throw new InputError(
      'python-version',
      `"${pythonVersion}" is not a Lambda Python runtime`,
      `use one of ${PYTHON_VERSIONS.join(', ')}`
    )
  const architecture = getEnum('architecture', ARCHITECTURES, 'x86_64')
  const output = getString('output', { default: 'lambda-layer.zip' })
  if (!output.endsWith('.zip'))
    throw new InputError('output', `"${output}" does not end with .zip`, 'use a path such as lambda-layer.zip')
  const index = getIndex()
  const python = getOptionalString('python')
  const pipTimeoutMs = getInteger('pip-timeout-minutes', { default: 20, min: 1, max: 360 }) * 60_000
  const layerName = getOptionalString('layer-name', { pattern: LAYER_NAME })
  const s3Bucket = getOptionalString('s3-bucket', { pattern: S3_BUCKET })
  let s3KeyPrefix = getString('s3-key-prefix', { default: 'lambda-layers/', pattern: S3_PREFIX })
  if (s3KeyPrefix && !s3KeyPrefix.endsWith('/')) s3KeyPrefix += '/'
  const description = getOptionalString('description')
  if (description && description.length > 256)
    throw new InputError('description', `is ${description.length} characters long`, "use at most 256 (Lambda's limit)")
  if (!layerName && s3Bucket)
    throw new InputError(
      's3-bucket',
      'is set but `layer-name` is empty',
      'set `layer-name` to publish, or leave `s3-bucket` empty'
    )
  return {
    requirements,
    pythonVersion: pythonVersion as PythonVersion,
    architecture,
    output,
    index,
    python,
    pipTimeoutMs,
    // The AWS inputs (`aws-region` or AWS_REGION required) only matter for publishing.
    publish: layerName
      ? { layerName, credentials: getCredentialInputs(), s3Bucket, s3KeyPrefix, description }
      : undefined
  }
}
