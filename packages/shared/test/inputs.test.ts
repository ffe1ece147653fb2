import {
  getBoolean,
  getEnum,
  getEnumList,
  getInteger,
  getList,
  getString,
  getVerbatimString,
  parseList
} from '../src/inputs.ts'
import { getCodeArtifactInputs, getCredentialInputs } from '../src/aws/inputs.ts'
import { MAX_ERROR_LINE, describeError } from '../src/errors.ts'
import { restoreEnvAfterEach, setInputs as setHarnessInputs } from '../../../test/harness/inputs.ts'

restoreEnvAfterEach()
const setInputs = (inputs: Record<string, string>): void => setHarnessInputs(inputs, ['AWS_'])

describe('typed inputs', () => {
  it('reads strings with defaults, trims them, and enforces patterns with one line', () => {
    setInputs({ name: '  hello  ', bad: 'x y' })
    expect(getString('name')).toBe('hello')
    expect(getString('missing', { default: 'fallback' })).toBe('fallback')
    expect(() => getString('missing', { required: true })).toThrow(
      'Input `missing`: is required but empty; set it in the step’s `with:`.'
    )
    expect(() => getString('bad', { pattern: { regex: /^\w+$/, accepted: 'a single word' } })).toThrow(
      'Input `bad`: "x y" is not valid; expected a single word.'
    )
  })

  it('keeps an explicit empty value verbatim: absent gives the default, present (even empty) its trimmed value', () => {
    setInputs({ 'tag prefix': '', spaced: '  shared-v  ', blank: '   ' })
    expect(getVerbatimString('tag prefix', 'v')).toBe('')
    expect(getVerbatimString('spaced', 'v')).toBe('shared-v')
    expect(getVerbatimString('blank', 'v')).toBe('')
    expect(getVerbatimString('missing', 'v')).toBe('v')
    // getString, by contrast, turns the empty value into the default.
    expect(getString('tag prefix', { default: 'v' })).toBe('v')
  })

  it.each([
    ['true', true],
    ['False', false],
    ['yes', true],
    ['0', false]
  ])('parses boolean %s', (value, expected) => {
    setInputs({ flag: value })
    expect(getBoolean('flag', !expected)).toBe(expected)
  })

  it('rejects a non-boolean and names the accepted values', () => {
    setInputs({ flag: 'maybe' })
    expect(() => getBoolean('flag', true)).toThrow('Input `flag`: "maybe" is not a boolean; use true or false.')
  })

  it('accepts enum values case-insensitively and lists the choices on error', () => {
    setInputs({ mode: 'EXTRA', other: 'both' })
    expect(getEnum('mode', ['replace', 'extra'] as const, 'replace')).toBe('extra')
    expect(() => getEnum('other', ['replace', 'extra'] as const, 'replace')).toThrow(
      'Input `other`: "both" is not accepted; use one of replace, extra.'
    )
  })

  it('splits lists on newlines and commas, skipping blanks and comments', () => {
    expect(parseList('pip, uv\n\n# note\n twine ')).toEqual(['pip', 'uv', 'twine'])
    expect(parseList('A=1,2\nB=x', { linesOnly: true })).toEqual(['A=1,2', 'B=x'])
    setInputs({ tools: 'pip\nuv,pip', wrong: 'pip, npm' })
    expect(getList('nothing', { default: ['a'] })).toEqual(['a'])
    expect(getEnumList('tools', ['pip', 'uv', 'twine', 'poetry'] as const, ['pip'])).toEqual(['pip', 'uv'])
    expect(() => getEnumList('wrong', ['pip', 'uv', 'twine', 'poetry'] as const, ['pip'])).toThrow(
      'Input `wrong`: "npm" is not accepted; use any of pip, uv, twine, poetry.'
    )
  })

  it('checks integer ranges, including values allowed outside them', () => {
    setInputs({ zero: '0', big: '50000', text: '12h', ok: '900' })
    const range = { default: 43200, min: 900, max: 43200, also: [0] }
    expect(getInteger('zero', range)).toBe(0)
    expect(getInteger('ok', range)).toBe(900)
    expect(getInteger('unset', range)).toBe(43200)
    expect(() => getInteger('big', range)).toThrow(
      'Input `big`: 50000 is out of range; use 0 or a whole number from 900 to 43200.'
    )
    expect(() => getInteger('text', range)).toThrow(
      'Input `text`: "12h" is not a whole number; use 0 or a whole number from 900 to 43200.'
    )
  })
})

