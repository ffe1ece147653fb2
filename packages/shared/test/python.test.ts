import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compareDistFiles, normalizeProjectName, parseDistFilename } from '../src/python/dist-files.ts'
import { sha256File } from '../src/python/sha256.ts'
import {
  IndexHttpError,
  listProjectFiles,
  parseSimpleHtml,
  parseSimpleJson,
  projectPageUrl,
  fileSha256
} from '../src/python/simple-index.ts'
import { jwtClaims } from '../src/github-oidc.ts'
import { foreignWorkflowRepository, mintTrustedPublishingToken } from '../src/python/trusted-publishing.ts'
import { topLevelModules, wheelImportNames, zipEntryNames } from '../src/python/wheel-contents.ts'
import { requiredProjects } from '../src/python/core-metadata.ts'
import { containsSecret, resetSecretsForTests } from '../src/secrets.ts'

// The zip is written with the standard library only, so any python3 does (no .venv in the fast tier).
const PYTHON = 'python3'

describe('parseDistFilename', () => {
  it.each([
    ['acme_widgets-1.2.0-py3-none-any.whl', { project: 'acme-widgets', version: '1.2.0', kind: 'wheel' }],
    [
      'acme_widgets-1.2.0-1-cp311-cp311-manylinux_2_17_x86_64.whl',
      { project: 'acme-widgets', version: '1.2.0', kind: 'wheel' }
    ],
    ['Acme.Widgets-1.2.0rc1.tar.gz', { project: 'acme-widgets', version: '1.2.0rc1', kind: 'sdist' }],
    ['acme-widgets-1.2.0.tar.gz', { project: 'acme-widgets', version: '1.2.0', kind: 'sdist' }],
    ['acme_widgets-1.2.0+local.1.zip', { project: 'acme-widgets', version: '1.2.0+local.1', kind: 'sdist' }],
    [
      'acme_widgets-1.2.0.dev3+g1a2b3c-py3-none-any.whl',
      { project: 'acme-widgets', version: '1.2.0.dev3+g1a2b3c', kind: 'wheel' }
    ]
  ])('%s', (file, expected) => {
    expect(parseDistFilename(file)).toEqual({ file, ...expected })
  })

  it.each(['README.md', 'acme-1.0.tar.bz2', 'x.whl', 'a-b.whl', '-1.0.tar.gz', 'acme-.tar.gz'])(
    'ignores %s',
    (file) => {
      expect(parseDistFilename(file)).toBeUndefined()
    }
  )

  it('normalizes project names per PEP 503', () => {
    expect(normalizeProjectName('Acme__Widgets.-Core')).toBe('acme-widgets-core')
  })

  it('orders wheels before the sdist of the same project', () => {
    const files = ['a-1.0.tar.gz', 'a-1.0-py3-none-any.whl', 'a-1.0-cp311-cp311-linux_x86_64.whl'].map((f) =>
      parseDistFilename(f)!
    )
    expect(files.sort(compareDistFiles).map((f) => f.file)).toEqual([
      'a-1.0-cp311-cp311-linux_x86_64.whl',
      'a-1.0-py3-none-any.whl',
      'a-1.0.tar.gz'
    ])
  })
})

