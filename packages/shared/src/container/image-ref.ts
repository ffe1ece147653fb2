// Image references as users type them into `tags`: `[registry[:port]/]path[:tag]`. The
// registry part decides where a push goes and which registry an ECR login is for, so it is
// parsed the way the docker CLI does (distribution/reference): the first path component is a
// registry only when it contains a `.` or a `:`, or is `localhost`.

const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d{1,5})?$|^\[[0-9a-fA-F:]+\](?::\d{1,5})?$/
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/
const TAG = /^[\w][\w.-]{0,127}$/

export interface ImageRef {
  /** `host[:port]`, or undefined for a name without a registry (Docker Hub, or podman's localhost). */
  registry?: string
  /** Repository path inside the registry, e.g. `acme/service`. */
  path: string
  tag?: string
}

function looksLikeRegistry(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost'
}

/** Parses a tag reference; undefined when it is not one (digests are not tags). */
export function parseImageRef(reference: string): ImageRef | undefined {
  if (!reference || reference.length > 255 || reference.includes('@')) return undefined
  let rest = reference
  let registry: string | undefined
  const slash = rest.indexOf('/')
  if (slash > 0 && looksLikeRegistry(rest.slice(0, slash))) {
    registry = rest.slice(0, slash)
    if (!HOST.test(registry)) return undefined
    rest = rest.slice(slash + 1)
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon >= 0) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(tag)) return undefined
  }
  const components = rest.split('/')
  if (!components.every((component) => PATH_COMPONENT.test(component))) return undefined
  return { registry, path: rest, tag }
}

/** What `parseImageRef` accepts, for an input error line. */
export const IMAGE_REF_ACCEPTED =
  'an image reference such as ghcr.io/acme/service:1.2.0 ([registry/]name[:tag], lowercase name, no digest)'

// <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn] (AWS "Private registry" docs), and the
// dual-stack form <account>.dkr-ecr.<region>.on.aws.
const ECR_HOST = /^(\d{12})\.(?:dkr\.ecr(?:-fips)?|dkr-ecr)\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|on\.aws)$/

export interface EcrRegistry {
  accountId: string
  region: string
}

/** The account and region of an ECR registry host; undefined for any other registry. */
export function parseEcrRegistry(host: string): EcrRegistry | undefined {
  const match = ECR_HOST.exec(host.toLowerCase())
  return match ? { accountId: match[1] as string, region: match[2] as string } : undefined
}

/**
 * The registries an ECR login is for: the ones listed explicitly (ECR behind a custom domain
 * or a VPC endpoint name), else the ECR registries the tags name. Never any other registry
 * the tags name: that would hand an AWS credential to a registry outside AWS.
 */
export function ecrLoginRegistries(tags: readonly string[], explicit: readonly string[] = []): string[] {
  if (explicit.length > 0) return [...new Set(explicit)]
  const registries = tags.map((tag) => parseImageRef(tag)?.registry).filter((r): r is string => Boolean(r))
  return [...new Set(registries.filter((registry) => parseEcrRegistry(registry)))]
}
