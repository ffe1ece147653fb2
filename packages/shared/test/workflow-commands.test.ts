// The runner protocol as packages/shared writes it, checked two ways: byte for byte against the
// cases of @actions/core's own command and file-command tests (our module replaces it on the
// hot path, so it must write what the toolkit writes), and by reading the result back with the
// runner's parsing rules (test/harness/runner-protocol.ts), including values built to break them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { EOL, tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  appendStepSummary,
  error,
  info,
  exportVariable,
  getState,
  group,
  issueCommand,
  saveState,
  setFailed,
  setOutput,
  setSecret,
  warning
} from '../src/workflow-commands.ts'
import { parseCommandLine, parseCommands, parseFileCommands } from '../../../test/harness/runner-protocol.ts'
import { restoreEnvAfterEach } from '../../../test/harness/inputs.ts'
import { captureStdout } from '../../../test/harness/stdout.ts'

const written = captureStdout()
let dir: string
restoreEnvAfterEach()
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'workflow-commands-'))
})
afterEach(() => {
  process.exitCode = undefined
  rmSync(dir, { recursive: true, force: true })
})

/** A fresh, empty file for GITHUB_<name>, as the runner provides one per step. */
function commandFile(variable: string): string {
  const path = join(dir, variable)
  writeFileSync(path, '')
  process.env[variable] = path
  return path
}

describe('workflow commands on stdout (the cases of @actions/core command.test.ts)', () => {
  it.each<[string, Record<string, string | undefined>, string, string]>([
    ['command only', {}, '', '::some-command::'],
    [
      'escapes the message',
      {},
      'percent % percent % cr \r cr \r lf \n lf \n',
      '::some-command::percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A'
    ],
    [
      'escapes an already escaped message',
      {},
      '%25 %25 %0D %0D %0A %0A',
      '::some-command::%2525 %2525 %250D %250D %250A %250A'
    ],
    [
      'escapes a property',
      { name: 'percent % percent % cr \r cr \r lf \n lf \n colon : colon : comma , comma ,' },
      '',
      '::some-command name=percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A colon %3A colon %3A comma %2C comma %2C::'
    ],
    ['with a message', {}, 'some message', '::some-command::some message'],
    [
      'with a message and properties',
      { prop1: 'value 1', prop2: 'value 2' },
      'some message',
      '::some-command prop1=value 1,prop2=value 2::some message'
    ],
    ['with one property', { prop1: 'value 1' }, '', '::some-command prop1=value 1::'],
    ['with two properties', { prop1: 'value 1', prop2: 'value 2' }, '', '::some-command prop1=value 1,prop2=value 2::'],
    [
      'drops empty and undefined properties',
      { prop1: '', prop2: undefined, prop3: 'x' },
      'm',
      '::some-command prop3=x::m'
    ]
  ])('%s', (_name, properties, message, line) => {
    issueCommand('some-command', properties, message)
    expect(written).toEqual([line + EOL])
  })

  it('writes each helper as its command, one line each', () => {
    warning('careful')
    error('broken')
    setSecret('s3cr3t')
    expect(written.join('')).toBe(`::warning::careful${EOL}::error::broken${EOL}::add-mask::s3cr3t${EOL}`)
  })

  it('setFailed writes one error line and sets the exit code to 1', () => {
    setFailed('it failed\nbadly')
    expect(written).toEqual([`::error::it failed%0Abadly${EOL}`])
    expect(process.exitCode).toBe(1)
  })

  it('group opens and closes the group even when the body throws', async () => {
    await expect(
      group('phase', async () => {
        throw new Error('boom')
      })
    ).rejects.toThrow('boom')
    expect(written).toEqual([`::group::phase${EOL}`, `::endgroup::${EOL}`])
    expect(await group('phase', async () => 42)).toBe(42)
  })

  // What a hostile value may try: start a command of its own on a new line (also after leading
  // blanks, which the runner skips), close the command early, or smuggle a property.
  const hostile = [
    'ok\n::add-mask::nothing',
    'ok\r\n   ::warning::injected',
    'ok\r::stop-commands::token',
    'a::b::c',
    '%0A::error::pre-escaped',
    'x=1,title=owned',
    ':,%\r\n'
  ]

  it.each(hostile)('a message %j reads back as one command with the same data', (message) => {
    issueCommand('error', { title: 'a, b: c' }, message)
    const out = written.join('')
    expect(out.split(EOL).filter(Boolean)).toHaveLength(1)
    expect(parseCommands(out)).toEqual([{ command: 'error', properties: { title: 'a, b: c' }, data: message }])
  })

  it.each(hostile)('a property %j reads back unchanged and adds no property', (value) => {
    issueCommand('notice', { file: value, line: '3' }, 'm')
    expect(parseCommands(written.join(''))).toEqual([
      { command: 'notice', properties: { file: value, line: '3' }, data: 'm' }
    ])
  })

  it('round-trips every character class the escaping touches, through the runner parser', () => {
    const alphabet = ['a', ' ', '%', '\r', '\n', ':', ',', '=', '2', '5', '0', 'A', 'D', '3', 'C']
    // A fixed pseudo-random corpus, so a failure reproduces.
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    for (let i = 0; i < 500; i++) {
      const text = Array.from({ length: next() % 12 }, () => alphabet[next() % alphabet.length]).join('')
      written.length = 0
      issueCommand('debug', { key: text || 'x' }, text)
      // The runner trims the property list, so the last value loses trailing spaces (the
      // protocol has no escape for a space; @actions/core behaves the same). CR and LF are
      // escaped, so they stay.
      const kept = (text || 'x').replace(/ +$/, '')
      expect(parseCommandLine(written.join('').slice(0, -EOL.length))).toEqual({
        command: 'debug',
        properties: kept ? { key: kept } : {},
        data: text
      })
    }
  })
})