describe('simple API parsing', () => {
  const page = 'http://index.test/simple/acme-widgets/'

  it('reads PEP 503 HTML: anchor text, resolved URL and the sha256 fragment', () => {
    const html = `<!DOCTYPE html><html><body>
      <a href="../../packages/acme_widgets-1.0-py3-none-any.whl#sha256=ABCDEF" data-requires-python="&gt;=3.9">acme_widgets-1.0-py3-none-any.whl</a><br>
      <a href='https://files.example/acme_widgets-1.0.tar.gz?x=1&amp;y=2#md5=123'>acme_widgets-1.0.tar.gz</a>
      <a href=/pkg/acme_widgets-0.9.zip>  </a>
    </body></html>`
    expect(parseSimpleHtml(html, page)).toEqual([
      {
        filename: 'acme_widgets-1.0-py3-none-any.whl',
        url: 'http://index.test/packages/acme_widgets-1.0-py3-none-any.whl',
        sha256: 'abcdef'
      },
      { filename: 'acme_widgets-1.0.tar.gz', url: 'https://files.example/acme_widgets-1.0.tar.gz?x=1&y=2' },
      { filename: 'acme_widgets-0.9.zip', url: 'http://index.test/pkg/acme_widgets-0.9.zip' }
    ])
  })

  it('honours <base href>', () => {
    expect(
      parseSimpleHtml('<base href="https://cdn.test/files/"><a href="a-1.0.tar.gz">a-1.0.tar.gz</a>', page)[0]?.url
    ).toBe('https://cdn.test/files/a-1.0.tar.gz')
  })

  it('reads PEP 691 JSON', () => {
    expect(
      parseSimpleJson(
        {
          files: [
            { filename: 'a-1.0.tar.gz', url: '../../files/a-1.0.tar.gz', hashes: { sha256: 'FF00' } },
            { filename: 'a-1.0-py3-none-any.whl', url: 'https://x.test/w.whl', hashes: {} }
          ]
        },
        page
      )
    ).toEqual([
      { filename: 'a-1.0.tar.gz', url: 'http://index.test/files/a-1.0.tar.gz', sha256: 'ff00' },
      { filename: 'a-1.0-py3-none-any.whl', url: 'https://x.test/w.whl' }
    ])
  })

  it('puts the normalized project name under the index URL', () => {
    expect(projectPageUrl('http://i.test/pypi/repo/simple', 'Acme_Widgets')).toBe(
      'http://i.test/pypi/repo/simple/acme-widgets/'
    )
  })
})

