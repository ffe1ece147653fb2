import type { CodeartifactClient } from '@aws-sdk/client-codeartifact'
import { ActionError } from '../errors.ts'
import { registerSecret } from '../secrets.ts'
import { credentialTransportFix, credentialTransportProblem } from '../transport.ts'
import { AWS_ENDPOINT_HINT, callAws } from './call.ts'
import { type AwsSession, clientConfig } from './client-config.ts'
import { explainCredentialError, getAccountId } from './credentials.ts'
import { partitionOfRegion } from './names.ts'

// Defined with the other AWS names (light, SDK-free) so input parsing can use it; re-exported
// here for the callers that already import it with the CodeArtifact calls.
export { CODEARTIFACT_USERNAME } from './names.ts'

export interface RepositoryRef {
  domain: string
  /** Defaults to the caller's account. */
  domainOwner?: string
  repository: string
}

export interface RepositoryAccess {
  domainOwner: string
  /** Authorization token, already masked. */
  token: string
  expiration: Date
  /** Upload endpoint (twine/uv publish), ends with `/`. */
  registryUrl: string
  /** Simple index without credentials, ends with `/simple/`. */
  indexUrl: string
}

export interface AccessOptions extends RepositoryRef {
  /** 0 (the session's remaining lifetime) or 900..43200 seconds. */
  durationSeconds: number
  deadlineMs?: number
  /** Stops retrying when the caller no longer needs the token (e.g. the step already failed). */
  signal?: AbortSignal
}

// Loaded on first use, like the STS client (see credentials.ts).
export const loadCodeArtifact = () => import('@aws-sdk/client-codeartifact')

export async function createClient(session: AwsSession): Promise<CodeartifactClient> {
  const { CodeartifactClient } = await loadCodeArtifact()
  return new CodeartifactClient(clientConfig(session))
}

export async function getRepositoryAccess(session: AwsSession, options: AccessOptions): Promise<RepositoryAccess> {
  const [domainOwner, client, { GetAuthorizationTokenCommand, GetRepositoryEndpointCommand }] = await Promise.all([
    options.domainOwner ?? getAccountId(session, options.deadlineMs, options.signal),
    createClient(session),
    loadCodeArtifact()
  ])
  // When one of the two calls fails for good, the other stops retrying: the step has failed.
  const siblings = new AbortController()
  const signal = options.signal ? AbortSignal.any([siblings.signal, options.signal]) : siblings.signal
  const call = { deadlineMs: options.deadlineMs, signal }
  try {
    // The token and the endpoint are independent: ask for both at once.
    const [tokenResponse, endpointResponse] = await Promise.all([
      callAws(
        'CodeArtifact GetAuthorizationToken',
        async (abortSignal) => {
          const response = await client.send(
            new GetAuthorizationTokenCommand({
              domain: options.domain,
              domainOwner,
              durationSeconds: options.durationSeconds
            }),
            { abortSignal }
          )
          // Masked at birth: before anything else can print it.
          if (response.authorizationToken) registerSecret(response.authorizationToken)
          return response
        },
        call
      ).catch((error: unknown) => {
        siblings.abort()
        throw explainCodeArtifactError(error, 'GetAuthorizationToken', options, domainOwner, session.region)
      }),
      callAws(
        'CodeArtifact GetRepositoryEndpoint',
        (abortSignal) =>
          client.send(
            new GetRepositoryEndpointCommand({
              domain: options.domain,
              domainOwner,
              repository: options.repository,
              format: 'pypi'
            }),
            { abortSignal }
          ),
        call
      ).catch((error: unknown) => {
        siblings.abort()
        throw explainCodeArtifactError(error, 'GetRepositoryEndpoint', options, domainOwner, session.region)
      })
    ])
    const token = tokenResponse.authorizationToken
    const endpoint = endpointResponse.repositoryEndpoint
    // CodeArtifact always sends both with a success: whatever answered is not CodeArtifact.
    if (!token) throw new ActionError('CodeArtifact returned no authorization token.', { hint: AWS_ENDPOINT_HINT })
    if (!endpoint) throw new ActionError('CodeArtifact returned no repository endpoint.', { hint: AWS_ENDPOINT_HINT })
    const registryUrl = endpoint.endsWith('/') ? endpoint : `${endpoint}/`
    // pip, uv, twine, poetry and pipenv send the token to this URL. CodeArtifact's are https;
    // a stand-in's (AWS_ENDPOINT_URL_CODEARTIFACT) may not be.
    const problem = credentialTransportProblem(registryUrl)
    if (problem)
      throw new ActionError(`The repository endpoint ${registryUrl}: the tools ${problem}.`, {
        hint: `${credentialTransportFix(registryUrl)} (check AWS_ENDPOINT_URL_CODEARTIFACT)`
      })
    return {
      domainOwner,
      token,
      expiration: tokenResponse.expiration ?? new Date(Date.now() + options.durationSeconds * 1000),
      registryUrl,
      indexUrl: `${registryUrl}simple/`
    }
  } finally {
    client.destroy()
  }
}

