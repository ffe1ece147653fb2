// Step outputs and the job summary: what was published (files, sizes, sha256), what happened
// to each file, how the release was verified, and how to install it.
import { describeError } from '@release/shared/errors'
import { type SummarySection, writeJobSummary } from '@release/shared/summary'
import * as log from '@release/shared/workflow-commands'
import type { Dist } from './dists.ts'
import type { ResolvedTarget } from './target.ts'

export type FileStatus =
  | 'uploaded'
  | 'skipped (identical file already on the index)'
  | 'dry run: would upload'
  | 'dry run: already on the index'
  | 'not uploaded'
  | 'not uploaded (version already released)'

/** One version of one project (or, without per-package tags, of every project built). */
export interface Release {
  version: string
  dists: readonly Dist[]
}

export interface Outcome {
  /** Gated, in upload order (dependencies first). */
  releases?: readonly Release[]
  dists: readonly Dist[]
  status: Map<Dist, FileStatus>
  target?: ResolvedTarget
  dryRun: boolean
  verification?: string
  /** Every file is on the index with these contents (uploaded now or before) and verified. */
  published?: boolean
  /** The releases `existing: skip-released` found released from other files: nothing uploaded for them. */
  alreadyReleased: Release[]
  tools: readonly string[]
  /** `s3-archive`: the s3:// URIs written by this run and those already there (same sha256). */
  archived?: { written: string[]; skipped: string[] }
  error?: unknown
}

const PYPI_INDEX = 'https://pypi.org/simple/'

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** `project==version` for each project of each release. */
function pins(releases: readonly Release[]): string[] {
  return releases.flatMap((release) =>
    [...new Set(release.dists.map((dist) => dist.project))].map((project) => `${project}==${release.version}`)
  )
}

export function installCommands(pinned: readonly string[], target: ResolvedTarget): string[] {
  const requirements = pinned.join(' ')
  if (target.indexUrl === PYPI_INDEX)
    return [`pip install ${requirements}`, `uv add ${requirements}`, `poetry add ${requirements}`]
  const name = target.kind.startsWith('codeartifact') ? 'codeartifact' : 'private'
  return [
    `pip install --index-url ${target.indexUrl} ${requirements}`,
    `uv pip install --index-url ${target.indexUrl} ${requirements}`,
    `uv add --index ${name}=${target.indexUrl} ${requirements}`,
    `poetry source add --priority=primary ${name} ${target.indexUrl}`,
    `poetry add --source ${name} ${requirements}`
  ]
}

export function setOutputs(outcome: Outcome): void {
  const withStatus = (status: (s: FileStatus | undefined) => boolean): string[] =>
    outcome.dists.filter((dist) => status(outcome.status.get(dist))).map((dist) => dist.file)
  const releases = outcome.releases ?? []
  // One version: `version`. Several packages, each its own version: `versions` alone.
  log.setOutput('version', releases.length === 1 ? releases[0].version : '')
  log.setOutput('versions', JSON.stringify(Object.fromEntries(pins(releases).map((pin) => pin.split('==')))))
  log.setOutput(
    'files',
    JSON.stringify(outcome.dists.map((dist) => ({ name: dist.file, size: dist.size, sha256: dist.sha256 })))
  )
  log.setOutput('uploaded', JSON.stringify(withStatus((s) => s === 'uploaded')))
  log.setOutput('skipped', JSON.stringify(withStatus((s) => s?.startsWith('skipped') ?? false)))
  log.setOutput('index-url', outcome.target?.indexUrl ?? '')
  log.setOutput('published', String(outcome.published === true && outcome.error === undefined))
  log.setOutput('already-released', String(outcome.alreadyReleased.length > 0))
  log.setOutput(
    'archived',
    JSON.stringify(outcome.archived ? [...outcome.archived.written, ...outcome.archived.skipped].sort() : [])
  )
}

/** `project version` of each release, or the projects built when none was gated. */
function describeReleases(releases: readonly Release[], dists: readonly Dist[]): string {
  if (releases.length > 0) return pins(releases).join(', ').replaceAll('==', ' ')
  const projects = [...new Set(dists.map((dist) => dist.project))]
  return projects.length > 0 ? projects.join(', ') : 'nothing built'
}

export async function writeSummary(outcome: Outcome): Promise<void> {
  const releases = outcome.releases ?? []
  // Releases `existing: skip-released` found out already are reported apart from the others.
  const fresh = releases.filter((release) => !outcome.alreadyReleased.includes(release))
  const where = outcome.target ? outcome.target.description : 'no index (dry run)'
  const sections: SummarySection[] = []
  if (outcome.error !== undefined) {
    sections.push({ text: `**Failed:** ${describeError(outcome.error)}` })
    sections.push({ text: `${describeReleases(releases, outcome.dists)} -> ${where}` })
  } else {
    if (fresh.length > 0 || releases.length === 0)
      sections.push({
        text: `${outcome.dryRun ? '**Dry run** (nothing uploaded): ' : ''}${describeReleases(fresh, outcome.dists)} -> ${where}`
      })
    if (outcome.alreadyReleased.length > 0)
      sections.push({
        text: `**Already released:** ${describeReleases(outcome.alreadyReleased, [])} is on ${where} from other files (an earlier build); nothing uploaded for it. Bump the version to release this build.`
      })
  }
  if (outcome.dists.length > 0) {
    sections.push({
      table: {
        header: ['File', 'Size', 'SHA-256', 'Status'],
        rows: outcome.dists.map((dist) => [
          `\`${dist.file}\``,
          formatSize(dist.size),
          `\`${dist.sha256}\``,
          outcome.status.get(dist) ?? (outcome.error ? 'not uploaded' : '')
        ])
      }
    })
  }
  if (outcome.verification) sections.push({ text: `**Verified:** ${outcome.verification}` })
  if (outcome.archived) {
    const { written, skipped } = outcome.archived
    sections.push({
      text: `**Archived to S3:** ${written.length} written, ${skipped.length} already there with the same sha256${written.length + skipped.length > 0 ? ` (${[...written, ...skipped].map((uri) => `\`${uri}\``).join(', ')})` : ''}`
    })
  }
  if (outcome.target && fresh.length > 0 && outcome.error === undefined && !outcome.dryRun) {
    const privateIndex = outcome.target.indexUrl !== PYPI_INDEX
    sections.push({
      heading: 'Install',
      text: privateIndex
        ? outcome.target.kind.startsWith('codeartifact')
          ? 'The index needs a CodeArtifact token: run codeartifact-login first (it configures pip, uv and poetry).'
          : 'The index may need credentials (pip: in the URL or keyring; uv: UV_INDEX_<NAME>_USERNAME/PASSWORD; poetry: `poetry config http-basic.<name>`).'
        : undefined,
      code: { lang: 'bash', lines: installCommands(pins(fresh), outcome.target) }
    })
  }
  if (outcome.tools.length > 0) sections.push({ heading: 'Tools', list: [...outcome.tools] })
  await writeJobSummary('Publish Python packages', sections)
}
