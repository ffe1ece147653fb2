// The CodeArtifact calls on one package version that promotion and retirement make: its
// assets (with their SHA-256), an asset's bytes, a copy to another repository of the domain,
// and a status change guarded by the status the caller last saw. Each call retries within the
// deadline (callAws) and words a refusal as one line with the permission it lacks.
import { ActionError } from '../errors.ts'
import { callAws } from './call.ts'
import type { AwsSession } from './client-config.ts'
import { createClient, explainCodeArtifactError, loadCodeArtifact } from './codeartifact.ts'
import { partitionOfRegion } from './names.ts'

export interface PackageVersionRef {
  domain: string
  domainOwner: string
  repository: string
  /** PEP 503 normalized or as published; CodeArtifact normalizes pypi names itself. */
  packageName: string
  version: string
}

export interface VersionAsset {
  name: string
  size: number
  /** Lower-case hex. */
  sha256: string
}

export type VersionStatus = 'Published' | 'Unlisted' | 'Archived' | 'Disposed'

/** The version (or its package) does not exist in the repository. */
export class VersionNotFound extends ActionError {
  constructor(ref: PackageVersionRef, cause: unknown) {
    super(`${ref.packageName} ${ref.version} is not in ${ref.domain}/${ref.repository}: ${(cause as Error).message}`, {
      hint: 'check `package`, `version` (or the tag) and the repository; ListPackageVersions shows what the repository holds',
      cause
    })
    this.name = 'VersionNotFound'
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; resourceType?: string; message?: string }
  if (e?.name !== 'ResourceNotFoundException') return false
  if (e.resourceType) return ['package', 'package-version', 'asset'].includes(e.resourceType)
  return /package|version|asset/i.test(e.message ?? '')
}

function explain(error: unknown, operation: string, ref: PackageVersionRef, region: string): unknown {
  if (isNotFound(error)) return new VersionNotFound(ref, error)
  return explainCodeArtifactError(error, operation, ref, ref.domainOwner, region)
}

function query(ref: PackageVersionRef) {
  return {
    domain: ref.domain,
    domainOwner: ref.domainOwner,
    repository: ref.repository,
    format: 'pypi' as const,
    package: ref.packageName,
    packageVersion: ref.version
  }
}

/** Status of the version, or undefined when the repository does not hold it. */
export async function describeVersionStatus(
  session: AwsSession,
  ref: PackageVersionRef,
  deadlineMs: number
): Promise<VersionStatus | undefined> {
  const [client, { DescribePackageVersionCommand }] = await Promise.all([createClient(session), loadCodeArtifact()])
  try {
    const response = await callAws(
      'CodeArtifact DescribePackageVersion',
      (abortSignal) => client.send(new DescribePackageVersionCommand(query(ref)), { abortSignal }),
      { deadlineMs }
    ).catch((error: unknown) => {
      if (isNotFound(error)) return undefined
      throw explain(error, 'DescribePackageVersion', ref, session.region)
    })
    return response?.packageVersion?.status as VersionStatus | undefined
  } finally {
    client.destroy()
  }
}

/** Every asset of the version with its SHA-256 (all pages). */
export async function listVersionAssets(
  session: AwsSession,
  ref: PackageVersionRef,
  deadlineMs: number
): Promise<VersionAsset[]> {
  const [client, { ListPackageVersionAssetsCommand }] = await Promise.all([createClient(session), loadCodeArtifact()])
  try {
    const assets: VersionAsset[] = []
    let nextToken: string | undefined
    do {
      const page = await callAws(
        'CodeArtifact ListPackageVersionAssets',
        (abortSignal) =>
          client.send(new ListPackageVersionAssetsCommand({ ...query(ref), nextToken }), { abortSignal }),
        { deadlineMs }
      ).catch((error: unknown) => {
        throw explain(error, 'ListPackageVersionAssets', ref, session.region)
      })
      for (const asset of page.assets ?? []) {
        const sha256 = asset.hashes?.['SHA-256']?.toLowerCase()
        if (!asset.name || !sha256)
          throw new ActionError(`CodeArtifact listed an asset of ${ref.packageName} ${ref.version} without a SHA-256.`)
        assets.push({ name: asset.name, size: asset.size ?? 0, sha256 })
      }
      nextToken = page.nextToken
    } while (nextToken)
    return assets
  } finally {
    client.destroy()
  }
}

