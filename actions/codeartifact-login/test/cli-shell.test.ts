import { execFileSync } from 'node:child_process'
import { assignments, removals } from '../src/cli/shell.ts'
import { parseCommandLine } from '../src/cli/options.ts'

// The CLI's output is source code for a shell: a value must come back byte for byte, whatever
// it holds, and never run anything.

const AWKWARD = `it's $HOME \`id\` "q" \\n back\\slash %2F ;rm -rf x`

describe('assignments', () => {
  it('round-trips any value through a real POSIX shell', () => {
    const script = assignments('sh', { AWKWARD_VALUE: AWKWARD, PLAIN: 'tok/en+=' })
    const printed = execFileSync('bash', ['-c', `${script}printf '%s|%s' "$AWKWARD_VALUE" "$PLAIN"`], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] }
    })
    expect(printed).toBe(`${AWKWARD}|tok/en+=`)
  })

  it('quotes for fish and PowerShell in their own single-quote rules', () => {
    expect(assignments('fish', { A: `it's a\\b` })).toBe(`set -gx A 'it\\'s a\\\\b'\n`)
    expect(assignments('powershell', { A: `it's $x` })).toBe(`$env:A = 'it''s $x'\n`)
    // PowerShell ends a single-quoted string at typographic quotes too.
    expect(assignments('powershell', { A: 'a\u2019b' })).toBe(`$env:A = 'a\u2019\u2019b'\n`)
  })

  it('removes variables in each shell', () => {
    expect(removals('sh', ['A', 'B'])).toBe('unset A\nunset B\n')
    expect(removals('fish', ['A'])).toBe('set -e A\n')
    expect(removals('powershell', ['A'])).toBe('Remove-Item Env:A -ErrorAction SilentlyContinue\n')
  })
})

describe('parseCommandLine', () => {
  it('takes the repository from CODEARTIFACT_* variables and defaults to every tool', () => {
    expect(
      parseCommandLine([], {
        CODEARTIFACT_DOMAIN: 'acme',
        CODEARTIFACT_REPOSITORY: 'python',
        CODEARTIFACT_DOMAIN_OWNER: '111122223333'
      })
    ).toMatchObject({
      help: false,
      domain: 'acme',
      repository: 'python',
      domainOwner: '111122223333',
      tools: ['pip', 'uv', 'twine', 'poetry', 'pipenv'],
      indexMode: 'replace',
      indexName: 'codeartifact',
      durationSeconds: 43200,
      shell: 'sh',
      unset: false
    })
  })

  it('reads no repository variable for --unset', () => {
    expect(parseCommandLine(['--unset'], { CODEARTIFACT_DOMAIN_OWNER: 'not-an-account' })).toMatchObject({
      unset: true,
      domainOwner: undefined
    })
  })

  it('lets flags override the variables', () => {
    expect(
      parseCommandLine(['--domain', 'other', '--tools', 'uv, pip,uv', '--duration-seconds', '0', '--shell', 'fish'], {
        CODEARTIFACT_DOMAIN: 'acme',
        CODEARTIFACT_REPOSITORY: 'python'
      })
    ).toMatchObject({ domain: 'other', tools: ['uv', 'pip'], durationSeconds: 0, shell: 'fish' })
  })

  it.each([
    [['--duration-seconds', '100'], /--duration-seconds: "100" is not valid/],
    [['--shell', 'cmd'], /--shell: "cmd" is not valid/],
    [['--index-mode', 'only'], /--index-mode: "only" is not valid/],
    [['--region', 'mars'], /--region: "mars" is not valid/],
    [['positional'], /command line: Unexpected argument 'positional'/],
    [['--domain-owner', '12'], /--domain-owner: "12" is not valid/]
  ])('refuses %j', (args, expected) => {
    expect(() => parseCommandLine(['--domain', 'acme', '--repository', 'python', ...args], {})).toThrow(expected)
  })
})
