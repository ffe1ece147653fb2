import { createHash } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { mockClient } from 'aws-sdk-client-mock'
import { describeError } from '@release/shared/errors'
import type { Dist } from '../src/dists.ts'
import { parseS3Uri } from '../src/inputs.ts'
import { S3Archiver } from '../src/s3-archive.ts'

// The paths moto cannot be made to take on cue: another run writing the key between the read
// and the write (PutObject answers 412 to If-None-Match: *), and objects written by something
// else (no x-amz-meta-sha256, no checksum), which are downloaded and hashed.

const s3 = mockClient(S3Client)
const session = { region: 'us-east-1', source: 'ambient' as const }
const location = { bucket: 'acme-releases', prefix: 'py/' }
let dist: Dist

const sha256Of = (text: string): string => createHash('sha256').update(text).digest('hex')

function notFound(): Error {
  return Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } })
}

// The SDK's Body is a Readable with helpers mixed in; the archiver only iterates it.
function body(text: string) {
  return Readable.from([Buffer.from(text)]) as never
}

async function archive() {
  const archiver = await S3Archiver.create(session, location, { deadlineMs: 2_000 })
  try {
    return await archiver.archive([{ version: '1.0.0', dists: [dist] }])
  } finally {
    archiver.destroy()
  }
}

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 's3-archive-unit-'))
  const file = 'acme_widgets-1.0.0-py3-none-any.whl'
  await writeFile(join(dir, file), 'wheel bytes')
  dist = {
    path: join(dir, file),
    file,
    project: 'acme-widgets',
    version: '1.0.0',
    kind: 'wheel',
    size: 11,
    sha256: sha256Of('wheel bytes')
  }
})
beforeEach(() => s3.reset())

const KEY = 'py/acme-widgets/1.0.0/acme_widgets-1.0.0-py3-none-any.whl'
const SUMS = 'py/acme-widgets/1.0.0/SHA256SUMS'

