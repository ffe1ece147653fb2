// Pure helpers of the stand-ins: IAM StringLike, dist file names, PEP 503 names, htpasswd lines.
import { createHash } from 'node:crypto'
import { stringLike } from './jwt.ts'
import { normalizeName, parseDistFilename } from './pypi-packages.ts'
import { htpasswdLine } from './pypiserver.ts'

describe('stringLike', () => {
  it.each([
    ['repo:acme/widgets:*', 'repo:acme/widgets:ref:refs/tags/v1.0.0', true],
    ['repo:acme/widgets:*', 'repo:acme/widgets-fork:ref:refs/heads/main', false],
    ['repo:acme/*:environment:prod', 'repo:acme/widgets:environment:prod', true],
    ['repo:acme/widgets:ref:refs/tags/v?.0.0', 'repo:acme/widgets:ref:refs/tags/v1.0.0', true],
    ['sts.amazonaws.com', 'sts.amazonaws.com', true],
    ['sts.amazonaws.com', 'stsxamazonaws.com', false]
  ])('%s ~ %s -> %s', (pattern, value, expected) => {
    expect(stringLike(pattern, value)).toBe(expected)
  })
})

describe('dist names', () => {
  it.each([
    ['acme_widgets-1.0.0-py3-none-any.whl', { name: 'acme_widgets', version: '1.0.0' }],
    ['acme_widgets-1.0.0-1-py3-none-any.whl', { name: 'acme_widgets', version: '1.0.0' }],
    ['acme_widgets-1.0.0.tar.gz', { name: 'acme_widgets', version: '1.0.0' }],
    ['acme-widgets-1.0.0rc1.zip', { name: 'acme-widgets', version: '1.0.0rc1' }],
    ['README.txt', undefined]
  ])('%s', (file, expected) => {
    expect(parseDistFilename(file)).toEqual(expected)
  })

  it('normalizes per PEP 503', () => {
    expect(normalizeName('Acme._-Widgets')).toBe('acme-widgets')
  })
})

describe('htpasswdLine', () => {
  it('writes the {SHA} scheme passlib reads', () => {
    expect(htpasswdLine({ user: 'aws', password: 'tok' })).toBe(
      `aws:{SHA}${createHash('sha1').update('tok').digest('base64')}`
    )
    expect(() => htpasswdLine({ user: 'a:b', password: 'x' })).toThrow()
  })
})
