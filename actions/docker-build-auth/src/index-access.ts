import type { AwsSession } from '@release/shared/aws/client-config'
import { CODEARTIFACT_USERNAME, getRepositoryAccess } from '@release/shared/aws/codeartifact'
import { HANDOFF_ENV, readHandoff } from '@release/shared/aws/handoff'
import { ActionError } from '@release/shared/errors'
import { authenticatedUrl } from '@release/shared/secrets'
import type { IndexSource } from './inputs.ts'

export interface IndexAccess {
  /** The simple index URL with the credentials in it: what the secret file holds. Masked. */
  url: string
  /** The same URL without credentials, for logs and the summary. */
  displayUrl: string
  /** Where the credentials came from, for logs and the summary. */
  source: string
  expiration?: Date
}

function withoutCredentials(url: string): string {
  const parsed = new URL(url)
  parsed.username = ''
  parsed.password = ''
  return parsed.toString()
}

export async function resolveIndexAccess(
  source: IndexSource,
  session: AwsSession | undefined,
  deadlineMs?: number
): Promise<IndexAccess> {
  switch (source.kind) {
    case 'codeartifact': {
      if (!session) throw new Error('CodeArtifact access needs an AWS session')
      const access = await getRepositoryAccess(session, { ...source.repository, deadlineMs })
      return {
        url: authenticatedUrl(access.indexUrl, CODEARTIFACT_USERNAME, access.token),
        displayUrl: access.indexUrl,
        source: `CodeArtifact ${source.repository.domain}/${source.repository.repository} (owner ${access.domainOwner})`,
        expiration: access.expiration
      }
    }
    case 'index-url': {
      const url =
        source.username && source.password
          ? authenticatedUrl(withoutCredentials(source.url), source.username, source.password)
          : source.url
      return { url, displayUrl: withoutCredentials(source.url), source: 'the `index-url` input' }
    }
    case 'environment': {
      const handoff = readHandoff()
      if (!handoff) {
        throw new ActionError(
          'No index credentials: `domain` and `index-url` are empty and no codeartifact-login step ran before this one.',
          {
            hint: `set \`domain\` and \`repository\` (CodeArtifact), or \`index-url\` (any PyPI-compatible index), or run codeartifact-login earlier in the job (it leaves ${HANDOFF_ENV.token} and ${HANDOFF_ENV.indexUrl})`
          }
        )
      }
      return {
        url: authenticatedUrl(handoff.indexUrl, CODEARTIFACT_USERNAME, handoff.token),
        displayUrl: handoff.indexUrl,
        source: `the codeartifact-login step earlier in this job (${HANDOFF_ENV.token})`,
        expiration: handoff.expiration
      }
    }
  }
}
