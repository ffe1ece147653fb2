// `s3-archive`: after a release is uploaded and verified, a copy of its files in S3 at
// `<prefix><project>/<version>/<file>`, each with its SHA-256 (S3's own ChecksumSHA256, which
// S3 checks on arrival, and `x-amz-meta-sha256` in hex), plus a `SHA256SUMS` beside them.
// Idempotent like the index upload: a file already there with the same sha256 is skipped, one
// with other bytes fails the step before anything more is written, and nothing is overwritten
// (PutObject with If-None-Match: *, so a concurrent run cannot slip in between). In its own
// module so the S3 client loads only when the input is set.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import type { Readable } from 'node:stream'
import type { S3Client } from '@aws-sdk/client-s3'
import { ActionError } from '@release/shared/errors'
import { callAws } from '@release/shared/aws/call'
import { type AwsSession, clientConfig } from '@release/shared/aws/client-config'
import { type CredentialOptions, explainCredentialError, resolveAwsSession } from '@release/shared/aws/credentials'
import * as log from '@release/shared/workflow-commands'
import type { Dist } from './dists.ts'
import type { Release } from './report.ts'

export const SUMS_FILE = 'SHA256SUMS'

export interface ArchiveLocation {
  bucket: string
  /** Empty, or ends with `/`. */
  prefix: string
}

export interface ArchiveOptions {
  deadlineMs: number
  signal?: AbortSignal
}

export interface ArchiveResult {
  /** s3:// URIs written by this run. */
  written: string[]
  /** s3:// URIs already there with the same sha256. */
  skipped: string[]
}

interface Planned {
  dist: Dist
  key: string
  /** The sha256 of what S3 holds under the key; undefined: nothing there. */
  existing?: string
}

