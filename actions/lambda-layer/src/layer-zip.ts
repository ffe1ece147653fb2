// The layer's contents and its zip. Lambda unpacks a layer under /opt, and a Python runtime
// has /opt/python on sys.path, so every file goes in as python/<path>.
//
// The zip is deterministic: entries sorted by path, one fixed timestamp, permissions 0644 (or
// 0755 for files pip installed executable), no directory entries, no bytecode. The same wheels
// give the same bytes and so the same sha256, which is what lets a re-run recognise the layer
// version it already published.
//
// The zip library is fflate (0.8, MIT, no dependencies, ~2M weekly downloads, typed): its
// deflate is plain JavaScript bundled into dist/, so the compressed bytes depend on the fflate
// version committed here and not on the zlib of whichever Node the runner has (yazl and
// archiver use node:zlib, whose output may change with a Node update and would then publish a
// "new" layer for the same wheels). It streams entry by entry, and lets each entry's
// timestamp, OS and attributes be set.
import { createHash } from 'node:crypto'
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs'
import { lstat, readFile, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Zip, ZipDeflate } from 'fflate'
import { ActionError } from '@release/shared/errors'

/** One file of the layer: its path under python/ (with `/`) and size. */
export interface LayerFile {
  /** Relative to the install directory, `/`-separated. */
  path: string
  absolute: string
  size: number
  executable: boolean
}

export interface LayerContents {
  files: LayerFile[]
  /** Sum of the file sizes: what Lambda counts against the 250 MB unzipped quota. */
  size: number
  /** Paths dropped: bytecode and pip's console scripts (their shebang names the runner's python). */
  dropped: string[]
}

/** What never goes into a layer: bytecode (Lambda compiles its own) and pip's bin/ scripts. */
function dropped(path: string, isDirectory: boolean): boolean {
  const name = path.split('/').pop() as string
  if (isDirectory) return name === '__pycache__' || path === 'bin'
  return name.endsWith('.pyc') || name.endsWith('.pyo')
}

/** Every file under `dir`, sorted by path (UTF-16 code unit order, which is stable), with the dropped paths listed. */
export async function scanLayer(dir: string): Promise<LayerContents> {
  const files: LayerFile[] = []
  const skipped: string[] = []
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(relative ? join(dir, relative) : dir, { withFileTypes: true })
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name
      const absolute = join(dir, path)
      if (entry.isDirectory()) {
        if (dropped(path, true)) skipped.push(`${path}/`)
        else await walk(path)
        continue
      }
      if (!entry.isFile()) {
        // pip does not make links; anything else would zip as something Lambda cannot unpack.
        throw new ActionError(`The installed layer has ${path}, which is not a regular file or directory.`, {
          hint: 'a wheel with symlinks or special files cannot go into a zip layer; check which requirement installs it'
        })
      }
      if (dropped(path, false)) {
        skipped.push(path)
        continue
      }
      const stat = await lstat(absolute)
      files.push({ path, absolute, size: stat.size, executable: (stat.mode & 0o111) !== 0 })
    }
  }
  await walk('')
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { files, size: files.reduce((sum, file) => sum + file.size, 0), dropped: skipped.sort() }
}

/** Size by top-level entry (a package, its .libs, its .dist-info), largest first. */
export function largestTopLevel(files: readonly LayerFile[], count = 5): Array<{ name: string; size: number }> {
  const sizes = new Map<string, number>()
  for (const file of files) {
    const [top, ...rest] = file.path.split('/')
    const name = rest.length > 0 ? `${top}/` : (top as string)
    sizes.set(name, (sizes.get(name) ?? 0) + file.size)
  }
  return [...sizes.entries()]
    .map(([name, size]) => ({ name, size }))
    .sort((a, b) => b.size - a.size || (a.name < b.name ? -1 : 1))
    .slice(0, count)
}

/**
 * 12.3 MB, in the binary sizeText AWS's quotas use (250 MB = 262144000 bytes); below one
 * megabyte in KB, so small packages do not all read 0.0 MB.
 */
export function sizeText(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

// 1980-01-01 00:00:00, the earliest time a zip entry can hold. DOS timestamps are local time
// and fflate reads the Date's local fields, so the Date is built from local fields too: every
// entry then carries the same bits whatever the runner's time zone. Made per zip, in the time
// zone the zip is written in.
const fixedMtime = (): Date => new Date(1980, 0, 1, 0, 0, 0)
const UNIX = 3
const REGULAR_FILE = 0o100000
/** The classic zip format (fflate writes no ZIP64): at most 65535 entries. */
export const MAX_ZIP_ENTRIES = 65_535

export interface ZipResult {
  size: number
  sha256: string
  /** base64 of the sha256 digest, as Lambda reports CodeSha256. */
  codeSha256: string
}

/** Writes the deterministic zip of `files` (under `prefix`/) to `output`, atomically. */
export async function writeLayerZip(
  files: readonly LayerFile[],
  output: string,
  prefix = 'python'
): Promise<ZipResult> {
  if (files.length > MAX_ZIP_ENTRIES)
    throw new ActionError(
      `The layer has ${files.length} files; a zip without ZIP64 holds at most ${MAX_ZIP_ENTRIES}.`,
      {
        hint: 'split the requirements into two layers'
      }
    )
  const partial = `${output}.partial`
  // Created afresh ('wx' fails rather than follow anything already there): a `.partial` that a
  // repository commits as a symlink must not be written through, nor then renamed into place.
  await rm(partial, { force: true })
  const fd = openSync(partial, 'wx', 0o644)
  const hash = createHash('sha256')
  let size = 0
  let failure: Error | null = null
  let finished = false
  const mtime = fixedMtime()
  try {
    // The callbacks run synchronously inside push() and end(): writes go straight to the file
    // in order, without buffering the archive in memory.
    const zip = new Zip((error, chunk, final) => {
      if (error) {
        failure = error
        return
      }
      writeSync(fd, chunk)
      hash.update(chunk)
      size += chunk.length
      if (final) finished = true
    })
    for (const file of files) {
      const entry = new ZipDeflate(`${prefix}/${file.path}`, { level: 6 })
      entry.mtime = mtime
      entry.os = UNIX
      entry.attrs = (REGULAR_FILE | (file.executable ? 0o755 : 0o644)) << 16
      zip.add(entry)
      entry.push(await readFile(file.absolute), true)
      if (failure) throw failure
    }
    zip.end()
    if (failure) throw failure
    if (!finished) throw new Error('the zip stream did not finish')
    fsyncSync(fd)
  } catch (error) {
    closeSync(fd)
    await rm(partial, { force: true })
    throw new ActionError(`Could not write ${output}: ${(error as Error).message}`)
  }
  closeSync(fd)
  await rename(partial, output)
  const digest = hash.digest()
  return { size, sha256: digest.toString('hex'), codeSha256: digest.toString('base64') }
}
