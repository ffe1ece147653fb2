import { ActionError } from '../errors.ts'
import { type AwsSession, clientConfig } from '../aws/client-config.ts'
import { explainCredentialError } from '../aws/credentials.ts'
import { RETRY_TIMEOUT_HINT, logRetry, withRetry } from '../retry.ts'
import { registerSecret } from '../secrets.ts'

// ECR registry credentials from ecr:GetAuthorizationToken. The answer is base64("AWS:<password>");
// the password is a registry login valid for 12 hours, masked the moment it is decoded. AWS
// documents registryIds as deprecated: one token serves every registry the principal may use,
// so the action asks once and logs in to each registry its tags name.

// Loaded on first use, like the STS and CodeArtifact clients.
const loadEcr = () => import('@aws-sdk/client-ecr')

export interface EcrAuthorization {
  username: string
  /** Already masked. */
  password: string
  /** The caller's default registry, e.g. https://111122223333.dkr.ecr.us-east-1.amazonaws.com. */
  proxyEndpoint?: string
  expiresAt?: Date
}

export function decodeEcrToken(token: string): { username: string; password: string } {
  const decoded = Buffer.from(token, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0 || colon === decoded.length - 1)
    throw new ActionError('ECR returned an authorization token that is not `user:password`.')
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

export async function getEcrAuthorization(session: AwsSession, deadlineMs?: number): Promise<EcrAuthorization> {
  const { ECRClient, GetAuthorizationTokenCommand } = await loadEcr()
  const client = new ECRClient(clientConfig(session))
  try {
    const response = await withRetry(
      async (_attempt, abortSignal) => {
        // The attempt's signal ends a call that hangs once the retry deadline has passed.
        const answer = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal })
        // Masked at birth, in both forms, before anything else can print them.
        for (const data of answer.authorizationData ?? []) {
          if (!data.authorizationToken) continue
          registerSecret(data.authorizationToken)
          registerSecret(decodeEcrToken(data.authorizationToken).password)
        }
        return answer
      },
      { label: 'ECR GetAuthorizationToken', deadlineMs, onRetry: logRetry, hint: RETRY_TIMEOUT_HINT }
    )
    const data = response.authorizationData?.[0]
    if (!data?.authorizationToken) throw new ActionError('ECR GetAuthorizationToken returned no token.')
    return { ...decodeEcrToken(data.authorizationToken), proxyEndpoint: data.proxyEndpoint, expiresAt: data.expiresAt }
  } catch (error) {
    throw explainEcrError(error, session.region)
  } finally {
    client.destroy()
  }
}

function explainEcrError(error: unknown, region: string): unknown {
  const credentialError = explainCredentialError(error)
  if (credentialError !== error) return credentialError
  const name = (error as Error)?.name
  if (name === 'AccessDeniedException') {
    return new ActionError(`ECR GetAuthorizationToken was denied in ${region}: ${(error as Error).message}`, {
      hint: 'the role needs `ecr:GetAuthorizationToken` (resource "*"), and ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage on the repository to push',
      cause: error
    })
  }
  return error
}
