// Only light modules here: index.ts parses inputs before main.ts (toolkit, AWS SDK) loads.
import { getCredentialInputs } from '@release/shared/aws/inputs'
import type { CredentialOptions } from '@release/shared/aws/credentials'
import { AWS_NAME_PATTERNS } from '@release/shared/aws/names'
import { InputError } from '@release/shared/errors'
import { getReleasedVersion } from '@release/shared/released-version'
import { getBoolean, getEnum, getOptionalString, getString } from '@release/shared/inputs'
import { registerSecret } from '@release/shared/secrets'

export type Status = 'Published' | 'Unlisted' | 'Archived' | 'Disposed'
const STATUSES = ['archived', 'unlisted', 'disposed', 'published'] as const
const EXPECTED = ['', 'published', 'unlisted', 'archived'] as const

export interface Inputs {
  credentials: CredentialOptions
  packageName: string
  version: string
  versionSource: string
  domain: string
  domainOwner?: string
  repository: string
  status: Status
  /** Undefined: the status DescribePackageVersion reports just before the change. */
  expectedStatus?: Status
  /** The release tag of the version (GITHUB_REF's, or tag-prefix + version). */
  tag: string
  markRelease: boolean
  deleteTag: boolean
  /** Why, for the release notes. */
  reason: string
  /** Masked; set when markRelease or deleteTag. */
  githubToken?: string
}

const PACKAGE_NAME = {
  regex: /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/,
  accepted: 'a Python distribution name such as acme-widgets'
}

function capitalized(value: string): Status {
  return `${value[0]?.toUpperCase()}${value.slice(1)}` as Status
}

export function getInputs(): Inputs {
  const credentials = getCredentialInputs()
  const packageName = getString('package', { required: true, pattern: PACKAGE_NAME })
  const domain = getString('domain', { required: true, pattern: AWS_NAME_PATTERNS.codeartifactDomain })
  const domainOwner = getOptionalString('domain-owner', { pattern: AWS_NAME_PATTERNS.accountId })
  const repository = getString('repository', { required: true, pattern: AWS_NAME_PATTERNS.codeartifactRepository })
  const status = capitalized(getEnum('status', STATUSES, 'archived'))
  const expected = getEnum('expected-status', EXPECTED, '')
  const { version, versionSource, tag } = getReleasedVersion()
  const markRelease = getBoolean('mark-release', false)
  const deleteTag = getBoolean('delete-tag', false)
  const githubToken = getOptionalString('github-token')
  if (githubToken) registerSecret(githubToken)
  const needsToken = markRelease ? 'mark-release' : deleteTag ? 'delete-tag' : undefined
  if (needsToken && !githubToken)
    throw new InputError(
      'github-token',
      `is empty but \`${needsToken}\` is true`,
      'pass `github-token: ${{ github.token }}` and give the job `permissions: contents: write`'
    )
  if (needsToken && status === 'Published')
    throw new InputError(
      needsToken,
      'is true but `status` is published (a restore)',
      'leave it false when restoring a version'
    )
  if (status === 'Disposed') {
    // Disposing deletes the files for good: the step must name exactly what it destroys.
    const wanted = `${packageName}==${version}`
    const confirm = getString('confirm-dispose')
    if (confirm !== wanted)
      throw new InputError(
        'confirm-dispose',
        confirm ? `"${confirm}" does not name the version being disposed` : 'is empty but `status` is disposed',
        `set it to ${wanted} to delete that version's files for good (Archived keeps them and stops downloads)`
      )
  }
  return {
    credentials,
    packageName,
    version,
    versionSource,
    domain,
    domainOwner,
    repository,
    status,
    expectedStatus: expected ? capitalized(expected) : undefined,
    tag,
    markRelease,
    deleteTag,
    reason: getString('reason'),
    githubToken
  }
}
