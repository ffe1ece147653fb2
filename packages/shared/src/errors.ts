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

/** A bad input value: names the input, the problem and what is accepted. */
export class InputError extends ActionError {
  constructor(input: string, problem: string, accepted: string) {
    super(`Input \`${input}\`: ${problem}; ${accepted}.`)
    this.name = 'InputError'
  }
}

/** One line: the message, then the fix when one is known. */
export function describeError(error: unknown): string {
  if (error instanceof ActionError) {
    return error.hint ? `${error.message} Fix: ${error.hint}` : error.message
  }
  if (error instanceof Error) return error.message || error.name
  return String(error)
}
