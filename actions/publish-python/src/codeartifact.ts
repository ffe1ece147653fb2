// The CodeArtifact half of the action, in its own module so the AWS SDK (most of the bundle)
// loads only when the target is CodeArtifact.
import type { AwsSession } from '@release/shared/aws/client-config'
import { getRepositoryAccess } from '@release/shared/aws/codeartifact'
import type { RepositoryAccess } from '@release/shared/aws/codeartifact'
import type { CodeArtifactInputs } from '@release/shared/aws/inputs'
import { type CredentialOptions, resolveAwsSession } from '@release/shared/aws/credentials'

export interface CodeArtifactAccess {
  session: AwsSession
  access: RepositoryAccess
}

export async function codeArtifactAccess(
  credentials: CredentialOptions,
  repository: CodeArtifactInputs,
  signal?: AbortSignal
): Promise<CodeArtifactAccess> {
  const session = await resolveAwsSession({ ...credentials, signal })
  const access = await getRepositoryAccess(session, { ...repository, deadlineMs: credentials.deadlineMs, signal })
  return { session, access }
}
