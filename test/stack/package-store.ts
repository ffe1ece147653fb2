// The package versions of one stand-in CodeArtifact repository, kept where pypiserver can see
// them or not, so a status change is felt by pip and twine as it is on CodeArtifact:
//
//   Published  files in pypiserver's packages directory: listed on the simple index, downloadable
//   Unlisted   files moved to the repository's held directory: not on the simple index (package
//              managers do not see the version), still served by GetPackageVersionAsset
//   Archived   held as well: neither listed nor downloadable by package managers; the assets stay
//              readable through GetPackageVersionAsset, as the API reference allows
//   Disposed   files deleted; the version record stays (ListPackageVersions shows it Disposed)
//
// Statuses other than Published are remembered in memory (per fixture start). Unlisted being
// served by the API only is the closest pypiserver comes to "downloadable, not listed": pypiserver
// serves what its directory holds and lists all of it.
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { normalizeName, parseDistFilename } from './pypi-packages.ts'

export type VersionStatus = 'Published' | 'Unlisted' | 'Archived' | 'Disposed'
export const VERSION_STATUSES: readonly VersionStatus[] = ['Published', 'Unlisted', 'Archived', 'Disposed']

export interface VersionRecord {
  version: string
  status: VersionStatus
  /** Absolute paths of the version's files (none once Disposed). */
  files: string[]
  revision: string
  publishedMs: number
}

export interface PackageStore {
  versions(packageName: string): Promise<VersionRecord[]>
  version(packageName: string, version: string): Promise<VersionRecord | undefined>
  /** Moves the files where the new status wants them; Disposed deletes them. */
  setStatus(packageName: string, version: string, status: VersionStatus): Promise<void>
  /** Copies a version's files in as Published (CopyPackageVersions). */
  addFiles(packageName: string, version: string, files: readonly string[]): Promise<void>
}

export function packageStore(packagesDir: string, heldDir: string): PackageStore {
  // key: `${normalized name}/${version}` -> status; absent means Published (or unknown).
  const statuses = new Map<string, VersionStatus>()
  const key = (name: string, version: string): string => `${normalizeName(name)}/${version}`

  const filesIn = async (dir: string, name: string): Promise<Map<string, string[]>> => {
    const byVersion = new Map<string, string[]>()
    const entries = await readdir(dir).catch(() => [] as string[])
    for (const file of entries) {
      const parsed = parseDistFilename(file)
      if (!parsed || normalizeName(parsed.name) !== normalizeName(name)) continue
      byVersion.set(parsed.version, [...(byVersion.get(parsed.version) ?? []), join(dir, file)])
    }
    return byVersion
  }

  const record = async (version: string, status: VersionStatus, files: string[]): Promise<VersionRecord> => {
    files.sort()
    const stats = await Promise.all(files.map((file) => stat(file)))
    return {
      version,
      status,
      files,
      revision: createHash('sha256')
        .update(JSON.stringify(files.map((file, i) => [file.split('/').pop(), stats[i]?.size])))
        .digest('base64'),
      publishedMs: Math.max(0, ...stats.map((s) => s.mtimeMs))
    }
  }

  const store: PackageStore = {
    async versions(name) {
      const [published, held] = await Promise.all([filesIn(packagesDir, name), filesIn(heldDir, name)])
      const records: VersionRecord[] = []
      const seen = new Set<string>()
      for (const [version, files] of published) {
        seen.add(version)
        // A file uploaded again after a status change (twine to a Published version) wins.
        records.push(await record(version, 'Published', files))
      }
      for (const [version, files] of held) {
        if (seen.has(version)) continue
        seen.add(version)
        records.push(await record(version, statuses.get(key(name, version)) ?? 'Archived', files))
      }
      for (const [k, status] of statuses) {
        const [n, version] = [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)]
        if (status === 'Disposed' && n === normalizeName(name) && !seen.has(version))
          records.push({ version, status, files: [], revision: '', publishedMs: 0 })
      }
      return records.sort((a, b) => b.publishedMs - a.publishedMs)
    },
    async version(name, version) {
      return (await store.versions(name)).find((r) => r.version === version)
    },
    async setStatus(name, version, status) {
      const current = await store.version(name, version)
      if (!current) throw new Error(`no version ${name} ${version}`)
      await mkdir(heldDir, { recursive: true })
      for (const file of current.files) {
        const base = file.split('/').pop() as string
        if (status === 'Disposed') await rm(file, { force: true })
        else await rename(file, join(status === 'Published' ? packagesDir : heldDir, base))
      }
      if (status === 'Published') statuses.delete(key(name, version))
      else statuses.set(key(name, version), status)
    },
    async addFiles(name, version, files) {
      for (const file of files) await copyFile(file, join(packagesDir, file.split('/').pop() as string))
      statuses.delete(key(name, version))
    }
  }
  return store
}

export async function sha256Of(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
}
