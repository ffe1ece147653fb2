import { ActionError, InputError, describeError } from '../src/errors.ts'

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
