import { jest } from '@jest/globals'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { commandBackendsForTests, outputTail, runCommand } from '../src/exec.ts'
import { which } from '../src/which.ts'
import { registerSecret, resetSecretsForTests } from '../src/secrets.ts'
import { renderSummary, writeJobSummary } from '../src/summary.ts'

const TOKEN = 'known-token-0123456789abcdef'

beforeEach(() => {
  resetSecretsForTests()
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(() => jest.restoreAllMocks())

// Both ways runCommand starts a process (node:child_process directly; @actions/exec for Windows
// batch files) are held to one contract.
describe.each(Object.entries(commandBackendsForTests))('the %s backend', (_name, start) => {
  it('passes argv as an array (no shell) and the environment', async () => {
    const result = await start(
      process.execPath,
      ['-e', 'process.stdout.write(process.argv[1] + "|" + process.env.SECRET_VALUE.length)', 'a b;$(echo hi)'],
      {
        env: { SECRET_VALUE: TOKEN },
        silent: true
      }
    )
    expect(result).toMatchObject({ exitCode: 0, stdout: `a b;$(echo hi)|${TOKEN.length}` })
  })

  it('returns the exit code and both streams', async () => {
    const result = await start(process.execPath, ['-e', 'console.log("out"); console.error("boom"); process.exit(3)'], {
      silent: true
    })
    expect(result).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'boom\n' })
  })

  it('feeds stdin', async () => {
    const result = await start(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], {
      input: 'from-stdin',
      silent: true
    })
    expect(result.stdout).toBe('from-stdin')
  })

  it('echoes the command line, then stdout and stderr both on stdout (inside the log group), unless silent', async () => {
    const written: string[] = []
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk))
      return true
    })
    const errWritten: string[] = []
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errWritten.push(String(chunk))
      return true
    })
    await start(process.execPath, ['-e', 'process.stdout.write("out-line"); process.stderr.write("err-line")'], {})
    expect(written.join('')).toContain(
      `[command]${process.execPath} -e process.stdout.write("out-line"); process.stderr.write("err-line")`
    )
    expect(written.join('')).toContain('out-line')
    expect(written.join('')).toContain('err-line')
    expect(errWritten.join('')).toBe('')
    written.length = 0
    await start(process.execPath, ['-e', 'process.stdout.write("quiet"); process.stderr.write("quiet")'], {
      silent: true
    })
    expect(written.join('')).toBe('')
  })
})

describe('runCommand', () => {
  it('refuses to put a registered secret into argv', async () => {
    registerSecret(TOKEN)
    await expect(runCommand('echo', [`--password=${TOKEN}`])).rejects.toThrow(
      'Refusing to run echo: a secret would appear in its command line.'
    )
    await expect(runCommand('echo', [`https://aws:${encodeURIComponent(TOKEN)}@host/`])).rejects.toThrow(
      /Refusing to run echo/
    )
  })

  it('fails with the command, exit code or signal, and the tail of the output', async () => {
    await expect(
      runCommand(process.execPath, ['-e', 'console.error("boom"); process.exit(3)'], { silent: true })
    ).rejects.toThrow(/exited with code 3: boom$/)
    expect(
      (await runCommand(process.execPath, ['-e', 'process.exit(4)'], { silent: true, ignoreReturnCode: true })).exitCode
    ).toBe(4)
    await expect(
      runCommand(process.execPath, ['-e', 'console.error("dying"); process.kill(process.pid, "SIGKILL")'], {
        silent: true
      })
    ).rejects.toThrow(/was stopped by SIGKILL: dying$/)
  })

  it('stops a child that runs past timeoutMs, and says so', async () => {
    const started = Date.now()
    const result = await runCommand(process.execPath, ['-e', 'console.log("started"); setTimeout(() => {}, 60000)'], {
      silent: true,
      ignoreReturnCode: true,
      timeoutMs: 500
    })
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGTERM', stdout: 'started\n' })
    expect(Date.now() - started).toBeLessThan(5_000)
    await expect(
      runCommand(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { silent: true, timeoutMs: 500 })
    ).rejects.toThrow(/was stopped after 1 s \(its time limit\)$/)
    // A child that ignores SIGTERM is killed 5 s later.
    const stubborn = await runCommand(
      process.execPath,
      ['-e', 'process.on("SIGTERM", () => {}); setTimeout(() => {}, 60000)'],
      { silent: true, ignoreReturnCode: true, timeoutMs: 500 }
    )
    expect(stubborn).toMatchObject({ timedOut: true, signal: 'SIGKILL' })
  }, 20_000)

  it('fails with one line when the executable does not exist', async () => {
    await expect(runCommand('/nonexistent/tool', ['x'], { silent: true })).rejects.toThrow(
      /^Cannot run \/nonexistent\/tool: spawn \/nonexistent\/tool ENOENT$/
    )
  })

  it('decodes multi-byte characters split across chunks', async () => {
    const script =
      'const b = Buffer.from("→ é ✓".repeat(20000)); process.stdout.write(b.subarray(0, 1)); setTimeout(() => process.stdout.write(b.subarray(1)), 20)'
    const result = await runCommand(process.execPath, ['-e', script], { silent: true })
    expect(result.stdout).toBe('→ é ✓'.repeat(20000))
  })

  it('returns 10 s after the child exits even when a process it left behind holds its output open', async () => {
    // The child starts a grandchild that inherits stdout and sleeps for a minute, then exits.
    const script =
      'require("child_process").spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "inherit", detached: true }).unref(); console.log("parent done")'
    const started = Date.now()
    const result = await runCommand(process.execPath, ['-e', script], { silent: true })
    expect(result.stdout).toBe('parent done\n')
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000)
    expect(Date.now() - started).toBeLessThan(20_000)
  }, 30_000)
})

describe('which', () => {
  it('finds the first executable file on PATH, skipping non-executables, directories and relative entries, and checks a path as given', () => {
    const root = mkdtempSync(join(tmpdir(), 'which-'))
    const cwd = process.cwd()
    for (const dir of ['a', 'b', 'c']) mkdirSync(join(root, dir))
    mkdirSync(join(root, 'a', 'tool'))
    writeFileSync(join(root, 'b', 'tool'), 'not executable')
    writeFileSync(join(root, 'c', 'tool'), '#!/bin/sh\n')
    chmodSync(join(root, 'c', 'tool'), 0o755)
    // A relative entry is skipped even when it holds the tool.
    mkdirSync(join(root, 'rel'))
    writeFileSync(join(root, 'rel', 'tool'), '#!/bin/sh\n')
    chmodSync(join(root, 'rel', 'tool'), 0o755)
    const env = { PATH: ['', 'rel', join(root, 'a'), join(root, 'b'), join(root, 'c')].join(':') }
    process.chdir(root)
    try {
      expect(which('tool', env)).toBe(join(root, 'c', 'tool'))
    } finally {
      process.chdir(cwd)
    }
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
      [
        '## Title',
        '',
        '| File | sha256 |',
        '| --- | --- |',
        '| a\\|b.whl | leak *** |',
        '',
        '### Install',
        '',
        '- one',
        '',
        '```sh',
        'pip install x==1.0',
        '```',
        ''
      ].join('\n')
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
