import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type ActionRunResult, commandLines, runBundledAction } from '../../../test/harness/action-runner.ts'
import { RUNNER_CREDENTIALS, credentialsIn } from '../../../test/harness/child-env.ts'
import { type Stack, startStack } from '../../../test/stack/stack.ts'
import { makeWheelhouse } from '../../../test/stack/wheelhouse.ts'
import { WORKSPACE_ENV, copyProject, expectSuccess, leaks, removeTempDirs, setVersion, tempDir } from './helpers.ts'

// The build backend is third-party code: here one that records the environment it runs in,
// tries to mint a GitHub OIDC token (which would let it assume the publishing role) and prints
// workflow commands. It must find no credential, and nothing it prints may be obeyed.

const PASSWORD = 'index-password-KNOWN-untrusted/42+x'
let stack: Stack
let wheelhouse: string

const SPY_BACKEND = `
import json, os, sys, urllib.request
from hatchling.build import *  # the real backend does the work

def _spy():
    attempt = 'no endpoint in the environment'
    url = os.environ.get('ACTIONS_ID_TOKEN_REQUEST_URL')
    if url:
        request = urllib.request.Request(url + '&audience=sts.amazonaws.com',
                                         headers={'Authorization': 'bearer ' + os.environ.get('ACTIONS_ID_TOKEN_REQUEST_TOKEN', '')})
        try:
            urllib.request.urlopen(request, timeout=5).read()
            attempt = 'minted an OIDC token'
        except Exception as error:
            attempt = 'refused: %s' % error
    with open(os.environ['SPY_RECORD'], 'a') as record:
        record.write(json.dumps({'env': dict(os.environ), 'oidc': attempt}) + '\\n')
    print('::warning::printed by the build backend')
    print('::add-mask::backend-mask')
    print('::stop-commands::backend-token')
    sys.stdout.flush()

_spy()
`

async function spyProject(version: string): Promise<string> {
  const project = await copyProject('hatchling')
  await setVersion(project, version, 'acme-spied')
  const pyproject = await readFile(join(project, 'pyproject.toml'), 'utf8')
  await writeFile(
    join(project, 'pyproject.toml'),
    pyproject.replace('build-backend = "hatchling.build"', 'build-backend = "spy_backend"\nbackend-path = ["_spy"]')
  )
  await mkdir(join(project, '_spy'))
  await writeFile(join(project, '_spy', 'spy_backend.py'), SPY_BACKEND)
  return project
}

beforeAll(async () => {
  wheelhouse = join(await tempDir('untrusted-wheelhouse'), 'wheels')
  ;[stack] = await Promise.all([startStack({ token: PASSWORD }), makeWheelhouse(wheelhouse, ['hatchling'])])
}, 180_000)
afterAll(async () => {
  await stack?.stop()
  await removeTempDirs()
})

describe('a build backend that spies', () => {
  let result: ActionRunResult
  let records: Array<{ env: Record<string, string>; oidc: string }>

  beforeAll(async () => {
    const project = await spyProject('3.1.0')
    const record = join(await tempDir('spy-record'), 'seen.jsonl')
    result = await runBundledAction('publish-python', {
      inputs: {
        'working-directory': project,
        'repository-url': stack.uploadUrl,
        username: 'aws',
        password: PASSWORD,
        'build-isolation': 'true',
        verify: 'install'
      },
      env: {
        ...stack.env,
        ...WORKSPACE_ENV,
        ...RUNNER_CREDENTIALS,
        GITHUB_REF: 'refs/tags/v3.1.0',
        SPY_RECORD: record,
        UV_FIND_LINKS: wheelhouse,
        UV_OFFLINE: '1'
      }
    })
    records = (await readFile(record, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { env: Record<string, string>; oidc: string })
  }, 180_000)

  it('publishes as usual', () => {
    expectSuccess(result)
    expect(JSON.parse(result.outputs['files'] as string).map((file: { name: string }) => file.name)).toEqual([
      'acme_spied-3.1.0-py3-none-any.whl',
      'acme_spied-3.1.0.tar.gz'
    ])
  })

  it('ran the backend with no credential in its environment, so it could not mint an OIDC token', () => {
    expect(records.length).toBeGreaterThan(0)
    for (const { env, oidc } of records) {
      expect(credentialsIn(env, [PASSWORD, ...Object.values(RUNNER_CREDENTIALS)])).toEqual([])
      expect(oidc).toBe('no endpoint in the environment')
      // Settings the job gave its tools still reach them.
      expect(env['UV_FIND_LINKS']).toBe(wheelhouse)
    }
    expect(stack.oidc.requestCount).toBe(0)
  })

  it('obeyed none of the workflow commands the backend printed', () => {
    expect(result.warnings).not.toContain('printed by the build backend')
    expect(commandLines(result.stdout, 'add-mask')).not.toContain('backend-mask')
    expect(result.errors).toEqual([])
  })

  it('gave the password to the uploader and the verifying installer only, and no child the runner credentials', () => {
    const shown = ({ argv }: { argv: string[] }) => argv.map((arg) => arg.split('/').pop()).join(' ')
    const withPassword = result.spawnedEnvs.filter(({ env }) => credentialsIn(env, [PASSWORD]).length > 0).map(shown)
    // twine upload (TWINE_PASSWORD) and the verify step's install (the index URL it reads).
    expect(withPassword.length).toBeGreaterThan(0)
    for (const command of withPassword)
      expect(command).toMatch(
        /^(python -m twine --no-color upload |python -m pip --python python install |uv pip install --python \S+ --no-cache )/
      )
    for (const child of result.spawnedEnvs) {
      const allowed = shown(child).startsWith('python -m twine --no-color upload ') ? ['TWINE_PASSWORD'] : []
      expect({
        command: shown(child),
        found: credentialsIn(child.env, Object.values(RUNNER_CREDENTIALS), allowed)
      }).toEqual({
        command: shown(child),
        found: []
      })
    }
    expect(leaks(result, PASSWORD)).toEqual([])
  })
})