describe('file commands (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE)', () => {
  it('writes the heredoc form @actions/core writes: name<<ghadelimiter_..., value, delimiter', () => {
    const path = commandFile('GITHUB_OUTPUT')
    setOutput('my out', 'out val')
    const text = readFileSync(path, 'utf8')
    expect(text).toMatch(new RegExp(`^my out<<(ghadelimiter_[0-9a-z]+)${EOL}out val${EOL}\\1${EOL}$`))
    expect(parseFileCommands(text)).toEqual({ 'my out': 'out val' })
  })

  it('appends: several values in one file read back each under its name, the last one winning', () => {
    const path = commandFile('GITHUB_OUTPUT')
    setOutput('a', '1')
    setOutput('b', 'two\nlines')
    setOutput('a', '3')
    expect(parseFileCommands(readFileSync(path, 'utf8'))).toEqual({ a: '3', b: 'two\nlines' })
  })

  it.each([
    ['empty', ''],
    ['multi-line', 'line 1\nline 2\nline 3'],
    ['CRLF lines', 'line 1\r\nline 2'],
    ['a leading and a trailing newline', '\nmiddle\n'],
    ['an equals sign and a heredoc marker', 'a=b<<EOF'],
    ['a line that looks like a delimiter', 'ghadelimiter_\nghadelimiter_abc\nEOF'],
    ['an injected second output', 'x\nhacked=1\nother<<END\nevil\nEND'],
    ['unicode', 'ünïcödé ✓ 🎉'],
    ['percent escapes, kept literally', '%0A%25']
  ])('a value with %s reads back exactly, as one output', (_name, value) => {
    const path = commandFile('GITHUB_OUTPUT')
    setOutput('result', value)
    expect(parseFileCommands(readFileSync(path, 'utf8'))).toEqual({ result: value })
  })

  it('never uses a delimiter that the value contains', () => {
    const path = commandFile('GITHUB_OUTPUT')
    // Every delimiter the writer could choose starts with this, so the value holds each prefix.
    const value = Array.from({ length: 50 }, (_, i) => `ghadelimiter_${i.toString(36)}`).join('\n')
    for (let i = 0; i < 20; i++) setOutput(`out${i}`, value)
    const parsed = parseFileCommands(readFileSync(path, 'utf8'))
    for (let i = 0; i < 20; i++) expect(parsed[`out${i}`]).toBe(value)
  })

  it('exportVariable writes GITHUB_ENV and sets the variable for this process', () => {
    const path = commandFile('GITHUB_ENV')
    exportVariable('MY_VAR', 'multi\nline')
    expect(process.env['MY_VAR']).toBe('multi\nline')
    expect(parseFileCommands(readFileSync(path, 'utf8'))).toEqual({ MY_VAR: 'multi\nline' })
  })

  it('saveState writes GITHUB_STATE, which the post step reads back as STATE_<name>', () => {
    const path = commandFile('GITHUB_STATE')
    saveState('cleanup-dir', '/tmp/x')
    const saved = parseFileCommands(readFileSync(path, 'utf8'))
    for (const [name, value] of Object.entries(saved)) process.env[`STATE_${name}`] = value
    expect(getState('cleanup-dir')).toBe('/tmp/x')
    expect(getState('never-saved')).toBe('')
  })

  it('without the variable (a local run) logs only the name, never the value', () => {
    delete process.env['GITHUB_OUTPUT']
    setOutput('token', 'value-that-must-not-print')
    expect(written.join('')).toBe(`(no GITHUB_OUTPUT: token not recorded)${EOL}`)
  })

  it('fails with the path when the runner named a file that does not exist', () => {
    process.env['GITHUB_OUTPUT'] = join(dir, 'missing')
    expect(() => setOutput('a', 'b')).toThrow(`Missing file at path: ${join(dir, 'missing')} (GITHUB_OUTPUT)`)
  })

  it('appendStepSummary appends markdown lines, and does nothing without GITHUB_STEP_SUMMARY', async () => {
    const path = commandFile('GITHUB_STEP_SUMMARY')
    await appendStepSummary('# Release')
    await appendStepSummary('| a | b |')
    expect(readFileSync(path, 'utf8')).toBe(`# Release${EOL}| a | b |${EOL}`)
    delete process.env['GITHUB_STEP_SUMMARY']
    await expect(appendStepSummary('ignored')).resolves.toBeUndefined()
  })
})

