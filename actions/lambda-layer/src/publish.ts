// Publishing the zip as a Lambda layer version, idempotently: when the layer's latest version
// already holds these bytes (its CodeSha256, the base64 sha256 Lambda computes from the zip)
// for the same runtime and architecture, it is reused, so a re-run adds no version. A zip too
// large for PublishLayerVersion's ZipFile goes through S3 (`s3-bucket`). In its own module, so
// the Lambda and S3 clients load only when `layer-name` is set.
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import { callAws } from '@release/shared/aws/call'
import { type AwsSession, clientConfig } from '@release/shared/aws/client-config'
import { explainCredentialError } from '@release/shared/aws/credentials'
import { partitionOfRegion } from '@release/shared/aws/names'
import { ActionError } from '@release/shared/errors'
import * as log from '@release/shared/workflow-commands'
import type { Architecture } from './inputs.ts'

export interface LayerTarget {
  layerName: string
  runtime: string
  architecture: Architecture
  description: string
  s3Bucket?: string
  s3KeyPrefix: string
}

export interface ZipFacts {
  path: string
  size: number
  sha256: string
  codeSha256: string
}

export interface PublishResult {
  layerVersionArn: string
  version: number
  published: boolean
  /** s3://bucket/key the layer was read from, when `s3-bucket` is set. */
  s3Uri?: string
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode
}

/**
 * ListLayerVersions and PublishLayerVersion are authorised on the layer's ARN, GetLayerVersion
 * on the version's (`layer:NAME:N`), so both are named; with s3-bucket, Lambda reads the zip
 * with the caller's own permissions (s3:GetObject) after the upload (s3:PutObject).
 */
function permissionHint(target: LayerTarget, region: string): string {
  const layer = `arn:${partitionOfRegion(region)}:lambda:${region}:<account>:layer:${target.layerName}`
  const s3 = target.s3Bucket
    ? `, and s3:PutObject and s3:GetObject on arn:${partitionOfRegion(region)}:s3:::${target.s3Bucket}/${target.s3KeyPrefix}*`
    : ''
  return `the role (or the credentials in the environment) needs lambda:ListLayerVersions, lambda:GetLayerVersion and lambda:PublishLayerVersion on ${layer} and ${layer}:*${s3}`
}

function explainLambdaError(error: unknown, label: string, target: LayerTarget, region: string): unknown {
  if (error instanceof ActionError) return error
  const name = (error as Error)?.name
  if (statusOf(error) === 403 || name === 'AccessDeniedException' || name === 'AccessDenied')
    return new ActionError(`${label} was refused (${name ?? 'HTTP 403'}).`, {
      hint: permissionHint(target, region),
      cause: error
    })
  if (name === 'NoSuchBucket')
    return new ActionError(`The bucket ${target.s3Bucket} does not exist (${label}).`, {
      hint: 'create the bucket in the same region as the layer, or fix `s3-bucket`',
      cause: error
    })
  if (name === 'InvalidParameterValueException' || name === 'RequestEntityTooLargeException')
    return new ActionError(`${label}: ${(error as Error).message}`, {
      hint: target.s3Bucket ? 'check the layer name and the zip' : 'set `s3-bucket` to publish through S3',
      cause: error
    })
  return explainCredentialError(error)
}

/** The S3 key of a zip: content-addressed, so the same bytes always land on the same key. */
export function s3Key(target: Pick<LayerTarget, 's3KeyPrefix' | 'layerName'>, sha256: string): string {
  return `${target.s3KeyPrefix}${target.layerName}/${sha256}.zip`
}

function sameSet(a: readonly string[] | undefined, b: readonly string[]): boolean {
  const left = [...(a ?? [])].sort()
  const right = [...b].sort()
  return left.length === right.length && left.every((item, index) => item === right[index])
}

