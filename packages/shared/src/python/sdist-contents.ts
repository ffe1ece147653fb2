// What an sdist holds, without what changes from build to build: file times, owners, modes, the
// order of the members and the gzip header. setuptools (and others without SOURCE_DATE_EPOCH
// support) write an sdist whose bytes differ on every build of the same commit, so a re-run of
// a release would otherwise find "the same file name with other bytes" on the index and stop.
//
// Written here rather than with a tar package: reading names and contents of a ustar/pax/GNU
// archive is a few dozen lines, and publish-python's bundle is already at its size limit.
import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'

const BLOCK = 512

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length)
  const end = raw.indexOf(0)
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8')
}

function octal(header: Buffer, start: number, length: number): number {
  const text = field(header, start, length).trim()
  return text ? Number.parseInt(text, 8) : 0
}

/** `path` from a pax extended header's `length key=value\n` records, if it sets one. */
function paxPath(data: Buffer): string | undefined {
  let found: string | undefined
  for (let at = 0; at < data.length;) {
    const space = data.indexOf(0x20, at)
    const length = Number.parseInt(data.subarray(at, space).toString('utf8'), 10)
    if (!(length > 0)) break
    const record = data.subarray(space + 1, at + length - 1).toString('utf8')
    if (record.startsWith('path=')) found = record.slice('path='.length)
    at += length
  }
  return found
}

/**
 * A fingerprint of a .tar.gz sdist's members: each member's path, kind and the sha256 of its
 * content (or its link target), sorted by path. Two sdists with the same fingerprint hold the
 * same files with the same contents. Throws on an archive it cannot read.
 */
export function sdistFingerprint(gzipped: Buffer): string {
  const tar = gunzipSync(gzipped)
  const members: string[] = []
  let longName: string | undefined
  for (let at = 0; at + BLOCK <= tar.length;) {
    const header = tar.subarray(at, at + BLOCK)
    if (header.every((byte) => byte === 0)) break
    const size = octal(header, 124, 12)
    const type = String.fromCharCode(header[156] ?? 0x30)
    const data = tar.subarray(at + BLOCK, at + BLOCK + size)
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK
    if (type === 'x') {
      longName = paxPath(data) ?? longName
      continue
    }
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '')
      continue
    }
    if (type === 'g') continue
    const prefix = field(header, 345, 155)
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100))
    longName = undefined
    const content =
      type === '0' || type === '\0' || type === '7'
        ? createHash('sha256').update(data).digest('hex')
        : type === '1' || type === '2'
          ? `-> ${field(header, 157, 100)}`
          : ''
    const kind = type === '\0' || type === '7' ? '0' : type
    members.push(`${name.replace(/\/$/, '')}\t${kind}\t${content}`)
  }
  return members.sort().join('\n')
}