describe('the runner parser in test/harness (so the checks above can fail)', () => {
  it('refuses a heredoc without its closing delimiter, as the runner does', () => {
    expect(() => parseFileCommands('a<<EOF\nvalue\n')).toThrow('Matching delimiter not found')
    expect(() => parseFileCommands('=value\n')).toThrow('Name must not be empty')
    expect(() => parseFileCommands('no separator\n')).toThrow('Invalid format')
  })

  it('reads plain name=value lines and CRLF files', () => {
    expect(parseFileCommands('a=1\r\nb<<E\r\nx\r\ny\r\nE\r\n')).toEqual({ a: '1', b: 'x\r\ny' })
  })

  it('sees a command after leading blanks, and none without the closing ::', () => {
    expect(parseCommandLine('   ::warning::x')).toEqual({ command: 'warning', properties: {}, data: 'x' })
    expect(parseCommandLine('::warning x')).toBeUndefined()
    expect(parseCommandLine('text ::warning::x')).toBeUndefined()
  })
})

describe('info', () => {
  it.each([
    ['a plain line', 'Tagged v1.2.3', 'Tagged v1.2.3'],
    ['several lines', 'one\ntwo', `one${EOL}two`],
    ['a value that starts a command', 'remote ok\n::add-mask::x', `remote ok${EOL}%3A:add-mask::x`],
    ['blanks before the command', 'a\r\n   ::stop-commands::t', `a${EOL}   %3A:stop-commands::t`],
    ['a lone CR', 'a\r::warning::w', `a${EOL}%3A:warning::w`],
    ['colons inside a line', 'see http://host:8080/x', 'see http://host:8080/x']
  ])('prints %s as text the runner obeys as no command', (_name, message, shown) => {
    info(message)
    const out = written.join('')
    expect(out).toBe(shown + EOL)
    expect(parseCommands(out)).toEqual([])
  })
})

describe('the runner’s other command forms', () => {
  it.each([
    ['a legacy command in the middle of a line', 'Bump 1.2.4 ##[stop-commands]x', 'Bump 1.2.4 ##%5Bstop-commands]x'],
    ['a legacy output', '##[set-output name=version;]9.9.9', '##%5Bset-output name=version;]9.9.9'],
    ['NEL before a command', '\u0085::add-mask::x', '\u0085%3A:add-mask::x']
  ])('info() shows %s as text', (_name, message, shown) => {
    info(message)
    const out = written.join('')
    expect(out).toBe(shown + EOL)
    expect(parseCommands(out)).toEqual([])
  })

  it('the harness parser sees both forms, as the runner does', () => {
    expect(parseCommands('x ##[add-mask]y\n\u0085::warning::w\n').map((command) => command.command)).toEqual([
      'add-mask',
      'warning'
    ])
  })
})
