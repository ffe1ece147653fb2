import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { ROOT, VENV_BIN, baseEnv, runBundledAction } from '../../../test/harness/action-runner.ts'
import { run } from '../../../test/harness/process.ts'
import { startForwardProxy } from '../../../test/stack/forward-proxy.ts'
import type { AmbientCredentials } from '../../../test/stack/stack.ts'
import { type Stack, startStack } from '../../../test/stack/stack.ts'

// The developer CLI, dist/cli/index.js, run as a developer runs it: executed through its
// hashbang, with credentials only from ~/.aws (a static-key profile, an SSO profile whose
// portal is a stand-in), its output sourced by a real bash, and pip, uv and twine then working
// against the local stack with nothing but what was sourced.

const CLI = join(ROOT, 'actions', 'codeartifact-login', 'dist', 'cli', 'index.js')
const KNOWN_TOKEN = 'ca-token.KNOWN+secret/value=0123456789'
const SSO_ACCESS_TOKEN = 'sso-access-token-KNOWN-0123456789'
let stack: Stack
let credentials: AmbientCredentials
let sso: { server: Server; url: string; requests: Array<{ url: string; bearer?: string }> }
let dists: string

/** A home directory with ~/.aws/config (and credentials) as `aws configure` leaves them. */
function homeWith(config: string, credentialsFile = ''): string {
  const home = mkdtempSync(join(tmpdir(), 'dev-home-'))
  mkdirSync(join(home, '.aws'))
  writeFileSync(join(home, '.aws', 'config'), config)
  if (credentialsFile) writeFileSync(join(home, '.aws', 'credentials'), credentialsFile)
  return home
}

function staticProfileHome(): string {
  return homeWith(
    `[profile dev]\nregion = ${stack.region}\n`,
    `[dev]\naws_access_key_id = ${credentials.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${credentials.AWS_SECRET_ACCESS_KEY}\naws_session_token = ${credentials.AWS_SESSION_TOKEN}\n`
  )
}

/** The environment of a developer's shell: no AWS keys or region, the stack's endpoints. */
function shellEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { ...baseEnv(), ...stack.env, HOME: home, ...extra }
  // baseEnv keeps the test machine's ~/.aws out; here ~/.aws is the point.
  delete env['AWS_CONFIG_FILE']
  delete env['AWS_SHARED_CREDENTIALS_FILE']
  for (const key of Object.keys(env)) if (key.startsWith('ACTIONS_')) delete env[key]
  return env
}

/** The index URL with the token inside, as pip and pipenv get it. */
function authenticatedIndexUrl(): string {
  const url = new URL(stack.indexUrl)
  url.username = 'aws'
  url.password = encodeURIComponent(KNOWN_TOKEN)
  return url.toString()
}

function cli(args: string[], env: Record<string, string>, cwd?: string) {
  return run(CLI, args, { env, cwd })
}

