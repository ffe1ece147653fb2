// The CodeArtifact half of the action, in its own module so the AWS SDK (most of the bundle)
// loads only when the target is CodeArtifact.
import type { AwsSession } from '@release/shared/aws/client-config'
import { getRepositoryAccess, listPackageVersions } from '@release/shared/aws/codeartifact'
import type { RepositoryAccess } from '@release/shared/aws/codeartifact'
import type { CodeArtifactInputs } from '@release/shared/aws/inputs'
import { type CredentialOptions, resolveAwsSession } from '@release/shared/aws/credentials'

export interface CodeArtifactAccess {
  session: AwsSession
  access: RepositoryAccess
}

export async function codeArtifactAccess(credentials: CredentialOptions, repository: CodeArtifactInputs, signal?: AbortSignal): Promise<CodeArtifactAccess> {
  const session = await resolveAwsSession({ ...credentials, signal })
  const access = await getRepositoryAccess(session, { ...repository, deadlineMs: credentials.deadlineMs, signal })
  return { session, access }
}

/** The versions CodeArtifact lists for `project`; empty when it does not know the package (yet). */
export async function listedVersions(
  session: AwsSession,
  ref: { domain: string; domainOwner: string; repository: string },
  project: string,
  deadlineMs: number
): Promise<string[]> {
  try {
    return await listPackageVersions(session, ref, project, deadlineMs)
  } catch (error) {
    // An unknown package is ResourceNotFoundException, as is an unknown repository; the shared
    // helper words both as a missing repository, so tell them apart by the original error.
    if (isUnknownPackage((error as { cause?: unknown }).cause)) return []
    throw error
  }
}

/**
 * Whether a ResourceNotFoundException is about the package (not yet published here) rather
 * than the domain or repository. The SDK's `resourceType` says; the message is read only when
 * an endpoint leaves that field out.
 */
export function isUnknownPackage(error: unknown): boolean {
  const e = error as { name?: string; message?: string; resourceType?: string } | undefined
  if (e?.name !== 'ResourceNotFoundException') return false
  if (e.resourceType !== undefined) return e.resourceType === 'package'
  return /^package not found|\bpackage '/i.test(e.message ?? '')
}
