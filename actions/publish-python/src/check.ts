// `twine check --strict` over every distribution in one interpreter start, its verdicts turned
// into one line that names the files, the first problem and the fix.
import { basename } from 'node:path'
import { ActionError } from '@release/shared/errors'
import { echoedCommand, printUntrusted, runCommand, stripAnsi } from '@release/shared/exec'
import * as log from '@release/shared/workflow-commands'
import type { Dist } from './dists.ts'
import type { Command } from '@release/shared/python/toolchain'

export interface CheckFailure {
  file: string
  problems: string[]
}

/**
 * Failed files and their problems from twine's output. Rich wraps long log records onto
 * indented continuation lines; they are joined back to the record they belong to.
 */
export function parseTwineCheck(output: string): CheckFailure[] {
  const failures: CheckFailure[] = []
  let current: CheckFailure | undefined
  let record: string[] | undefined
  const flush = (): void => {
    if (current && record) current.problems.push(record.join(' ').replace(/\s+/g, ' ').trim())
    record = undefined
  }
  for (const raw of stripAnsi(output).split('\n')) {
    const line = raw.trimEnd()
    const status = /^Checking (.+?): (PASSED|FAILED)(.*)$/.exec(line)
    if (status) {
      flush()
      current = status[2] === 'FAILED' ? { file: basename(status[1] as string), problems: [] } : undefined
      if (current) failures.push(current)
      continue
    }
    const level = /^(ERROR|WARNING)\s+(.*)$/.exec(line)
    if (level) {
      flush()
      record = [level[2] as string]
      continue
    }
    if (record && /^\s+\S/.test(line)) record.push(line.trim())
    else if (!line.trim()) flush()
  }
  flush()
  return failures
}

export function hintFor(problems: readonly string[]): string {
  const text = problems.join(' ')
  // A setup.py project that sets long_description but not its format: --strict fails on the
  // warning even when the text renders (certifi's, simplejson's and PyYAML's reStructuredText),
  // so the fix names both formats rather than guess one.
  if (/long_description_content_type` missing/.test(text)) {
    return 'declare the long description\'s format in setup() or setup.cfg [metadata]: `long_description_content_type="text/x-rst"` for reStructuredText (README.rst) or `"text/markdown"` for Markdown (README.md); with pyproject.toml, `readme = "README.<ext>"` under [project] sets it; then rebuild, or set `check: false`'
  }
  if (/long_description` missing/.test(text)) {
    return 'add a README to the project metadata (`readme = "README.md"` under [project] in pyproject.toml) and rebuild, or set `check: false`'
  }
  return 'fix the README (the file `readme` names in pyproject.toml) so it renders, rebuild, or set `check: false` to publish anyway'
}

export async function checkDists(twine: Command, dists: readonly Dist[]): Promise<void> {
  const args = [...twine.args, '--no-color', 'check', '--strict', ...dists.map((dist) => dist.path)]
  log.info(`[command]${echoedCommand(twine.command, args)}`)
  const result = await runCommand(twine.command, args, {
    silent: true,
    ignoreReturnCode: true,
    env: { COLUMNS: '200', NO_COLOR: '1' }
  })
  const output = stripAnsi(`${result.stdout}\n${result.stderr}`).trim()
  printUntrusted(output)
  if (result.exitCode === 0) return
  const failures = parseTwineCheck(output)
  if (failures.length === 0) {
    throw new ActionError(
      `\`twine check --strict\` failed: ${output.split('\n').filter(Boolean).pop() ?? `exit code ${result.exitCode}`}`,
      {
        hint: 'see the twine output above'
      }
    )
  }
  const files = failures.map((failure) => failure.file)
  const problem = failures[0]?.problems.join('; ') || 'no details'
  throw new ActionError(`\`twine check --strict\` failed for ${files.join(', ')}: ${problem}`, {
    hint: hintFor(failures.flatMap((f) => f.problems))
  })
}
