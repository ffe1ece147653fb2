// The shapes AWS accepts for the names users type into inputs, checked before any call so a
// typo fails in one line instead of as a remote ValidationException.

/**
 * The partitions AWS has, each with the prefix its regions share (`aws` takes every other
 * region). A role lives in one partition and is only usable from that partition's regions.
 */
const PARTITION_REGION_PREFIX = {
  aws: '',
  'aws-cn': 'cn-',
  'aws-us-gov': 'us-gov-',
  'aws-iso': 'us-iso-',
  'aws-iso-b': 'us-isob-',
  'aws-iso-e': 'eu-isoe-',
  'aws-iso-f': 'us-isof-',
  'aws-eusc': 'eusc-'
} as const

export type AwsPartition = keyof typeof PARTITION_REGION_PREFIX

export const AWS_PARTITIONS = Object.keys(PARTITION_REGION_PREFIX) as AwsPartition[]

export const AWS_NAME_PATTERNS = {
  // Two letters, or `eusc` for the European Sovereign Cloud (eusc-de-east-1).
  region: { regex: /^(?:[a-z]{2}|eusc)(-[a-z]+)+-\d{1,2}$/, accepted: 'an AWS region such as us-east-1' },
  accountId: { regex: /^\d{12}$/, accepted: 'a 12-digit AWS account id' },
  roleArn: {
    regex: new RegExp(`^arn:(?:${AWS_PARTITIONS.join('|')}):iam::\\d{12}:role\\/[\\w+=,.@/-]{1,512}$`),
    accepted: 'an IAM role ARN such as arn:aws:iam::111122223333:role/github-publish'
  },
  roleSessionName: { regex: /^[\w+=,.@-]{2,64}$/, accepted: '2-64 characters of letters, digits and +=,.@_-' },
  // CodeArtifact domain: 2-50 lowercase letters, digits and hyphens, starting with a letter.
  codeartifactDomain: {
    regex: /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/,
    accepted: 'a CodeArtifact domain name: 2-50 lowercase letters, digits and hyphens, starting with a letter'
  },
  // CodeArtifact repository: 2-100 letters, digits, dots, hyphens and underscores.
  codeartifactRepository: {
    regex: /^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$/,
    accepted: 'a CodeArtifact repository name: 2-100 letters, digits, dots, hyphens and underscores'
  }
} as const

/** The fixed basic-auth user name that goes with a CodeArtifact authorization token. */
export const CODEARTIFACT_USERNAME = 'aws'

/** The audience GitHub's OIDC token is requested for when `audience` is empty. */
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com'

export function accountIdFromArn(arn: string): string | undefined {
  return /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1]
}

export function partitionOfArn(arn: string): string | undefined {
  return /^arn:([^:]+):/.exec(arn)?.[1]
}

/** The partition a region belongs to: its ARNs and roles are of this partition. */
export function partitionOfRegion(region: string): AwsPartition {
  const match = AWS_PARTITIONS.find((partition) => {
    const prefix = PARTITION_REGION_PREFIX[partition]
    return prefix !== '' && region.startsWith(prefix)
  })
  return match ?? 'aws'
}

/** How the regions of a partition look, for an error line: "cn-*", or "any other" for aws. */
export function partitionRegions(partition: AwsPartition): string {
  const prefix = PARTITION_REGION_PREFIX[partition]
  return prefix ? `${prefix}*` : 'the commercial regions'
}