describe('listProjectFiles against a loopback index', () => {
  let server: Server
  let base: string
  let other: Server
  let otherBase: string
  const seen: Array<{ url: string; auth?: string; accept?: string }> = []
  let failuresLeft = 0
  const otherSeen: Array<{ auth?: string }> = []

  function handler(req: IncomingMessage, res: ServerResponse): void {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization, accept: req.headers.accept })
    if (failuresLeft > 0) {
      failuresLeft--
      res.writeHead(503, { 'retry-after': '0' }).end()
      return
    }
    switch (req.url) {
      case '/simple/json-project/':
        res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' })
        res.end(
          JSON.stringify({
            meta: { 'api-version': '1.0' },
            name: 'json-project',
            files: [
              { filename: 'json_project-1.0.tar.gz', url: '/f/json_project-1.0.tar.gz', hashes: { sha256: 'aa' } }
            ]
          })
        )
        return
      case '/simple/html-project/':
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<a href="/f/html_project-1.0.tar.gz">html_project-1.0.tar.gz</a>')
        return
      case '/simple/moved/':
        res.writeHead(301, { location: '/simple/html-project/' }).end()
        return
      case '/simple/elsewhere/':
        res.writeHead(303, { location: `${otherBase}/simple/elsewhere/` }).end()
        return
      case '/simple/forbidden/':
        res.writeHead(403).end()
        return
      case '/f/html_project-1.0.tar.gz':
        res.writeHead(200).end('file body')
        return
      default:
        res.writeHead(404).end()
    }
  }

  beforeAll(async () => {
    server = createServer(handler)
    other = createServer((req, res) => {
      otherSeen.push({ auth: req.headers.authorization })
      res.writeHead(200, { 'content-type': 'text/html' }).end('<a href="x-1.0.tar.gz">x-1.0.tar.gz</a>')
    })
    await Promise.all([
      new Promise<void>((r) => server.listen(0, '127.0.0.1', r)),
      new Promise<void>((r) => other.listen(0, '127.0.0.1', r))
    ])
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    otherBase = `http://127.0.0.1:${(other.address() as { port: number }).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    other.closeAllConnections()
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => other.close(r))])
  })
  beforeEach(() => {
    seen.length = 0
    otherSeen.length = 0
    failuresLeft = 0
    resetSecretsForTests()
  })

  const credentials = { username: 'aws', password: 'index-secret' }

  it('negotiates JSON and sends basic auth to the index', async () => {
    expect(await listProjectFiles(`${base}/simple/`, 'JSON_Project', { credentials })).toEqual([
      { filename: 'json_project-1.0.tar.gz', url: `${base}/f/json_project-1.0.tar.gz`, sha256: 'aa' }
    ])
    expect(seen[0]?.accept).toContain('application/vnd.pypi.simple.v1+json')
    expect(seen[0]?.auth).toBe(`Basic ${Buffer.from('aws:index-secret').toString('base64')}`)
    // The header's base64 is masked like any other form of the secret.
    expect(containsSecret(Buffer.from('aws:index-secret').toString('base64'))).toBe(true)
  })

  it('follows same-origin redirects and reads HTML', async () => {
    expect((await listProjectFiles(`${base}/simple/`, 'moved', { credentials }))?.map((f) => f.filename)).toEqual([
      'html_project-1.0.tar.gz'
    ])
    expect(seen.map((s) => s.auth !== undefined)).toEqual([true, true])
  })

  it('treats a redirect to another host as "not on this index" and never sends it the credentials', async () => {
    expect(await listProjectFiles(`${base}/simple/`, 'elsewhere', { credentials })).toBeUndefined()
    expect(otherSeen).toEqual([])
  })

  it('answers undefined for an unknown project', async () => {
    expect(await listProjectFiles(`${base}/simple/`, 'nothing-here')).toBeUndefined()
  })

  it('retries 5xx up to the deadline', async () => {
    failuresLeft = 2
    expect(await listProjectFiles(`${base}/simple/`, 'html-project', { deadlineMs: 10_000 })).toHaveLength(1)
    expect(seen).toHaveLength(3)
  })

  it('does not retry with attempts: 1', async () => {
    failuresLeft = 1
    await expect(listProjectFiles(`${base}/simple/`, 'html-project', { attempts: 1 })).rejects.toBeInstanceOf(
      IndexHttpError
    )
  })

  it('explains a refusal with the fix', async () => {
    await expect(listProjectFiles(`${base}/simple/`, 'forbidden', { credentials })).rejects.toMatchObject({
      message: expect.stringContaining('HTTP 403'),
      hint: expect.stringContaining('credentials were rejected')
    })
  })

  it('hashes a listed file by downloading it', async () => {
    const [file] = (await listProjectFiles(`${base}/simple/`, 'html-project')) ?? []
    const digest = await fileSha256(file!, `${base}/simple/`)
    expect(digest).toBe(createHash('sha256').update('file body').digest('hex'))
  })
})

describe('trusted publishing exchange', () => {
  let server: Server
  let base: string
  let mintAnswer: { status: number; body: unknown }
  let workflowRef = 'acme/widgets/.github/workflows/release.yml@refs/tags/v1'
  const requests: string[] = []

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`)
      const send = (status: number, body: unknown): void =>
        void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      if (req.url === '/_/oidc/audience') return send(200, { audience: 'testpypi' })
      if (req.url?.startsWith('/token')) {
        if (req.headers.authorization !== 'Bearer request-token') return send(401, {})
        const aud = new URL(req.url, base).searchParams.get('audience')
        const payload = Buffer.from(
          JSON.stringify({
            aud,
            repository: 'acme/widgets',
            job_workflow_ref: workflowRef
          })
        ).toString('base64url')
        return send(200, { value: `e30.${payload}.sig` })
      }
      if (req.url === '/_/oidc/mint-token') return send(mintAnswer.status, mintAnswer.body)
      send(404, {})
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  const saved = { ...process.env }
  beforeEach(() => {
    process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = `${base}/token?api-version=2.0`
    process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = 'request-token'
  })
  afterEach(() => {
    process.env = { ...saved }
  })

  it('asks for the audience, gets a GitHub token for it and mints an upload token (masked)', async () => {
    resetSecretsForTests()
    requests.length = 0
    mintAnswer = { status: 200, body: { success: true, token: 'pypi-minted', expires: 123 } }
    const minted = await mintTrustedPublishingToken(`${base}/legacy/`)
    expect(minted.token).toBe('pypi-minted')
    expect(minted.claims['aud']).toBe('testpypi')
    expect(requests).toEqual([
      'GET /_/oidc/audience',
      'GET /token?api-version=2.0&audience=testpypi',
      'POST /_/oidc/mint-token'
    ])
    expect(containsSecret('pypi-minted')).toBe(true)
  })

  it("reports the index's reasons and the claims that must match", async () => {
    mintAnswer = {
      status: 422,
      body: {
        message: 'Token request failed',
        errors: [{ code: 'invalid-publisher', description: 'no corresponding publisher' }]
      }
    }
    await expect(mintTrustedPublishingToken(`${base}/legacy/`)).rejects.toMatchObject({
      message: 'The index refused the trusted publishing exchange: invalid-publisher: no corresponding publisher.',
      hint: expect.stringContaining(
        'repository "acme/widgets", job_workflow_ref "acme/widgets/.github/workflows/release.yml@refs/tags/v1"'
      )
    })
  })

  it('refuses, before minting, a job of a reusable workflow from another repository', async () => {
    requests.length = 0
    workflowRef = 'pyrelease/actions/.github/workflows/publish-on-tag.yml@refs/tags/v1'
    try {
      const failure = await mintTrustedPublishingToken(`${base}/legacy/`).catch((error: unknown) => error)
      expect(failure).toMatchObject({
        message:
          'Trusted publishing cannot work from this job: it runs a workflow of pyrelease/actions for acme/widgets, and the index matches trusted publishers on that workflow (job_workflow_ref), so it would refuse the token (pypi/warehouse#11096).',
        hint: expect.stringContaining("publish from a job of acme/widgets's own workflow with publish-python")
      })
      expect(requests).not.toContain('POST /_/oidc/mint-token')
    } finally {
      workflowRef = 'acme/widgets/.github/workflows/release.yml@refs/tags/v1'
    }
  })

  it.each([
    [
      { repository: 'acme/widgets', job_workflow_ref: 'acme/widgets/.github/workflows/r.yml@refs/heads/main' },
      undefined
    ],
    [{ repository: 'Acme/Widgets', job_workflow_ref: 'acme/widgets/.github/workflows/r.yml@v1' }, undefined],
    [
      { repository: 'acme/widgets', job_workflow_ref: 'pyrelease/actions/.github/workflows/p.yml@v1' },
      'pyrelease/actions'
    ],
    [{ repository: 'acme/widgets' }, undefined]
  ])('foreignWorkflowRepository(%j) is %s', (claims, expected) => {
    expect(foreignWorkflowRepository(claims)).toBe(expected)
  })

  it('needs `id-token: write`', async () => {
    delete process.env['ACTIONS_ID_TOKEN_REQUEST_URL']
    await expect(mintTrustedPublishingToken(`${base}/legacy/`)).rejects.toMatchObject({
      hint: expect.stringContaining('id-token: write')
    })
  })

  it('reads claims without verifying', () => {
    expect(jwtClaims(`x.${Buffer.from('{"sub":"s"}').toString('base64url')}.y`)).toEqual({ sub: 's' })
    expect(jwtClaims('garbage')).toEqual({})
  })
})

