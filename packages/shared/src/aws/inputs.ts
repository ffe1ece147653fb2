import { InputError } from '../errors.ts'
import { getInteger, getOptionalString, getString } from '../inputs.ts'
import type { CredentialOptions } from './credentials.ts'
import {
  AWS_NAME_PATTERNS,
  type AwsPartition,
  DEFAULT_AUDIENCE,
  partitionOfArn,
  partitionOfRegion,
  partitionRegions
} from './names.ts'

// The AWS and CodeArtifact inputs every action that reaches CodeArtifact declares with the
// same names, defaults and checks.

export function getCredentialInputs(): CredentialOptions {
  const region = getRegion()
  return {
    region: region.name,
    roleToAssume: getRoleToAssume(region),
    roleSessionName: getString('role-session-name', {
      default: 'GitHubActions',
      pattern: AWS_NAME_PATTERNS.roleSessionName
    }),
    roleDurationSeconds: getInteger('role-duration-seconds', { default: 3600, min: 900, max: 43200 }),
    audience: getString('audience', { default: DEFAULT_AUDIENCE }),
    deadlineMs: getRetryTimeoutMs()
  }
}

interface Region {
  name: string
  /** Where it was set, for error lines: the input or the variable it fell back to. */
  source: string
}

function getRegion(): Region {
  const input = getString('aws-region', { pattern: AWS_NAME_PATTERNS.region })
  if (input) return { name: input, source: '`aws-region`' }
  const variable = ['AWS_REGION', 'AWS_DEFAULT_REGION'].find((name) => process.env[name])
  if (!variable)
    throw new InputError('aws-region', 'is empty and AWS_REGION is not set', 'set `aws-region`, e.g. us-east-1')
  const name = process.env[variable] as string
  if (!AWS_NAME_PATTERNS.region.regex.test(name)) {
    throw new InputError(
      'aws-region',
      `"${name}" (from the environment) is not valid`,
      `expected ${AWS_NAME_PATTERNS.region.accepted}`
    )
  }
  return { name, source: `${variable} (\`aws-region\` is empty)` }
}

/**
 * A role of another partition than the region's cannot be assumed there: STS would refuse it
 * with a generic error after the OIDC round trip, so the mismatch is named here instead.
 */
function getRoleToAssume(region: Region): string | undefined {
  const arn = getOptionalString('role-to-assume', { pattern: AWS_NAME_PATTERNS.roleArn })
  const rolePartition = arn === undefined ? undefined : partitionOfArn(arn)
  const regionPartition = partitionOfRegion(region.name)
  if (rolePartition === undefined || rolePartition === regionPartition) return arn
  throw new InputError(
    'role-to-assume',
    `"${arn}" is a role of partition ${rolePartition}, but the region ${region.name} from ${region.source} is in partition ${regionPartition}`,
    `use a role of partition ${regionPartition}, or a region of partition ${rolePartition} (${partitionRegions(rolePartition as AwsPartition)})`
  )
}

/** `retry-timeout-seconds`: how long one AWS call may keep retrying transient failures. */
export function getRetryTimeoutMs(): number {
  return getInteger('retry-timeout-seconds', { default: 60, min: 1, max: 900 }) * 1000
}

/** CodeArtifact's token lifetime: 900-43200 seconds, or 0 for the rest of the session. */
export const TOKEN_DURATION = { default: 43200, min: 900, max: 43200, also: [0] } as const

export interface CodeArtifactInputs {
  domain: string
  domainOwner?: string
  repository: string
  durationSeconds: number
}

/** `required: false` lets an action fall back to another target when `domain` is empty. */
export function getCodeArtifactInputs(
  options: { required: boolean } = { required: true }
): CodeArtifactInputs | undefined {
  const domain = getString('domain', { required: options.required, pattern: AWS_NAME_PATTERNS.codeartifactDomain })
  if (!domain) return undefined
  return {
    domain,
    domainOwner: getOptionalString('domain-owner', { pattern: AWS_NAME_PATTERNS.accountId }),
    repository: getString('repository', { required: true, pattern: AWS_NAME_PATTERNS.codeartifactRepository }),
    durationSeconds: getInteger('duration-seconds', { ...TOKEN_DURATION, also: [...TOKEN_DURATION.also] })
  }
}
