// What a child process gets from us: an environment without the credentials, and a log in which
// nothing it prints is obeyed as a workflow command, nor any argument we echo for it.
import { childEnvironment, echoedCommand, fencedEcho, runCommand } from '../src/exec.ts'
import { registerSecret, resetSecretsForTests } from '../src/secrets.ts'
import { effectiveCommands, parseCommands } from '../../../test/harness/runner-protocol.ts'
import { captureStdout } from '../../../test/harness/stdout.ts'

const NODE = process.execPath

const written = captureStdout()
beforeEach(() => resetSecretsForTests())
afterEach(() => resetSecretsForTests())

describe('childEnvironment', () => {
  const inherited = {
    PATH: '/usr/bin',
    HOME: '/home/runner',
    PIP_INDEX_URL: 'https://pypi.internal/simple/',
    UV_CACHE_DIR: '/tmp/uv',
    GITHUB_WORKSPACE: '/work',
    AWS_REGION: 'us-east-1'
  }

  it.each([
    ['INPUT_PASSWORD', 'index password input'],
    ['INPUT_TOKEN', 'push token input'],
    ['INPUT_INDEX-PASSWORD', 'docker-build-auth index password'],
    ['INPUT_GITHUB-TOKEN', 'dispatch token'],
    ['STATE_private-dir', 'post-step state'],
    ['ACTIONS_ID_TOKEN_REQUEST_URL', 'OIDC endpoint'],
    ['ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'OIDC bearer'],
    ['ACTIONS_RUNTIME_TOKEN', 'cache and artifact token'],
    ['ACTIONS_RESULTS_URL', 'results service'],
    ['AWS_ACCESS_KEY_ID', 'AWS key'],
    ['AWS_SECRET_ACCESS_KEY', 'AWS secret'],
    ['AWS_SESSION_TOKEN', 'AWS session'],
    ['AWS_WEB_IDENTITY_TOKEN_FILE', 'web identity file'],
    ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'container credentials'],
    ['AWS_PROFILE', 'profile'],
    ['GITHUB_TOKEN', 'GitHub token'],
    ['GH_TOKEN', 'gh CLI token'],
    ['TWINE_PASSWORD', 'twine password'],
    ['UV_PUBLISH_TOKEN', 'uv publish token'],
    ['POETRY_PYPI_TOKEN_PYPI', 'poetry token'],
    ['POETRY_HTTP_BASIC_INTERNAL_PASSWORD', 'poetry basic auth'],
    ['CODEARTIFACT_AUTH_TOKEN', 'codeartifact-login hand-off token']
  ])('withholds %s (%s)', (name) => {
    const env = childEnvironment({}, { ...inherited, [name]: 'sensitive' })
    expect(env[name]).toBeUndefined()
    expect(env).toEqual(inherited)
  })

  it('withholds any variable whose value holds a registered secret, in whatever form', () => {
    registerSecret('s3cr3t/tok+en')
    const env = childEnvironment(
      {},
      {
        ...inherited,
        PIP_EXTRA_INDEX_URL: 'https://aws:s3cr3t%2Ftok%2Ben@example.d.codeartifact.us-east-1.amazonaws.com/simple/',
        SOME_HEADER: `Basic ${Buffer.from('s3cr3t/tok+en').toString('base64')}`
      }
    )
    expect(env).toEqual(inherited)
  })

  it('passes what the caller hands over by name, secrets included, and removes what it unsets', () => {
    registerSecret('upload-password')
    const env = childEnvironment(
      { TWINE_PASSWORD: 'upload-password', PIP_INDEX_URL: undefined },
      { ...inherited, INPUT_PASSWORD: 'upload-password' }
    )
    expect(env['TWINE_PASSWORD']).toBe('upload-password')
    expect(env['PIP_INDEX_URL']).toBeUndefined()
    expect(env['INPUT_PASSWORD']).toBeUndefined()
  })

  it('is what a real child sees', async () => {
    const saved = { ...process.env }
    try {
      Object.assign(process.env, {
        INPUT_PASSWORD: 'pw',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'bearer',
        AWS_SESSION_TOKEN: 'session',
        KEPT_FOR_CHILD: 'yes'
      })
      const result = await runCommand(NODE, ['-e', 'process.stdout.write(JSON.stringify(process.env))'], {
        silent: true,
        env: { HANDED_OVER: 'explicitly' }
      })
      const seen = JSON.parse(result.stdout) as Record<string, string>
      expect(seen).toMatchObject({ KEPT_FOR_CHILD: 'yes', HANDED_OVER: 'explicitly' })
      for (const name of ['INPUT_PASSWORD', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'AWS_SESSION_TOKEN'])
        expect(seen[name]).toBeUndefined()
    } finally {
      process.env = saved
    }
  })
})

