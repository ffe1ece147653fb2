import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, VENV_BIN, baseEnv, firstUnmaskedUse, runBundledAction } from '../../../test/harness/action-runner.ts'
import { run } from '../../../test/harness/process.ts'
import { type Stack, startStack } from '../../../test/stack/stack.ts'

// codeartifact-login's bundle, run as the runner runs it, against the local stack: GitHub
// OIDC fixture -> STS gate (trust policy) -> moto, the CodeArtifact fixture (SigV4 against
// moto's sessions) and pypiserver behind it. pip, uv, twine and poetry then use nothing but
// the variables the action exported.

const KNOWN_TOKEN = 'ca-token.KNOWN+secret/value=0123456789'
let stack: Stack
let dists: string

function loginInputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'aws-region': stack.region,
    'role-to-assume': stack.roleArn,
    domain: stack.domain,
    repository: stack.repository,
    tools: 'pip, uv, twine, poetry, pipenv',
    ...extra
  }
}

/**
 * Runs a tool with only the action's exported variables (and a clean HOME and caches).
 * Asynchronous on purpose: the stack's servers live in this process and must keep answering.
 */
async function runWithExportedEnv(command: string, args: string[], exported: Record<string, string>, cwd?: string) {
  const home = mkdtempSync(join(tmpdir(), 'tool-home-'))
  const env = {
    ...baseEnv(),
    HOME: home,
    PIP_CONFIG_FILE: '/dev/null',
    PIP_NO_CACHE_DIR: '1',
    UV_CACHE_DIR: join(home, 'uv-cache'),
    UV_NO_CONFIG: '1',
    POETRY_CACHE_DIR: join(home, 'poetry-cache'),
    POETRY_CONFIG_DIR: join(home, 'poetry-config'),
    PIPENV_CACHE_DIR: join(home, 'pipenv-cache'),
    // No update checks or downloads: the private index is the only network pipenv may use.
    VIRTUALENV_NO_PERIODIC_UPDATE: '1',
    VIRTUALENV_OVERRIDE_APP_DATA: join(home, 'virtualenv'),
    PIPENV_NOSPIN: '1',
    PIPENV_YES: '1',
    PIPENV_IGNORE_VIRTUALENVS: '1',
    ...exported
  }
  const result = await run(command, args, { env, cwd })
  const status = result.code
  const output = `${result.stdout}\n${result.stderr}`
  return { status, output, home }
}

beforeAll(async () => {
  stack = await startStack({ token: KNOWN_TOKEN })
  dists = mkdtempSync(join(tmpdir(), 'widgets-dist-'))
  execFileSync(
    join(VENV_BIN, 'python'),
    ['-m', 'build', '--no-isolation', '--outdir', dists, join(ROOT, 'examples', 'acme-widgets')],
    {
      stdio: 'pipe'
    }
  )
}, 120_000)
afterAll(() => stack?.stop())
afterEach(() => {
  stack.codeartifact.clearFaults()
  stack.codeartifact.denyOperations.clear()
  stack.stsGate.clearFaults()
})

