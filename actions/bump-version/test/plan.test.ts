import { jest } from '@jest/globals'
import { describeError } from '@release/shared/errors'
import { parsePushPorcelain, tokenAuthEnv } from '@release/shared/git'
import { BUMP_KINDS, type BumpKind, bumpVersion } from '@release/shared/pep440'
import { resetSecretsForTests } from '@release/shared/secrets'
import { getInputs } from '../src/inputs.ts'
import { tagGlob, versionFromTag } from '@release/shared/tag-template'
import { latestTaggedVersion, renderTemplate, tagName, targetVersion } from '../src/plan.ts'
import { inputEnv, restoreEnvAfterEach, setInputs } from '../../../test/harness/inputs.ts'

beforeEach(() => {
  resetSecretsForTests()
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(() => jest.restoreAllMocks())

describe('templates and tags', () => {
  it.each([
    ['Bump version: {old} → {new}', 'Bump version: 1.2.3 → 1.3.0'],
    ['release {version} ({tag}), was {old}', 'release 1.3.0 (v1.3.0), was 1.2.3'],
    ['{name} {version}', 'pkg 1.3.0'],
    ['no placeholders', 'no placeholders']
  ])('%s', (template, expected) => {
    expect(renderTemplate(template, { old: '1.2.3', new: '1.3.0', tag: 'v1.3.0', name: 'pkg' })).toBe(expected)
  })

  it('reads versions back out of tags made from a template, ignoring other tags', () => {
    expect(tagName('shared-v{version}', '1.0.0')).toBe('shared-v1.0.0')
    expect(tagGlob('shared-v{version}')).toBe('shared-v*')
    expect(versionFromTag('shared-v{version}', 'shared-v1.0.0rc1')).toBe('1.0.0rc1')
    expect(versionFromTag('v{version}', 'v1.0-final')).toBeUndefined()
    expect(versionFromTag('v{version}', 'shared-v1.0.0')).toBeUndefined()
    expect(latestTaggedVersion('v{version}', ['v1.9.0', 'v1.10.0', 'v1.10.0rc1', 'vnext', 'v2.0.0.dev1'])).toEqual({
      version: '2.0.0.dev1',
      tag: 'v2.0.0.dev1'
    })
    expect(latestTaggedVersion('v{version}', ['x'])).toBeUndefined()
  })
})

describe('targetVersion', () => {
  it.each<[string, BumpKind[], string]>([
    ['1.2.3', ['patch'], '1.2.4'],
    ['1.2.3', ['minor', 'rc'], '1.3.0rc1'],
    ['1.3.0rc1', ['rc'], '1.3.0rc2'],
    ['1.3.0rc2', ['stable'], '1.3.0'],
    ['1.0', ['patch'], '1.0.1'],
    ['1!2.0.post3', ['post'], '1!2.0.post4']
  ])('%s + %j = %s (as uv)', (current, kinds, expected) => {
    expect(targetVersion(current, { bump: kinds }, 'pyproject.toml')).toBe(expected)
  })

  it('refuses an explicit version that is not above the current one', () => {
    expect(() => targetVersion('1.2.3', { bump: [], version: '1.2.3' }, 'pyproject.toml')).toThrow(
      'Input `version`: 1.2.3 is already the current version (pyproject.toml); versions only go forward; use a version above 1.2.3.'
    )
    expect(() => targetVersion('1.2.3', { bump: [], version: '1.2.3rc1' }, 'x')).toThrow(
      '1.2.3rc1 is lower than the current version 1.2.3'
    )
    expect(targetVersion(undefined, { bump: [], version: '0.1.0' }, 'no tags')).toBe('0.1.0')
  })
})

describe('inputs', () => {
  restoreEnvAfterEach()

  /** Adds `values` to the inputs set so far in the test, then parses them all. */
  function inputs(values: Record<string, string>): ReturnType<typeof getInputs> {
    Object.assign(process.env, inputEnv(values))
    return getInputs()
  }

  it('parses the defaults the way action.yml states them', () => {
    expect(inputs({ bump: 'patch' })).toEqual({
      bump: ['patch'],
      version: undefined,
      workingDirectory: '.',
      packages: [],
      files: [],
      commit: true,
      checkBuild: 'auto',
      python: undefined,
      commitMessage: 'Bump version: {old} → {new}',
      tag: true,
      tagTemplate: 'v{version}',
      tagTemplateGiven: false,
      annotatedTag: true,
      tagMessage: 'Release {version}',
      push: true,
      pushAttempts: 5,
      branch: undefined,
      gitUserName: 'github-actions[bot]',
      gitUserEmail: '41898282+github-actions[bot]@users.noreply.github.com',
      token: undefined,
      dryRun: false,
      allowDirty: false,
      allowInsecureHttp: false,
      dispatchWorkflow: undefined,
      dispatchInputs: {},
      githubToken: undefined
    })
  })

  it('accepts bump lists with commas, spaces or plus, a normalized explicit version, files with patterns', () => {
    expect(inputs({ bump: 'Minor + RC' }).bump).toEqual(['minor', 'rc'])
    delete process.env['INPUT_BUMP']
    expect(inputs({ version: 'V1.0-ALPHA.01' }).version).toBe('1.0a1')
    expect(inputs({ files: 'VERSION.txt\n# a comment\ndocs/conf.py: release = "{version}", copyright' }).files).toEqual(
      [{ path: 'VERSION.txt' }, { path: 'docs/conf.py', pattern: 'release = "{version}", copyright' }]
    )
    expect(inputs({ 'tag-prefix': 'lib-' }).tagTemplate).toBe('lib-{version}')
    // As publish-python reads it (the reusable workflows pass one value to both): empty is bare versions.
    expect(inputs({ 'tag-prefix': '' }).tagTemplate).toBe('{version}')
    delete process.env['INPUT_TAG-PREFIX']
    expect(inputs({}).tagTemplate).toBe('v{version}')
    expect(inputs({ branch: 'refs/heads/release/1.x' }).branch).toBe('release/1.x')
  })

  // The probe version must be increased by every combination uv accepts, so that probing it only
  // ever fails for combinations uv refuses.
  it('validates bump combinations exactly as uv accepts them', () => {
    const combos: BumpKind[][] = [
      ...BUMP_KINDS.map((k) => [k]),
      ...BUMP_KINDS.flatMap((a) => BUMP_KINDS.map((b) => [a, b]))
    ]
    for (const kinds of combos) {
      let uvAccepts = true
      try {
        bumpVersion('9.9.9', kinds)
      } catch (error) {
        uvAccepts = !/cannot be used with|Only one/.test((error as Error).message)
      }
      process.env['INPUT_BUMP'] = kinds.join(',')
      let parsed = true
      try {
        getInputs()
      } catch (error) {
        parsed = false
        expect(describeError(error)).toMatch(/^Input `bump`: ".*" is not an accepted combination/)
      }
      expect({ kinds, parsed }).toEqual({ kinds, parsed: uvAccepts })
    }
  })
})

describe('hostile inputs', () => {
  restoreEnvAfterEach()
  function refusal(values: Record<string, string>): string {
    setInputs({ bump: 'patch', ...values })
    try {
      getInputs()
    } catch (error) {
      return describeError(error)
    }
    throw new Error('expected the inputs to be refused')
  }

  it.each([
    [{ 'tag-prefix': 'v$(id)' }, 'Input `tag-prefix`: "v$(id){version}" contains "$"'],
    [{ 'tag-prefix': 'v`id`' }, 'Input `tag-prefix`: "v`id`{version}" contains "`"'],
    [{ 'tag-prefix': 'v;' }, 'Input `tag-prefix`: "v;{version}" contains ";"'],
    [{ 'tag-prefix': "it's-" }, `Input \`tag-prefix\`: "it's-{version}" contains "'"`],
    [
      { 'tag-template': 'v{version}\n::add-mask::x' },
      // One line: the newline is shown as a space.
      'Input `tag-template`: "v{version} ::add-mask::x" contains U+000A'
    ],
    [{ 'tag-template': 'rel {version}' }, 'Input `tag-template`: "rel {version}" contains U+0020'],
    [{ 'tag-template': 'v{version}|tee' }, 'Input `tag-template`: "v{version}|tee" contains "|"'],
    [{ branch: 'main;x' }, 'Input `branch`: "main;x" contains ";"'],
    [{ branch: 'main\nx' }, 'Input `branch`: "main x" contains U+000A']
  ])('refuses %j before anything is written: %s', (values, start) => {
    expect(refusal(values)).toContain(start)
  })

  it('accepts the tag shapes real projects use', () => {
    for (const template of ['v{version}', '{version}', 'shared-v{version}', 'pkg/{version}', 'release_{version}']) {
      setInputs({ bump: 'patch', 'tag-template': template })
      expect(getInputs().tagTemplate).toBe(template)
    }
  })

  it('refuses the tag of a version the charset cannot hold (an epoch), before anything is written', () => {
    expect(() => tagName('v{version}', '1!2.0.0')).toThrow(
      'The tag "v1!2.0.0" for version 1!2.0.0 contains "!", which tag and branch names may not use here.'
    )
  })
})

describe('git helpers', () => {
  it('parses git push --porcelain, including atomic and remote rejections', () => {
    const out =
      'To file:///o.git\n!\tHEAD:refs/heads/main\t[rejected] (fetch first)\n!\trefs/tags/v1:refs/tags/v1\t[rejected] (atomic push failed)\n=\trefs/tags/v0:refs/tags/v0\t[up to date]\n*\trefs/tags/v2:refs/tags/v2\t[new tag]\n!\tHEAD:refs/heads/x\t[remote rejected] (pre-receive hook declined)\nDone\n'
    expect(parsePushPorcelain(out)).toEqual([
      { ref: 'refs/heads/main', status: 'rejected', summary: '[rejected] (fetch first)' },
      { ref: 'refs/tags/v1', status: 'atomic-failed', summary: '[rejected] (atomic push failed)' },
      { ref: 'refs/tags/v0', status: 'up-to-date', summary: '[up to date]' },
      { ref: 'refs/tags/v2', status: 'ok', summary: '[new tag]' },
      { ref: 'refs/heads/x', status: 'remote-rejected', summary: '[remote rejected] (pre-receive hook declined)' }
    ])
  })

  it('builds the token header for the remote’s origin, after any inherited GIT_CONFIG entries, and masks it', () => {
    const written: string[] = []
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    })
    const basic = Buffer.from('x-access-token:tok123').toString('base64')
    expect(tokenAuthEnv('https://github.com/o/r.git', 'tok123', { GIT_CONFIG_COUNT: '1' })).toEqual({
      GIT_CONFIG_COUNT: '6',
      GIT_CONFIG_KEY_1: 'http.https://github.com/.extraheader',
      GIT_CONFIG_VALUE_1: '',
      GIT_CONFIG_KEY_2: 'http.https://github.com/.extraheader',
      GIT_CONFIG_VALUE_2: `AUTHORIZATION: basic ${basic}`,
      GIT_CONFIG_KEY_3: 'core.hooksPath',
      GIT_CONFIG_VALUE_3: '/dev/null',
      GIT_CONFIG_KEY_4: 'http.sslVerify',
      GIT_CONFIG_VALUE_4: 'true',
      GIT_CONFIG_KEY_5: 'credential.helper',
      GIT_CONFIG_VALUE_5: ''
    })
    expect(written.join('')).toContain(`::add-mask::${basic}\n`)
    expect(written.join('')).toContain('::add-mask::tok123\n')
    expect(tokenAuthEnv('git@github.com:o/r.git', 'tok123')).toBeUndefined()
    expect(tokenAuthEnv('file:///tmp/o.git', 'tok123')).toBeUndefined()
  })
})

