import { jest } from '@jest/globals'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { outputTail, runCommand, runExecutable } from '../src/exec.ts'
import { which } from '../src/which.ts'
import { registerSecret, resetSecretsForTests } from '../src/secrets.ts'
import { renderSummary, writeJobSummary } from '../src/summary.ts'

const TOKEN = 'known-token-0123456789abcdef'

beforeEach(() => {
  resetSecretsForTests()
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(() => jest.restoreAllMocks())

// runExecutable (node:child_process) keeps runCommand's (@actions/exec) contract exactly.
describe.each([
  ['runCommand', runCommand],
  ['runExecutable', runExecutable]
])('%s', (_name, runCommand) => {
  it('passes argv as an array (no shell) and secrets through env', async () => {
    registerSecret(TOKEN)
    const result = await runCommand(process.execPath, ['-e', 'process.stdout.write(process.argv[1] + "|" + process.env.SECRET_VALUE.length)', 'a b;$(echo hi)'], {
      env: { SECRET_VALUE: TOKEN },
      silent: true
    })
    expect(result.stdout).toBe(`a b;$(echo hi)|${TOKEN.length}`)
  })

  it('refuses to put a registered secret into argv', async () => {
    registerSecret(TOKEN)
    await expect(runCommand('echo', [`--password=${TOKEN}`])).rejects.toThrow(
      'Refusing to run echo: a secret would appear in its command line. Fix'.replace(' Fix', '')
    )
    await expect(runCommand('echo', [`https://aws:${encodeURIComponent(TOKEN)}@host/`])).rejects.toThrow(/Refusing to run echo/)
  })

  it('fails with the command, exit code and the tail of stderr', async () => {
    await expect(runCommand(process.execPath, ['-e', 'console.error("boom"); process.exit(3)'], { silent: true })).rejects.toThrow(
      /exited with code 3: boom$/
    )
    const result = await runCommand(process.execPath, ['-e', 'process.exit(4)'], { silent: true, ignoreReturnCode: true })
    expect(result.exitCode).toBe(4)
  })

  it('feeds stdin', async () => {
    const result = await runCommand(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], { input: 'from-stdin', silent: true })
    expect(result.stdout).toBe('from-stdin')
  })

  it('echoes the command line and the output unless silent', async () => {
    const written: string[] = []
    jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
      written.push(String(chunk))
      return true
    })
    await runCommand(process.execPath, ['-e', 'process.stdout.write("out-line")'])
    expect(written.join('')).toContain(`[command]${process.execPath} -e process.stdout.write("out-line")`)
    expect(written.join('')).toContain('out-line')
    written.length = 0
    await runCommand(process.execPath, ['-e', 'process.stdout.write("quiet")'], { silent: true })
    expect(written.join('')).toBe('')
  })
})

describe('runExecutable', () => {
  it('fails with one line when the executable does not exist', async () => {
    await expect(runExecutable('/nonexistent/tool', ['x'], { silent: true })).rejects.toThrow(/^Cannot run \/nonexistent\/tool: spawn \/nonexistent\/tool ENOENT$/)
  })

  it('decodes multi-byte characters split across chunks', async () => {
    const script = 'const b = Buffer.from("→ é ✓".repeat(20000)); process.stdout.write(b.subarray(0, 1)); setTimeout(() => process.stdout.write(b.subarray(1)), 20)'
    const result = await runExecutable(process.execPath, ['-e', script], { silent: true })
    expect(result.stdout).toBe('→ é ✓'.repeat(20000))
  })
})

describe('which', () => {
  it('finds the first executable file on PATH, skipping non-executables and directories, and checks a path as given', () => {
    const root = mkdtempSync(join(tmpdir(), 'which-'))
    for (const dir of ['a', 'b', 'c']) mkdirSync(join(root, dir))
    mkdirSync(join(root, 'a', 'tool'))
    writeFileSync(join(root, 'b', 'tool'), 'not executable')
    writeFileSync(join(root, 'c', 'tool'), '#!/bin/sh\n')
    chmodSync(join(root, 'c', 'tool'), 0o755)
    const env = { PATH: ['', join(root, 'a'), join(root, 'b'), join(root, 'c')].join(':') }
    expect(which('tool', env)).toBe(join(root, 'c', 'tool'))
    expect(which('missing', env)).toBeUndefined()
    expect(which(join(root, 'c', 'tool'), {})).toBe(join(root, 'c', 'tool'))
    expect(which(join(root, 'b', 'tool'), {})).toBeUndefined()
  })
})

describe('outputTail', () => {
  it('takes the last lines of stderr, else of stdout, as one line', () => {
    expect(outputTail({ stderr: 'a\nb\n\nc\n', stdout: 'x' }, 2)).toBe('b | c')
    expect(outputTail({ stderr: ' \n', stdout: 'only\nlast\n' })).toBe('last')
    expect(outputTail({ stderr: '', stdout: '' })).toBe('')
  })
})

describe('job summary', () => {
  it('renders tables, lists and code, escaping pipes, and redacts registered secrets', () => {
    registerSecret(TOKEN)
    const markdown = renderSummary('Title', [
      { table: { header: ['File', 'sha256'], rows: [['a|b.whl', `leak ${TOKEN}`]] } },
      { heading: 'Install', code: { lang: 'sh', lines: ['pip install x==1.0'] }, list: ['one'] }
    ])
    expect(markdown).toBe(
      ['## Title', '', '| File | sha256 |', '| --- | --- |', '| a\\|b.whl | leak *** |', '', '### Install', '', '- one', '', '```sh', 'pip install x==1.0', '```', ''].join('\n')
    )
  })

  it('appends to GITHUB_STEP_SUMMARY when the runner provides one', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'summary-')), 'summary.md')
    writeFileSync(file, '')
    process.env['GITHUB_STEP_SUMMARY'] = file
    try {
      await writeJobSummary('Done', [{ text: 'all good' }])
    } finally {
      delete process.env['GITHUB_STEP_SUMMARY']
    }
    expect(readFileSync(file, 'utf8')).toContain('## Done\n\nall good')
  })
})