describe('with GitHub OIDC (role-to-assume)', () => {
  let result: Awaited<ReturnType<typeof runBundledAction>>
  beforeAll(async () => {
    result = await runBundledAction('codeartifact-login', {
      inputs: loginInputs(),
      env: { ...stack.env, RUNNER_DEBUG: '1' }
    })
  }, 60_000)

  // twine uploads the sample once, with only the exported variables; the install tests share it.
  let upload: ReturnType<typeof runWithExportedEnv> | undefined
  function uploadSample(): ReturnType<typeof runWithExportedEnv> {
    upload ??= runWithExportedEnv(
      join(VENV_BIN, 'twine'),
      ['upload', '--non-interactive', ...readdirSync(dists).map((f) => join(dists, f))],
      result.exportedEnv
    )
    return upload
  }

  it('succeeds and sets the declared outputs', () => {
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.outputs).toEqual({
      'registry-url': stack.uploadUrl,
      'index-url': stack.indexUrl,
      'domain-owner': stack.domainOwner,
      expiration: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      token: KNOWN_TOKEN
    })
    // The OIDC path really ran: a token was requested and CodeArtifact saw the assumed role.
    expect(stack.oidc.requestCount).toBeGreaterThan(0)
    expect(stack.codeartifact.log.filter((entry) => entry.operation === 'GetAuthorizationToken').at(-1)).toMatchObject({
      signedOk: true,
      caller: expect.stringContaining(':assumed-role/gh-publish/GitHubActions'),
      query: expect.objectContaining({ duration: '43200', 'domain-owner': stack.domainOwner })
    })
  })

  it('exports the variables each tool reads', () => {
    const authenticatedIndex = new URL(stack.indexUrl)
    authenticatedIndex.username = 'aws'
    authenticatedIndex.password = encodeURIComponent(KNOWN_TOKEN)
    expect(result.exportedEnv).toMatchObject({
      PIP_INDEX_URL: authenticatedIndex.toString(),
      UV_DEFAULT_INDEX: `codeartifact=${stack.indexUrl}`,
      UV_INDEX_CODEARTIFACT_USERNAME: 'aws',
      UV_INDEX_CODEARTIFACT_PASSWORD: KNOWN_TOKEN,
      UV_PUBLISH_URL: stack.uploadUrl,
      TWINE_REPOSITORY_URL: stack.uploadUrl,
      TWINE_USERNAME: 'aws',
      TWINE_PASSWORD: KNOWN_TOKEN,
      POETRY_REPOSITORIES_CODEARTIFACT_URL: stack.uploadUrl,
      POETRY_HTTP_BASIC_CODEARTIFACT_USERNAME: 'aws',
      POETRY_HTTP_BASIC_CODEARTIFACT_PASSWORD: KNOWN_TOKEN,
      PIPENV_CODEARTIFACT_URL: authenticatedIndex.toString(),
      CODEARTIFACT_AUTH_TOKEN: KNOWN_TOKEN,
      CODEARTIFACT_INDEX_URL: stack.indexUrl
    })
    expect(result.exportedEnv).not.toHaveProperty('PIP_EXTRA_INDEX_URL')
  })

  it('writes a job summary with endpoint, expiry and tools, never the token', () => {
    expect(result.summary).toContain('## CodeArtifact login')
    expect(result.summary).toContain(stack.indexUrl)
    expect(result.summary).toContain(result.outputs['expiration'])
    expect(result.summary).toMatch(/\| poetry \| `POETRY_REPOSITORIES_CODEARTIFACT_URL`/)
    expect(result.summary).not.toContain(KNOWN_TOKEN)
    expect(result.summary).not.toContain(encodeURIComponent(KNOWN_TOKEN))
  })

  // The run has RUNNER_DEBUG=1, so anything that logs at debug level would print here too.
  it('masks the token before it is ever printed, even with debug logging on', () => {
    for (const form of [
      KNOWN_TOKEN,
      encodeURIComponent(KNOWN_TOKEN),
      result.exportedEnv['PIP_INDEX_URL'] as string,
      result.exportedEnv['PIPENV_CODEARTIFACT_URL'] as string
    ]) {
      const { maskedAt, firstPrintedAt } = firstUnmaskedUse(result.stdout, form)
      expect(maskedAt).toBeGreaterThanOrEqual(0)
      expect(firstPrintedAt).toBe(-1)
    }
    expect(result.stderr).not.toContain(KNOWN_TOKEN)
  })

  it('keeps the token out of undeclared outputs, state, argv and leftover files', () => {
    const outputsWithToken = Object.entries(result.outputs)
      .filter(([, value]) => value.includes(KNOWN_TOKEN))
      .map(([name]) => name)
    expect(outputsWithToken).toEqual(['token'])
    expect(result.files.state).not.toContain(KNOWN_TOKEN)
    // The whole login is SDK calls: no child process, so no argv to leak into.
    expect(result.spawned).toEqual([])
    expect(readdirSync(result.job.runnerTemp)).toEqual([])
  })

  it('lets twine upload, then pip, uv and poetry install, using only the exported variables', async () => {
    const upload = await uploadSample()
    expect(upload.output).not.toContain(KNOWN_TOKEN)
    expect(upload.status).toBe(0)

    const pipTarget = mkdtempSync(join(tmpdir(), 'pip-target-'))
    const pip = await runWithExportedEnv(
      join(VENV_BIN, 'python'),
      ['-m', 'pip', 'install', '--no-deps', '--target', pipTarget, 'acme-widgets==0.1.0'],
      result.exportedEnv
    )
    expect(pip.status).toBe(0)
    expect(readdirSync(pipTarget)).toContain('acme_widgets')

    const uvTarget = mkdtempSync(join(tmpdir(), 'uv-target-'))
    const uv = await runWithExportedEnv(
      join(VENV_BIN, 'uv'),
      ['pip', 'install', '--python', join(VENV_BIN, 'python'), '--target', uvTarget, 'acme-widgets==0.1.0'],
      result.exportedEnv
    )
    expect(uv.output).toMatch(/acme-widgets==0\.1\.0/)
    expect(uv.status).toBe(0)
    expect(readdirSync(uvTarget)).toContain('acme_widgets')

    const project = mkdtempSync(join(tmpdir(), 'poetry-project-'))
    writeFileSync(
      join(project, 'pyproject.toml'),
      [
        '[project]',
        'name = "consumer"',
        'version = "0.0.1"',
        'requires-python = ">=3.9"',
        'dependencies = ["acme-widgets==0.1.0"]',
        '',
        '[[tool.poetry.source]]',
        'name = "codeartifact"',
        `url = "${stack.indexUrl}"`,
        'priority = "primary"',
        '',
        '[tool.poetry]',
        'package-mode = false',
        ''
      ].join('\n')
    )
    const poetry = await runWithExportedEnv(
      join(VENV_BIN, 'poetry'),
      ['lock', '--no-interaction'],
      result.exportedEnv,
      project
    )
    expect(poetry.status).toBe(0)
    const lock = readFileSync(join(project, 'poetry.lock'), 'utf8')
    expect(lock).toMatch(/name = "acme-widgets"\nversion = "0\.1\.0"/)
    expect(lock).toContain(`url = "${stack.indexUrl.replace(/\/$/, '')}"\nreference = "codeartifact"`)
    expect(lock).not.toContain(KNOWN_TOKEN)
  }, 180_000)
  // pipenv expands `${VAR}` in a Pipfile source URL and keeps the unexpanded form in the lock. Two
  // Pipfiles: the whole URL from `tools: pipenv`'s variable, and the form of AWS's examples (and
  // the seed plans), the host spelled out and the always-exported CODEARTIFACT_AUTH_TOKEN as the
  // password (pipenv URL-encodes it; this token holds `/`, `+` and `=`). Each source is the only
  // one, and anything but loopback goes to a dead proxy: no PyPI to fall back on.
  it.each([
    ['PIPENV_CODEARTIFACT_URL', () => '${PIPENV_CODEARTIFACT_URL}'],
    ['CODEARTIFACT_AUTH_TOKEN', () => stack.indexUrl.replace('http://', 'http://aws:${CODEARTIFACT_AUTH_TOKEN}@')]
  ])(
    'lets pipenv lock and install from a Pipfile source URL that names %s',
    async (variable, sourceUrl) => {
      expect((await uploadSample()).status).toBe(0)
      const url = sourceUrl()
      const project = mkdtempSync(join(tmpdir(), 'pipenv-project-'))
      writeFileSync(
        join(project, 'Pipfile'),
        [
          '[[source]]',
          'name = "codeartifact"',
          `url = "${url}"`,
          'verify_ssl = true',
          '',
          '[packages]',
          'acme-widgets = "==0.1.0"',
          ''
        ].join('\n')
      )
      const offline = { HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1' }
      const pipenvArgs = ['install', '--python', join(VENV_BIN, 'python')]
      // Without the variable login exported the source is unusable: what follows works because of it.
      const { [variable]: exported, ...others } = result.exportedEnv
      expect(exported).toBeTruthy()
      const without = await runWithExportedEnv(
        join(VENV_BIN, 'pipenv'),
        pipenvArgs,
        { ...others, ...offline, PIPENV_VENV_IN_PROJECT: '1' },
        project
      )
      expect(without.status).not.toBe(0)
      rmSync(join(project, '.venv'), { recursive: true, force: true })
      rmSync(join(project, 'Pipfile.lock'), { force: true })

      const pipenv = await runWithExportedEnv(
        join(VENV_BIN, 'pipenv'),
        pipenvArgs,
        { ...result.exportedEnv, ...offline, PIPENV_VENV_IN_PROJECT: '1' },
        project
      )
      expect(pipenv.output).not.toContain(KNOWN_TOKEN)
      expect(pipenv.output).not.toContain(encodeURIComponent(KNOWN_TOKEN))
      expect(pipenv.status).toBe(0)
      const lockText = readFileSync(join(project, 'Pipfile.lock'), 'utf8')
      const lock = JSON.parse(lockText)
      expect(lock._meta.sources).toEqual([{ name: 'codeartifact', url, verify_ssl: true }])
      expect(lock.default['acme-widgets']).toMatchObject({ index: 'codeartifact', version: '==0.1.0' })
      // The hashes are those of the files twine uploaded to the stack's index.
      const uploaded = readdirSync(dists).map(
        (file) =>
          `sha256:${createHash('sha256')
            .update(readFileSync(join(dists, file)))
            .digest('hex')}`
      )
      expect([...lock.default['acme-widgets'].hashes].sort()).toEqual(uploaded.sort())
      expect(lockText).not.toContain(KNOWN_TOKEN)
      expect(lockText).not.toContain(encodeURIComponent(KNOWN_TOKEN))
      // Installed for real into the project's virtualenv, and importable from it.
      const imported = await runWithExportedEnv(
        join(project, '.venv', 'bin', 'python'),
        ['-c', 'import acme_widgets, importlib.metadata as m; print(m.version("acme-widgets"))'],
        {},
        project
      )
      expect(imported.output.trim()).toBe('0.1.0')
      expect(imported.status).toBe(0)
      // Nothing pipenv left holds the token: the project (virtualenv included), nor the caches and
      // virtualenv's app data in its HOME.
      const leaks = await run(
        'grep',
        ['-rlF', '-e', KNOWN_TOKEN, '-e', encodeURIComponent(KNOWN_TOKEN), project, pipenv.home],
        {}
      )
      expect(leaks.stderr).toBe('')
      expect(leaks.stdout).toBe('')
    },
    180_000
  )
})