/** Versions of a package in the repository (ListPackageVersions), newest first as AWS orders them. */
/**
 * Whether a ResourceNotFoundException is about the package (not yet published here) rather
 * than the domain or repository. The SDK's `resourceType` says; the message is read only when
 * an endpoint leaves that field out.
 */
export function isUnknownPackage(error: unknown): boolean {
  const e = error as { name?: string; message?: string; resourceType?: string } | undefined
  if (e?.name !== 'ResourceNotFoundException') return false
  if (e.resourceType !== undefined) return e.resourceType === 'package'
  return /^package not found|\bpackage '/i.test(e.message ?? '')
}

/** The versions CodeArtifact lists for `packageName`; empty when it does not know the package (yet). */
export async function listPackageVersions(
  session: AwsSession,
  ref: RepositoryRef & { domainOwner: string },
  packageName: string,
  deadlineMs?: number
): Promise<string[]> {
  const [client, { ListPackageVersionsCommand }] = await Promise.all([createClient(session), loadCodeArtifact()])
  try {
    const versions: string[] = []
    let nextToken: string | undefined
    do {
      const page = await callAws(
        'CodeArtifact ListPackageVersions',
        (abortSignal) =>
          client.send(
            new ListPackageVersionsCommand({
              domain: ref.domain,
              domainOwner: ref.domainOwner,
              repository: ref.repository,
              format: 'pypi',
              package: packageName,
              nextToken
            }),
            { abortSignal }
          ),
        { deadlineMs }
      ).catch((error: unknown) => {
        // Checked before the error is worded: an unknown package and an unknown repository are
        // both ResourceNotFoundException.
        if (isUnknownPackage(error)) return { versions: [], nextToken: undefined }
        throw explainCodeArtifactError(error, 'ListPackageVersions', ref, ref.domainOwner, session.region)
      })
      for (const summary of page.versions ?? []) if (summary.version) versions.push(summary.version)
      nextToken = page.nextToken
    } while (nextToken)
    return versions
  } finally {
    client.destroy()
  }
}

const PERMISSION_HINTS: Record<string, (arn: { domain: string; repository: string }) => string> = {
  GetAuthorizationToken: ({ domain }) =>
    `the role needs \`codeartifact:GetAuthorizationToken\` on ${domain} and \`sts:GetServiceBearerToken\` (condition \`sts:AWSServiceName\` = codeartifact.amazonaws.com)`,
  GetRepositoryEndpoint: ({ repository }) => `the role needs \`codeartifact:GetRepositoryEndpoint\` on ${repository}`,
  ListPackageVersions: ({ repository }) =>
    `the role needs \`codeartifact:ListPackageVersions\` on the packages of ${repository}`,
  ListPackageVersionAssets: ({ repository }) =>
    `the role needs \`codeartifact:ListPackageVersionAssets\` on the packages of ${repository}`,
  GetPackageVersionAsset: ({ repository }) =>
    `the role needs \`codeartifact:GetPackageVersionAsset\` on the packages of ${repository}`,
  DescribePackageVersion: ({ repository }) =>
    `the role needs \`codeartifact:DescribePackageVersion\` on the packages of ${repository}`,
  UpdatePackageVersionsStatus: ({ repository }) =>
    `the role needs \`codeartifact:UpdatePackageVersionsStatus\` on the packages of ${repository}`,
  DisposePackageVersions: ({ repository }) =>
    `the role needs \`codeartifact:DisposePackageVersions\` on the packages of ${repository}`
}

export function explainCodeArtifactError(
  error: unknown,
  operation: string,
  ref: RepositoryRef,
  domainOwner: string,
  region: string
): unknown {
  const credentialError = explainCredentialError(error)
  if (credentialError !== error) return credentialError
  const name = (error as Error).name
  const message = (error as Error).message
  const partition = partitionOfRegion(region)
  const arns = {
    domain: `arn:${partition}:codeartifact:${region}:${domainOwner}:domain/${ref.domain}`,
    repository: `arn:${partition}:codeartifact:${region}:${domainOwner}:repository/${ref.domain}/${ref.repository}`
  }
  if (name === 'AccessDeniedException') {
    return new ActionError(`CodeArtifact ${operation} was denied: ${message}`, {
      hint: PERMISSION_HINTS[operation]?.(arns) ?? `grant codeartifact:${operation}`,
      cause: error
    })
  }
  if (name === 'ResourceNotFoundException') {
    return new ActionError(
      `CodeArtifact ${operation}: domain "${ref.domain}" (owner ${domainOwner}) or repository "${ref.repository}" was not found in ${region}: ${message}`,
      { hint: 'check `domain`, `domain-owner`, `repository` and `aws-region`', cause: error }
    )
  }
  if (name === 'ValidationException') {
    return new ActionError(`CodeArtifact ${operation} rejected the request: ${message}`, { cause: error })
  }
  return error
}
