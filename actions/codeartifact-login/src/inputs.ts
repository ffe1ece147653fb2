// Only light modules here: index.ts parses inputs before main.ts (toolkit, AWS SDK) loads.
import { type CodeArtifactInputs, getCodeArtifactInputs, getCredentialInputs } from '@release/shared/aws/inputs'
import type { CredentialOptions } from '@release/shared/aws/credentials'
import { getEnum, getEnumList, getString } from '@release/shared/inputs'

export const TOOLS = ['pip', 'uv', 'twine', 'poetry', 'pipenv'] as const
export type Tool = (typeof TOOLS)[number]

export const INDEX_MODES = ['replace', 'extra'] as const
export type IndexMode = (typeof INDEX_MODES)[number]

/** The index name uv and poetry see, and the stem of their variables: a valid variable-name part. */
export const INDEX_NAME_PATTERN = {
  regex: /^[a-z0-9]([a-z0-9_-]{0,62}[a-z0-9])?$/,
  accepted: 'lowercase letters, digits, - and _, e.g. codeartifact'
}

export interface Inputs {
  credentials: CredentialOptions
  repository: CodeArtifactInputs
  tools: Tool[]
  indexMode: IndexMode
  /** The source/index name uv and poetry see; also the stem of their (and pipenv's) variables. */
  indexName: string
}

export function getInputs(): Inputs {
  return {
    credentials: getCredentialInputs(),
    repository: getCodeArtifactInputs({ required: true }) as CodeArtifactInputs,
    tools: getEnumList('tools', TOOLS, ['pip', 'uv', 'twine']),
    indexMode: getEnum('index-mode', INDEX_MODES, 'replace'),
    indexName: getString('index-name', { default: 'codeartifact', pattern: INDEX_NAME_PATTERN })
  }
}