describe('S3Archiver', () => {
  it('writes with If-None-Match, ChecksumSHA256 and the sha256 in metadata, then SHA256SUMS', async () => {
    s3.on(HeadObjectCommand).rejects(notFound())
    s3.on(GetObjectCommand).rejects(notFound())
    s3.on(PutObjectCommand).resolves({})
    expect(await archive()).toEqual({ written: [`s3://acme-releases/${KEY}`], skipped: [] })
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input)
    expect(puts.map((put) => put.Key)).toEqual([KEY, SUMS])
    expect(puts[0]).toMatchObject({
      Bucket: 'acme-releases',
      IfNoneMatch: '*',
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: Buffer.from(dist.sha256, 'hex').toString('base64'),
      Metadata: { sha256: dist.sha256 },
      ContentLength: 11
    })
    expect(String(puts[1]?.Body)).toBe(`${dist.sha256}  ${dist.file}\n`)
  })

  it('a key another run wrote meanwhile with the same bytes (412) counts as already archived', async () => {
    s3.on(HeadObjectCommand)
      .rejectsOnce(notFound())
      .resolves({ Metadata: { sha256: dist.sha256 } })
    s3.on(PutObjectCommand, { Key: KEY }).rejects(
      Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
        name: 'PreconditionFailed',
        $metadata: { httpStatusCode: 412 }
      })
    )
    s3.on(PutObjectCommand, { Key: SUMS }).resolves({})
    s3.on(GetObjectCommand).rejects(notFound())
    expect(await archive()).toEqual({ written: [], skipped: [`s3://acme-releases/${KEY}`] })
  })

  it('a key another run wrote meanwhile with other bytes fails as a conflict, and SHA256SUMS is not written', async () => {
    s3.on(HeadObjectCommand)
      .rejectsOnce(notFound())
      .resolves({ Metadata: { sha256: 'f'.repeat(64) } })
    s3.on(PutObjectCommand).rejects(
      Object.assign(new Error('precondition'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } })
    )
    const error = await archive().catch((e: unknown) => e)
    expect(describeError(error)).toMatch(
      new RegExp(
        `^S3 archive: s3://acme-releases/${KEY.replace(/\./g, '\\.')} already holds other bytes \\(sha256 f{64}, this release's ${dist.sha256}\\); nothing more was archived\\. Fix: an archived file is never overwritten`
      )
    )
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual([KEY])
  })

  it('an object without metadata or checksum (put by something else) is read and hashed', async () => {
    s3.on(HeadObjectCommand).resolves({})
    s3.on(GetObjectCommand, { Key: KEY }).resolves({ Body: body('wheel bytes') })
    s3.on(GetObjectCommand, { Key: SUMS }).resolves({ Body: body(`${dist.sha256}  ${dist.file}\n`) })
    expect(await archive()).toEqual({ written: [], skipped: [`s3://acme-releases/${KEY}`] })
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0)
  })

  it('a full-object ChecksumSHA256 is trusted; a composite one (multipart, "-N") is not', async () => {
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: Buffer.from(dist.sha256, 'hex').toString('base64') })
    s3.on(GetObjectCommand).resolves({ Body: body(`${dist.sha256}  ${dist.file}\n`) })
    expect((await archive()).skipped).toHaveLength(1)
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).toEqual([SUMS])

    s3.reset()
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: 'AAAA-3', ChecksumType: 'COMPOSITE' })
    s3.on(GetObjectCommand, { Key: KEY }).resolves({ Body: body('other bytes') })
    expect(describeError(await archive().catch((e: unknown) => e))).toContain(
      `already holds other bytes (sha256 ${sha256Of('other bytes')}`
    )
  })

  it('SHA256SUMS keeps the files an earlier run archived beside this one', async () => {
    const earlier = `${'a'.repeat(64)}  acme_widgets-1.0.0-cp312-cp312-manylinux_2_17_x86_64.whl\n`
    s3.on(HeadObjectCommand).rejects(notFound())
    s3.on(GetObjectCommand).resolves({ Body: body(earlier) })
    s3.on(PutObjectCommand).resolves({})
    await archive()
    const sums = s3.commandCalls(PutObjectCommand).find((call) => call.args[0].input.Key === SUMS)
    // Sorted by file name, as `sha256sum *` lists them.
    expect(String(sums?.args[0].input.Body)).toBe(`${earlier}${dist.sha256}  ${dist.file}\n`)
  })

  it('a refusal names the permission and the keys it is needed on', async () => {
    s3.on(HeadObjectCommand).rejects(
      Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })
    )
    expect(describeError(await archive().catch((e: unknown) => e))).toBe(
      `S3 archive: S3 HeadObject ${KEY} was refused (AccessDenied). Fix: the role (or the credentials in the environment) needs s3:GetObject and s3:PutObject on arn:aws:s3:::acme-releases/py/* and s3:ListBucket on arn:aws:s3:::acme-releases`
    )
  })
})

describe('parseS3Uri', () => {
  it.each([
    ['s3://acme-releases', { bucket: 'acme-releases', prefix: '' }],
    ['s3://acme-releases/', { bucket: 'acme-releases', prefix: '' }],
    ['s3://acme-releases/python', { bucket: 'acme-releases', prefix: 'python/' }],
    ['s3://acme.releases.eu/python/libs/', { bucket: 'acme.releases.eu', prefix: 'python/libs/' }]
  ])('%s', (value, expected) => {
    expect(parseS3Uri(value)).toEqual(expected)
  })

  it.each([
    ['acme-releases/python', 'is not an s3:// URI'],
    ['S3://acme-releases/', 'is a S3: URI, not an s3:// URI'],
    ['https://user:secret@acme-releases/', 'is a https: URI, not an s3:// URI'],
    ['s3://', 'is not a valid S3 bucket name'],
    ['s3://ab/', 'is not a valid S3 bucket name'],
    ['s3://acme..releases/', 'is not a valid S3 bucket name'],
    ['s3://192.168.1.1/', 'is not a valid S3 bucket name'],
    ['s3://acme-releases/a\nb/', 'control character'],
    ['s3://acme-releases/./x/', 'segment in its key prefix']
  ])('%j fails naming the input', (value, problem) => {
    expect(() => parseS3Uri(value)).toThrow(/^Input `s3-archive`: /)
    expect(() => parseS3Uri(value)).toThrow(problem)
    expect(() => parseS3Uri(value)).not.toThrow(/secret/)
  })
})
