// Only light modules here: index.ts parses inputs before main.ts (the exec helper, the AWS SDK)
// loads, so a bad input fails in milliseconds with one line.
import type { CredentialOptions } from '@release/shared/aws/credentials'
import { type CodeArtifactInputs, getCodeArtifactInputs, getCredentialInputs } from '@release/shared/aws/inputs'
import { BUILDER_CHOICES, type BuilderChoice } from '@release/shared/container/build-argv'
import { IMAGE_REF_ACCEPTED, parseImageRef } from '@release/shared/container/image-ref'
import { InputError } from '@release/shared/errors'
import { getBoolean, getEnum, getList, getOptionalString, getString } from '@release/shared/inputs'
import { registerSecret } from '@release/shared/secrets'
import { checkCredentialTransport } from '@release/shared/transport'

export const MODES = ['secret', 'build-arg'] as const
export type Mode = (typeof MODES)[number]

/** Where the index credentials come from. */
export type IndexSource =
  | { kind: 'codeartifact'; repository: CodeArtifactInputs }
  | { kind: 'index-url'; url: string; username?: string; password?: string }
  /** What an earlier codeartifact-login step left in the environment. */
  | { kind: 'environment' }

export interface Inputs {
  context: string
  /** The Dockerfile; `<context>/Dockerfile` when the input is empty. */
  file: string
  tags: string[]
  buildArgs: string[]
  target?: string
  platforms: string[]
  labels: string[]
  push: boolean
  load: boolean
  index: IndexSource
  secretId: string
  mode: Mode
  buildArgName: string
  builder: BuilderChoice
  ecrLogin: boolean
  /** Registries to log in to with the ECR token instead of the ECR registries the tags name. */
  ecrRegistries: string[]
  /** Set when CodeArtifact or ECR is reached (then `aws-region` or AWS_REGION is required). */
  credentials?: CredentialOptions
  /** `--network` for RUN steps; undefined: the builder's default. */
  network?: Network
  /** `false`, `true`, `mode=min` or `mode=max`; undefined: buildx's default. */
  provenance?: string
  /** `true` or `false`; undefined: buildx's default (none). */
  sbom?: string
  cacheFrom: string[]
  cacheTo: string[]
  noCache: boolean
  pull: boolean
  /** More build secrets beside the index one, their values masked at once. */
  secrets: { id: string; value: string }[]
  /** More build secrets from files (relative to the workspace). */
  secretFiles: { id: string; path: string }[]
}

export const NETWORKS = ['default', 'host', 'none'] as const
export type Network = (typeof NETWORKS)[number]
const PROVENANCE = ['true', 'false', 'mode=min', 'mode=max'] as const

const ARG_NAME = {
  regex: /^[A-Za-z_][A-Za-z0-9_]*$/,
  accepted: 'a variable name: letters, digits and _, not starting with a digit'
}
// BuildKit and buildah accept any id; these characters survive the `id=...,src=...` csv
// unchanged, and the id is also a file name under /run/secrets, so `.` and `..` are out.
const SECRET_ID = {
  regex: /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,128}$/,
  accepted: 'letters, digits, `_`, `.` and `-`, e.g. pip_index_url'
}
const STAGE = { regex: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, accepted: 'the name of a build stage (`FROM ... AS <name>`)' }
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/

/** `NAME=value` items (build args, labels); the value may hold commas and `=`. */
function getPairs(name: string, key: { regex: RegExp; accepted: string }): string[] {
  const items = getList(name, { linesOnly: true })
  for (const item of items) {
    const at = item.indexOf('=')
    const itemKey = at < 0 ? item : item.slice(0, at)
    if (at < 0 || !key.regex.test(itemKey))
      throw new InputError(
        name,
        `"${itemKey}" is not a \`NAME=value\` line`,
        `write one NAME=value per line, NAME being ${key.accepted}`
      )
  }
  return items
}

