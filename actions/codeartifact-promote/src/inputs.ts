// Only light modules here: index.ts parses inputs before main.ts (toolkit, AWS SDK) loads.
import { getCredentialInputs } from '@release/shared/aws/inputs'
import type { CredentialOptions } from '@release/shared/aws/credentials'
import { AWS_NAME_PATTERNS } from '@release/shared/aws/names'
import { InputError } from '@release/shared/errors'
import { getReleasedVersion } from '@release/shared/released-version'
import { getEnum, getInteger, getOptionalString, getString } from '@release/shared/inputs'

export const VERIFY_MODES = ['install', 'index', 'none'] as const
export type VerifyMode = (typeof VERIFY_MODES)[number]

export interface RepositoryInputs {
  domain: string
  /** Undefined: the caller's account. */
  domainOwner?: string
  repository: string
}

export interface Inputs {
  credentials: CredentialOptions
  /** As given (CodeArtifact normalizes pypi names itself). */
  packageName: string
  version: string
  /** Where the version came from, for log lines. */
  versionSource: string
  source: RepositoryInputs
  destination: RepositoryInputs
  /** Another domain than the source's: assets are downloaded and uploaded, not copied. */
  crossDomain: boolean
  verify: VerifyMode
  /** Interpreter for twine and the install check; undefined: python, else python3, from PATH. */
  python?: string
  durationSeconds: number
}

// PEP 508 names: letters, digits, and . _ - inside.
const PACKAGE_NAME = {
  regex: /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/,
  accepted: 'a Python distribution name such as acme-widgets'
}

export function getInputs(): Inputs {
  const credentials = getCredentialInputs()
  const domain = getString('domain', { required: true, pattern: AWS_NAME_PATTERNS.codeartifactDomain })
  const domainOwner = getOptionalString('domain-owner', { pattern: AWS_NAME_PATTERNS.accountId })
  const destinationDomain = getString('destination-domain', { pattern: AWS_NAME_PATTERNS.codeartifactDomain }) || domain
  const destinationOwner = getOptionalString('destination-domain-owner', { pattern: AWS_NAME_PATTERNS.accountId })
  const source = {
    domain,
    domainOwner,
    repository: getString('source-repository', { required: true, pattern: AWS_NAME_PATTERNS.codeartifactRepository })
  }
  const destination = {
    domain: destinationDomain,
    domainOwner: destinationOwner ?? domainOwner,
    repository: getString('destination-repository', {
      required: true,
      pattern: AWS_NAME_PATTERNS.codeartifactRepository
    })
  }
  const crossDomain = destination.domain !== source.domain || destination.domainOwner !== source.domainOwner
  if (!crossDomain && destination.repository === source.repository)
    throw new InputError(
      'destination-repository',
      `"${destination.repository}" is the source repository`,
      'name the repository to promote to (e.g. the production one), or set `destination-domain`'
    )
  const { version, versionSource } = getReleasedVersion()
  return {
    credentials,
    packageName: getString('package', { required: true, pattern: PACKAGE_NAME }),
    version,
    versionSource,
    source,
    destination,
    crossDomain,
    verify: getEnum('verify', VERIFY_MODES, 'install'),
    python: getOptionalString('python'),
    durationSeconds: getInteger('duration-seconds', { default: 900, min: 900, max: 43200, also: [0] })
  }
}
