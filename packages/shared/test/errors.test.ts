import { ActionError, InputError, MAX_ERROR_LINE, MAX_OWN_MESSAGE, describeError, ellipsize } from '../src/errors.ts'
import { registerSecret, resetSecretsForTests } from '../src/secrets.ts'

describe('describeError', () => {
  it('joins the message and the fix into one line', () => {
    expect(describeError(new ActionError('No OIDC token.', { hint: 'add `permissions: id-token: write`' }))).toBe(
      'No OIDC token. Fix: add `permissions: id-token: write`'
    )
  })
  it('names the input, the problem and what is accepted', () => {
    expect(describeError(new InputError('tools', '"npm" is not a known tool', 'use pip, uv, twine or poetry'))).toBe(
      'Input `tools`: "npm" is not a known tool; use pip, uv, twine or poetry.'
    )
  })
})

describe('describeError keeps the failure to one short line', () => {
  const long = 'x'.repeat(6000)
  const fix = 'set `role-to-assume` to a role ARN'

  it.each<[string, unknown, (line: string) => void]>([
    [
      'a 6000-character input value is cut in the middle, the accepted form kept',
      new InputError('role-to-assume', `"${long}" is not valid`, 'expected an IAM role ARN'),
      (line) => {
        expect(line).toMatch(/^Input `role-to-assume`: "x+…x+" is not valid; expected an IAM role ARN\.$/)
      }
    ],
    [
      'a long value with spaces is cut as a whole, the fix kept whole',
      new ActionError(`The endpoint answered: ${'<p>denied</p> '.repeat(400)}`, { hint: fix }),
      (line) => {
        expect(line).toMatch(/^The endpoint answered: <p>denied.*….* Fix: set `role-to-assume` to a role ARN$/)
      }
    ],
    [
      'line breaks become spaces',
      new Error('Unexpected token \'F\', "Forbidden" is not valid JSON\n  Deserialization error: see $response'),
      (line) => {
        expect(line).toBe('Unexpected token \'F\', "Forbidden" is not valid JSON Deserialization error: see $response')
      }
    ],
    [
      'a multi-line input value becomes one line',
      new InputError('tags', '"a\nb" is not valid', 'expected one tag'),
      (line) => {
        expect(line).toBe('Input `tags`: "a b" is not valid; expected one tag.')
      }
    ],
    [
      'characters outside the BMP are not split',
      new Error('😀'.repeat(400)),
      (line) => {
        expect(line).toMatch(/^(😀)+…(😀)+$/u)
      }
    ],
    [
      'a thrown non-error',
      'plain string '.repeat(100),
      (line) => {
        expect(line).toContain('…')
      }
    ]
  ])('%s', (_name, error, check) => {
    const line = describeError(error)
    expect(line).not.toMatch(/[\r\n]/)
    // Our own multi-part messages may use more room (the fix is never cut); anything else 300.
    const own = error instanceof ActionError && !(error instanceof InputError)
    const message = line.split(' Fix: ')[0] as string
    if (own) expect(Array.from(message).length).toBeLessThanOrEqual(MAX_OWN_MESSAGE)
    else expect(Array.from(line).length).toBeLessThanOrEqual(MAX_ERROR_LINE)
    check(line)
  })

  it('never cuts the fix, and keeps a useful part of the message however long the fix is', () => {
    const hint = `the role needs ${'`codeartifact:GetAuthorizationToken` '.repeat(8)}`
    const line = describeError(new ActionError(`Denied: ${'word '.repeat(1000)}`, { hint }))
    expect(line.endsWith(` Fix: ${hint.trim()}`)).toBe(true)
    expect(line.indexOf(' Fix: ')).toBeGreaterThanOrEqual(150)
  })

  it('keeps the line layout an ActionError chose (a list, one item a line)', () => {
    expect(describeError(new ActionError('Sources disagree:\n  a = 1\n  b = 2\n', { hint: 'align them' }))).toBe(
      'Sources disagree:\n  a = 1\n  b = 2\n Fix: align them'
    )
  })

  it('leaves a message that fits as it is', () => {
    expect(describeError(new Error('short'))).toBe('short')
  })
})

describe('ellipsize', () => {
  it.each([
    ['abcdefghij', 10, 'abcdefghij'],
    ['abcdefghijk', 10, 'abcdef…ijk'],
    ['abcdefghijklmnopqrstuvwxyz', 7, 'abcd…yz']
  ])('%j to %d -> %j', (text, max, expected) => {
    expect(ellipsize(text, max)).toBe(expected)
  })
})

describe('describeError and registered secrets', () => {
  afterEach(() => resetSecretsForTests())

  it('redacts a registered secret before cutting, so no half of it is printed', () => {
    const token = `tok-${'A1b2C3d4'.repeat(40)}`
    registerSecret(token)
    const line = describeError(new Error(`GET https://aws:${token}@example.invalid/simple/ failed`))
    expect(line).toBe('GET https://aws:***@example.invalid/simple/ failed')
    expect(line).not.toContain(token.slice(0, 20))
    expect(line).not.toContain(token.slice(-20))
  })
})
