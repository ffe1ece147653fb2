import { AWS_NAME_PATTERNS } from '@release/shared/aws/names'
import { UsageError } from './options.ts'

export interface ProfileChoice {
  /** The profile in use: the flag, AWS_PROFILE, or `default`. */
  name: string
  /** Whether the user named it (flag or AWS_PROFILE): then it must exist. */
  named: boolean
  region?: string
}

/**
 * Reads ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE)
 * with the SDK's own loader, so profiles are read exactly as the SDK's credential chain reads
 * them; a misspelt profile fails here by name instead of as "Could not load credentials".
 */
export async function chooseProfile(flag: string | undefined, env: NodeJS.ProcessEnv): Promise<ProfileChoice> {
  const { loadSharedConfigFiles } = await import('@smithy/core/config')
  const name = flag ?? env['AWS_PROFILE'] ?? 'default'
  const named = Boolean(flag ?? env['AWS_PROFILE'])
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true })
  const profile = configFile[name]
  if (named && !profile && !credentialsFile[name]) {
    const known = [...new Set([...Object.keys(configFile), ...Object.keys(credentialsFile)])]
    throw new UsageError(
      flag ? '--profile' : 'AWS_PROFILE',
      `no profile "${name}" in ~/.aws/config or ~/.aws/credentials`,
      known.length > 0
        ? `use one of ${known.join(', ')}, or create it with \`aws configure sso --profile ${name}\``
        : `create it with \`aws configure sso --profile ${name}\` or \`aws configure --profile ${name}\``
    )
  }
  // As the SDK (and the AWS CLI) read it: config's value first, else the credentials file's.
  return { name, named, region: profile?.['region'] ?? credentialsFile[name]?.['region'] }
}

/**
 * The region as the AWS CLI finds it: the flag, AWS_REGION, AWS_DEFAULT_REGION, then the
 * profile's `region`.
 */
export function resolveRegion(flag: string | undefined, profile: ProfileChoice, env: NodeJS.ProcessEnv): string {
  const [region, source] = flag
    ? [flag, '--region']
    : env['AWS_REGION']
      ? [env['AWS_REGION'], 'AWS_REGION']
      : env['AWS_DEFAULT_REGION']
        ? [env['AWS_DEFAULT_REGION'], 'AWS_DEFAULT_REGION']
        : [profile.region, `the region of profile ${profile.name}`]
  if (!region) {
    throw new UsageError(
      '--region',
      `no region is set, and profile ${profile.name} names none`,
      `pass --region (e.g. us-east-1), set AWS_REGION, or add \`region = ...\` to profile ${profile.name} in ~/.aws/config`
    )
  }
  if (!AWS_NAME_PATTERNS.region.regex.test(region))
    throw new UsageError(source, `"${region}" is not valid`, `expected ${AWS_NAME_PATTERNS.region.accepted}`)
  return region
}
