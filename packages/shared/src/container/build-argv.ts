// The builder command lines, built as arrays from one typed spec (as docker/build-push-action
// does) so that unit tests can assert them exactly. Nothing secret is ever an argument: the
// index credentials reach the builder as `--secret id=...,src=<0600 file>`, and in the legacy
// build-arg mode as `--build-arg NAME` without a value, which docker and podman both fill in
// from their own environment.

export type BuilderKind = 'docker' | 'podman'

/** `auto`: docker buildx when present, else podman. */
export type BuilderChoice = 'auto' | BuilderKind

export const BUILDER_CHOICES: readonly BuilderChoice[] = ['auto', 'docker', 'podman']

export interface SecretSource {
  id: string
  /** A file the builder reads once at build time. */
  src: string
}

export interface BuildSpec {
  context: string
  file: string
  tags: readonly string[]
  /** `NAME=value` pairs from the user; not secret. */
  buildArgs: readonly string[]
  /** Names whose value the builder reads from its environment (never from argv). */
  envBuildArgs?: readonly string[]
  labels: readonly string[]
  target?: string
  platforms: readonly string[]
  secrets: readonly SecretSource[]
  /** Where the builder writes the image id (config digest). */
  iidFile: string
  /** docker buildx only: where it writes the build result (image digest, ...). */
  metadataFile?: string
  push: boolean
  load: boolean
  /** `--network` for RUN steps (`host`, `none`, `default`); undefined: the builder's default. */
  network?: string
  /** Registries or BuildKit cache backends (`type=registry,ref=...`), as the builder takes them. */
  cacheFrom?: readonly string[]
  cacheTo?: readonly string[]
  noCache?: boolean
  /** Pull the base images even when a copy is local. */
  pull?: boolean
  /** docker buildx only: `--provenance` (`false`, `true`, `mode=min`, `mode=max`). */
  provenance?: string
  /** docker buildx only: `--sbom` (`true`, `false`). */
  sbom?: string
}

const repeat = (flag: string, values: readonly string[] | undefined): string[] =>
  (values ?? []).flatMap((value) => [flag, value])

function commonFlags(spec: BuildSpec): string[] {
  return [
    '--file',
    spec.file,
    ...repeat('--tag', spec.tags),
    ...repeat('--build-arg', spec.buildArgs),
    ...repeat('--build-arg', spec.envBuildArgs),
    ...repeat('--label', spec.labels),
    ...(spec.target ? ['--target', spec.target] : []),
    ...(spec.platforms.length > 0 ? ['--platform', spec.platforms.join(',')] : []),
    ...spec.secrets.flatMap((secret) => ['--secret', `id=${secret.id},src=${secret.src}`]),
    ...(spec.network ? ['--network', spec.network] : []),
    ...repeat('--cache-from', spec.cacheFrom),
    ...repeat('--cache-to', spec.cacheTo),
    ...(spec.noCache ? ['--no-cache'] : []),
    '--iidfile',
    spec.iidFile
  ]
}

/** argv after the command (`docker` or `podman`) for the build itself. */
export function buildArgs(kind: BuilderKind, spec: BuildSpec): string[] {
  if (kind === 'docker') {
    return [
      'buildx',
      'build',
      ...commonFlags(spec),
      // BuildKit grants host networking to a RUN step only as an entitlement the build asks for.
      ...(spec.network === 'host' ? ['--allow', 'network.host'] : []),
      ...(spec.pull ? ['--pull'] : []),
      ...(spec.provenance ? [`--provenance=${spec.provenance}`] : []),
      ...(spec.sbom ? [`--sbom=${spec.sbom}`] : []),
      ...(spec.metadataFile ? ['--metadata-file', spec.metadataFile] : []),
      ...(spec.push ? ['--push'] : []),
      ...(spec.load ? ['--load'] : []),
      spec.context
    ]
  }
  // podman keeps every build in its local storage (there is nothing to load) and pushes in a
  // separate step, one `podman push` per tag.
  return ['build', ...commonFlags(spec), ...(spec.pull ? ['--pull=always'] : []), spec.context]
}

/** Why the builder cannot run this spec, or undefined when it can. */
export function unsupportedReason(
  kind: BuilderKind,
  spec: Pick<BuildSpec, 'platforms' | 'tags' | 'push' | 'provenance' | 'sbom' | 'cacheFrom' | 'cacheTo'>
): string | undefined {
  if (kind === 'podman' && spec.platforms.length > 1) {
    return 'podman builds several platforms only into a manifest list, which this action does not assemble; build one platform per step, or use `builder: docker` (buildx)'
  }
  if (kind === 'podman' && ((spec.provenance && spec.provenance !== 'false') || spec.sbom === 'true')) {
    return 'podman writes no provenance or SBOM attestations; use `builder: docker` (buildx), or leave `provenance` and `sbom` empty'
  }
  if (kind === 'podman' && [...(spec.cacheFrom ?? []), ...(spec.cacheTo ?? [])].some((cache) => cache.includes('='))) {
    return "podman takes image repositories for `cache-from` and `cache-to` (e.g. ghcr.io/acme/svc-cache), not BuildKit's `type=...` form; use such a repository, or `builder: docker` (buildx)"
  }
  if (spec.push && spec.tags.length === 0) return '`push: true` needs at least one entry in `tags`'
  return undefined
}

/** podman only: pushes one tag and writes the manifest digest the registry stored. */
export function pushArgs(tag: string, digestFile: string): string[] {
  return ['push', '--digestfile', digestFile, tag]
}

/** The password always goes on stdin. */
export function loginArgs(registry: string, username: string): string[] {
  return ['login', '--username', username, '--password-stdin', registry]
}

export function logoutArgs(registry: string): string[] {
  return ['logout', registry]
}
