import { InputError } from '../errors.ts'
import { getInteger, getOptionalString, getString } from '../inputs.ts'
import type { CredentialOptions } from './credentials.ts'
import { AWS_NAME_PATTERNS, DEFAULT_AUDIENCE } from './names.ts'

// The AWS and CodeArtifact inputs every action that reaches CodeArtifact declares with the
// same names, defaults and checks.

export function getCredentialInputs(): CredentialOptions {
  const region =
    getString('aws-region', { pattern: AWS_NAME_PATTERNS.region }) ||
    process.env['AWS_REGION'] ||
    process.env['AWS_DEFAULT_REGION'] ||
    ''
  if (!region)
    throw new InputError('aws-region', 'is empty and AWS_REGION is not set', 'set `aws-region`, e.g. us-east-1')
  if (!AWS_NAME_PATTERNS.region.regex.test(region)) {
    throw new InputError(
      'aws-region',
      `"${region}" (from the environment) is not valid`,
      `expected ${AWS_NAME_PATTERNS.region.accepted}`
    )
  }
  return {
    region,
    roleToAssume: getOptionalString('role-to-assume', { pattern: AWS_NAME_PATTERNS.roleArn }),
    roleSessionName: getString('role-session-name', {
      default: 'GitHubActions',
      pattern: AWS_NAME_PATTERNS.roleSessionName
    }),
    roleDurationSeconds: getInteger('role-duration-seconds', { default: 3600, min: 900, max: 43200 }),
    audience: getString('audience', { default: DEFAULT_AUDIENCE }),
    deadlineMs: getRetryTimeoutMs()
  }
}

/** `retry-timeout-seconds`: how long one AWS call may keep retrying transient failures. */
export function getRetryTimeoutMs(): number {
  return getInteger('retry-timeout-seconds', { default: 60, min: 1, max: 900 }) * 1000
}

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
    durationSeconds: getInteger('duration-seconds', { default: 43200, min: 900, max: 43200, also: [0] })
  }
}
