import { jest } from '@jest/globals'
import { resetSecretsForTests } from '@release/shared'
import { envNameStem, toolEnvironment } from '../src/tool-env.ts'

const access = {
  indexUrl: 'https://acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python-internal/simple/',
  registryUrl: 'https://acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python-internal/',
  username: 'aws',
  token: 'tok/en+1'
}
const authenticatedIndex =
  'https://aws:tok%2Fen%2B1@acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python-internal/simple/'

beforeEach(() => {
  resetSecretsForTests()
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(() => jest.restoreAllMocks())

describe('toolEnvironment', () => {
  it.each([
    ['pip', 'replace', { PIP_INDEX_URL: authenticatedIndex }],
    ['pip', 'extra', { PIP_EXTRA_INDEX_URL: authenticatedIndex }],
    [
      'uv',
      'replace',
      {
        UV_DEFAULT_INDEX: `codeartifact=${access.indexUrl}`,
        UV_INDEX_CODEARTIFACT_USERNAME: 'aws',
        UV_INDEX_CODEARTIFACT_PASSWORD: 'tok/en+1',
        UV_PUBLISH_URL: access.registryUrl,
        UV_PUBLISH_USERNAME: 'aws',
        UV_PUBLISH_PASSWORD: 'tok/en+1'
      }
    ],
    [
      'uv',
      'extra',
      {
        UV_INDEX: `codeartifact=${access.indexUrl}`,
        UV_INDEX_CODEARTIFACT_USERNAME: 'aws',
        UV_INDEX_CODEARTIFACT_PASSWORD: 'tok/en+1',
        UV_PUBLISH_URL: access.registryUrl,
        UV_PUBLISH_USERNAME: 'aws',
        UV_PUBLISH_PASSWORD: 'tok/en+1'
      }
    ],
    [
      'twine',
      'replace',
      { TWINE_REPOSITORY_URL: access.registryUrl, TWINE_USERNAME: 'aws', TWINE_PASSWORD: 'tok/en+1' }
    ],
    [
      'poetry',
      'extra',
      {
        POETRY_REPOSITORIES_CODEARTIFACT_URL: access.registryUrl,
        POETRY_HTTP_BASIC_CODEARTIFACT_USERNAME: 'aws',
        POETRY_HTTP_BASIC_CODEARTIFACT_PASSWORD: 'tok/en+1'
      }
    ],
    [
      'pipenv',
      'replace',
      // The token is URL-encoded inside the URL, so a Pipfile can use it whole.
      { PIPENV_CODEARTIFACT_URL: access.indexUrl.replace('https://', 'https://aws:tok%2Fen%2B1@') }
    ]
  ] as const)('%s in %s mode', (tool, mode, expected) => {
    expect(toolEnvironment([tool], access, mode, 'codeartifact')).toEqual(expected)
  })

  it('derives the credential variable names from the index name', () => {
    expect(envNameStem('private-py.index')).toBe('PRIVATE_PY_INDEX')
    expect(Object.keys(toolEnvironment(['uv', 'poetry', 'pipenv'], access, 'replace', 'corp-pypi'))).toEqual([
      'UV_DEFAULT_INDEX',
      'UV_INDEX_CORP_PYPI_USERNAME',
      'UV_INDEX_CORP_PYPI_PASSWORD',
      'UV_PUBLISH_URL',
      'UV_PUBLISH_USERNAME',
      'UV_PUBLISH_PASSWORD',
      'POETRY_REPOSITORIES_CORP_PYPI_URL',
      'POETRY_HTTP_BASIC_CORP_PYPI_USERNAME',
      'POETRY_HTTP_BASIC_CORP_PYPI_PASSWORD',
      'PIPENV_CORP_PYPI_URL'
    ])
  })
})
