import { appendFileSync, existsSync } from 'node:fs'
import { EOL } from 'node:os'

// The runner's workflow-command protocol (stdout `::name::message` lines and the GITHUB_* files),
// written out byte for byte as @actions/core writes it. @actions/core pulls in its OIDC client and
// with it an HTTP stack of about half a megabyte, which costs a bundle a few hundred milliseconds
// to load; actions that only log, mask and set outputs (bump-version runs in a tight loop next to
// plain git) use these instead. Formats: "Workflow commands for GitHub Actions" in the GitHub docs
// and @actions/core's command.ts / file-command.ts.

// Outside a runner (the developer CLI) stdout carries the program's own output, which a shell
// sources, so log lines go to stderr as plain text and commands nothing would obey (masks,
// groups) are dropped.
let terminal = false

/** Log to stderr as plain text from now on, for a process a person runs (the CLI). */
export function useTerminalOutput(): void {
  terminal = true
}

const TERMINAL_PREFIX: Record<string, string> = { warning: 'warning: ', error: 'error: ', notice: '' }

function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** `::command key=value,...::message`, escaped as the runner unescapes it. */
export function issueCommand(command: string, properties: Record<string, string | undefined>, message: string): void {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string] => Boolean(entry[1]))
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
  if (terminal) {
    const prefix = TERMINAL_PREFIX[command]
    if (prefix !== undefined) process.stderr.write(`${prefix}${message}${EOL}`)
    return
  }
  process.stdout.write(`::${command}${props.length > 0 ? ` ${props.join(',')}` : ''}::${escapeData(message)}${EOL}`)
}

/**
 * The runner's older command form, `##[name ...]data`, which it finds anywhere in a line,
 * shown as `##%5B` so that it is obeyed as nothing.
 */
export function defuseLegacyCommands(text: string): string {
  return text.replace(/##\[/g, '##%5B')
}

/**
 * A log line (or lines). Messages carry values from inputs and repositories (a remote URL, a
 * file name, a tag), so a line of one that would start a workflow command (`::` after blanks,
 * which the runner skips, U+0085 among them as .NET counts it) is shown with its first colon
 * escaped (`%3A:`), and `##[` anywhere as `##%5B`; a lone CR, which the runner also reads as a
 * line break, splits lines the same way.
 */
export function info(message: string): void {
  const lines = message
    .split(/\r\n|\r|\n/)
    .map((line) => defuseLegacyCommands(line.replace(/^([\s\u0085]*)::/, '$1%3A:')))
  const stream = terminal ? process.stderr : process.stdout
  stream.write(lines.join(EOL) + EOL)
}

export function warning(message: string): void {
  issueCommand('warning', {}, message)
}

export function error(message: string): void {
  issueCommand('error', {}, message)
}

/** Marks the step failed with one error annotation; the process then exits 1. */
export function setFailed(message: string): void {
  process.exitCode = 1
  error(message)
}

/** Masks `value` in the rest of the job's log. Prefer secrets.ts registerSecret, which calls this. */
export function setSecret(value: string): void {
  issueCommand('add-mask', {}, value)
}

/** Runs `fn` inside a collapsible log group, closing it however `fn` ends. */
export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issueCommand('group', {}, name)
  try {
    return await fn()
  } finally {
    issueCommand('endgroup', {}, '')
  }
}

function appendFileCommand(variable: string, key: string, value: string): void {
  const path = process.env[variable]
  // The runner always sets these. Without one (a local run) nothing reads the value, and
  // printing it could print a secret, so only the name is logged.
  if (!path) {
    info(`(no ${variable}: ${key} not recorded)`)
    return
  }
  if (!existsSync(path)) throw new Error(`Missing file at path: ${path} (${variable})`)
  // A fresh delimiter per value that the value does not contain, so no value can end the heredoc
  // early. What keeps values from injecting outputs is that check, not unpredictability, so
  // Math.random serves (node:crypto would cost every action its load time, a few milliseconds).
  let delimiter: string
  do delimiter = `ghadelimiter_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`
  while (key.includes(delimiter) || value.includes(delimiter))
  appendFileSync(path, `${key}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' })
}

/** Sets a step output through GITHUB_OUTPUT (heredoc form, so values may span lines). */
export function setOutput(name: string, value: string): void {
  appendFileCommand('GITHUB_OUTPUT', name, value)
}

/** Sets `name` for this process and for the job's later steps (GITHUB_ENV). */
export function exportVariable(name: string, value: string): void {
  process.env[name] = value
  appendFileCommand('GITHUB_ENV', name, value)
}

/** Saves state for this action's post step, which reads it back with getState. */
export function saveState(name: string, value: string): void {
  appendFileCommand('GITHUB_STATE', name, value)
}

/** State the main step saved; the runner passes it to the post step as STATE_<name>. */
export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? ''
}

/** Appends markdown to the job summary; a no-op where the runner gives none (local runs). */
export async function appendStepSummary(markdown: string): Promise<void> {
  const path = process.env['GITHUB_STEP_SUMMARY']
  if (!path) return
  // Synchronous like the other file commands: a summary is a few kilobytes, and node:fs/promises
  // would cost an action that otherwise never loads it a couple of milliseconds.
  appendFileSync(path, markdown + EOL, { encoding: 'utf8' })
}