describe('with ambient credentials (no role-to-assume)', () => {
  it('logs in with the session already in the environment and pip installs', async () => {
    const credentials = await stack.ambientCredentials()
    const before = stack.oidc.requestCount
    const result = await runBundledAction('codeartifact-login', {
      inputs: loginInputs({ 'role-to-assume': '', tools: 'pip', 'index-mode': 'extra' }),
      env: { ...stack.env, ...credentials }
    })
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(stack.oidc.requestCount).toBe(before)
    expect(result.outputs['domain-owner']).toBe(stack.domainOwner)
    expect(Object.keys(result.exportedEnv).filter((name) => !name.startsWith('CODEARTIFACT_'))).toEqual([
      'PIP_EXTRA_INDEX_URL'
    ])
    expect(result.warnings).toEqual([expect.stringContaining('dependency confusion')])
    const target = mkdtempSync(join(tmpdir(), 'pip-target-'))
    // Only the private index has the package; PyPI (unreachable here) is never needed for it.
    const pip = await runWithExportedEnv(
      join(VENV_BIN, 'python'),
      [
        '-m',
        'pip',
        'install',
        '--no-deps',
        '--no-index',
        '--find-links',
        dists,
        '--target',
        target,
        'acme-widgets==0.1.0'
      ],
      {}
    )
    expect(pip.status).toBe(0)
    const viaExtra = await runWithExportedEnv(
      join(VENV_BIN, 'python'),
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--index-url',
        stack.indexUrl.replace('/simple/', '/nonexistent/'),
        '-d',
        target,
        'acme-widgets==0.1.0'
      ],
      result.exportedEnv
    )
    expect(viaExtra.output).toMatch(/Saved .*acme_widgets-0\.1\.0/)
  }, 120_000)
})
