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

interface TarMember {
  /** Without a trailing slash. */
  name: string
  /** The ustar type flag: '0' file, '5' directory, '1'/'2' links. */
  type: string
  data: Buffer
  /** The link target of a link. */
  link: string
}

/** The members of a tar archive, with pax and GNU long names resolved. */
function* tarMembers(tar: Buffer): Generator<TarMember> {
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
    yield {
      name: name.replace(/\/$/, ''),
      type: type === '\0' || type === '7' ? '0' : type,
      data,
      link: field(header, 157, 100)
    }
  }
}

/**
 * A fingerprint of a .tar.gz sdist's members: each member's path, kind and the sha256 of its
 * content (or its link target), sorted by path. Two sdists with the same fingerprint hold the
 * same files with the same contents. Throws on an archive it cannot read.
 */
export function sdistFingerprint(gzipped: Buffer): string {
  const members: string[] = []
  for (const member of tarMembers(gunzipSync(gzipped))) {
    const content =
      member.type === '0'
        ? createHash('sha256').update(member.data).digest('hex')
        : member.type === '1' || member.type === '2'
          ? `-> ${member.link}`
          : ''
    members.push(`${member.name}\t${member.type}\t${content}`)
  }
  return members.sort().join('\n')
}

/** The sdist's core metadata (`<name>-<version>/PKG-INFO`), or undefined when it has none. */
export function sdistPkgInfo(gzipped: Buffer): string | undefined {
  for (const member of tarMembers(gunzipSync(gzipped)))
    if (member.type === '0' && /^[^/]+\/PKG-INFO$/.test(member.name)) return member.data.toString('utf8')
  return undefined
}