/** Every file under `dir` whose bytes hold `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    if (readFileSync(path).includes(needle)) found.push(path)
  }
  return found
}

async function startSsoPortal(): Promise<typeof sso> {
  const requests: Array<{ url: string; bearer?: string }> = []
  // The AWS access portal's GetRoleCredentials (GET /federation/credentials), which the SDK's SSO
  // provider calls with the cached access token; it answers with the stack's session keys.
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const bearer = request.headers['x-amz-sso_bearer_token'] as string | undefined
    requests.push({ url: request.url ?? '', bearer })
    const url = new URL(request.url ?? '/', 'http://portal')
    if (url.pathname !== '/federation/credentials' || bearer !== SSO_ACCESS_TOKEN) {
      response.writeHead(401, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnauthorizedException' })
      response.end(JSON.stringify({ message: 'Session token not found or invalid' }))
      return
    }
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(
      JSON.stringify({
        roleCredentials: {
          accessKeyId: credentials.AWS_ACCESS_KEY_ID,
          secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY,
          sessionToken: credentials.AWS_SESSION_TOKEN,
          expiration: Date.now() + 3_600_000
        }
      })
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

/** A profile of `aws configure sso`, signed in (or not) with `aws sso login`. */
function ssoProfileHome(expiresAt: Date): string {
  const home = homeWith(
    [
      '[profile corp-dev]',
      'sso_session = corp',
      `sso_account_id = ${stack.domainOwner}`,
      'sso_role_name = Developer',
      `region = ${stack.region}`,
      '',
      '[sso-session corp]',
      'sso_start_url = https://corp.awsapps.com/start',
      `sso_region = ${stack.region}`,
      ''
    ].join('\n')
  )
  // `aws sso login` caches the access token under the sha1 of the session name.
  const cache = join(home, '.aws', 'sso', 'cache')
  mkdirSync(cache, { recursive: true })
  writeFileSync(
    join(cache, `${createHash('sha1').update('corp').digest('hex')}.json`),
    JSON.stringify({
      startUrl: 'https://corp.awsapps.com/start',
      region: stack.region,
      accessToken: SSO_ACCESS_TOKEN,
      expiresAt: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z')
    })
  )
  return home
}

beforeAll(async () => {
  stack = await startStack({ token: KNOWN_TOKEN })
  credentials = await stack.ambientCredentials()
  sso = await startSsoPortal()
  dists = mkdtempSync(join(tmpdir(), 'widgets-dist-'))
  execFileSync(
    join(VENV_BIN, 'python'),
    ['-m', 'build', '--no-isolation', '--outdir', dists, join(ROOT, 'examples', 'acme-widgets')],
    { stdio: 'pipe' }
  )
}, 120_000)
afterAll(async () => {
  sso?.server.close()
  await stack?.stop()
})