describe('echoed argv', () => {
  it.each([
    [
      'a commit message with a command on its second line',
      ['commit', '-m', 'Bump\n::add-mask::x'],
      'commit -m Bump\\n::add-mask::x'
    ],
    ['a carriage return', ['tag', '-m', 'a\r::warning::b'], 'tag -m a\\r::warning::b'],
    ['a CRLF and blanks before the command', ['x', 'y\r\n   ::stop-commands::z'], 'x y\\r\\n   ::stop-commands::z']
  ])('shows %s on one line that starts no command', (_name, args, shown) => {
    const line = echoedCommand('/usr/bin/git', args)
    expect(line).toBe(`/usr/bin/git ${shown}`)
    expect(line).not.toMatch(/[\r\n]/)
    expect(parseCommands(`[command]${line}\n`)).toEqual([])
  })
})

describe("a child's output", () => {
  // What a hostile build backend or Dockerfile step would print.
  const HOSTILE = [
    '::add-mask::harmless-looking',
    '::stop-commands::my-own-token',
    '::error file=setup.py::forged annotation',
    '  ::warning::indented',
    '::set-output name=version::9.9.9'
  ].join('\n')

  it('is echoed inside a fence, so the runner obeys none of it, while our own commands around it still count', async () => {
    await runCommand(NODE, [
      '-e',
      `process.stdout.write(${JSON.stringify(HOSTILE + '\n')}); console.error('::debug::from stderr')`
    ])
    registerSecret('registered-after')
    const out = written.join('')
    expect(out).toContain('::error file=setup.py::forged annotation')
    // Only our own masks (the secret and its base64 form; its URL form is the same text).
    expect(effectiveCommands(out)).toEqual([
      { command: 'add-mask', properties: {}, data: 'registered-after' },
      { command: 'add-mask', properties: {}, data: Buffer.from('registered-after').toString('base64') }
    ])
  })

  it('keeps lines that arrive in pieces, a last line without newline, and characters split across chunks', () => {
    const out: string[] = []
    const fence = fencedEcho((text) => out.push(text))
    const euro = Buffer.from('€')
    fence.data(Buffer.from('::add-'))
    fence.data(Buffer.concat([Buffer.from('mask::x\nprice 5'), euro.subarray(0, 1)]))
    fence.data(Buffer.concat([euro.subarray(1), Buffer.from('\n::error::last line')]))
    fence.end()
    const text = out.join('')
    expect(effectiveCommands(text)).toEqual([])
    expect(
      text.split('\n').filter((line) => !line.startsWith('::stop-commands::') && !/^::[0-9a-f-]{36}::$/.test(line))
    ).toEqual(['::add-mask::x', 'price 5€', '::error::last line', ''])
  })

  it('uses a fresh random token for each stream, so output cannot guess it to end the fence', () => {
    const tokens = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const out: string[] = []
      const fence = fencedEcho((text) => out.push(text))
      fence.data(Buffer.from('x\n'))
      tokens.add(/::stop-commands::(.+)\n/.exec(out.join(''))?.[1] ?? '')
    }
    expect(tokens.size).toBe(20)
  })

  it('is not fenced when nothing is echoed (silent), and is captured unchanged', async () => {
    const result = await runCommand(NODE, ['-e', `process.stdout.write(${JSON.stringify(HOSTILE)})`], { silent: true })
    expect(written.join('')).toBe('')
    expect(result.stdout).toBe(HOSTILE)
  })
})

describe('echoed argv and the legacy command form', () => {
  it('defuses ##[ anywhere in an echoed argument', () => {
    const line = echoedCommand('/usr/bin/git', ['commit', '-m', 'Bump 1.2.4 ##[stop-commands]x'])
    expect(line).toBe('/usr/bin/git commit -m Bump 1.2.4 ##%5Bstop-commands]x')
    expect(parseCommands(`[command]${line}\n`)).toEqual([])
  })
})
