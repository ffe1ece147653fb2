import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { appendFile, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { type Sandbox, git } from '../helpers.ts'

// The real-layout corpus: sdists of public projects, pinned in sdists.json by name, version, URL
// and sha256, downloaded from PyPI at test time into a cache outside the repository (nothing
// third-party is committed), checked against the pin, and unpacked into a git repository with a
// bare origin, as a checkout of the project's own repository would look.

const run = promisify(execFile)

export interface SdistPin {
  name: string
  version: string
  url: string
  sha256: string
}

const PINS: SdistPin[] = (
  JSON.parse(readFileSync(new URL('./sdists.json', import.meta.url), 'utf8')) as { sdists: SdistPin[] }
).sdists

export function pin(name: string, version: string): SdistPin {
  const found = PINS.find((entry) => entry.name === name && entry.version === version)
  if (!found) throw new Error(`${name} ${version} is not pinned in sdists.json`)
  return found
}

/** Downloads and uv's cache live here across runs; CORPUS_CACHE_DIR moves it (CI caches it). */
export const CACHE_DIR =
  process.env['CORPUS_CACHE_DIR'] ??
  join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'pyrelease-corpus')

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** GET with three attempts: a dropped connection or a 5xx on a CI runner is not a test failure. */
async function download(url: string): Promise<Buffer> {
  let failure = new Error(`GET ${url}: no attempt`)
  for (let attempt = 1; attempt <= 3; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 2000 * (attempt - 1)))
    let response: Response
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(120_000) })
    } catch (error) {
      failure = new Error(`GET ${url}: ${(error as Error).message}`)
      continue
    }
    if (response.ok) return Buffer.from(await response.arrayBuffer())
    failure = new Error(`GET ${url}: HTTP ${response.status}`)
    if (response.status < 500) break
  }
  throw failure
}

/**
 * The sdist's path in the cache, downloaded on first use. The cached file is checked against the
 * pin every time, so a corrupted or tampered cache fails instead of testing something else.
 */
export async function fetchSdist(entry: SdistPin): Promise<string> {
  const dir = join(CACHE_DIR, 'sdists')
  const file = join(dir, `${entry.sha256.slice(0, 16)}-${entry.url.split('/').pop()}`)
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true })
    const data = await download(entry.url)
    if (sha256(data) !== entry.sha256)
      throw new Error(`${entry.url}: sha256 ${sha256(data)}, pinned ${entry.sha256}; not used`)
    // Written under another name and renamed, so a parallel run never reads half a file.
    const partial = `${file}.${process.pid}.part`
    await writeFile(partial, data)
    await rename(partial, file)
  }
  const actual = sha256(readFileSync(file))
  if (actual !== entry.sha256) throw new Error(`${file}: sha256 ${actual}, pinned ${entry.sha256}; delete it`)
  return file
}

export interface RepoOptions {
  /** Where the sdist's tree goes in the repository ('' for the root). */
  subdir?: string
  /** Files the sdist has but the project's repository does not commit (generated at build time). */
  generated?: string[]
  /** sdist files that live one level up in the real repository (a workspace member's sdist). */
  fromParent?: string[]
  /** Tags on the release commit, as the project's own repository has them. */
  tags?: string[]
}

/**
 * A bare origin and a clone holding the unpacked sdist on `main`, pushed with its tags. The
 * sdist's own metadata (PKG-INFO, *.egg-info) is left out: a repository does not commit it, and
 * hatchling would read the version from PKG-INFO instead of the project's version source. With
 * tags, a later commit follows the release, so the tags sit on an older commit as after any
 * merge since the release.
 */
export async function unpackIntoRepo(
  entry: SdistPin,
  options: RepoOptions = {},
  /** Runs in the project directory before the first commit (to add what the repository keeps, a uv.lock). */
  prepare: (projectDir: string) => Promise<void> = async () => undefined
): Promise<Sandbox> {
  const sdist = await fetchSdist(entry)
  const root = await mkdtemp(join(tmpdir(), `corpus-${entry.name.toLowerCase()}-`))
  const origin = join(root, 'origin.git')
  const work = join(root, 'work')
  const project = join(work, options.subdir ?? '')
  await mkdir(project, { recursive: true })
  await run('tar', ['-xzf', sdist, '-C', project, '--strip-components=1'])
  const generated = ['PKG-INFO', ...(options.generated ?? [])]
  for (const name of await readdir(project)) if (name.endsWith('.egg-info')) generated.push(`${name}/`)
  for (const path of generated) await rm(join(project, path), { recursive: true, force: true })
  for (const path of options.fromParent ?? []) await rename(join(project, path), join(dirname(project), path))
  const prefix = options.subdir ? `/${options.subdir}/` : '/'
  await appendFile(
    join(work, '.gitignore'),
    ['', 'dist/', 'build/', '*.egg-info/', '__pycache__/', ...generated.map((path) => `${prefix}${path}`), ''].join(
      '\n'
    )
  )

  await prepare(project)

  await git(root, 'init', '--quiet', '--bare', '--initial-branch=main', origin)
  await git(work, 'init', '--quiet', '--initial-branch=main')
  await git(work, 'add', '--all')
  await git(work, 'commit', '--quiet', '-m', `Release ${entry.version}`)
  for (const tag of options.tags ?? []) await git(work, 'tag', '-a', '-m', tag, tag)
  if (options.tags?.length) {
    await writeFile(join(work, 'NEXT.md'), 'Changes since the last release.\n')
    await git(work, 'add', 'NEXT.md')
    await git(work, 'commit', '--quiet', '-m', 'Start the next release')
  }
  const originUrl = `file://${origin}`
  await git(work, 'remote', 'add', 'origin', originUrl)
  await git(work, 'push', '--quiet', '--set-upstream', 'origin', 'main', '--follow-tags')
  return { root, origin, originUrl, work }
}