export function archiveKey(location: ArchiveLocation, dist: Pick<Dist, 'project' | 'file'>, version: string): string {
  return `${location.prefix}${dist.project}/${version}/${dist.file}`
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`
}

const hexToBase64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64')
const base64ToHex = (b64: string): string => Buffer.from(b64, 'base64').toString('hex')

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode
}

/** A 403 or other refusal, worded with the call and the fix; other errors as the shared code words them. */
function explainS3Error(error: unknown, label: string, location: ArchiveLocation): unknown {
  if (error instanceof ActionError) return error
  const name = (error as Error)?.name
  if (name === 'NoSuchBucket')
    return new ActionError(`S3 archive: the bucket ${location.bucket} does not exist (${label}).`, {
      hint: 'create the bucket, or fix the bucket name in `s3-archive`',
      cause: error
    })
  if (statusOf(error) === 403 || name === 'AccessDenied')
    return new ActionError(`S3 archive: ${label} was refused (${name ?? 'HTTP 403'}).`, {
      // Without s3:ListBucket, S3 answers 403 (not 404) for a key that does not exist yet.
      hint: `the role (or the credentials in the environment) needs s3:GetObject and s3:PutObject on arn:aws:s3:::${location.bucket}/${location.prefix}* and s3:ListBucket on arn:aws:s3:::${location.bucket}`,
      cause: error
    })
  return explainCredentialError(error)
}

export class S3Archiver {
  readonly #s3: S3Client
  readonly #location: ArchiveLocation
  readonly #options: ArchiveOptions
  readonly #sdk: typeof import('@aws-sdk/client-s3')

  private constructor(
    sdk: typeof import('@aws-sdk/client-s3'),
    session: AwsSession,
    location: ArchiveLocation,
    options: ArchiveOptions
  ) {
    this.#sdk = sdk
    this.#s3 = new sdk.S3Client(clientConfig(session))
    this.#location = location
    this.#options = options
  }

  static async create(session: AwsSession, location: ArchiveLocation, options: ArchiveOptions): Promise<S3Archiver> {
    return new S3Archiver(await import('@aws-sdk/client-s3'), session, location, options)
  }

  destroy(): void {
    this.#s3.destroy()
  }

  async #call<T>(label: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await callAws(`S3 ${label}`, send, this.#options)
    } catch (error) {
      throw explainS3Error(error, `S3 ${label}`, this.#location)
    }
  }

  /** The sha256 (hex) of the object under `key`, or undefined when there is none. */
  async #existingSha256(key: string): Promise<string | undefined> {
    const { HeadObjectCommand, GetObjectCommand } = this.#sdk
    const head = await this.#call(`HeadObject ${key}`, (abortSignal) =>
      this.#s3
        .send(new HeadObjectCommand({ Bucket: this.#location.bucket, Key: key, ChecksumMode: 'ENABLED' }), {
          abortSignal
        })
        .catch((error: unknown) => {
          if (statusOf(error) === 404) return undefined
          throw error
        })
    )
    if (!head) return undefined
    const meta = head.Metadata?.['sha256']
    if (meta && /^[0-9a-f]{64}$/.test(meta)) return meta
    // A full-object checksum (a multipart upload's composite one ends in -N and is not the file's).
    if (head.ChecksumSHA256 && !head.ChecksumSHA256.includes('-') && head.ChecksumType !== 'COMPOSITE')
      return base64ToHex(head.ChecksumSHA256)
    // Put there by something else: read it.
    return this.#call(`GetObject ${key}`, async (abortSignal) => {
      const object = await this.#s3.send(new GetObjectCommand({ Bucket: this.#location.bucket, Key: key }), {
        abortSignal
      })
      const hash = createHash('sha256')
      for await (const chunk of object.Body as Readable) hash.update(chunk as Buffer)
      return hash.digest('hex')
    })
  }

  #conflict(conflicts: Planned[]): ActionError {
    const first = conflicts[0] as Planned
    const more = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : ''
    return new ActionError(
      `S3 archive: ${s3Uri(this.#location.bucket, first.key)} already holds other bytes (sha256 ${first.existing}, this release's ${first.dist.sha256})${more}; nothing more was archived.`,
      {
        hint: 'an archived file is never overwritten: if the object there is wrong, delete it (aws s3 rm) and re-run; otherwise release a new version'
      }
    )
  }

  /** Archives every file of `releases`; checks every key first, so a conflict writes nothing. */
  async archive(releases: readonly Release[]): Promise<ArchiveResult> {
    const plans: Array<{ release: Release; files: Planned[] }> = []
    for (const release of releases) {
      const files: Planned[] = []
      for (const dist of release.dists) {
        const key = archiveKey(this.#location, dist, release.version)
        files.push({ dist, key, existing: await this.#existingSha256(key) })
      }
      plans.push({ release, files })
    }
    const conflicts = plans.flatMap((plan) =>
      plan.files.filter((file) => file.existing !== undefined && file.existing !== file.dist.sha256)
    )
    if (conflicts.length > 0) throw this.#conflict(conflicts)

    const result: ArchiveResult = { written: [], skipped: [] }
    for (const { files } of plans) {
      for (const file of files) {
        const uri = s3Uri(this.#location.bucket, file.key)
        if (file.existing === file.dist.sha256 || (await this.#put(file)) === 'exists') {
          log.info(`${uri}: already archived with the same sha256, skipped`)
          result.skipped.push(uri)
        } else {
          log.info(`${uri}: archived (sha256 ${file.dist.sha256})`)
          result.written.push(uri)
        }
      }
      // One SHA256SUMS per directory: a release of several projects at one version has several.
      const byDirectory = new Map<string, Planned[]>()
      for (const file of files) {
        const directory = file.key.slice(0, file.key.length - file.dist.file.length)
        byDirectory.set(directory, [...(byDirectory.get(directory) ?? []), file])
      }
      for (const [directory, inDirectory] of byDirectory) await this.#writeSums(directory, inDirectory)
    }
    return result
  }

  /** Writes one file unless the key is taken; a key taken meanwhile is compared like before. */
  async #put(file: Planned): Promise<'written' | 'exists'> {
    const { PutObjectCommand } = this.#sdk
    const written = await this.#call(`PutObject ${file.key}`, (abortSignal) =>
      this.#s3
        .send(
          new PutObjectCommand({
            Bucket: this.#location.bucket,
            Key: file.key,
            // A fresh stream per attempt; the length lets the SDK send it unchunked.
            Body: createReadStream(file.dist.path),
            ContentLength: file.dist.size,
            ContentType: file.dist.file.endsWith('.tar.gz') ? 'application/gzip' : 'application/zip',
            // The algorithm too: S3 (and moto) then keep the checksum, which HeadObject returns.
            ChecksumAlgorithm: 'SHA256',
            ChecksumSHA256: hexToBase64(file.dist.sha256),
            Metadata: { sha256: file.dist.sha256 },
            IfNoneMatch: '*'
          }),
          { abortSignal }
        )
        .then(
          () => true,
          (error: unknown) => {
            // 412: another run wrote the key after it was read; 409: a write to it is in progress.
            if (statusOf(error) === 412 || statusOf(error) === 409) return false
            throw error
          }
        )
    )
    if (written) return 'written'
    const existing = await this.#existingSha256(file.key)
    if (existing !== file.dist.sha256) throw this.#conflict([{ ...file, existing }])
    return 'exists'
  }

  /**
   * `SHA256SUMS` (as sha256sum writes it) beside the files: every file of the version's
   * directory, this run's and those an earlier run archived (e.g. a wheel of another platform).
   */
  async #writeSums(directory: string, files: Planned[]): Promise<void> {
    const { GetObjectCommand, PutObjectCommand } = this.#sdk
    const key = `${directory}${SUMS_FILE}`
    const before = await this.#call(`GetObject ${key}`, async (abortSignal) => {
      try {
        const object = await this.#s3.send(new GetObjectCommand({ Bucket: this.#location.bucket, Key: key }), {
          abortSignal
        })
        const chunks: Buffer[] = []
        for await (const chunk of (object.Body as Readable | undefined) ?? []) chunks.push(chunk as Buffer)
        return Buffer.concat(chunks).toString('utf8')
      } catch (error) {
        if (statusOf(error) === 404) return undefined
        throw error
      }
    })
    const sums = new Map<string, string>()
    for (const line of (before ?? '').split('\n')) {
      const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim())
      if (match) sums.set(match[2] as string, match[1] as string)
    }
    for (const { dist } of files) sums.set(dist.file, dist.sha256)
    const text = [...sums]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([file, sha256]) => `${sha256}  ${file}\n`)
      .join('')
    const uri = s3Uri(this.#location.bucket, key)
    if (text === before) {
      log.info(`${uri}: up to date`)
      return
    }
    const body = Buffer.from(text, 'utf8')
    const sha256 = createHash('sha256').update(body).digest('hex')
    await this.#call(`PutObject ${key}`, (abortSignal) =>
      this.#s3.send(
        new PutObjectCommand({
          Bucket: this.#location.bucket,
          Key: key,
          Body: body,
          ContentType: 'text/plain; charset=utf-8',
          ChecksumAlgorithm: 'SHA256',
          ChecksumSHA256: hexToBase64(sha256),
          Metadata: { sha256 }
        }),
        { abortSignal }
      )
    )
    log.info(`${uri}: ${before === undefined ? 'written' : 'updated'} (${sums.size} file${sums.size === 1 ? '' : 's'})`)
  }
}

/**
 * Archives `releases` with `session` (the CodeArtifact target's), or with a session of its own
 * from the AWS inputs (OIDC role or the environment's credentials) for other targets.
 */
export async function archiveReleases(
  releases: readonly Release[],
  location: ArchiveLocation,
  session: AwsSession | CredentialOptions,
  options: ArchiveOptions
): Promise<ArchiveResult> {
  const resolved = 'source' in session ? session : await resolveAwsSession({ ...session, signal: options.signal })
  log.info(
    `Archiving to ${s3Uri(location.bucket, location.prefix)} (${resolved.region}; ${resolved.source === 'oidc' ? `role ${resolved.roleArn}` : 'credentials from the environment'})`
  )
  const archiver = await S3Archiver.create(resolved, location, options)
  try {
    return await archiver.archive(releases)
  } finally {
    archiver.destroy()
  }
}