function getTags(): string[] {
  const tags = getList('tags')
  for (const tag of tags)
    if (!parseImageRef(tag)) throw new InputError('tags', `"${tag}" is not a valid tag`, `use ${IMAGE_REF_ACCEPTED}`)
  return [...new Set(tags)]
}

function getPlatforms(): string[] {
  const platforms = getList('platforms')
  for (const platform of platforms) {
    if (!PLATFORM.test(platform))
      throw new InputError(
        'platforms',
        `"${platform}" is not a platform`,
        'use os/arch[/variant], e.g. linux/amd64, linux/arm64'
      )
  }
  return platforms
}

function getIndexSource(): IndexSource {
  const indexUrl = getOptionalString('index-url')
  const username = getOptionalString('index-username')
  const password = getOptionalString('index-password')
  // Masked before any check below can put it in an error line.
  if (password) registerSecret(password)
  const repository = getCodeArtifactInputs({ required: false })
  if (indexUrl && repository) {
    throw new InputError(
      'index-url',
      'is set together with `domain`',
      'set either `index-url` (any PyPI-compatible index) or `domain` and `repository` (CodeArtifact), not both'
    )
  }
  if (repository) return { kind: 'codeartifact', repository }
  if (!indexUrl) {
    if (username || password)
      throw new InputError(
        username ? 'index-username' : 'index-password',
        'is set without `index-url`',
        'set `index-url` to the simple index they are for'
      )
    return { kind: 'environment' }
  }
  let parsed: URL
  try {
    parsed = new URL(indexUrl)
  } catch {
    throw new InputError('index-url', 'is not a URL', 'use the simple index URL, e.g. https://pypi.example.com/simple/')
  }
  // Any user info may be the credential (some indexes take the token as the user name).
  if (parsed.username || parsed.password) {
    registerSecret(indexUrl)
    for (const part of [parsed.username, parsed.password]) {
      if (!part) continue
      registerSecret(part)
      try {
        registerSecret(decodeURIComponent(part))
      } catch {
        throw new InputError(
          'index-url',
          'has malformed percent-encoding in its credentials',
          'percent-encode the user name and password, or pass them as `index-username` / `index-password`'
        )
      }
    }
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InputError('index-url', `uses ${parsed.protocol}`, 'use an http(s) simple index URL')
  }
  if (password && !username)
    throw new InputError(
      'index-username',
      'is empty while `index-password` is set',
      'set the user name the index expects (CodeArtifact: aws)'
    )
  // The build's RUN steps send these to the index.
  if (password || parsed.username || parsed.password)
    checkCredentialTransport('index-url', parsed, getBoolean('allow-insecure-http', false))
  return { kind: 'index-url', url: indexUrl, username, password }
}

/** `id=value` lines (`secrets`) or `id=path` lines (`secret-files`), ids unique and not the index secret's. */
function getSecretPairs(name: 'secrets' | 'secret-files', taken: string): { id: string; rest: string }[] {
  const seen = new Set([taken])
  return getList(name, { linesOnly: true }).map((line) => {
    const at = line.indexOf('=')
    const id = at < 0 ? '' : line.slice(0, at).trim()
    const rest = at < 0 ? '' : line.slice(at + 1)
    // The value is a secret: masked before any check below could echo the line.
    if (name === 'secrets' && rest) registerSecret(rest)
    if (!SECRET_ID.regex.test(id) || !rest)
      throw new InputError(
        name,
        `a line is not \`id=${name === 'secrets' ? 'value' : 'path'}\`${SECRET_ID.regex.test(id) ? ` (${id})` : ''}`,
        `write one id=${name === 'secrets' ? 'value' : 'path'} per line, the id being ${SECRET_ID.accepted}`
      )
    if (seen.has(id))
      throw new InputError(
        name,
        `the id ${id} is used twice (or is \`secret-id\`'s)`,
        'give each build secret its own id'
      )
    seen.add(id)
    return { id, rest }
  })
}