describe('with a profile of static keys', () => {
  let home: string
  let work: string
  let shell: Awaited<ReturnType<typeof run>>

  beforeAll(async () => {
    home = staticProfileHome()
    work = mkdtempSync(join(tmpdir(), 'dev-work-'))
    const venv = join(work, 'venv')
    // What the README tells a developer to type, then the tools with nothing else configured.
    const script = [
      'set -euo pipefail',
      'env | sort > before.env',
      `source <("$CLI" --domain ${stack.domain} --repository ${stack.repository} --profile dev)`,
      // What sourcing added: the exported variables (values here hold no line breaks).
      'env | sort | comm -13 before.env - > sourced.env',
      '"$VENV_BIN/twine" upload --non-interactive "$DISTS"/*',
      '"$VENV_BIN/python" -m venv --without-pip "$VENV"',
      'uv pip install --quiet --python "$VENV/bin/python" acme-widgets',
      '"$VENV/bin/python" -c "import acme_widgets; print(\'imported\', acme_widgets.__name__)"',
      '"$VENV_BIN/pip" download --quiet --no-deps --dest downloads acme-widgets',
      'ls downloads'
    ].join('\n')
    shell = await run('bash', ['-c', script], {
      cwd: work,
      env: shellEnv(home, {
        CLI,
        VENV_BIN,
        DISTS: dists,
        VENV: venv,
        PIP_CONFIG_FILE: '/dev/null',
        PIP_NO_CACHE_DIR: '1',
        UV_CACHE_DIR: join(work, 'uv-cache'),
        UV_NO_CONFIG: '1'
      })
    })
  }, 120_000)

  it('configures twine, uv and pip in the shell that sourced its output', () => {
    expect(shell.stderr).not.toMatch(/error/i)
    expect(shell.code).toBe(0)
    expect(shell.stdout).toContain('imported acme_widgets')
    expect(shell.stdout).toMatch(/acme_widgets-[\d.]+-py3-none-any\.whl/)
    // CodeArtifact saw the profile's session; the domain owner came from STS GetCallerIdentity.
    expect(stack.codeartifact.log.filter((entry) => entry.operation === 'GetAuthorizationToken').at(-1)).toMatchObject({
      signedOk: true,
      caller: expect.stringContaining(':assumed-role/gh-publish/'),
      query: expect.objectContaining({ duration: '43200', 'domain-owner': stack.domainOwner })
    })
  })

  it('exports the same variables as the action, for every tool', async () => {
    const sourced = Object.fromEntries(
      readFileSync(join(work, 'sourced.env'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
    )
    // The action itself, run as the runner runs it, with every tool: the same names and values.
    const action = await runBundledAction('codeartifact-login', {
      inputs: {
        'aws-region': stack.region,
        'role-to-assume': stack.roleArn,
        domain: stack.domain,
        repository: stack.repository,
        tools: 'pip, uv, twine, poetry, pipenv'
      },
      env: stack.env
    })
    expect(action.exitCode).toBe(0)
    const { CODEARTIFACT_TOKEN_EXPIRATION: expiration, ...actionVariables } = action.exportedEnv
    expect(expiration).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(sourced).toEqual({
      ...actionVariables,
      CODEARTIFACT_TOKEN_EXPIRATION: expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
    })
    expect(Object.keys(sourced)).toHaveLength(18)
    expect(sourced).toMatchObject({ PIP_INDEX_URL: authenticatedIndexUrl(), TWINE_PASSWORD: KNOWN_TOKEN })
  })

  it('leaves the token nowhere on disk but the file the test itself wrote', () => {
    expect(filesContaining(home, KNOWN_TOKEN)).toEqual([])
    expect(filesContaining(work, KNOWN_TOKEN)).toEqual([join(work, 'sourced.env')])
  })

  it('prints only shell commands on stdout, and a status line without the token on stderr', async () => {
    const result = await cli(
      [
        '--domain',
        stack.domain,
        '--repository',
        stack.repository,
        '--domain-owner',
        stack.domainOwner,
        '--tools',
        'pip'
      ],
      shellEnv(home, { AWS_PROFILE: 'dev' })
    )
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split('\n')).toEqual([
      `export PIP_INDEX_URL='${authenticatedIndexUrl()}'`,
      `export CODEARTIFACT_AUTH_TOKEN='${KNOWN_TOKEN}'`,
      `export CODEARTIFACT_REGISTRY_URL='${stack.uploadUrl}'`,
      `export CODEARTIFACT_INDEX_URL='${stack.indexUrl}'`,
      expect.stringMatching(/^export CODEARTIFACT_TOKEN_EXPIRATION='\d{4}-/)
    ])
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^CodeArtifact ${stack.domain}/${stack.repository} \\(owner ${stack.domainOwner}, ${stack.region}\\): pip configured .*valid until \\d{4}-`
        )
      )
    ])
    expect(result.stderr).not.toContain(KNOWN_TOKEN)
  })

  it("runs on the machine's own Node as well (Node 20 here; the tests' is 24)", async () => {
    // The first node on PATH outside node_modules: what a laptop without this repository has.
    const systemNode = (process.env['PATH'] ?? '')
      .split(delimiter)
      .filter((dir) => !dir.includes('node_modules'))
      .map((dir) => join(dir, 'node'))
      .find((path) => existsSync(path)) as string
    const version = execFileSync(systemNode, ['--version'], { encoding: 'utf8' }).trim()
    expect(Number(/^v(\d+)/.exec(version)?.[1])).toBeGreaterThanOrEqual(20)
    const result = await run(
      systemNode,
      [CLI, '--domain', stack.domain, '--repository', stack.repository, '--profile', 'dev', '--tools', 'twine'],
      { env: shellEnv(home) }
    )
    expect(result.stderr).not.toMatch(/error|warning/i)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`export TWINE_PASSWORD='${KNOWN_TOKEN}'`)
  })

  it('says how to source its output when stdout is a terminal (on stderr)', async () => {
    // util-linux `script` gives the CLI a pseudo-terminal as stdout; stderr goes to a file.
    const errors = join(work, 'tty-stderr.txt')
    const command = `"${CLI}" --domain ${stack.domain} --repository ${stack.repository} --profile dev --tools pip 2>"${errors}"`
    const result = await run('script', ['-qec', command, '/dev/null'], { env: shellEnv(home) })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('export PIP_INDEX_URL=')
    expect(result.stdout).not.toContain('shown, not run')
    expect(readFileSync(errors, 'utf8')).toContain('are shown, not run: use `source <(codeartifact-login ...)`')
    rmSync(errors)
  })

  it('writes the commands to a file of mode 0600 only when asked (--output)', async () => {
    const target = join(work, 'codeartifact.env')
    writeFileSync(target, 'old contents\n', { mode: 0o644 })
    const result = await cli(
      ['--domain', stack.domain, '--repository', stack.repository, '--profile', 'dev', '--output', target],
      shellEnv(home)
    )
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(`to ${target} (mode 0600)`)
    expect(statSync(target).mode & 0o777).toBe(0o600)
    expect(readFileSync(target, 'utf8')).toContain(`export TWINE_PASSWORD='${KNOWN_TOKEN}'`)
    // No partial file left beside it.
    expect(readdirSync(work).filter((name) => name.includes('partial'))).toEqual([])
  })
})

describe('with an SSO profile (aws configure sso, aws sso login)', () => {
  it('gets role credentials from the access portal with the cached SSO token', async () => {
    const home = ssoProfileHome(new Date(Date.now() + 3_600_000))
    const result = await cli(
      ['--domain', stack.domain, '--repository', stack.repository, '--profile', 'corp-dev', '--tools', 'uv'],
      shellEnv(home, { AWS_ENDPOINT_URL_SSO: sso.url })
    )
    expect(result.stderr).not.toMatch(/error/i)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`export UV_INDEX_CODEARTIFACT_PASSWORD='${KNOWN_TOKEN}'`)
    expect(sso.requests.at(-1)).toEqual({
      url: expect.stringMatching(/^\/federation\/credentials\?.*role_name=Developer/),
      bearer: SSO_ACCESS_TOKEN
    })
    expect(sso.requests.at(-1)?.url).toContain(`account_id=${stack.domainOwner}`)
  })

  it('sends the SSO, STS and CodeArtifact calls through HTTPS_PROXY / HTTP_PROXY', async () => {
    const proxy = await startForwardProxy()
    try {
      const home = ssoProfileHome(new Date(Date.now() + 3_600_000))
      const result = await cli(
        ['--domain', stack.domain, '--repository', stack.repository, '--profile', 'corp-dev', '--tools', 'pip'],
        shellEnv(home, { AWS_ENDPOINT_URL_SSO: sso.url, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url })
      )
      expect(result.stderr).not.toMatch(/error/i)
      expect(result.code).toBe(0)
      const carried = new Set(proxy.log.map((entry) => new URL(entry.target).origin))
      expect(carried).toEqual(
        new Set([
          sso.url,
          new URL(stack.env.AWS_ENDPOINT_URL_STS).origin,
          new URL(stack.env.AWS_ENDPOINT_URL_CODEARTIFACT).origin
        ])
      )
    } finally {
      await proxy.stop()
    }
  })

  it('says to run `aws sso login` when the SSO session has expired', async () => {
    const home = ssoProfileHome(new Date(Date.now() - 60_000))
    const before = sso.requests.length
    const result = await cli(
      ['--domain', stack.domain, '--repository', stack.repository, '--profile', 'corp-dev'],
      shellEnv(home, { AWS_ENDPOINT_URL_SSO: sso.url })
    )
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(
      /^codeartifact-login: error: No usable AWS credentials from profile corp-dev: .*Fix: .*`aws sso login --profile corp-dev`/
    )
    expect(sso.requests.length).toBe(before)
  })
})

describe('failures: one line on stderr naming the cause and the fix, nothing on stdout', () => {
  it.each([
    [['--domian', 'acme'], /command line: Unknown option '--domian'.* Fix: see --help/],
    [['--repository', 'python'], /--domain: is required Fix: pass --domain/],
    [
      ['--domain', 'Acme', '--repository', 'python'],
      /--domain: "Acme" is not valid Fix: expected a CodeArtifact domain name/
    ],
    [
      ['--domain', 'acme', '--repository', 'python', '--tools', 'pip,conda'],
      /--tools: "conda" is not valid Fix: expected one of pip, uv, twine, poetry, pipenv/
    ],
    [
      ['--domain', 'acme', '--repository', 'python', '--profile', 'nope'],
      /--profile: no profile "nope" .* Fix: use one of dev/
    ],
    [
      ['--domain', 'acme', '--repository', 'nope-repo', '--profile', 'dev'],
      /domain "acme" .* or repository "nope-repo" was not found in us-east-1.* Fix: check `--domain`, `--domain-owner`, `--repository` and `--region`/
    ]
  ])('%j', async (args, expected) => {
    const result = await cli(args, shellEnv(staticProfileHome()))
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trim().split('\n')
    expect(lines).toEqual([expect.stringMatching(/^codeartifact-login: error: /)])
    expect(lines[0]).toMatch(expected)
  })

  it('names the variable a bad value came from, not a flag the user never passed', async () => {
    const result = await cli(['--repository', 'python'], shellEnv(staticProfileHome(), { CODEARTIFACT_DOMAIN: 'Acme' }))
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toMatch(
      /^codeartifact-login: error: CODEARTIFACT_DOMAIN: "Acme" is not valid Fix: expected a CodeArtifact domain/
    )
  })

  it('names the missing credentials and how to sign in', async () => {
    const result = await cli(
      ['--domain', 'acme', '--repository', 'python', '--region', 'us-east-1'],
      shellEnv(homeWith(''))
    )
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^codeartifact-login: error: No usable AWS credentials from the default profile or the environment: .* Fix: sign in with `aws sso login`/
      )
    ])
  })

  it('takes the region from the credentials file when the config file names none, as the SDK does', async () => {
    const home = homeWith(
      '',
      `[dev]\naws_access_key_id = ${credentials.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${credentials.AWS_SECRET_ACCESS_KEY}\naws_session_token = ${credentials.AWS_SESSION_TOKEN}\nregion = ${stack.region}\n`
    )
    const result = await cli(
      ['--domain', stack.domain, '--repository', stack.repository, '--profile', 'dev'],
      shellEnv(home)
    )
    expect(result.stderr).not.toMatch(/error/i)
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`(owner ${stack.domainOwner}, ${stack.region})`)
  })

  it('names the missing region', async () => {
    const result = await cli(['--domain', 'acme', '--repository', 'python'], shellEnv(homeWith('')))
    expect(result.stderr.trim()).toMatch(
      /^codeartifact-login: error: --region: no region is set, and profile default names none Fix: pass --region/
    )
  })
})

describe('--unset and --help (no AWS calls)', () => {
  it('removes every variable a login set, in the shell that sources it', async () => {
    const script = [
      'set -euo pipefail',
      `source <("$CLI" --domain ${stack.domain} --repository ${stack.repository} --profile dev)`,
      'test -n "$TWINE_PASSWORD"',
      'source <("$CLI" --unset)',
      'env | grep -E "^(PIP|UV|TWINE|POETRY|PIPENV|CODEARTIFACT)_" || echo none left'
    ].join('\n')
    const result = await run('bash', ['-c', script], { env: shellEnv(staticProfileHome(), { CLI }) })
    expect(result.code).toBe(0)
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^CodeArtifact acme\//)])
    expect(result.stdout.trim()).toBe('none left')
  })

  it('prints its usage on stderr, so that sourcing --help runs nothing', async () => {
    const result = await cli(['--help'], shellEnv(homeWith('')))
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('source <(codeartifact-login --domain')
  })
})
