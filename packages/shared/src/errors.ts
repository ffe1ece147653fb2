import { redact } from './secrets.ts'
/**
 * An error a user can act on: what went wrong and, where known, the fix. run() catches it
 * once and reports `message` plus the hint as the step's single failure line.
 */
export class ActionError extends Error {
  readonly hint?: string

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ActionError'
    this.hint = options.hint
  }
}

/** A bad input value: names the input, the problem and what is accepted, in one line. */
export class InputError extends ActionError {
  constructor(input: string, problem: string, accepted: string) {
    // The problem echoes the value, which may span lines (a multi-line `with:` value).
    super(`Input \`${input}\`: ${oneLine(problem)}; ${accepted}.`)
    this.name = 'InputError'
  }
}

// A failure line is read in the log and in the annotation list, where a 6000-character input
// echoed back (or an HTML page an endpoint answered) buries the fix. Values are cut in the
// middle, so both the start and the end of what was said stay readable; the fix is ours and
// short, so it is never cut. Messages of other code (the SDK, Node) are made one line; an
// ActionError's layout is ours and deliberate (e.g. one disagreeing version source a line).

/** The length a failure line is kept to when its fix leaves room. */
export const MAX_ERROR_LINE = 300
/**
 * Our own multi-part messages may run longer: a failed push says what the remote holds now and
 * what was undone, which the user needs whole to finish the release. Their values are still cut,
 * so only our words make them long; this is the backstop.
 */
export const MAX_OWN_MESSAGE = 480
/** What the message keeps however long the fix is. */
const MIN_MESSAGE = 160
/** A single embedded value (an echoed input, a URL, a body) longer than this is cut. */
const MAX_VALUE = 120

/** `text` cut in the middle to `max` characters (code points), with an ellipsis where it was cut. */
export function ellipsize(text: string, max: number): string {
  if (text.length <= max) return text
  const chars = Array.from(text)
  if (chars.length <= max) return text
  const head = Math.ceil(((max - 1) * 2) / 3)
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (max - 1 - head)).join('')}`
}

/** Line breaks and runs of blanks as single spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

const LONG_VALUE = new RegExp(`\\S{${MAX_VALUE + 1},}`, 'g')

function shortenValues(text: string): string {
  return text.replace(LONG_VALUE, (value) => ellipsize(value, MAX_VALUE))
}

/** The message of anything thrown; duck-typed, since errors of another realm (vm, jest) fail instanceof Error. */
export function messageOf(error: unknown): string {
  if (error instanceof ActionError) return error.message
  const { message, name } = (typeof error === 'object' && error !== null ? error : {}) as Partial<Error>
  if (typeof message === 'string' || typeof name === 'string') return message || name || ''
  return String(error)
}

/** The message, then the fix when one is known; one line unless the message lays out a list, long values cut. */
export function describeError(error: unknown): string {
  const ours = error instanceof ActionError
  // Redacted before anything is cut: a secret cut in two no longer matches the runner's mask.
  // (The runner masks every registered value anyway; a value of a few characters, which would
  // turn every word it occurs in to ***, is left to it.)
  const hidden = (text: string): string => redact(text, { minLength: 8 })
  const hint = ours && error.hint ? ` Fix: ${hidden(oneLine(error.hint))}` : ''
  const message = shortenValues(hidden(ours ? error.message : oneLine(messageOf(error))))
  const limit =
    ours && !(error instanceof InputError) ? MAX_OWN_MESSAGE : Math.max(MIN_MESSAGE, MAX_ERROR_LINE - hint.length)
  return ellipsize(message, limit) + hint
}