describe('AWS inputs', () => {
  it('takes the region from AWS_REGION when the input is empty', () => {
    setInputs({})
    process.env['AWS_REGION'] = 'eu-west-1'
    expect(getCredentialInputs()).toEqual({
      region: 'eu-west-1',
      roleToAssume: undefined,
      roleSessionName: 'GitHubActions',
      roleDurationSeconds: 3600,
      audience: 'sts.amazonaws.com',
      deadlineMs: 60_000
    })
  })

  it.each([
    [
      { 'aws-region': 'us-east' },
      'Input `aws-region`: "us-east" is not valid; expected an AWS region such as us-east-1.'
    ],
    [{}, 'Input `aws-region`: is empty and AWS_REGION is not set; set `aws-region`, e.g. us-east-1.'],
    [
      { 'aws-region': 'us-east-1', 'role-to-assume': 'github-publish' },
      'Input `role-to-assume`: "github-publish" is not valid; expected an IAM role ARN such as arn:aws:iam::111122223333:role/github-publish.'
    ],
    [
      { 'aws-region': 'us-east-1', 'role-duration-seconds': '60' },
      'Input `role-duration-seconds`: 60 is out of range; use a whole number from 900 to 43200.'
    ]
  ])('rejects bad credential inputs %j', (inputs, message) => {
    setInputs(inputs)
    expect(() => getCredentialInputs()).toThrow(message)
  })

  it.each([
    [{ domain: 'Acme', repository: 'r1' }, 'Input `domain`: "Acme" is not valid'],
    [{ domain: 'acme', repository: 'r' }, 'Input `repository`: "r" is not valid'],
    [
      { domain: 'acme', repository: 'python', 'domain-owner': '1234' },
      'Input `domain-owner`: "1234" is not valid; expected a 12-digit AWS account id.'
    ],
    [
      { domain: 'acme', repository: 'python', 'duration-seconds': '600' },
      'Input `duration-seconds`: 600 is out of range; use 0 or a whole number from 900 to 43200.'
    ],
    [{ repository: 'python' }, 'Input `domain`: is required but empty']
  ])('rejects bad CodeArtifact inputs %j', (inputs, message) => {
    setInputs(inputs)
    expect(() => getCodeArtifactInputs()).toThrow(message)
  })

  it('returns nothing when the target is optional and no domain is set', () => {
    setInputs({})
    expect(getCodeArtifactInputs({ required: false })).toBeUndefined()
  })
})

describe('role-to-assume and the partition of the region', () => {
  it.each([
    ['arn:aws:iam::111122223333:role/r', 'eu-west-1'],
    ['arn:aws-cn:iam::111122223333:role/r', 'cn-north-1'],
    ['arn:aws-us-gov:iam::111122223333:role/r', 'us-gov-west-1'],
    ['arn:aws-iso:iam::111122223333:role/r', 'us-iso-east-1'],
    ['arn:aws-iso-b:iam::111122223333:role/r', 'us-isob-east-1'],
    ['arn:aws-iso-e:iam::111122223333:role/r', 'eu-isoe-west-1'],
    ['arn:aws-iso-f:iam::111122223333:role/r', 'us-isof-south-1'],
    ['arn:aws-eusc:iam::111122223333:role/r', 'eusc-de-east-1']
  ])('accepts %s in %s', (role, region) => {
    setInputs({ 'aws-region': region, 'role-to-assume': role })
    expect(getCredentialInputs()).toMatchObject({ region, roleToAssume: role })
  })

  it.each([
    [
      { 'aws-region': 'us-east-1', 'role-to-assume': 'arn:awsx:iam::123456789012:role/x' },
      'Input `role-to-assume`: "arn:awsx:iam::123456789012:role/x" is not valid; expected an IAM role ARN such as arn:aws:iam::111122223333:role/github-publish.'
    ],
    [
      { 'aws-region': 'us-east-1', 'role-to-assume': 'arn:aws-cn:iam::111122223333:role/x' },
      'Input `role-to-assume`: "arn:aws-cn:iam::111122223333:role/x" is a role of partition aws-cn, but the region us-east-1 from `aws-region` is in partition aws; use a role of partition aws, or a region of partition aws-cn (cn-*).'
    ],
    [
      { 'aws-region': 'cn-north-1', 'role-to-assume': 'arn:aws:iam::111122223333:role/x' },
      'Input `role-to-assume`: "arn:aws:iam::111122223333:role/x" is a role of partition aws, but the region cn-north-1 from `aws-region` is in partition aws-cn; use a role of partition aws-cn, or a region of partition aws (the commercial regions).'
    ],
    [
      { 'aws-region': 'us-iso-east-1', 'role-to-assume': 'arn:aws-iso-b:iam::111122223333:role/x' },
      'Input `role-to-assume`: "arn:aws-iso-b:iam::111122223333:role/x" is a role of partition aws-iso-b, but the region us-iso-east-1 from `aws-region` is in partition aws-iso; use a role of partition aws-iso, or a region of partition aws-iso-b (us-isob-*).'
    ]
  ])('refuses %j', (inputs, message) => {
    setInputs(inputs)
    expect(() => getCredentialInputs()).toThrow(message)
  })

  it('says when the region came from AWS_REGION', () => {
    setInputs({ 'role-to-assume': 'arn:aws-us-gov:iam::111122223333:role/x' })
    process.env['AWS_REGION'] = 'eu-west-1'
    expect(() => getCredentialInputs()).toThrow(
      'but the region eu-west-1 from AWS_REGION (`aws-region` is empty) is in partition aws;'
    )
  })

  it('cuts a 6000-character value in the error line', () => {
    const value = `arn:aws:iam::111122223333:role/${'a'.repeat(6000)}`
    setInputs({ 'aws-region': 'us-east-1', 'role-to-assume': value })
    let line = ''
    try {
      getCredentialInputs()
    } catch (error) {
      line = describeError(error)
    }
    expect(line).toMatch(
      /^Input `role-to-assume`: "arn:aws:iam::111122223333:role\/a+…a+" is not valid; expected an IAM role ARN/
    )
    expect(line.length).toBeLessThanOrEqual(MAX_ERROR_LINE)
    expect(line).not.toContain(value)
  })
})
