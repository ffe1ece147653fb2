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

/** What an earlier codeartifact-login step left in the environment, if anything. */
export function readHandoff(env: NodeJS.ProcessEnv = process.env): HandoffAccess | undefined {
  const token = env[HANDOFF_ENV.token]
  const registryUrl = env[HANDOFF_ENV.registryUrl]
  const indexUrl = env[HANDOFF_ENV.indexUrl]
  if (!token || !registryUrl || !indexUrl) return undefined
  const expiration = env[HANDOFF_ENV.expiration] ? new Date(env[HANDOFF_ENV.expiration] as string) : undefined
  return { token, registryUrl, indexUrl, expiration }
}
