import { WITHHELD_VARIABLES } from '../../packages/shared/src/exec.ts'

// Checks of what child processes saw: the environment that PATH shims (runBundledAction's
// recordArgvOf) or a spying build backend recorded, against the credentials a run had.

/** What the runner and a workflow put in a step's environment that no child may inherit. */
export const RUNNER_CREDENTIALS = {
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-bearer-KNOWN-7f3a',
  ACTIONS_RUNTIME_TOKEN: 'actions-runtime-KNOWN-91c2',
  AWS_ACCESS_KEY_ID: 'AKIAKNOWNKNOWNKNOWN1',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-KNOWN-0c6d1b2a',
  AWS_SESSION_TOKEN: 'aws-session-KNOWN-55e9',
  GITHUB_TOKEN: 'ghs_KNOWNworkflowTokenForTests0001',
  GH_TOKEN: 'ghs_KNOWNghCliTokenForTests00002'
}

/** Names a child must never see, whatever their value: the list the exec helper withholds. */
const CREDENTIAL_NAME = WITHHELD_VARIABLES

/**
 * Every credential `env` holds: names that must not be there (except `allowed`), and variables
 * whose value contains one of `secrets` (or its base64 or URL-encoded form).
 */
export function credentialsIn(
  env: Record<string, string>,
  secrets: readonly string[],
  allowed: readonly string[] = []
): string[] {
  const forms = secrets.flatMap((secret) => [
    secret,
    Buffer.from(secret).toString('base64'),
    encodeURIComponent(secret)
  ])
  const found: string[] = []
  for (const [name, value] of Object.entries(env)) {
    if (allowed.includes(name)) continue
    if (CREDENTIAL_NAME.test(name)) found.push(name)
    else if (forms.some((form) => value.includes(form))) found.push(`${name} (holds a secret)`)
  }
  return found
}
