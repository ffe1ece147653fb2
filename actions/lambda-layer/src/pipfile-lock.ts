// pipenv's lock (the Pipfiles Lambda layers are often kept in) as the requirements pip reads:
// each package of `default` at its locked version, with its markers and every sha256 the lock
// recorded, so pip runs in hash-checking mode and installs only files the lock names. `develop`
// is left out: a layer carries what the function imports at run time. A Pipfile itself is not
// read: resolving it is pipenv's job (`pipenv lock`), and would pick versions here that no one
// reviewed.
import { InputError, oneLine } from '@release/shared/errors'

interface LockedPackage {
  version?: string
  hashes?: string[]
  markers?: string
  extras?: string[]
  git?: string
  path?: string
  file?: string
  editable?: boolean
}

const LOCK_FIX = 'pass the Pipfile.lock that `pipenv lock` writes'

/** The requirements-file text for the `default` packages of a Pipfile.lock. */
export function pipfileLockRequirements(text: string, input: string): string {
  let lock: { default?: Record<string, LockedPackage> }
  try {
    lock = JSON.parse(text) as typeof lock
  } catch (error) {
    throw new InputError(input, `is not JSON (${oneLine((error as Error).message)})`, LOCK_FIX)
  }
  const packages = lock?.default
  if (!packages || typeof packages !== 'object') throw new InputError(input, 'has no "default" section', LOCK_FIX)
  const lines: string[] = []
  for (const [name, entry] of Object.entries(packages).sort(([a], [b]) => a.localeCompare(b))) {
    if (entry.git || entry.path || entry.file || entry.editable)
      throw new InputError(
        input,
        `locks ${name} from ${entry.git ? `git (${entry.git})` : 'a path or URL'}`,
        'a layer resolves from the index only: publish the package there and lock it from the index'
      )
    if (!entry.version?.startsWith('=='))
      throw new InputError(input, `locks ${name} without a pinned version`, 'run `pipenv lock` again')
    if (!entry.hashes?.length)
      throw new InputError(input, `records no sha256 for ${name}`, 'run `pipenv lock` again (it records every file`s)')
    const extras = entry.extras?.length ? `[${entry.extras.join(',')}]` : ''
    const markers = entry.markers ? ` ; ${entry.markers}` : ''
    const hashes = entry.hashes.map((hash) => `--hash=${hash}`).join(' ')
    lines.push(`${name}${extras}${entry.version}${markers} ${hashes}`)
  }
  if (lines.length === 0)
    throw new InputError(input, 'locks no package in "default"', 'add the function`s packages with `pipenv install`')
  return `${lines.join('\n')}\n`
}
