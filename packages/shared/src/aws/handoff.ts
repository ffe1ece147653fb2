import { ActionError } from '../errors.ts'
import { registerSecret } from '../secrets.ts'

// The variables codeartifact-login leaves for later steps of the job, so publish-python and
// docker-build-auth can reuse its token without a second login. The names follow the
// `CODEARTIFACT_AUTH_TOKEN` convention of the AWS documentation.

export const HANDOFF_ENV = {
  token: 'CODEARTIFACT_AUTH_TOKEN',
  registryUrl: 'CODEARTIFACT_REGISTRY_URL',
  indexUrl: 'CODEARTIFACT_INDEX_URL',
  expiration: 'CODEARTIFACT_TOKEN_EXPIRATION'
} as const

export interface HandoffAccess {
  token: string
  registryUrl: string
  indexUrl: string
  expiration?: Date
}

/**
 * What an earlier codeartifact-login step left in the environment, if anything. An expired
 * token fails here, by name, instead of later as an unexplained 401 from the index.
 */
export function readHandoff(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): HandoffAccess | undefined {
  const token = env[HANDOFF_ENV.token]
  const registryUrl = env[HANDOFF_ENV.registryUrl]
  const indexUrl = env[HANDOFF_ENV.indexUrl]
  if (!token || !registryUrl || !indexUrl) return undefined
  const expiration = env[HANDOFF_ENV.expiration] ? new Date(env[HANDOFF_ENV.expiration] as string) : undefined
  if (expiration && expiration.getTime() <= now.getTime()) {
    throw new ActionError(
      `The CodeArtifact token that codeartifact-login left in the environment expired at ${expiration.toISOString()}.`,
      {
        hint: 'run codeartifact-login again (later in the job, or with a longer `duration-seconds`), or give this step the CodeArtifact inputs'
      }
    )
  }
  // Masked by the step that created it, but this process must know it too, so that the exec
  // helper refuses any argv that would carry it and summaries redact it.
  registerSecret(token)
  return { token, registryUrl, indexUrl, expiration }
}
