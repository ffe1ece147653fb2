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
      ...(spec.metadataFile ? ['--metadata-file', spec.metadataFile] : []),
      ...(spec.push ? ['--push'] : []),
      ...(spec.load ? ['--load'] : []),
      spec.context
    ]
  }
  // podman keeps every build in its local storage (there is nothing to load) and pushes in a
  // separate step, one `podman push` per tag.
  return ['build', ...commonFlags(spec), spec.context]
}

/** Why the builder cannot run this spec, or undefined when it can. */
export function unsupportedReason(
  kind: BuilderKind,
  spec: Pick<BuildSpec, 'platforms' | 'tags' | 'push'>
): string | undefined {
  if (kind === 'podman' && spec.platforms.length > 1) {
    return 'podman builds several platforms only into a manifest list, which this action does not assemble; build one platform per step, or use `builder: docker` (buildx)'
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
