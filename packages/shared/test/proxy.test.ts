import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer as createHttpServer, request as httpRequest } from 'node:http'
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { childEnvironment } from '../src/exec.ts'
import { EnvProxyAgent, ProxyRefusedError, proxiedFetch } from '../src/proxy.ts'
import { bypassesProxy, maskProxyCredentials, proxyForUrl } from '../src/proxy-env.ts'
import { registeredSecrets, resetSecretsForTests } from '../src/secrets.ts'
import { type ForwardProxy, startForwardProxy } from '../../../test/stack/forward-proxy.ts'
import { closeServer, listen } from '../../../test/stack/http-util.ts'
import { captureStdout } from '../../../test/harness/stdout.ts'

describe('proxyForUrl (curl rules)', () => {
  const env = { https_proxy: 'http://secure:3128', HTTP_PROXY: 'plain:8080' }

  it.each([
    ['https://sts.us-east-1.amazonaws.com/', env, 'http://secure:3128/'],
    ['http://index.internal/simple/', env, 'http://plain:8080/'],
    // https never falls back to HTTP_PROXY (curl does not); ALL_PROXY covers both.
    ['https://api.github.com/', { HTTP_PROXY: 'http://plain:8080' }, undefined],
    ['https://api.github.com/', { ALL_PROXY: 'http://all:1' }, 'http://all:1/'],
    ['http://a/', { http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:1' }, 'http://lower:1/'],
    ['https://a/', { HTTPS_PROXY: 'https://tls-proxy:443' }, 'https://tls-proxy/'],
    // Loopback is not implicitly exempt, as with curl.
    ['http://127.0.0.1:5000/', { HTTP_PROXY: 'http://p:1' }, 'http://p:1/'],
    ['http://localhost/', { HTTP_PROXY: 'http://p:1' }, 'http://p:1/'],
    ['http://a/', { HTTP_PROXY: '   ' }, undefined]
  ])('%s with %j -> %s', (url, vars, expected) => {
    expect(proxyForUrl(url, vars)?.href).toBe(expected)
  })

  it('refuses socks proxies and unparsable ones without echoing them', () => {
    expect(() => proxyForUrl('https://a/', { HTTPS_PROXY: 'socks5://u:pw@p:1080' })).toThrow(
      /a socks5 proxy is not supported/
    )
    expect(() => proxyForUrl('https://a/', { HTTPS_PROXY: 'http://u:pw@[bad' })).toThrow(/^(?!.*pw).*not a URL/)
  })
})

describe('bypassesProxy (NO_PROXY)', () => {
  it.each([
    ['*', 'https://anything.example/', true],
    ['example.com', 'https://example.com/', true],
    ['example.com', 'https://a.b.example.com/', true],
    ['example.com', 'https://notexample.com/', false],
    ['.example.com', 'https://example.com/', true],
    ['.example.com', 'https://a.example.com/', true],
    ['*.example.com', 'https://a.example.com/', true],
    ['EXAMPLE.com', 'https://a.Example.COM/', true],
    ['a.com, b.com ,c.com', 'https://b.com/', true],
    ['a.com b.com', 'https://b.com/', true],
    ['a.com,,', 'https://b.com/', false],
    ['127.0.0.1', 'http://127.0.0.1:5000/', true],
    ['127.0.0.1', 'http://127.0.0.10/', false],
    ['localhost', 'http://127.0.0.1/', false],
    ['::1', 'http://[::1]:80/', true],
    ['[::1]:8080', 'http://[::1]:8080/', true],
    ['[::1]:8080', 'http://[::1]:8081/', false],
    ['example.com:8443', 'https://example.com:8443/', true],
    ['example.com:8443', 'https://example.com/', false],
    ['example.com:443', 'https://example.com/', true],
    ['example.com:80', 'http://example.com/', true],
    ['a.com,*', 'https://b.com/', true]
  ])('NO_PROXY=%s, %s -> %s', (list, url, expected) => {
    expect(bypassesProxy(new URL(url), { NO_PROXY: list })).toBe(expected)
    expect(bypassesProxy(new URL(url), { no_proxy: list })).toBe(expected)
  })

  it('lowercase no_proxy wins over NO_PROXY', () => {
    expect(bypassesProxy(new URL('https://a.com/'), { no_proxy: 'b.com', NO_PROXY: 'a.com' })).toBe(false)
  })
})

describe('proxy credentials', () => {
  const written = captureStdout()
  afterEach(() => resetSecretsForTests())

  it('are masked at birth, decoded and encoded, and never in a child unless by the proxy variable', () => {
    const env = {
      HTTPS_PROXY: 'http://corp%5Cuser:p%40ss-word@proxy.internal:3128',
      http_proxy: 'proxy.internal:3128',
      NO_PROXY: 'localhost'
    }
    maskProxyCredentials(env)
    expect(registeredSecrets()).toEqual(
      expect.arrayContaining(['p@ss-word', 'p%40ss-word', env.HTTPS_PROXY, 'corp\\user:p@ss-word'])
    )
    expect(written.join('')).toContain('::add-mask::p@ss-word\n')
    // The proxy variables pass to children as they are (pip, uv, git need them) ...
    const child = childEnvironment({}, { ...env, OTHER: 'uses p@ss-word', INDEX: 'https://aws:tok@host/simple' })
    expect(child).toMatchObject(env)
    // ... while any other variable holding the now-registered password is still withheld.
    expect(child).not.toHaveProperty('OTHER')
    expect(child).not.toHaveProperty('INDEX')
  })
})

describe('through a forwarding proxy', () => {
  let proxy: ForwardProxy
  let plain: Server
  let plainUrl: string
  let secure: Server
  let secureUrl: string
  let ca: string
  const saved = { ...process.env }

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-tls-'))
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem')
      ]),
      { stdio: 'ignore' }
    )
    ca = readFileSync(join(dir, 'cert.pem'), 'utf8')
    const answer = (req: { url?: string }, res: { end: (body: string) => void }) => res.end(`hello ${req.url}`)
    plain = createHttpServer(answer)
    plainUrl = (await listen(plain)).url
    secure = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: ca }, answer)
    secureUrl = (await listen(secure as unknown as Server)).url.replace('http:', 'https:')
    proxy = await startForwardProxy({ credentials: { user: 'u', password: 'p w' } })
  })
  afterAll(async () => {
    await proxy.stop()
    await closeServer(plain)
    await closeServer(secure as unknown as Server)
  })
  beforeEach(() => {
    proxy.log.length = 0
    const auth = new URL(proxy.url)
    auth.username = 'u'
    auth.password = 'p%20w'
    process.env['HTTP_PROXY'] = auth.href
    process.env['HTTPS_PROXY'] = auth.href
    delete process.env['NO_PROXY']
    delete process.env['no_proxy']
  })
  afterEach(() => {
    process.env = { ...saved }
  })

  function get(url: string, agent: EnvProxyAgent): Promise<string> {
    return new Promise((resolve, reject) => {
      const request = url.startsWith('https:') ? httpsRequest : httpRequest
      const req = request(url, { agent, ca }, (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => resolve(`${res.statusCode} ${body}`))
      })
      req.on('error', reject)
      req.end()
    })
  }

  it('the SDK agent: CONNECT for https, absolute-form for http, direct under NO_PROXY', async () => {
    const agent = new EnvProxyAgent()
    try {
      expect(await get(`${secureUrl}/s?x=1`, agent)).toBe('200 hello /s?x=1')
      expect(await get(`${plainUrl}/p`, agent)).toBe('200 hello /p')
      expect(proxy.log).toEqual([
        { method: 'CONNECT', target: new URL(secureUrl).host, user: 'u', status: 200 },
        { method: 'GET', target: `${plainUrl}/p`, user: 'u', status: 200 }
      ])
      proxy.log.length = 0
      const direct = new EnvProxyAgent({ ...process.env, NO_PROXY: '127.0.0.1' })
      expect(await get(`${secureUrl}/d`, direct)).toBe('200 hello /d')
      direct.destroy()
      expect(proxy.log).toEqual([])
    } finally {
      agent.destroy()
    }
  })

  it('fetch: through the proxy, direct under NO_PROXY, a refusal as ProxyRefusedError', async () => {
    const response = await proxiedFetch(`${plainUrl}/f`)
    expect(await response.text()).toBe('hello /f')
    expect(proxy.log).toEqual([{ method: 'CONNECT', target: new URL(plainUrl).host, user: 'u', status: 200 }])

    proxy.log.length = 0
    process.env['NO_PROXY'] = `127.0.0.1:${new URL(plainUrl).port}`
    expect(await (await proxiedFetch(`${plainUrl}/g`)).text()).toBe('hello /g')
    expect(proxy.log).toEqual([])

    delete process.env['NO_PROXY']
    process.env['HTTP_PROXY'] = `http://u:wrong@127.0.0.1:${proxy.port}`
    const refused = await proxiedFetch(`${plainUrl}/h`).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(ProxyRefusedError)
    expect(refused).toMatchObject({ status: 407 })
  })
})