describe('refused bumps name the kinds that would work', () => {
  it.each([
    [['stable'], '1.2.3', '`stable` only finishes a pre-release'],
    [['rc'], '1.2.3', 'add a release kind (e.g. `minor, rc`'],
    [['post', 'dev'], '1.2.3.dev1', /choose other bump kinds|only finishes/]
  ] as const)('%j on %s', (bump, current, hint) => {
    let message = ''
    try {
      targetVersion(current, { bump: [...bump] }, 'pyproject.toml')
    } catch (error) {
      message = describeError(error)
    }
    if (typeof hint === 'string') expect(message).toContain(hint)
    else expect(message).toMatch(hint)
  })
})

describe('bumps with a value, as uv takes them', () => {
  restoreEnvAfterEach()

  it.each([
    ['rc=3', '1.3.0rc1', '1.3.0rc3'],
    ['post=5', '1.2.3', '1.2.3.post5'],
    ['patch=7', '1.2.3', '1.2.7'],
    ['minor, rc=2', '1.2.3', '1.3.0rc2'],
    ['minor=5 + dev=1', '1.2.3', '1.5.0.dev1']
  ])('bump: %s turns %s into %s', (bump, current, expected) => {
    setInputs({ bump })
    expect(targetVersion(current, getInputs(), 'pyproject.toml')).toBe(expected)
  })

  it.each([
    ['rc=x', 'Input `bump`: "rc=x": invalid numeric value `x` for `--bump rc`; write a number after `=`'],
    ['stable=1', 'Input `bump`: "stable=1": `--bump stable` does not accept a value;'],
    ['rc=', 'Input `bump`: "rc=": `--bump` values cannot be empty;'],
    ['alpha=2, beta=3', 'is not an accepted combination (Only one pre-release version component']
  ])('refuses bump: %s in one line', (bump, start) => {
    setInputs({ bump })
    let message = ''
    try {
      getInputs()
    } catch (error) {
      message = describeError(error)
    }
    expect(message).toContain(start)
  })
})
