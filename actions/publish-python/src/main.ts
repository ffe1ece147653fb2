import { relative, resolve } from 'node:path'
import { ActionError } from '@release/shared/errors'
import { inputDirectory, inputFile } from '@release/shared/paths'
import { requireProjectName } from '@release/shared/python/project-name'
import { RetryDeadlineError, logRetry } from '@release/shared/retry'
import * as log from '@release/shared/workflow-commands'
import { type Project, buildProjects } from './build.ts'
import { checkDists } from './check.ts'
import { type Dist, describeDists, distsInDirectory } from './dists.ts'
import { type IndexReader, assertUploadable, compareWithIndex, releasedBefore } from './existing.ts'
import { type ExpectedVersion, expectedVersion, gateVersion } from './gate.ts'
import type { Inputs } from './inputs.ts'
import { dependencyOrder, taggedReleases } from './releases.ts'
import { type Outcome, type Release, setOutputs, writeSummary } from './report.ts'
import { type ResolvedTarget, resolveTarget } from './target.ts'
import { type Toolchain, resolveToolchain } from '@release/shared/python/toolchain'
import { uploadDists } from './upload.ts'
import { verifyInstall, verifyListed } from './verify.ts'

/** A log group that ends with how long it took, so slow phases show in the log. */
async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now()
  return log.group(name, async () => {
    const result = await fn()
    log.info(`(${name}: ${((Date.now() - started) / 1000).toFixed(1)} s)`)
    return result
  })
}

export async function run(inputs: Inputs): Promise<void> {
  const outcome: Outcome = { dists: [], status: new Map(), dryRun: inputs.dryRun, tools: [], alreadyReleased: [] }
  try {
    await publish(inputs, outcome)
  } catch (error) {
    outcome.error = error
    throw error
  } finally {
    setOutputs(outcome)
    await writeSummary(outcome)
  }
}

async function publish(inputs: Inputs, outcome: Outcome): Promise<void> {
  // Work started in the background (the CodeArtifact calls) stops retrying once the step has
  // ended, so a failed gate does not leave the step waiting out a retry deadline.
  const background = new AbortController()
  try {
    await publishSteps(inputs, outcome, background.signal)
  } finally {
    background.abort()
  }
}

