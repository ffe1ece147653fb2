// Files that hold secrets: a private (0700) directory under RUNNER_TEMP, 0600 files inside it,
// and their removal. Apart from secrets.ts so that actions which never write a secret to disk
// (bump-version) do not load node:fs/promises and node:os for it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A private (0700) directory under RUNNER_TEMP for files that hold secrets. */
export async function createPrivateDir(prefix: string): Promise<string> {
  const base = process.env['RUNNER_TEMP'] || tmpdir()
  // mkdtemp creates the directory with mode 0700.
  return mkdtemp(join(base, `${prefix}-`))
}

/** Writes a secret to a new 0600 file in `dir` (never overwriting) and returns its path. */
export async function writeSecretFile(dir: string, name: string, content: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, content, { mode: 0o600, flag: 'wx' })
  return path
}

export async function removePrivateDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}
