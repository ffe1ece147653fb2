// The shapes AWS accepts for the names users type into inputs, checked before any call so a
// typo fails in one line instead of as a remote ValidationException.

export const AWS_NAME_PATTERNS = {
  region: { regex: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, accepted: 'an AWS region such as us-east-1' },
  accountId: { regex: /^\d{12}$/, accepted: 'a 12-digit AWS account id' },
  roleArn: {
    regex: /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
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
