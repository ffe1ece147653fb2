import { refNameProblem } from '../src/git-refs.ts'
import { globMatches } from '../src/tag-template.ts'
import { checkCredentialTransport, isLoopbackHost } from '../src/transport.ts'
import { describeError } from '../src/errors.ts'

describe('refNameProblem', () => {
  it.each(['v1.2.3', 'shared-v1.0.0rc1', 'release/1.x', 'pkg_a-v2.0.0.post1', '1.0.0+local.7', 'v0.1.0.dev3'])(
    'accepts %s',
    (name) => expect(refNameProblem(name)).toBeUndefined()
  )

  it.each([
    ['v$(id)1.0.0', 'contains "$"'],
    ['v`id`1.0.0', 'contains "`"'],
    ['v1;rm -rf x', 'contains ";"'],
    ["v'1'", `contains "'"`],
    ['v"1"', 'contains """'],
    ['v 1', 'contains U+0020'],
    ['v1\n::add-mask::x', 'contains U+000A'],
    ['v1\r', 'contains U+000D'],
    ['v1\t', 'contains U+0009'],
    ['v1|x', 'contains "|"'],
    ['v1&x', 'contains "&"'],
    ['v1>x', 'contains ">"'],
    ['v1*', 'contains "*"'],
    ['v1~1', 'contains "~"'],
    ['v1^', 'contains "^"'],
    ['v1:x', 'contains ":"'],
    ['v1?', 'contains "?"'],
    ['v1[0]', 'contains "["'],
    ['v1\\x', 'contains "\\"'],
    ['v1@{0}', 'contains "@"'],
    ['vé1', 'contains U+00E9'],
    ['v1..2', 'contains ".." or "//"'],
    ['a//b', 'contains ".." or "//"'],
    ['-v1', 'starts or ends with'],
    ['.v1', 'starts or ends with'],
    ['v1/', 'starts or ends with'],
    ['v1.lock', 'ends with ".lock"'],
    ['a/.hidden', 'has a part starting with "."'],
    ['', 'is empty']
  ])('refuses %j: %s', (name, problem) => {
    expect(refNameProblem(name)).toContain(problem)
  })
})

describe('credentials over plain http', () => {
  it.each(['localhost', '127.0.0.1', '127.10.0.3', '[::1]'])('counts %s as loopback', (host) =>
    expect(isLoopbackHost(new URL(`http://${host}:8080/`).hostname)).toBe(true)
  )
  it.each(['example.com', '10.0.0.1', '192.168.1.10', '[::2]', '128.0.0.1', 'localhost.example.com', 'app.localhost'])(
    'does not count %s as loopback',
    (host) => expect(isLoopbackHost(new URL(`http://${host}/`).hostname)).toBe(false)
  )

  it('refuses http to another host with one line naming the input, and allows https, loopback or the opt-in', () => {
    let message = ''
    try {
      checkCredentialTransport('repository-url', 'http://pypi.internal:8080/legacy/', false)
    } catch (error) {
      message = describeError(error)
    }
    expect(message).toBe(
      'Input `repository-url`: would send credentials over plain http to pypi.internal:8080; use an https:// URL (or, only on a network you trust end to end, set `allow-insecure-http: true`).'
    )
    expect(() => checkCredentialTransport('x', 'https://pypi.internal/', false)).not.toThrow()
    expect(() => checkCredentialTransport('x', 'http://127.0.0.1:9/', false)).not.toThrow()
    expect(() => checkCredentialTransport('x', 'http://pypi.internal/', true)).not.toThrow()
  })

  it('refuses loopback over http when a proxy on another host would carry it, unless NO_PROXY keeps it local', () => {
    const remoteProxy = { HTTP_PROXY: 'http://user:pw@proxy.corp.example:3128' }
    let message = ''
    try {
      checkCredentialTransport('index-url', 'http://127.0.0.1:8080/simple/', false, remoteProxy)
    } catch (error) {
      message = describeError(error)
    }
    expect(message).toBe(
      'Input `index-url`: would send credentials over plain http to 127.0.0.1:8080 through the proxy at proxy.corp.example:3128; add 127.0.0.1 to NO_PROXY so the request stays on this machine, or use an https:// URL.'
    )
    const local = (env: Record<string, string>) => () =>
      checkCredentialTransport('x', 'http://localhost:8080/', false, env)
    expect(local({ ...remoteProxy, NO_PROXY: 'localhost,127.0.0.1' })).not.toThrow()
    expect(local({ HTTP_PROXY: 'http://127.0.0.1:3128' })).not.toThrow()
    // https targets use HTTPS_PROXY only, and TLS protects them end to end.
    expect(() =>
      checkCredentialTransport('x', 'https://127.0.0.1:8443/', false, { HTTPS_PROXY: remoteProxy.HTTP_PROXY })
    ).not.toThrow()
    expect(() => checkCredentialTransport('x', 'http://127.0.0.1:8080/', true, remoteProxy)).not.toThrow()
  })
})

describe('globMatches (git describe --match)', () => {
  it.each([
    ['v*', 'v1.2.3', true],
    ['v[0-9]*', 'v1.2.3', true],
    ['v[0-9]*', 'vx1', false],
    ['hatch-v*', 'v1.0.0', false],
    ['pkg-v?.*', 'pkg-v1.0', true],
    ['[!v]*', 'v1', false],
    ['a.b*', 'aXb1', false]
  ])('%s against %s: %s', (glob, tag, expected) => {
    expect(globMatches(glob, tag)).toBe(expected)
  })
})