/** One asset's bytes. */
export async function getVersionAsset(
  session: AwsSession,
  ref: PackageVersionRef,
  asset: string,
  deadlineMs: number
): Promise<Buffer> {
  const [client, { GetPackageVersionAssetCommand }] = await Promise.all([createClient(session), loadCodeArtifact()])
  try {
    return await callAws(
      `CodeArtifact GetPackageVersionAsset ${asset}`,
      async (abortSignal) => {
        const response = await client.send(new GetPackageVersionAssetCommand({ ...query(ref), asset }), {
          abortSignal
        })
        if (!response.asset) throw new ActionError(`CodeArtifact returned no bytes for ${asset}.`)
        // Read inside the attempt, so a connection cut mid-body is retried like any network error.
        return Buffer.from(await response.asset.transformToByteArray())
      },
      { deadlineMs }
    )
  } catch (error) {
    throw explain(error, 'GetPackageVersionAsset', ref, session.region)
  } finally {
    client.destroy()
  }
}

export type CopyOutcome = { copied: true } | { copied: false; errorCode: string; errorMessage: string }

/**
 * CopyPackageVersions of one version within a domain, never overwriting. A version the
 * destination already has comes back as ALREADY_EXISTS (the caller compares the files).
 */
export async function copyVersion(
  session: AwsSession,
  ref: PackageVersionRef,
  destinationRepository: string,
  deadlineMs: number
): Promise<CopyOutcome> {
  const [client, { CopyPackageVersionsCommand }] = await Promise.all([createClient(session), loadCodeArtifact()])
  try {
    const response = await callAws(
      'CodeArtifact CopyPackageVersions',
      (abortSignal) =>
        client.send(
          new CopyPackageVersionsCommand({
            domain: ref.domain,
            domainOwner: ref.domainOwner,
            sourceRepository: ref.repository,
            destinationRepository,
            format: 'pypi',
            package: ref.packageName,
            versions: [ref.version],
            allowOverwrite: false,
            includeFromUpstream: false
          }),
          { abortSignal }
        ),
      { deadlineMs }
    ).catch((error: unknown) => {
      if ((error as Error).name === 'AccessDeniedException') {
        const partition = partitionOfRegion(session.region)
        const arn = (repository: string) =>
          `arn:${partition}:codeartifact:${session.region}:${ref.domainOwner}:repository/${ref.domain}/${repository}`
        throw new ActionError(`CodeArtifact CopyPackageVersions was denied: ${(error as Error).message}`, {
          hint: `the role needs \`codeartifact:CopyPackageVersions\` on ${arn(destinationRepository)} and \`codeartifact:ReadFromRepository\` on ${arn(ref.repository)}`,
          cause: error
        })
      }
      throw explain(error, 'CopyPackageVersions', ref, session.region)
    })
    if (response.successfulVersions?.[ref.version]) return { copied: true }
    const failed = response.failedVersions?.[ref.version]
    return {
      copied: false,
      errorCode: failed?.errorCode ?? 'UNKNOWN',
      errorMessage: failed?.errorMessage ?? 'CodeArtifact reported neither success nor failure for the version'
    }
  } finally {
    client.destroy()
  }
}

export type StatusOutcome = { changed: true } | { changed: false; errorCode: string; errorMessage: string }

/**
 * UpdatePackageVersionsStatus (Published, Unlisted, Archived) or DisposePackageVersions
 * (Disposed), only while the version still has `expectedStatus`: a concurrent change makes it
 * fail with MISMATCHED_STATUS instead of being overwritten.
 */
export async function changeVersionStatus(
  session: AwsSession,
  ref: PackageVersionRef,
  target: VersionStatus,
  expectedStatus: VersionStatus,
  deadlineMs: number
): Promise<StatusOutcome> {
  const sdk = await loadCodeArtifact()
  const client = await createClient(session)
  const operation = target === 'Disposed' ? 'DisposePackageVersions' : 'UpdatePackageVersionsStatus'
  const base = {
    domain: ref.domain,
    domainOwner: ref.domainOwner,
    repository: ref.repository,
    format: 'pypi' as const,
    package: ref.packageName,
    versions: [ref.version],
    expectedStatus
  }
  try {
    const response = await callAws(
      `CodeArtifact ${operation}`,
      (abortSignal) =>
        target === 'Disposed'
          ? client.send(new sdk.DisposePackageVersionsCommand(base), { abortSignal })
          : client.send(new sdk.UpdatePackageVersionsStatusCommand({ ...base, targetStatus: target }), { abortSignal }),
      { deadlineMs }
    ).catch((error: unknown) => {
      throw explain(error, operation, ref, session.region)
    })
    if (response.successfulVersions?.[ref.version]) return { changed: true }
    const failed = response.failedVersions?.[ref.version]
    return {
      changed: false,
      errorCode: failed?.errorCode ?? 'UNKNOWN',
      errorMessage: failed?.errorMessage ?? 'CodeArtifact reported neither success nor failure for the version'
    }
  } finally {
    client.destroy()
  }
}