describe('wheel contents', () => {
  it('lists zip entries and the importable top-level names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wheel-'))
    const wheel = join(dir, 'acme_widgets-1.0-py3-none-any.whl')
    execFileSync(PYTHON, [
      '-c',
      [
        'import sys, zipfile',
        'with zipfile.ZipFile(sys.argv[1], "w") as z:',
        '    for name in ["acme_widgets/__init__.py", "acme_widgets/sub/x.py", "helper.py", "_speedups.cpython-311-x86_64-linux-gnu.so",',
        '                 "tests/test_x.py", "acme_widgets-1.0.dist-info/METADATA", "acme_widgets-1.0.data/scripts/run", "README"]:',
        '        z.writestr(name, "x")',
        '    z.comment = b"a comment"'
      ].join('\n'),
      wheel
    ])
    const entries = await zipEntryNames(wheel)
    expect(entries).toContain('acme_widgets/sub/x.py')
    expect(topLevelModules(entries)).toEqual(['_speedups', 'acme_widgets', 'helper', 'tests'])
    expect(await wheelImportNames(wheel, 'Acme.Widgets')).toEqual(['acme_widgets'])
    expect(await wheelImportNames(wheel, 'something-else')).toEqual(['acme_widgets', 'helper'])
    expect(await sha256File(wheel)).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('requiredProjects', () => {
  it('names the projects of Requires-Dist, normalized, leaving out extras and the description', () => {
    const metadata = [
      'Metadata-Version: 2.4',
      'Name: orb-models',
      'Requires-Dist: Orb_Common>=1.2',
      'Requires-Dist: pydantic[email] (>=2) ; python_version >= "3.9"',
      'Requires-Dist: pytest ; extra == "test"',
      '',
      'Requires-Dist: not-a-header'
    ].join('\n')
    expect(requiredProjects(metadata)).toEqual(['orb-common', 'pydantic'])
  })
})