function getProvenance(mode: Mode): string | undefined {
  const value = getOptionalString('provenance')
  if (value === undefined) return undefined
  if (!(PROVENANCE as readonly string[]).includes(value))
    throw new InputError('provenance', `"${value}" is not accepted`, `use one of ${PROVENANCE.join(', ')}`)
  if (mode === 'build-arg' && value !== 'false')
    throw new InputError(
      'provenance',
      `is ${value} while \`mode: build-arg\` passes the index token as a build argument, which the provenance attestation records`,
      'set `provenance: false`, or use the default `mode: secret`'
    )
  return value
}

export function getInputs(): Inputs {
  const context = getString('context', { default: '.' })
  const tags = getTags()
  const push = getBoolean('push', false)
  if (push && tags.length === 0)
    throw new InputError('push', 'is true but `tags` is empty', 'set `tags` to the image names to push')
  const index = getIndexSource()
  const ecrLogin = getBoolean('ecr-login', false)
  const ecrRegistries = getList('ecr-registry').map((host) => {
    if (!/^[a-z0-9.-]+(:\d+)?$/i.test(host))
      throw new InputError(
        'ecr-registry',
        `"${host}" is not a registry host`,
        'use a host name with an optional port, e.g. ecr.internal.example.com'
      )
    return host.toLowerCase()
  })
  if (ecrRegistries.length > 0 && !ecrLogin)
    throw new InputError(
      'ecr-registry',
      'is set but `ecr-login` is false',
      'set `ecr-login: true` (the hosts are where the ECR token logs in)'
    )
  const mode = getEnum('mode', MODES, 'secret')
  const secretId = getString('secret-id', { default: 'pip_index_url', pattern: SECRET_ID })
  const cacheTo = getList('cache-to', { linesOnly: true })
  if (mode === 'build-arg' && cacheTo.length > 0)
    throw new InputError(
      'cache-to',
      'is set while `mode: build-arg` passes the index token as a build argument, which the exported cache would keep',
      'use the default `mode: secret`, or leave `cache-to` empty'
    )
  const sbom = getOptionalString('sbom')
  if (sbom !== undefined && sbom !== 'true' && sbom !== 'false')
    throw new InputError('sbom', `"${sbom}" is not accepted`, 'use true or false')
  const network = getOptionalString('network')
  if (network !== undefined && !(NETWORKS as readonly string[]).includes(network))
    throw new InputError('network', `"${network}" is not accepted`, `use one of ${NETWORKS.join(', ')}`)
  const secrets = getSecretPairs('secrets', secretId)
  const secretFiles = getSecretPairs('secret-files', secretId)
  const twice = secretFiles.find((file) => secrets.some((secret) => secret.id === file.id))
  if (twice)
    throw new InputError(
      'secret-files',
      `the id ${twice.id} is also in \`secrets\``,
      'give each build secret its own id'
    )
  return {
    context,
    file: getString('file') || `${context.replace(/\/+$/, '') || '.'}/Dockerfile`,
    tags,
    buildArgs: getPairs('build-args', ARG_NAME),
    target: getOptionalString('target', { pattern: STAGE }),
    platforms: getPlatforms(),
    labels: getPairs('labels', {
      regex: /^[^\s=]+$/,
      accepted: 'a label key without spaces, e.g. org.opencontainers.image.source'
    }),
    push,
    load: getBoolean('load', false),
    index,
    secretId,
    mode,
    buildArgName: getString('build-arg-name', { default: 'PIP_INDEX_URL', pattern: ARG_NAME }),
    builder: getEnum('builder', BUILDER_CHOICES, 'auto'),
    ecrLogin,
    ecrRegistries,
    credentials: index.kind === 'codeartifact' || ecrLogin ? getCredentialInputs() : undefined,
    network: network as Network | undefined,
    provenance: getProvenance(mode),
    sbom,
    cacheFrom: getList('cache-from', { linesOnly: true }),
    cacheTo,
    noCache: getBoolean('no-cache', false),
    pull: getBoolean('pull', false),
    secrets: secrets.map(({ id, rest }) => ({ id, value: rest })),
    secretFiles: secretFiles.map(({ id, rest }) => ({ id, path: rest.trim() }))
  }
}
