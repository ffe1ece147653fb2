import { ActionError } from './errors.ts'
import { registerSecret } from './secrets.ts'

// The job's GitHub OIDC token, the one credential both the AWS role (STS) and PyPI trusted
// publishing start from.

export const ID_TOKEN_PERMISSION_HINT =
  'add `permissions: id-token: write` to the job (or the calling workflow) so GitHub issues an OIDC token; pull requests from forks never get one'

/** A token for `audience`, masked by the toolkit before it is returned. */
export async function requestGitHubIdToken(audience: string): Promise<string> {
  if (!process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] || !process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']) {
    throw new ActionError('GitHub did not give this job an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set).', {
      hint: ID_TOKEN_PERMISSION_HINT
    })
  }
  try {
    // The toolkit's OIDC client (with its HTTP stack) loads only on this path.
    const core = await import('@actions/core')
    const token = await core.getIDToken(audience)
    // The toolkit masks it in the log; registering it also keeps it out of argv and summaries.
    registerSecret(token)
    return token
  } catch (error) {
    throw new ActionError(
      `Could not get the GitHub OIDC token for audience "${audience}": ${(error as Error).message}`,
      {
        hint: ID_TOKEN_PERMISSION_HINT,
        cause: error
      }
    )
  }
}

/** The claims of a JWT, unverified: only for explaining a refused exchange (they are not secret). */
export function jwtClaims(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
  } catch {
    return {}
  }
}