export async function publishLayer(
  session: AwsSession,
  target: LayerTarget,
  zip: ZipFacts,
  deadlineMs: number
): Promise<PublishResult> {
  const sdk = await import('@aws-sdk/client-lambda')
  const lambda: LambdaClient = new sdk.LambdaClient(clientConfig(session))
  const call = async <T>(label: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await callAws(label, send, { deadlineMs })
    } catch (error) {
      throw explainLambdaError(error, label, target, session.region)
    }
  }
  try {
    // ListLayerVersions answers newest first but without the content hash; the newest one's
    // CodeSha256 comes from GetLayerVersion. An unknown layer lists nothing.
    const listed = await call(`Lambda ListLayerVersions ${target.layerName}`, (abortSignal) =>
      lambda
        .send(new sdk.ListLayerVersionsCommand({ LayerName: target.layerName, MaxItems: 50 }), { abortSignal })
        .catch((error: unknown) => {
          if ((error as Error)?.name === 'ResourceNotFoundException') return { LayerVersions: [] }
          throw error
        })
    )
    const latest = (listed.LayerVersions ?? []).reduce<number | undefined>(
      (max, item) => (item.Version !== undefined && (max === undefined || item.Version > max) ? item.Version : max),
      undefined
    )
    if (latest !== undefined) {
      const current = await call(`Lambda GetLayerVersion ${target.layerName}:${latest}`, (abortSignal) =>
        lambda.send(new sdk.GetLayerVersionCommand({ LayerName: target.layerName, VersionNumber: latest }), {
          abortSignal
        })
      )
      const same =
        current.Content?.CodeSha256 === zip.codeSha256 &&
        sameSet(current.CompatibleRuntimes, [target.runtime]) &&
        sameSet(current.CompatibleArchitectures, [target.architecture])
      if (same && current.LayerVersionArn) {
        log.info(
          `${current.LayerVersionArn} already holds this zip (CodeSha256 ${zip.codeSha256}) for ${target.runtime} on ${target.architecture}: reused, nothing published`
        )
        return { layerVersionArn: current.LayerVersionArn, version: latest, published: false }
      }
      log.info(
        `The latest version, ${latest}, holds other content (CodeSha256 ${current.Content?.CodeSha256 ?? 'unknown'}, runtimes ${(current.CompatibleRuntimes ?? []).join(', ') || 'none'}, architectures ${(current.CompatibleArchitectures ?? []).join(', ') || 'none'}): publishing a new version`
      )
    } else log.info(`Layer ${target.layerName} has no version yet: publishing the first`)

    let content: { ZipFile: Uint8Array } | { S3Bucket: string; S3Key: string }
    let s3Uri: string | undefined
    if (target.s3Bucket) {
      const key = s3Key(target, zip.sha256)
      s3Uri = `s3://${target.s3Bucket}/${key}`
      await uploadToS3(session, target, key, zip, call)
      log.info(`Uploaded ${zip.path} to ${s3Uri} (sha256 ${zip.sha256})`)
      content = { S3Bucket: target.s3Bucket, S3Key: key }
    } else content = { ZipFile: await readFile(zip.path) }

    const published = await call(`Lambda PublishLayerVersion ${target.layerName}`, (abortSignal) =>
      lambda.send(
        new sdk.PublishLayerVersionCommand({
          LayerName: target.layerName,
          Description: target.description,
          Content: content,
          CompatibleRuntimes: [target.runtime as never],
          CompatibleArchitectures: [target.architecture]
        }),
        { abortSignal }
      )
    )
    if (!published.LayerVersionArn || published.Version === undefined)
      throw new ActionError(`Lambda PublishLayerVersion ${target.layerName} answered without a version ARN.`)
    if (published.Content?.CodeSha256 && published.Content.CodeSha256 !== zip.codeSha256)
      throw new ActionError(
        `Lambda reports CodeSha256 ${published.Content.CodeSha256} for ${published.LayerVersionArn}, not the zip's ${zip.codeSha256}.`,
        {
          hint: target.s3Bucket
            ? `something replaced ${s3Uri} between the upload and the publish; re-run`
            : 'the upload was altered on the way; re-run'
        }
      )
    log.info(`Published ${published.LayerVersionArn} (CodeSha256 ${zip.codeSha256})`)
    return { layerVersionArn: published.LayerVersionArn, version: published.Version, published: true, s3Uri }
  } finally {
    lambda.destroy()
  }
}

async function uploadToS3(
  session: AwsSession,
  target: LayerTarget,
  key: string,
  zip: ZipFacts,
  call: <T>(label: string, send: (abortSignal: AbortSignal) => Promise<T>) => Promise<T>
): Promise<void> {
  const s3sdk = await import('@aws-sdk/client-s3')
  const s3 = new s3sdk.S3Client(clientConfig(session))
  try {
    await call(`S3 PutObject s3://${target.s3Bucket}/${key}`, (abortSignal) =>
      s3.send(
        new s3sdk.PutObjectCommand({
          Bucket: target.s3Bucket,
          Key: key,
          // A fresh stream each attempt: a retried request must send the file from its start.
          Body: createReadStream(zip.path),
          ContentLength: zip.size,
          ContentType: 'application/zip',
          // S3 checks the bytes it received against it, and keeps it.
          ChecksumSHA256: zip.codeSha256,
          Metadata: { sha256: zip.sha256 }
        }),
        { abortSignal }
      )
    )
  } finally {
    s3.destroy()
  }
}
