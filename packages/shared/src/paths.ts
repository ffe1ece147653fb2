import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { InputError } from './errors.ts'

/**
 * The directory an input names, resolved against the current directory (the workspace, where
 * the runner starts actions). Fails with one line naming the input when it is not a directory.
 */
export function inputDirectory(input: string, path: string, accepted: string): string {
  const dir = resolve(path)
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError(input, `"${path}" is not a directory${dir === path ? '' : ` (${dir})`}`, `use ${accepted}`)
  }
  return dir
}
