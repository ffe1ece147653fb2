// The GitHub Actions runner's side of the workflow-command protocol, as the tests read what an
// action wrote: the parsing rules of actions/runner (ActionCommand.TryParseV2 for `::name ...::`
// lines on stdout, and the file-command reader behind GITHUB_OUTPUT, GITHUB_ENV and
// GITHUB_STATE), so a test fails where the real runner would misread us.

export interface WorkflowCommand {
  command: string
  properties: Record<string, string>
  data: string
}

function unescapeData(text: string): string {
  // The runner's order: %0D, %0A, then %25.
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function unescapeProperty(text: string): string {
  return unescapeData(text).replace(/%3A/g, ':').replace(/%2C/g, ',')
}

/**
 * `name key=value<sep>key=value` (the part between the markers) as the runner splits it: at the
 * first space, then at each separator, each pair at its first `=`, pairs with an empty side dropped.
 */
function parseCommandInfo(
  info: string,
  separator: string,
  unescape: (value: string) => string
): Omit<WorkflowCommand, 'data'> | undefined {
  const space = info.indexOf(' ')
  const command = space < 0 ? info : info.slice(0, space)
  if (!command) return undefined
  const properties: Record<string, string> = {}
  if (space > 0) {
    for (const property of info
      .slice(space + 1)
      .trim()
      .split(separator)
      .filter(Boolean)) {
      const at = property.indexOf('=')
      if (at > 0 && at < property.length - 1) properties[property.slice(0, at)] = unescape(property.slice(at + 1))
    }
  }
  return { command, properties }
}

/**
 * The runner's older form, `##[name key=value;...]data`, which it looks for anywhere in a line
 * when the line is no `::` command (ActionCommand.TryParse).
 */
function parseLegacyCommandLine(line: string): WorkflowCommand | undefined {
  const start = line.indexOf('##[')
  const end = start < 0 ? -1 : line.indexOf(']', start)
  if (end < 0) return undefined
  const parsed = parseCommandInfo(line.slice(start + 3, end), ';', (value) => value)
  return parsed && { ...parsed, data: line.slice(end + 1) }
}

/** One stdout line as the runner reads it: a command (leading blanks allowed), or undefined. */
export function parseCommandLine(line: string): WorkflowCommand | undefined {
  // .NET's TrimStart, which also takes U+0085 (NEL) for a blank.
  const message = line.replace(/^[\s\u0085]+/, '')
  if (!message.startsWith('::')) return parseLegacyCommandLine(line)
  const end = message.indexOf('::', 2)
  if (end < 0) return undefined
  const parsed = parseCommandInfo(message.slice(2, end), ',', unescapeProperty)
  return parsed && { ...parsed, data: unescapeData(message.slice(end + 2)) }
}

/** Every command-shaped line in a stdout stream, split into lines as the runner reads them (CR, LF or CRLF). */
export function parseCommands(stdout: string): WorkflowCommand[] {
  return stdout
    .split(/\r\n|\r|\n/)
    .map(parseCommandLine)
    .filter((command): command is WorkflowCommand => command !== undefined)
}

/**
 * The commands the runner carries out: as parseCommands, but after `::stop-commands::<token>`
 * nothing counts until a line `::<token>::` (the runner's fence for output it must not obey).
 */
export function effectiveCommands(stdout: string): WorkflowCommand[] {
  const obeyed: WorkflowCommand[] = []
  let stoppedBy: string | undefined
  for (const command of parseCommands(stdout)) {
    if (stoppedBy !== undefined) {
      if (command.command === stoppedBy && Object.keys(command.properties).length === 0) stoppedBy = undefined
      continue
    }
    if (command.command === 'stop-commands') stoppedBy = command.data
    else obeyed.push(command)
  }
  return obeyed
}

/** The data of each `::<command>::` line the runner obeys, unescaped (`::error::`, `::add-mask::`, ...). */
export function commandLines(stdout: string, command: string): string[] {
  return effectiveCommands(stdout)
    .filter((parsed) => parsed.command === command)
    .map((parsed) => parsed.data)
}

/** Reads one line from `index`; returns it without its newline (LF or CRLF), and that newline. */
function readLine(text: string, index: number): { line: string; newline: string; next: number } | undefined {
  if (index >= text.length) return undefined
  const lf = text.indexOf('\n', index)
  if (lf < 0) return { line: text.slice(index), newline: '', next: text.length }
  const crlf = lf > index && text[lf - 1] === '\r'
  return { line: text.slice(index, crlf ? lf - 1 : lf), newline: crlf ? '\r\n' : '\n', next: lf + 1 }
}

/**
 * A GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE file as the runner reads it: `NAME=value` lines,
 * and `NAME<<DELIMITER` heredocs whose value runs up to a line that is exactly the delimiter.
 * Throws the runner's complaint for what the runner refuses (which fails the step).
 */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  let cursor = readLine(text, 0)
  while (cursor) {
    const { line } = cursor
    let next = cursor.next
    if (line !== '') {
      const equals = line.indexOf('=')
      const heredoc = line.indexOf('<<')
      if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
        const key = line.slice(0, equals)
        if (!key) throw new Error(`Invalid format '${line}'. Name must not be empty`)
        result[key] = line.slice(equals + 1)
      } else if (heredoc >= 0) {
        const key = line.slice(0, heredoc)
        const delimiter = line.slice(heredoc + 2)
        if (!key || !delimiter) throw new Error(`Invalid format '${line}'`)
        const start = next
        let end = next
        let valueLine = readLine(text, next)
        while (valueLine?.line !== delimiter) {
          if (!valueLine) throw new Error(`Invalid value. Matching delimiter not found '${delimiter}'`)
          if (!valueLine.newline) throw new Error(`Invalid value. EOF marker missing new line.`)
          end = valueLine.next - valueLine.newline.length
          valueLine = readLine(text, valueLine.next)
        }
        result[key] = text.slice(start, Math.max(start, end))
        next = valueLine.next
      } else {
        throw new Error(`Invalid format '${line}'`)
      }
    }
    cursor = readLine(text, next)
  }
  return result
}
