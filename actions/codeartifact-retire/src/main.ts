import { CODEARTIFACT_USERNAME, getRepositoryAccess } from '@release/shared/aws/codeartifact'
import { getAccountId, resolveAwsSessionInGroup } from '@release/shared/aws/credentials'
import {
  type PackageVersionRef,
  changeVersionStatus,
  describeVersionStatus
} from '@release/shared/aws/package-versions'
import { ActionError } from '@release/shared/errors'
import { parseDistFilename } from '@release/shared/python/dist-files'
import { listProjectFiles } from '@release/shared/python/simple-index'
import { withRetry } from '@release/shared/retry'
import { writeJobSummary } from '@release/shared/summary'
import * as log from '@release/shared/workflow-commands'
import { deleteTag, gitHubTarget, markRelease } from './github.ts'
import type { Inputs, Status } from './inputs.ts'

// What each status means for the people installing the package (the summary says it too).
const MEANING: Record<Status, string> = {
  Published: 'listed and installable again',
  Unlisted: 'no longer listed to pip, uv or poetry (no new resolution picks it); its files stay in the repository',
  Archived: 'neither listed nor downloadable by package managers; the files are kept and the status can be set back',
  Disposed: 'its files are deleted for good; only the version record remains'
}

export async function run(inputs: Inputs): Promise<void> {
  const deadlineMs = inputs.credentials.deadlineMs ?? 60_000
  const session = await resolveAwsSessionInGroup(inputs.credentials)
  const ref: PackageVersionRef = {
    domain: inputs.domain,
    domainOwner: inputs.domainOwner ?? (await getAccountId(session, deadlineMs)),
    repository: inputs.repository,
    packageName: inputs.packageName,
    version: inputs.version
  }
  const subject = `${inputs.packageName} ${inputs.version} in ${inputs.domain}/${inputs.repository}`

  const { previous, changed } = await log.group(`${subject}: ${inputs.status}`, async () => {
    log.info(`Version ${inputs.version} from ${inputs.versionSource}`)
    const current = await describeVersionStatus(session, ref, deadlineMs)
    if (current === undefined)
      throw new ActionError(`${subject} does not exist.`, {
        hint: 'check `package`, `version` (or the tag), `domain` and `repository`'
      })
    log.info(`Current status: ${current}`)
    if (current === inputs.status) {
      log.info(`Already ${current}: nothing to change`)
      return { previous: current, changed: false }
    }
    if (current === 'Disposed')
      throw new ActionError(`${subject} is Disposed: its files are gone, so it cannot become ${inputs.status}.`, {
        hint: 'release a new version instead (a version number is never reused)'
      })
    const expected = inputs.expectedStatus ?? current
    if (inputs.expectedStatus && inputs.expectedStatus !== current)
      throw mismatch(subject, inputs.expectedStatus, current)
    const outcome = await changeVersionStatus(session, ref, inputs.status, expected, deadlineMs)
    if (!outcome.changed) {
      if (outcome.errorCode === 'MISMATCHED_STATUS') {
        const now = await describeVersionStatus(session, ref, deadlineMs)
        throw mismatch(subject, expected, now ?? 'gone')
      }
      throw new ActionError(
        `CodeArtifact did not set ${subject} to ${inputs.status}: ${outcome.errorCode}: ${outcome.errorMessage}`,
        { hint: 'check the version`s status with ListPackageVersions, then re-run' }
      )
    }
    log.info(`${current} -> ${inputs.status}: ${MEANING[inputs.status]}`)
    return { previous: current, changed: true }
  })

  // Proof from the package managers' side: the simple index lists the version's files only
  // when it is Published.
  await log.group('Verify on the simple index', async () => {
    const access = await getRepositoryAccess(session, {
      domain: ref.domain,
      domainOwner: ref.domainOwner,
      repository: ref.repository,
      durationSeconds: 900,
      deadlineMs
    })
    const credentials = { username: CODEARTIFACT_USERNAME, password: access.token }
    const listed = inputs.status === 'Published'
    await withRetry(
      async () => {
        const files = await listProjectFiles(access.indexUrl, inputs.packageName, {
          credentials,
          deadlineMs,
          attempts: 1
        })
        const ofVersion = (files ?? []).filter((file) => parseDistFilename(file.filename)?.version === inputs.version)
        if (ofVersion.length > 0 !== listed)
          throw new NotYet(`${access.indexUrl} still ${listed ? 'does not list' : 'lists'} ${inputs.version}`)
        log.info(
          `${access.indexUrl} ${listed ? `lists ${ofVersion.length} files of` : 'no longer lists'} ${inputs.version}`
        )
      },
      {
        label: `Checking ${access.indexUrl}`,
        deadlineMs,
        initialDelayMs: 500,
        classify: (error) => ({ retryable: error instanceof NotYet, reason: (error as Error).message })
      }
    ).catch((error: unknown) => {
      const last = (error as { cause?: unknown }).cause ?? error
      if (last instanceof NotYet)
        throw new ActionError(`${inputs.status} was set, but ${last.message}.`, {
          hint: 'CodeArtifact may take a moment to update its index; re-run the step (it finds the status already set and checks again)'
        })
      throw error
    })
  })

  // After the status, which is what protects consumers: a failure here is finished by a re-run,
  // which finds the status already set and does only what is left.
  const github = { release: 'not asked', tag: 'not asked' }
  if (inputs.markRelease || inputs.deleteTag) {
    await log.group(`GitHub: ${inputs.tag}`, async () => {
      const target = gitHubTarget(inputs.githubToken as string, deadlineMs)
      if (inputs.markRelease) {
        const note = `${inputs.packageName} ${inputs.version} is ${inputs.status} in CodeArtifact (${inputs.domain}/${inputs.repository})${inputs.reason ? `: ${inputs.reason}` : '.'} Use a newer version.`
        github.release = await markRelease(target, inputs.tag, note)
      }
      if (inputs.deleteTag) github.tag = (await deleteTag(target, inputs.tag)) ? 'deleted' : 'already gone'
    })
  }

  log.setOutput('previous-status', previous)
  log.setOutput('status', inputs.status)
  log.setOutput('changed', String(changed))
  await writeJobSummary(`${inputs.packageName} ${inputs.version}: ${inputs.status}`, [
    {
      table: {
        header: ['', ''],
        rows: [
          ['Repository', `\`${inputs.domain}/${inputs.repository}\` (owner ${ref.domainOwner})`],
          ['Status', changed ? `${previous} -> ${inputs.status}` : `already ${inputs.status}`],
          ['Meaning', MEANING[inputs.status]],
          ['GitHub release', `${inputs.tag}: ${github.release}`],
          ['Tag', `${inputs.tag}: ${github.tag}`]
        ]
      }
    },
    {
      heading: 'Next',
      text:
        inputs.status === 'Published'
          ? 'The version is installable again.'
          : 'Release a fixed version (a new version number) so that `pip install -U` and fresh lock files move past this one; never re-upload this version number with other bytes.'
    }
  ])
}

class NotYet extends Error {}

function mismatch(subject: string, expected: string, actual: string): ActionError {
  return new ActionError(
    `${subject} is ${actual}, not ${expected}: someone changed it meanwhile, so nothing was changed.`,
    {
      hint: 'check who changed it (CloudTrail), then re-run with `expected-status` set to the current status if the change is still wanted'
    }
  )
}
