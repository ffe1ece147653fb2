import { REJECTED_CREDENTIAL_ERRORS } from '@release/shared/aws/credentials'
import { ActionError, oneLine } from '@release/shared/errors'
import type { CliOptions } from './options.ts'

// The shared AWS code phrases its fixes for a workflow (inputs such as `aws-region`, a role to
// assume with OIDC). On a developer machine the credentials are the user's own and the knobs
// are flags, so the same failures are explained again here in those terms.

const INPUT_FLAGS: Record<string, string> = {
  domain: '--domain',
  'domain-owner': '--domain-owner',
  repository: '--repository',
  'aws-region': '--region',
  'duration-seconds': '--duration-seconds'
}

/** Errors the SDK's credential chain ends in when it finds nothing usable or the SSO login ran out. */
function isCredentialFailure(error: unknown): boolean {
  for (let e = error as { name?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.name === 'CredentialsProviderError' || e.name === 'TokenProviderError') return true
    if (/Could not load credentials|SSO session|sso login/i.test(e.message ?? '')) return true
  }
  return false
}

function isRejectedCredential(error: unknown): boolean {
  for (let e = error as { name?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (REJECTED_CREDENTIAL_ERRORS.includes(e.name ?? '')) return true
  }
  return false
}

function innermostMessage(error: unknown): string {
  let e = error as { message?: string; cause?: unknown } | undefined
  while (e?.cause) e = e.cause as typeof e
  // SDK messages (a credential_process's output among them) may span lines; the error is one.
  return oneLine(e?.message ?? String(error))
}

function loginHint(options: Pick<CliOptions, 'profile'>): string {
  const profile = options.profile ? ` --profile ${options.profile}` : ''
  return `sign in with \`aws sso login${profile}\` (SSO) or \`aws configure${profile}\` (access keys), or pick another profile with --profile or AWS_PROFILE`
}

export function explainForDeveloper(error: unknown, options: Pick<CliOptions, 'profile'>): unknown {
  const whose = options.profile ? `profile ${options.profile}` : 'the default profile or the environment'
  if (isCredentialFailure(error)) {
    return new ActionError(`No usable AWS credentials from ${whose}: ${innermostMessage(error)}`, {
      hint: loginHint(options),
      cause: error
    })
  }
  if (isRejectedCredential(error)) {
    return new ActionError(`AWS rejected the credentials from ${whose}: ${innermostMessage(error)}`, {
      hint: `they may have expired: ${loginHint(options)}`,
      cause: error
    })
  }
  if (error instanceof ActionError && error.hint) {
    const hint = error.hint.replace(/`([a-z-]+)`/g, (whole, name: string) =>
      INPUT_FLAGS[name] ? `\`${INPUT_FLAGS[name]}\`` : whole
    )
    return new ActionError(error.message, { hint, cause: error })
  }
  return error
}