async function publishSteps(inputs: Inputs, outcome: Outcome, signal: AbortSignal): Promise<void> {
  const workDir = inputDirectory(
    'working-directory',
    inputs.workingDirectory,
    'the directory of the Python project (or of the projects in `packages`), relative to the workspace'
  )
  // A tag that names no version fails before anything is built. With one tag series per
  // package the tags (and so the packages to publish) are read below.
  const expected = inputs.tagTemplate ? undefined : expectedVersion(inputs.expectedVersion, inputs.tagPrefix)

  // CodeArtifact's STS and token calls run while tools are probed and projects build; a failure
  // is reported when the target is needed (the handler below only keeps Node from calling an
  // early rejection unhandled).
  const targetKind = inputs.target
  const pendingTarget: Promise<ResolvedTarget | undefined> =
    targetKind.kind === 'none'
      ? Promise.resolve(undefined)
      : resolveTarget(targetKind, inputs.retryTimeoutMs, logRetry, signal)
  pendingTarget.catch(() => undefined)

  const toolchain: Toolchain = await phase('Tools', async () => {
    const tools = await resolveToolchain(inputs.python, {
      builder: inputs.packagesDir ? undefined : inputs.builder,
      twine: inputs.check || (inputs.uploader === 'twine' && !inputs.dryRun)
    })
    for (const note of tools.notes) log.info(note)
    outcome.tools = tools.notes
    return tools
  })

  let tagged: Map<string, ExpectedVersion> | undefined
  const paths = inputs.packagesDir
    ? await phase('Distributions', async () => {
        // Read only, so an artifact downloaded to RUNNER_TEMP will do.
        const dir = inputFile('packages-dir', resolve(workDir, inputs.packagesDir as string), { runnerTemp: true })
        const files = await distsInDirectory(dir, `"${inputs.packagesDir}"`)
        log.info(`${files.length} files in ${dir}`)
        return files
      })
    : await phase('Build', async () => {
        let projects: Project[] = inputs.packages.map((dir) => ({
          dir: inputDirectory('packages', resolve(workDir, dir), 'project directories relative to `working-directory`'),
          label: relative(process.cwd(), resolve(workDir, dir)) || '.'
        }))
        if (inputs.tagTemplate) {
          // A name only the build would tell cannot select by tag.
          const named = projects.map((project) => ({
            ...project,
            name: requireProjectName(project.dir, project.label, 'to match against `tag-template`')
          }))
          tagged = await taggedReleases(
            inputs.tagTemplate,
            named.map((project) => project.name),
            workDir
          )
          for (const [name, { version, source }] of tagged) log.info(`${name} ${version} (${source})`)
          projects = named.filter((project) => tagged?.has(project.name))
        }
        const results = await buildProjects(projects, toolchain, {
          isolation: inputs.buildIsolation,
          clean: inputs.clean,
          distTypes: inputs.distTypes
        })
        return results.flatMap((result) => result.files)
      })
  let dists: Dist[] = await describeDists(paths)
  if (inputs.tagTemplate && inputs.packagesDir) {
    // Prebuilt files of every package (a monorepo's build job): only the tagged ones go out.
    tagged = await taggedReleases(inputs.tagTemplate, [...new Set(dists.map((dist) => dist.project))], workDir)
    for (const [name, { version, source }] of tagged) log.info(`${name} ${version} (${source})`)
    const untagged = [...new Set(dists.filter((dist) => !tagged?.has(dist.project)).map((dist) => dist.project))]
    if (untagged.length > 0) log.info(`Not tagged at this commit, so not published: ${untagged.join(', ')}`)
    dists = dists.filter((dist) => tagged?.has(dist.project))
  }
  outcome.dists = dists

  const releases = await phase('Version gate', async () => {
    for (const dist of dists) log.info(`${dist.file}  ${dist.size} bytes  sha256 ${dist.sha256}`)
    if (!tagged) {
      const version = gateVersion(dists, expected, inputs.allowLocalVersion)
      log.info(
        expected
          ? `Version ${version} matches ${expected.source}`
          : `Version ${version} (no tag in GITHUB_REF and no \`expected-version\`: not compared)`
      )
      return [{ version, dists }]
    }
    const groups = new Map<string, Dist[]>()
    for (const dist of dists) groups.set(dist.project, [...(groups.get(dist.project) ?? []), dist])
    const order = await dependencyOrder(groups)
    if (order.length > 1) log.info(`Published in dependency order: ${order.join(', ')}`)
    return order.map((project) => {
      const group = groups.get(project) as Dist[]
      const want = tagged?.get(project) as ExpectedVersion
      const version = gateVersion(group, want, inputs.allowLocalVersion)
      log.info(`${project} ${version} matches ${want.source}`)
      return { version, dists: group }
    })
  })
  outcome.releases = releases
  // Files in upload order: dependencies' first.
  outcome.dists = dists = releases.flatMap((release) => release.dists)

  if (inputs.check)
    await phase('twine check --strict', () => checkDists(toolchain.twine as NonNullable<Toolchain['twine']>, dists))

  const target = await pendingTarget
  if (!target) {
    for (const dist of dists) outcome.status.set(dist, 'dry run: would upload')
    log.info(
      `Dry run with no index configured: built, checked and gated ${dists.length} files; nothing compared or uploaded.`
    )
    return
  }
  outcome.target = target
  const reader: IndexReader = {
    indexUrl: target.indexUrl,
    credentials: target.indexCredentials,
    deadlineMs: inputs.retryTimeoutMs,
    onRetry: logRetry
  }
  const listed: string[] = []
  for (const release of releases) {
    const verification = await publishRelease(release, {
      inputs,
      outcome,
      target,
      reader,
      toolchain,
      several: releases.length > 1
    })
    if (verification) listed.push(verification)
  }
  if (inputs.dryRun) {
    if (inputs.s3Archive) log.info('Dry run: nothing archived to S3.')
    return
  }
  const fresh = releases.filter((release) => !outcome.alreadyReleased.includes(release))
  if (inputs.verify === 'install' && fresh.length > 0)
    outcome.verification = await phase('Verify: install', () =>
      verifyInstall(fresh, target, toolchain, inputs.importNames, inputs.retryTimeoutMs)
    )
  else if (listed.length > 0) outcome.verification = listed.join(' ')
  const archive = inputs.s3Archive
  if (archive && fresh.length > 0) {
    // Only now: what is archived is what the index holds and verify passed.
    outcome.archived = await phase(`Archive to s3://${archive.bucket}/${archive.prefix}`, async () => {
      const { archiveReleases } = await import('./s3-archive.ts')
      const session = archive.credentials ?? target.codeartifact?.session
      if (!session) throw new Error('s3-archive has neither credentials nor a CodeArtifact session')
      return archiveReleases(fresh, archive, session, { deadlineMs: inputs.retryTimeoutMs, signal })
    })
  }
  // Only now: a caller that tags after publishing (publish-on-change.yml) tags a verified release.
  outcome.published = fresh.length === releases.length
}

