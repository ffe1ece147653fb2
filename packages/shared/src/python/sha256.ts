// SHA-256 of distribution files: what indexes publish in their simple API (`#sha256=` or
// `hashes.sha256`), so a local file and a published one can be compared without a download.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export interface FileDigest {
  name: string
  size: number
  sha256: string
}

export async function digestFile(path: string): Promise<FileDigest> {
  const [info, sha256] = await Promise.all([stat(path), sha256File(path)])
  return { name: basename(path), size: info.size, sha256 }
}
