import * as core from '@actions/core'
import {
  CODEARTIFACT_USERNAME,
  HANDOFF_ENV,
  getRepositoryAccess,
  resolveAwsSession,
  writeJobSummary
} from '@release/shared'
import { type Inputs, getInputs } from './inputs.ts'
import { toolEnvironment } from './tool-env.ts'

const DEPENDENCY_CONFUSION_WARNING =
  'index-mode is `extra`: pip and uv also consult PyPI, so a public package that takes the name of a private one can be installed instead (dependency confusion). Prefer `replace`: CodeArtifact already serves PyPI packages through its upstream.'

export async function run(inputs: Inputs = getInputs()): Promise<void> {
  const session = await core.group('AWS credentials', async () => {
    const resolved = await resolveAwsSession(inputs.credentials)
    core.info(resolved.source === 'oidc' ? `Assumed ${resolved.roleArn} with the GitHub OIDC token` : 'Using the credentials from the environment')
    return resolved
  })

  const access = await core.group('CodeArtifact token and endpoint', async () => {
    const result = await getRepositoryAccess(session, { ...inputs.repository, deadlineMs: inputs.credentials.deadlineMs })
    core.info(`Repository ${inputs.repository.domain}/${inputs.repository.repository} (owner ${result.domainOwner}) in ${session.region}`)
    core.info(`Index ${result.indexUrl}; token valid until ${result.expiration.toISOString()}`)
    return result
  })

  const env = await core.group('Configure tools', async () => {
    const variables = toolEnvironment(inputs.tools, { ...access, username: CODEARTIFACT_USERNAME }, inputs.indexMode, inputs.indexName)
    variables[HANDOFF_ENV.token] = access.token
    variables[HANDOFF_ENV.registryUrl] = access.registryUrl
    variables[HANDOFF_ENV.indexUrl] = access.indexUrl
    variables[HANDOFF_ENV.expiration] = access.expiration.toISOString()
    for (const [name, value] of Object.entries(variables)) core.exportVariable(name, value)
    core.info(`Configured ${inputs.tools.join(', ')} (index mode ${inputs.indexMode}): ${Object.keys(variables).join(', ')}`)
    if (inputs.indexMode === 'extra') core.warning(DEPENDENCY_CONFUSION_WARNING)
    return variables
  })

  core.setOutput('registry-url', access.registryUrl)
  core.setOutput('index-url', access.indexUrl)
  core.setOutput('domain-owner', access.domainOwner)
  core.setOutput('expiration', access.expiration.toISOString())
  core.setOutput('token', access.token)

  await writeJobSummary('CodeArtifact login', [
    {
      table: {
        header: ['', ''],
        rows: [
          ['Repository', `\`${inputs.repository.domain}/${inputs.repository.repository}\` (owner ${access.domainOwner}, ${session.region})`],
          ['Index URL', access.indexUrl],
          ['Upload URL', access.registryUrl],
          ['Token expires', access.expiration.toISOString()],
          ['Credentials', session.source === 'oidc' ? `GitHub OIDC -> \`${session.roleArn}\`` : 'from the environment'],
          ['Index mode', inputs.indexMode === 'replace' ? 'replace (the private index is the only index)' : 'extra (beside PyPI)']
        ]
      }
    },
    {
      heading: 'Configured for the rest of the job',
      table: {
        header: ['Tool', 'Variables'],
        rows: inputs.tools.map((tool) => [tool, Object.keys(env).filter((name) => name.startsWith(tool.toUpperCase())).map((n) => `\`${n}\``).join(', ')])
      }
    }
  ])
}