interface ReleaseContext {
  inputs: Inputs
  outcome: Outcome
  target: ResolvedTarget
  reader: IndexReader
  toolchain: Toolchain
  /** Several releases in this run: phases name the project. */
  several: boolean
}

/** Compares one version's files with the index, uploads what is missing and checks it is listed; returns the verification line. */
async function publishRelease(release: Release, context: ReleaseContext): Promise<string | undefined> {
  const { inputs, outcome, target, reader, toolchain } = context
  const { version, dists } = release
  const of = context.several ? ` (${dists[0]?.project} ${version})` : ''
  const comparison = await phase(`Compare with ${target.indexUrl}${of}`, async () => {
    log.info(`Target: ${target.description}`)
    const result = await compareWithIndex(dists, reader).catch((error: unknown) => {
      if (!(error instanceof RetryDeadlineError)) throw error
      throw new ActionError(
        `Cannot read the index ${target.indexUrl} (${error.message.replace(/^Reading \S+ /, '')}).`,
        {
          hint: 'check that the index is up and that `index-url` (or the upload URL it is derived from) is right; nothing was uploaded'
        }
      )
    })
    assertUploadable(result, inputs.existing, version, target.indexUrl)
    for (const dist of result.identical) {
      log.info(
        result.equivalent.includes(dist)
          ? `${dist.file}: already on the index with the same files and contents (only file times or archive headers differ), skipped; the index's copy is the release`
          : `${dist.file}: already on the index with the same sha256, skipped`
      )
    }
    for (const dist of result.missing) log.info(`${dist.file}: not on the index yet`)
    return result
  })

  if (releasedBefore(comparison, inputs.existing)) {
    // The quiet end of a push that did not change the version: nothing to upload or verify.
    for (const dist of dists) outcome.status.set(dist, 'not uploaded (version already released)')
    outcome.alreadyReleased.push(release)
    log.info(
      `${context.several ? `${dists[0]?.project} ` : ''}${version} is already released on ${target.indexUrl} from other files (an earlier build), so nothing was uploaded; bump the version to release this build.`
    )
    return undefined
  }

  if (inputs.dryRun) {
    for (const dist of comparison.missing) outcome.status.set(dist, 'dry run: would upload')
    for (const dist of comparison.identical) outcome.status.set(dist, 'dry run: already on the index')
    log.info(`Dry run: would upload ${comparison.missing.length} files to ${target.uploadUrl}; nothing was uploaded.`)
    return undefined
  }

  for (const dist of comparison.identical) outcome.status.set(dist, 'skipped (identical file already on the index)')
  if (comparison.missing.length > 0) {
    await phase(`Upload to ${target.uploadUrl}${of}`, async () =>
      uploadDists(comparison.missing, {
        uploader: inputs.uploader,
        toolchain,
        uploadUrl: target.uploadUrl,
        credentials: await target.uploadCredentials(),
        reader,
        version,
        deadlineMs: inputs.retryTimeoutMs,
        attemptTimeoutMs: inputs.uploadTimeoutMs,
        onUploaded: (done) => done.forEach((dist) => outcome.status.set(dist, 'uploaded'))
      })
    )
  } else {
    log.info(`Every file${of} is already on the index: nothing to upload.`)
  }

  if (inputs.verify === 'none') return undefined
  // Each release is listed before the next is uploaded; installs are checked once all are up.
  return phase(`Verify${of}`, () => verifyListed(dists, version, target, reader))
}
