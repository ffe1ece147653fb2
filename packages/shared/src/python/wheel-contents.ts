// What a wheel installs at the top level of site-packages, read from the zip's central
// directory (names only, nothing decompressed): the modules a consumer would import, used to
// prove an installed release imports when the workflow does not name the module. One member
// (the METADATA file) can be read too. Written here rather than with a zip package: the central
// directory and one stored or deflated member are a few dozen lines, and publish-python's bundle
// is at its size limit.
import { open } from 'node:fs/promises'
import { inflateRawSync } from 'node:zlib'

const EOCD_SIGNATURE = 0x06054b50
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50
const ZIP64_EOCD_SIGNATURE = 0x06064b50
const CENTRAL_SIGNATURE = 0x02014b50
// End-of-central-directory record (22 bytes) plus the longest comment a zip may carry.
const MAX_TAIL = 22 + 0xffff

export interface ZipEntry {
  name: string
  /** 0 stored, 8 deflated. */
  method: number
  compressedSize: number
  /** Where the entry's local header starts. */
  offset: number
}

const LOCAL_SIGNATURE = 0x04034b50

/** Entry names in the zip's central directory. */
export async function zipEntryNames(path: string): Promise<string[]> {
  return (await zipEntries(path)).map((entry) => entry.name)
}

/** The uncompressed content of the first member whose name matches, or undefined when none does. */
export async function readZipEntry(path: string, name: RegExp): Promise<Buffer | undefined> {
  const entry = (await zipEntries(path)).find((candidate) => name.test(candidate.name))
  if (!entry) return undefined
  const file = await open(path, 'r')
  try {
    const header = Buffer.alloc(30)
    await file.read(header, 0, 30, entry.offset)
    if (header.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new Error(`${path}: corrupt local header of ${entry.name}`)
    const dataStart = entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
    const data = Buffer.alloc(entry.compressedSize)
    await file.read(data, 0, entry.compressedSize, dataStart)
    if (entry.method === 0) return data
    if (entry.method === 8) return inflateRawSync(data)
    throw new Error(`${path}: ${entry.name} uses compression method ${entry.method}`)
  } finally {
    await file.close()
  }
}

/** The entries of the zip's central directory. */
export async function zipEntries(path: string): Promise<ZipEntry[]> {
  const file = await open(path, 'r')
  try {
    const { size } = await file.stat()
    const tailLength = Math.min(size, MAX_TAIL)
    const tail = Buffer.alloc(tailLength)
    await file.read(tail, 0, tailLength, size - tailLength)
    let eocd = -1
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i
        break
      }
    }
    if (eocd < 0) throw new Error(`${path} is not a zip archive (no end of central directory)`)
    let count = tail.readUInt16LE(eocd + 10)
    let cdSize = tail.readUInt32LE(eocd + 12)
    let cdOffset = tail.readUInt32LE(eocd + 16)
    if (cdOffset === 0xffffffff || count === 0xffff) {
      // ZIP64: the locator sits just before the classic record and points at the 64-bit one.
      const locator = eocd - 20
      if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE)
        throw new Error(`${path}: ZIP64 locator missing`)
      const record = Buffer.alloc(56)
      await file.read(record, 0, 56, Number(tail.readBigUInt64LE(locator + 8)))
      if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE)
        throw new Error(`${path}: ZIP64 end of central directory missing`)
      count = Number(record.readBigUInt64LE(32))
      cdSize = Number(record.readBigUInt64LE(40))
      cdOffset = Number(record.readBigUInt64LE(48))
    }
    const cd = Buffer.alloc(cdSize)
    await file.read(cd, 0, cdSize, cdOffset)
    const entries: ZipEntry[] = []
    for (let at = 0, n = 0; n < count && at + 46 <= cd.length; n++) {
      if (cd.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new Error(`${path}: corrupt central directory`)
      const nameLength = cd.readUInt16LE(at + 28)
      const extraLength = cd.readUInt16LE(at + 30)
      const commentLength = cd.readUInt16LE(at + 32)
      entries.push({
        name: cd.toString('utf8', at + 46, at + 46 + nameLength),
        method: cd.readUInt16LE(at + 10),
        // Wheels over 4 GiB (ZIP64 sizes) are out of scope for a METADATA read.
        compressedSize: cd.readUInt32LE(at + 20),
        offset: cd.readUInt32LE(at + 42)
      })
      at += 46 + nameLength + extraLength + commentLength
    }
    return entries
  } finally {
    await file.close()
  }
}

/**
 * Importable top-level names from a wheel's entries: packages (`pkg/__init__.py`), namespace
 * packages holding Python files (`ns/sub/mod.py` gives `ns`) and single modules (`mod.py`,
 * `_speedups.cpython-311-x86_64-linux-gnu.so`), without the .dist-info/.data directories.
 */
export function topLevelModules(entries: readonly string[]): string[] {
  const names = new Set<string>()
  for (const entry of entries) {
    const parts = entry.split('/')
    const first = parts[0] ?? ''
    if (!first || first.endsWith('.dist-info') || first.endsWith('.data') || first === '__pycache__') continue
    if (parts.length === 1) {
      const module = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.py|\.[^/]*\.(?:so|pyd)|\.so|\.pyd)$/.exec(first)?.[1]
      if (module) names.add(module)
    } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(first) && /\.(py|so|pyd)$/.test(entry)) {
      names.add(first)
    }
  }
  return [...names].sort()
}

/** The wheel's top-level modules, the one named after the project first when there is one. */
export async function wheelImportNames(wheelPath: string, project: string): Promise<string[]> {
  const modules = topLevelModules(await zipEntryNames(wheelPath))
  const own = project.replace(/[-.]/g, '_').toLowerCase()
  const match = modules.find((module) => module.toLowerCase() === own)
  return match
    ? [match]
    : modules.filter((module) => !module.startsWith('_') && module !== 'tests' && module !== 'test')
}
