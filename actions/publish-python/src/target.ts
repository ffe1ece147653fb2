// Turns the target inputs into what the later phases need: an upload URL and credentials, a
// simple index to compare with and verify against, and (for CodeArtifact) the AWS session for
// ListPackageVersions. Credentials for reading the index go only to the upload URL's origin
// (or to CodeArtifact), never to another host such as pypi.org beside upload.pypi.org.
import type { AwsSession } from '@release/shared/aws/client-config'
import { authenticatedUrl } from '@release/shared/secrets'
import type { IndexCredentials } from '@release/shared/python/simple-index'
import { TRUSTED_PUBLISHING_USERNAME, mintTrustedPublishingToken } from '@release/shared/python/trusted-publishing'
import { CODEARTIFACT_USERNAME } from '@release/shared/aws/names'
import type { Target } from './inputs.ts'

export interface CodeArtifactRef {
  session: AwsSession
  domain: string
  domainOwner: string
  repository: string
}

export interface ResolvedTarget {
  kind: Exclude<Target['kind'], 'none'>
  uploadUrl: string
  /** Simple index URL, without credentials. */
  indexUrl: string
  /** For reading the index (existence check, verify); undefined: anonymous. */
  indexCredentials?: IndexCredentials
  /** One line for logs and the summary. */
  description: string
  /** Set for CodeArtifact with AWS credentials: verify with ListPackageVersions. */
  codeartifact?: CodeArtifactRef
  /** Upload credentials; for trusted publishing the token is minted on the first call. */
  uploadCredentials(): Promise<IndexCredentials | undefined>
}

function sameOrigin(a: string, b: string): boolean {
  return new URL(a).origin === new URL(b).origin
}

export async function resolveTarget(
  target: Exclude<Target, { kind: 'none' }>,
  deadlineMs: number,
  onRetry: (info: { attempt: number; delayMs: number; reason: string }) => void,
  signal?: AbortSignal
): Promise<ResolvedTarget> {
  switch (target.kind) {
    case 'codeartifact': {
      const { codeArtifactAccess } = await import('./codeartifact.ts')
      const { session, access } = await codeArtifactAccess(target.credentials, target.repository, signal)
      const credentials = { username: CODEARTIFACT_USERNAME, password: access.token }
      return {
        kind: target.kind,
        uploadUrl: access.registryUrl,
        indexUrl: access.indexUrl,
        indexCredentials: credentials,
        description: `CodeArtifact ${target.repository.domain}/${target.repository.repository} (owner ${access.domainOwner}, ${session.region}; ${session.source === 'oidc' ? `role ${session.roleArn}` : 'credentials from the environment'})`,
        codeartifact: {
          session,
          domain: target.repository.domain,
          domainOwner: access.domainOwner,
          repository: target.repository.repository
        },
        uploadCredentials: async () => credentials
      }
    }
    case 'codeartifact-login': {
      const credentials = { username: target.username, password: target.password }
      return {
        kind: target.kind,
        uploadUrl: target.uploadUrl,
        indexUrl: target.indexUrl,
        indexCredentials: credentials,
        description: `CodeArtifact ${target.uploadUrl} (token from an earlier codeartifact-login step)`,
        uploadCredentials: async () => credentials
      }
    }
    case 'index': {
      const credentials =
        target.password === undefined ? undefined : { username: target.username, password: target.password }
      return {
        kind: target.kind,
        uploadUrl: target.uploadUrl,
        indexUrl: target.indexUrl,
        indexCredentials: credentials && sameOrigin(target.uploadUrl, target.indexUrl) ? credentials : undefined,
        description: `${target.uploadUrl}${credentials ? ` as ${credentials.username}` : ' (no credentials)'}`,
        uploadCredentials: async () => credentials
      }
    }
    case 'trusted-publishing': {
      let minted: Promise<IndexCredentials> | undefined
      const mint = (): Promise<IndexCredentials> =>
        (minted ??= mintTrustedPublishingToken(target.uploadUrl, { deadlineMs, onRetry }).then((result) => ({
          username: TRUSTED_PUBLISHING_USERNAME,
          password: result.token
        })))
      // PyPI's simple index is public and on another host than uploads: the token is minted
      // only when the upload starts. An index on the upload origin (a private Warehouse) may
      // want the minted token for reading too, so it is minted up front there.
      const indexCredentials = sameOrigin(target.uploadUrl, target.indexUrl) ? await mint() : undefined
      return {
        kind: target.kind,
        uploadUrl: target.uploadUrl,
        indexUrl: target.indexUrl,
        indexCredentials,
        description: `${target.uploadUrl} (trusted publishing)`,
        uploadCredentials: mint
      }
    }
  }
}

/** The simple index URL with credentials inside, masked, for pip and uv's environment variables. */
export function installIndexUrl(target: ResolvedTarget): string {
  const credentials = target.indexCredentials
  return credentials ? authenticatedUrl(target.indexUrl, credentials.username, credentials.password) : target.indexUrl
}
