import { ActionError } from '../errors.ts'
import { jwtClaims, requestGitHubIdToken } from '../github-oidc.ts'
import { registerSecret } from '../secrets.ts'
import * as log from '../workflow-commands.ts'
import { AWS_ENDPOINT_HINT, callAws, checkAwsEndpointTransport, explainEndpointError } from './call.ts'
import { type AwsSession, clientConfig } from './client-config.ts'
import { accountIdFromArn } from './names.ts'

// The SDK is loaded on first use, not at start-up: it is most of the bundle, and an action
// whose inputs are wrong should fail before paying for it.
const loadSts = () => import('@aws-sdk/client-sts')

export interface CredentialOptions {
  region: string
  /** Assume this role with the job's GitHub OIDC token; empty: use the ambient chain. */
  roleToAssume?: string
  roleSessionName: string
  roleDurationSeconds: number
  audience: string
  /** Retry budget for STS calls. */
  deadlineMs?: number
  /** Stops retrying when the caller no longer needs the session (e.g. the step already failed). */
  signal?: AbortSignal
}

/** One log line saying where the session's credentials came from. */
export function describeSession(session: AwsSession): string {
  return session.source === 'oidc'
    ? `Assumed ${session.roleArn} with the GitHub OIDC token`
    : 'Using the credentials from the environment'
}

/** resolveAwsSession as the actions' first phase: a log group that says whose session it got. */
export async function resolveAwsSessionInGroup(options: CredentialOptions): Promise<AwsSession> {
  return log.group('AWS credentials', async () => {
    const session = await resolveAwsSession(options)
    log.info(describeSession(session))
    return session
  })
}

export async function resolveAwsSession(options: CredentialOptions): Promise<AwsSession> {
  checkAwsEndpointTransport()
  if (!options.roleToAssume) return { region: options.region, source: 'ambient' }
  const idToken = await requestGitHubIdToken(options.audience, {
    deadlineMs: options.deadlineMs,
    signal: options.signal
  })
  return assumeRoleWithWebIdentity(options, options.roleToAssume, idToken)
}

/** The claims that decide a trust policy match; they are not secret and help fix one. */
function describeTokenClaims(idToken: string): string {
  const claims = jwtClaims(idToken)
  return `the token has sub "${String(claims['sub'] ?? '?')}" and aud "${String(claims['aud'] ?? '?')}"`
}

async function assumeRoleWithWebIdentity(
  options: CredentialOptions,
  roleArn: string,
  idToken: string
): Promise<AwsSession> {
  // AssumeRoleWithWebIdentity is unsigned (the SDK picks its noAuth scheme): the OIDC token is
  // the credential, so no ambient credentials are looked up for it.
  const { STSClient, AssumeRoleWithWebIdentityCommand } = await loadSts()
  const sts = new STSClient(clientConfig({ region: options.region }))
  try {
    const response = await callAws(
      'STS AssumeRoleWithWebIdentity',
      (abortSignal) =>
        sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: roleArn,
            RoleSessionName: options.roleSessionName,
            DurationSeconds: options.roleDurationSeconds,
            WebIdentityToken: idToken
          }),
          { abortSignal }
        ),
      options
    )
    const credentials = response.Credentials
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
      // AWS always sends them with a success: whatever answered is not STS.
      throw new ActionError(`STS returned no credentials for ${roleArn}.`, { hint: AWS_ENDPOINT_HINT })
    }
    registerSecret(credentials.SecretAccessKey)
    registerSecret(credentials.SessionToken)
    // Masked like aws-actions/configure-aws-credentials does: it identifies the session.
    registerSecret(credentials.AccessKeyId)
    return {
      region: options.region,
      source: 'oidc',
      roleArn,
      accountId: accountIdFromArn(response.AssumedRoleUser?.Arn ?? roleArn),
      credentials: {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration
      }
    }
  } catch (error) {
    throw explainStsError(error, roleArn, idToken, options.audience)
  } finally {
    sts.destroy()
  }
}

function explainStsError(error: unknown, roleArn: string, idToken: string, audience: string): unknown {
  if (error instanceof ActionError) return error
  const name = (error as Error).name
  const message = (error as Error).message
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return new ActionError(`STS refused to let this workflow assume ${roleArn}: ${message}`, {
      hint: `the role's trust policy must allow sts:AssumeRoleWithWebIdentity with \`token.actions.githubusercontent.com:aud\` = "${audience}" and a \`:sub\` condition matching this run (${describeTokenClaims(idToken)})`,
      cause: error
    })
  }
  if (name === 'ExpiredTokenException') {
    return new ActionError(`STS rejected the GitHub OIDC token as expired: ${message}`, {
      hint: 'the token lives about 5 minutes from the request; re-run the job, and check the runner clock if it keeps happening',
      cause: error
    })
  }
  // The SDK names these after its exception classes (`InvalidIdentityToken` on the wire).
  if (
    ['InvalidIdentityTokenException', 'IDPRejectedClaimException', 'InvalidIdentityToken', 'IDPRejectedClaim'].includes(
      name
    )
  ) {
    return new ActionError(`STS rejected the GitHub OIDC token (${name}): ${message}`, {
      hint: `register https://token.actions.githubusercontent.com as an IAM OIDC identity provider with audience "${audience}" in the role's account`,
      cause: error
    })
  }
  return error
}

/** The account the session belongs to; from AssumeRole when known, else GetCallerIdentity. */
export async function getAccountId(session: AwsSession, deadlineMs?: number, signal?: AbortSignal): Promise<string> {
  if (session.accountId) return session.accountId
  const { STSClient, GetCallerIdentityCommand } = await loadSts()
  const sts = new STSClient(clientConfig(session))
  try {
    const identity = await callAws(
      'STS GetCallerIdentity',
      (abortSignal) => sts.send(new GetCallerIdentityCommand({}), { abortSignal }),
      { deadlineMs, signal }
    )
    if (!identity.Account)
      throw new ActionError('STS GetCallerIdentity returned no account.', { hint: AWS_ENDPOINT_HINT })
    return identity.Account
  } catch (error) {
    throw explainCredentialError(error)
  } finally {
    sts.destroy()
  }
}

/** The errors AWS answers credentials with that it does not accept (unknown, expired). */
export const REJECTED_CREDENTIAL_ERRORS: readonly string[] = [
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException'
]

/**
 * Maps what any AWS call can end in to the fix: no credentials anywhere in the SDK's default
 * chain, credentials AWS rejects, and (for callers not using callAws) an endpoint that is not
 * AWS or not a URL.
 */
export function explainCredentialError(error: unknown): unknown {
  const name = (error as Error)?.name
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test((error as Error)?.message ?? '')) {
    return new ActionError('No AWS credentials: none were given and none were found in the environment.', {
      hint: 'set `role-to-assume` (with `permissions: id-token: write`), or run aws-actions/configure-aws-credentials in an earlier step',
      cause: error
    })
  }
  if (REJECTED_CREDENTIAL_ERRORS.includes(name)) {
    return new ActionError(`AWS rejected the ambient credentials (${name}): ${(error as Error).message}`, {
      hint: 'refresh the credentials (they may have expired) or use `role-to-assume`',
      cause: error
    })
  }
  return explainEndpointError(error)
}
