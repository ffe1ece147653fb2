import { CODEARTIFACT_USERNAME, getRepositoryAccess } from '@release/shared/aws/codeartifact'
import { resolveAwsSessionInGroup } from '@release/shared/aws/credentials'
import { writeJobSummary } from '@release/shared/summary'
import * as workflow from '@release/shared/workflow-commands'
import type { Inputs } from './inputs.ts'
import { loginVariables } from './tool-env.ts'

const DEPENDENCY_CONFUSION_WARNING =
  'index-mode is `extra`: pip and uv also consult PyPI, so a public package that takes the name of a private one can be installed instead (dependency confusion). Prefer `replace`: CodeArtifact already serves PyPI packages through its upstream.'

export async function run(inputs: Inputs): Promise<void> {
  const session = await resolveAwsSessionInGroup(inputs.credentials)

  const access = await workflow.group('CodeArtifact token and endpoint', async () => {
    const result = await getRepositoryAccess(session, {
      ...inputs.repository,
      deadlineMs: inputs.credentials.deadlineMs
    })
    workflow.info(
      `Repository ${inputs.repository.domain}/${inputs.repository.repository} (owner ${result.domainOwner}) in ${session.region}`
    )
    workflow.info(`Index ${result.indexUrl}; token valid until ${result.expiration.toISOString()}`)
    return result
  })

  const env = await workflow.group('Configure tools', async () => {
    const variables = loginVariables(
      inputs.tools,
      { ...access, username: CODEARTIFACT_USERNAME },
      inputs.indexMode,
      inputs.indexName
    )
    for (const [name, value] of Object.entries(variables)) workflow.exportVariable(name, value)
    workflow.info(
      `Configured ${inputs.tools.join(', ')} (index mode ${inputs.indexMode}): ${Object.keys(variables).join(', ')}`
    )
    if (inputs.indexMode === 'extra') workflow.warning(DEPENDENCY_CONFUSION_WARNING)
    return variables
  })

  workflow.setOutput('registry-url', access.registryUrl)
  workflow.setOutput('index-url', access.indexUrl)
  workflow.setOutput('domain-owner', access.domainOwner)
  workflow.setOutput('expiration', access.expiration.toISOString())
  workflow.setOutput('token', access.token)

  await writeJobSummary('CodeArtifact login', [
    {
      table: {
        header: ['', ''],
        rows: [
          [
            'Repository',
            `\`${inputs.repository.domain}/${inputs.repository.repository}\` (owner ${access.domainOwner}, ${session.region})`
          ],
          ['Index URL', access.indexUrl],
          ['Upload URL', access.registryUrl],
          ['Token expires', access.expiration.toISOString()],
          ['Credentials', session.source === 'oidc' ? `GitHub OIDC -> \`${session.roleArn}\`` : 'from the environment'],
          [
            'Index mode',
            inputs.indexMode === 'replace' ? 'replace (the private index is the only index)' : 'extra (beside PyPI)'
          ]
        ]
      }
    },
    {
      heading: 'Configured for the rest of the job',
      table: {
        header: ['Tool', 'Variables'],
        rows: inputs.tools.map((tool) => [
          tool,
          Object.keys(env)
            .filter((name) => name.startsWith(tool.toUpperCase()))
            .map((n) => `\`${n}\``)
            .join(', ')
        ])
      }
    }
  ])
}
