// pypiserver behind the fault proxy with real twine and pip, authenticating with the
// CodeArtifact token exactly as the actions configure them (user `aws`, token as password).
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { startStack } from './stack.ts'
import type { Stack } from './stack.ts'
import { buildSampleDist, runTool } from './tools.ts'

let stack: Stack
let work: string
let dist: string
let wheel: string
let sdist: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'stack-index-test-'))
  ;[stack, dist] = await Promise.all([startStack(), buildSampleDist(join(work, 'project'), 'acme-widgets', '1.0.0')])
  const files = await readdir(dist)
  wheel = join(
    dist,
    files.find((f) => f.endsWith('.whl'))!
  )
  sdist = join(
    dist,
    files.find((f) => f.endsWith('.tar.gz'))!
  )
})
afterAll(async () => {
  await stack?.stop()
  if (work) await rm(work, { recursive: true, force: true })
})
afterEach(() => stack.index.clearFaults())

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

const twine = (files: string[], user = 'aws', password = stack.token, extra: string[] = []) =>
  runTool(
    'twine',
    ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', stack.uploadUrl, ...extra, ...files],
    {
      env: { TWINE_USERNAME: user, TWINE_PASSWORD: password }
    }
  )

/** pip with the token inside the index URL, passed by env as the login action does. */
const pip = (args: string[]) => {
  const url = new URL(stack.indexUrl)
  url.username = 'aws'
  url.password = stack.token
  return runTool('pip', args, { env: { PIP_INDEX_URL: url.href, PIP_RETRIES: '3', PIP_TIMEOUT: '10' } })
}

describe('uploads', () => {
  it('twine uploads a wheel with the CodeArtifact token', async () => {
    stack.index.clearLog()
    const result = await twine([wheel])
    expect(result.code).toBe(0)
    expect(await readdir(stack.pypiserver.packagesDir)).toContain(basename(wheel))
    expect(stack.index.log).toContainEqual({
      method: 'POST',
      path: '/pypi/python-internal/',
      status: 200,
      fault: false,
      user: 'aws'
    })
  })

  it('lets the extra user upload too (the "any PyPI index" path)', async () => {
    const result = await twine([sdist], 'uploader', 's3cret')
    expect(result.code).toBe(0)
    expect(stack.index.log.at(-1)).toMatchObject({ method: 'POST', status: 200, user: 'uploader' })
  })

  it('refuses to overwrite an existing file (twine 7 allows --skip-existing for PyPI only)', async () => {
    const again = await twine([wheel])
    expect(again.code).not.toBe(0)
    // pypiserver sends 400 (not 409) when the User-Agent says twine, as PyPI does.
    // twine hides the body ("Package ... already exists!") unless --verbose.
    expect(stack.index.log.at(-1)).toMatchObject({ method: 'POST', status: 400 })
    expect(again.stdout + again.stderr).toMatch(/400 Bad Request/)
    const skipped = await twine([wheel], 'aws', stack.token, ['--skip-existing'])
    expect(skipped.code).not.toBe(0)
    expect(skipped.stdout + skipped.stderr).toMatch(/UnsupportedConfiguration/)
  })

  it('sees twine re-POST an upload on 5xx by itself, at once, 5 attempts in all', async () => {
    stack.index.addFault({ method: 'POST', status: 500 })
    stack.index.clearLog()
    const retried = await twine([wheel])
    // The retry reached pypiserver, which already has the file.
    expect(retried.code).not.toBe(0)
    expect(stack.index.log.map((e) => [e.method, e.status])).toEqual([
      ['POST', 500],
      ['POST', 400]
    ])
    stack.index.addFault({ method: 'POST', status: 503, persistent: true })
    stack.index.clearLog()
    const failed = await twine([wheel])
    expect(failed.code).not.toBe(0)
    expect(stack.index.log.map((e) => e.status)).toEqual([503, 503, 503, 503, 503])
  })
})

describe('downloads', () => {
  it('requires credentials for the simple index and files', async () => {
    expect((await fetch(stack.indexUrl)).status).toBe(401)
    // pypiserver: 401 without credentials, 403 for wrong ones.
    expect((await fetch(stack.indexUrl, { headers: { authorization: basic('aws', 'wrong') } })).status).toBe(403)
    const ok = await fetch(`${stack.indexUrl}acme-widgets/`, { headers: { authorization: basic('aws', stack.token) } })
    expect(ok.status).toBe(200)
    // Links carry the repository prefix and a sha256, as CodeArtifact's do.
    expect(await ok.text()).toContain(`href="/pypi/python-internal/packages/${basename(wheel)}#sha256=`)
    expect(
      (await fetch(`${stack.repositoryEndpoint.replace('/pypi/python-internal/', '/pypi/other/')}simple/`)).status
    ).toBe(404)
  })

  it('redirects a non-normalized project name inside the repository prefix', async () => {
    const res = await fetch(`${stack.indexUrl}Acme_Widgets/`, {
      headers: { authorization: basic('aws', stack.token) },
      redirect: 'manual'
    })
    expect(res.status).toBe(301)
    expect(res.headers.get('location')).toBe(`${stack.indexUrl}acme-widgets/`)
  })

  it('pip downloads and installs through the proxy, riding out 503s and a dropped connection', async () => {
    const target = join(work, 'site')
    stack.index.addFault({ method: 'GET', pathPrefix: '/pypi/python-internal/simple/', status: 503, times: 2 })
    stack.index.addFault({ method: 'GET', pathPrefix: '/pypi/python-internal/packages/', drop: true })
    stack.index.clearLog()
    const installed = await pip(['install', '--no-deps', '--target', target, 'acme-widgets==1.0.0'])
    expect(installed.stderr).not.toMatch(/ERROR/)
    expect(installed.code).toBe(0)
    const simple = stack.index.log.filter((e) => e.path.startsWith('/pypi/python-internal/simple/acme-widgets/'))
    expect(simple.map((e) => e.status)).toEqual([503, 503, 200])
    expect(stack.index.log.filter((e) => e.path.includes('/packages/')).map((e) => e.status)).toEqual([0, 200])
    const imported = await runTool('python', ['-c', 'import acme_widgets; print(acme_widgets.VERSION)'], {
      env: { PYTHONPATH: target }
    })
    expect(imported.stdout.trim()).toBe('1.0.0')

    const downloads = join(work, 'downloads')
    const downloaded = await pip([
      'download',
      '--no-deps',
      '--only-binary',
      ':all:',
      '--dest',
      downloads,
      'acme-widgets==1.0.0'
    ])
    expect(downloaded.code).toBe(0)
    expect(await readdir(downloads)).toEqual([basename(wheel)])
  })

  it('answers 429 with Retry-After and persistent faults until cleared; logs no secrets', async () => {
    stack.index.addFault({ pathPrefix: '/pypi/python-internal/simple/', status: 429, retryAfter: 7, persistent: true })
    const auth = { authorization: basic('aws', stack.token) }
    for (let i = 0; i < 2; i++) {
      const res = await fetch(stack.indexUrl, { headers: auth })
      expect(res.status).toBe(429)
      expect(res.headers.get('retry-after')).toBe('7')
    }
    stack.index.clearFaults()
    expect((await fetch(stack.indexUrl, { headers: auth })).status).toBe(200)
    expect(JSON.stringify(stack.index.log)).not.toContain(stack.token)
  })
})
