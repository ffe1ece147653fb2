import { CODEARTIFACT_USERNAME, getRepositoryAccess } from '@release/shared/aws/codeartifact'
import { getAccountId, resolveAwsSessionInGroup } from '@release/shared/aws/credentials'
import {
  type PackageVersionRef,
  copyVersion,
  describeVersionStatus,
  listVersionAssets
} from '@release/shared/aws/package-versions'
import { ActionError } from '@release/shared/errors'
import { listProjectFiles } from '@release/shared/python/simple-index'
import { resolveToolchain } from '@release/shared/python/toolchain'
import { writeJobSummary } from '@release/shared/summary'
import * as log from '@release/shared/workflow-commands'
import { compareAssets, names } from './compare.ts'
import type { Inputs } from './inputs.ts'
import { transferAssets } from './transfer.ts'
import { verifyIndex, verifyInstall, verifyPublished } from './verify.ts'

export async function run(inputs: Inputs): Promise<void> {
  const deadlineMs = inputs.credentials.deadlineMs ?? 60_000
  const session = await resolveAwsSessionInGroup(inputs.credentials)
  const callerAccount = async (): Promise<string> => getAccountId(session, deadlineMs)
  const sourceOwner = inputs.source.domainOwner ?? (await callerAccount())
  const source: PackageVersionRef = {
    ...inputs.source,
    domainOwner: sourceOwner,
    packageName: inputs.packageName,
    version: inputs.version
  }
  const destination: PackageVersionRef = {
    ...inputs.destination,
    domainOwner: inputs.destination.domainOwner ?? sourceOwner,
    packageName: inputs.packageName,
    version: inputs.version
  }
  const where = (ref: PackageVersionRef): string => `${ref.domain}/${ref.repository}`

  // What is being promoted: the source's files and their sha256, from CodeArtifact itself.
  const assets = await log.group(`${inputs.packageName} ${inputs.version} in ${where(source)}`, async () => {
    log.info(`Version ${inputs.version} from ${inputs.versionSource}`)
    const status = await describeVersionStatus(session, source, deadlineMs)
    if (status === undefined)
      throw new ActionError(`${inputs.packageName} ${inputs.version} is not in ${where(source)}.`, {
        hint: 'check `package`, `version` (or the tag) and `source-repository`: publish the version there first'
      })
    if (status !== 'Published')
      throw new ActionError(
        `${inputs.packageName} ${inputs.version} is ${status} in ${where(source)}: it is not promoted.`,
        {
          hint: 'a retired version stays retired; promote the version that replaced it'
        }
      )
    const listed = await listVersionAssets(session, source, deadlineMs)
    if (listed.length === 0)
      throw new ActionError(`${inputs.packageName} ${inputs.version} has no files in ${where(source)}.`)
    for (const asset of listed) log.info(`${asset.name}  sha256 ${asset.sha256}  ${asset.size} bytes`)
    return listed
  })

  const access = await log.group(`Destination ${where(destination)}`, async () => {
    const result = await getRepositoryAccess(session, {
      domain: destination.domain,
      domainOwner: destination.domainOwner,
      repository: destination.repository,
      durationSeconds: inputs.durationSeconds,
      deadlineMs
    })
    log.info(`Index ${result.indexUrl}`)
    return result
  })
  const credentials = { username: CODEARTIFACT_USERNAME, password: access.token }

  // Idempotence: what the destination already serves decides what is left to do.
  const before = compareAssets(
    assets,
    await listProjectFiles(access.indexUrl, inputs.packageName, { credentials, deadlineMs })
  )
  if (before.conflicting.length > 0)
    throw conflict(
      inputs,
      destination,
      before.conflicting.map((c) => c.asset.name)
    )

  /** Downloads `missing` from the source (GetPackageVersionAsset) and uploads them with twine. */
  const uploadMissing = async (missing: typeof assets): Promise<void> => {
    const toolchain = await resolveToolchain(inputs.python, { twine: true })
    for (const note of toolchain.notes) log.info(note)
    await transferAssets(
      session,
      source,
      missing,
      toolchain.twine!,
      { registryUrl: access.registryUrl, username: CODEARTIFACT_USERNAME, token: access.token },
      deadlineMs
    )
  }

  // A version retired in the destination is not on its index, so its files look missing; copying
  // or uploading them again would put it back on sale. Its status is asked before anything moves.
  if (before.missing.length > 0) {
    const status = await describeVersionStatus(session, destination, deadlineMs)
    if (status !== undefined && status !== 'Published') throw retiredThere(inputs, destination, status)
  }

  const promoted = await log.group('Promote', async () => {
    if (before.missing.length === 0) {
      log.info(`Already on ${where(destination)} with the same sha256: ${names(before.identical)}`)
      return false
    }
    if (!inputs.crossDomain) {
      log.info(`CopyPackageVersions ${where(source)} -> ${where(destination)}`)
      const outcome = await copyVersion(session, source, destination.repository, deadlineMs)
      if (outcome.copied) return true
      // The destination has the version (perhaps not Published, or only some of its files):
      // compare what it holds, so an identical one still counts as promoted.
      if (outcome.errorCode === 'ALREADY_EXISTS') {
        const held = await listVersionAssets(session, destination, deadlineMs)
        const comparison = compareAssets(
          assets,
          held.map((a) => ({ filename: a.name, url: '', sha256: a.sha256 }))
        )
        if (comparison.conflicting.length > 0)
          throw conflict(
            inputs,
            destination,
            comparison.conflicting.map((c) => c.asset.name)
          )
        if (comparison.missing.length === 0) {
          log.info(`${where(destination)} already holds ${inputs.packageName} ${inputs.version} with the same files`)
          return false
        }
        // Some of the files are there (uploaded one by one, or a promotion cut short):
        // CopyPackageVersions copies whole versions only, so the rest goes file by file.
        log.info(`${where(destination)} holds some of the files; uploading ${names(comparison.missing)}`)
        await uploadMissing(comparison.missing)
        return true
      }
      throw new ActionError(
        `CodeArtifact did not copy ${inputs.packageName} ${inputs.version} to ${where(destination)}: ${outcome.errorCode}: ${outcome.errorMessage}`,
        { hint: 'check the version`s status in both repositories (ListPackageVersions), then re-run' }
      )
    }
    log.info(
      `${where(source)} and ${where(destination)} are in different domains: downloading and uploading ${names(before.missing)}`
    )
    await uploadMissing(before.missing)
    return true
  })

  const verified = await log.group('Verify', async () => {
    const lines: string[] = []
    await verifyIndex(access.indexUrl, credentials, inputs.packageName, assets, deadlineMs)
    lines.push(`all ${assets.length} files on ${access.indexUrl} with the source's sha256`)
    if (inputs.verify === 'none') return lines
    await verifyPublished(session, destination, deadlineMs)
    lines.push(`${inputs.packageName} ${inputs.version} Published in ${where(destination)}`)
    if (inputs.verify === 'install') {
      const requirement = `${inputs.packageName}==${inputs.version}`
      if (!assets.some((asset) => asset.name.endsWith('.whl'))) {
        log.warning(
          `${requirement} has no wheel, so it was not installed: building its sdist would run its build backend with the destination's token in reach. Use \`verify: index\` to silence this.`
        )
      } else {
        const toolchain = await resolveToolchain(inputs.python, { twine: false })
        await verifyInstall(toolchain, access.indexUrl, credentials, requirement, deadlineMs)
        lines.push(`${requirement} installed from ${where(destination)} in a fresh virtual environment`)
      }
    }
    for (const line of lines) log.info(line)
    return lines
  })

  log.setOutput('promoted', String(promoted))
  log.setOutput('version', inputs.version)
  log.setOutput('index-url', access.indexUrl)
  await writeJobSummary(`Promoted ${inputs.packageName} ${inputs.version}`, [
    {
      table: {
        header: ['', ''],
        rows: [
          ['From', `\`${where(source)}\` (owner ${source.domainOwner})`],
          ['To', `\`${where(destination)}\` (owner ${destination.domainOwner})`],
          [
            'How',
            !promoted
              ? 'already there with the same files'
              : inputs.crossDomain
                ? 'downloaded and uploaded (another domain)'
                : 'CopyPackageVersions'
          ]
        ]
      }
    },
    {
      heading: 'Files',
      table: { header: ['File', 'sha256', 'bytes'], rows: assets.map((a) => [a.name, a.sha256, String(a.size)]) }
    },
    { heading: 'Verified', list: verified },
    { heading: 'Install', code: { lang: 'sh', lines: [`pip install '${inputs.packageName}==${inputs.version}'`] } }
  ])
}

function retiredThere(inputs: Inputs, destination: PackageVersionRef, status: string): ActionError {
  return new ActionError(
    `${destination.domain}/${destination.repository} holds ${inputs.packageName} ${inputs.version} as ${status}, so promoting it again would put a retired version back on sale.`,
    {
      hint: 'if it was retired on purpose, promote the version that replaced it; otherwise restore it there first with codeartifact-retire (`status: published`)'
    }
  )
}

function conflict(inputs: Inputs, destination: PackageVersionRef, files: readonly string[]): ActionError {
  return new ActionError(
    `${destination.domain}/${destination.repository} already has ${inputs.packageName} ${inputs.version} with other files than the source (${files.join(', ')}).`,
    {
      hint: 'a released version never changes: release a new version and promote that; if the destination`s version is the bad one, retire it first (codeartifact-retire) and still promote a new version number'
    }
  )
}
