import { InputError } from './errors.ts'

// Typed readers over the runner's INPUT_* variables. Each one fails with a single line that
// names the input, what is wrong with the value and what is accepted, so a bad workflow file
// is fixed from the log line alone.

export interface StringOptions {
  required?: boolean
  default?: string
  /** The value must match; `accepted` describes the accepted form for the error line. */
  pattern?: { regex: RegExp; accepted: string }
}

// Read straight from the environment by the runner's documented contract (INPUT_<NAME>,
// upper-cased, spaces as underscores) rather than through @actions/core: that keeps input
// parsing free of the toolkit's HTTP stack, so a bad input fails before the bundle loads it.
function raw(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
}

export function getString(name: string, options: StringOptions = {}): string {
  const value = raw(name) || options.default || ''
  if (!value) {
    if (options.required) throw new InputError(name, 'is required but empty', 'set it in the step’s `with:`')
    return ''
  }
  if (options.pattern && !options.pattern.regex.test(value)) {
    throw new InputError(name, `"${value}" is not valid`, `expected ${options.pattern.accepted}`)
  }
  return value
}

/**
 * For inputs where an explicit empty value means something (e.g. a tag prefix: empty is bare
 * versions). The runner sets INPUT_<NAME> for every input action.yml declares (to its default
 * when the step omits it), so absent means "not declared here" and gives `defaultValue`;
 * present, even empty, gives the trimmed value.
 */
export function getVerbatimString(name: string, defaultValue: string): string {
  const value = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`]
  return value === undefined ? defaultValue : value.trim()
}

/** An optional value: undefined when the input is empty. */
export function getOptionalString(
  name: string,
  options: Omit<StringOptions, 'required' | 'default'> = {}
): string | undefined {
  return getString(name, options) || undefined
}

const TRUE_VALUES = new Set(['true', 'yes', 'on', '1'])
const FALSE_VALUES = new Set(['false', 'no', 'off', '0'])

export function getBoolean(name: string, defaultValue: boolean): boolean {
  const value = raw(name).toLowerCase()
  if (!value) return defaultValue
  if (TRUE_VALUES.has(value)) return true
  if (FALSE_VALUES.has(value)) return false
  throw new InputError(name, `"${raw(name)}" is not a boolean`, 'use true or false')
}

export function getEnum<T extends string>(name: string, allowed: readonly T[], defaultValue: T): T {
  const value = raw(name).toLowerCase()
  if (!value) return defaultValue
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new InputError(name, `"${raw(name)}" is not accepted`, `use one of ${allowed.join(', ')}`)
}

export interface ListOptions {
  /** Split on newlines only (values may contain commas, e.g. build args). Default: newlines and commas. */
  linesOnly?: boolean
}

/** Splits a list input into trimmed, non-empty items; lines starting with `#` are comments. */
export function parseList(value: string, options: ListOptions = {}): string[] {
  const items: string[] = []
  for (const line of value.split(/\r?\n/)) {
    const trimmed = line.trim()
    if (!trimmed || trimmed.startsWith('#')) continue
    const parts = options.linesOnly ? [trimmed] : trimmed.split(',')
    for (const part of parts) {
      if (part.trim()) items.push(part.trim())
    }
  }
  return items
}

export function getList(name: string, options: ListOptions & { default?: string[] } = {}): string[] {
  const value = raw(name)
  if (!value) return options.default ?? []
  return parseList(value, options)
}

/** A list whose items must each be one of `allowed`; duplicates are dropped, order kept. */
export function getEnumList<T extends string>(name: string, allowed: readonly T[], defaultValue: readonly T[]): T[] {
  const items = getList(name).map((item) => item.toLowerCase())
  if (items.length === 0) return [...defaultValue]
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new InputError(name, `"${item}" is not accepted`, `use any of ${allowed.join(', ')}`)
    }
  }
  return [...new Set(items)] as T[]
}

export interface IntegerOptions {
  default: number
  min: number
  max: number
  /** Values accepted outside [min, max], e.g. 0 meaning "the longest allowed". */
  also?: readonly number[]
}

export function getInteger(name: string, options: IntegerOptions): number {
  const value = raw(name)
  const range = `${options.also?.length ? `${options.also.join(', ')} or ` : ''}a whole number from ${options.min} to ${options.max}`
  if (!value) return options.default
  if (!/^-?\d+$/.test(value)) throw new InputError(name, `"${value}" is not a whole number`, `use ${range}`)
  const parsed = Number.parseInt(value, 10)
  if (options.also?.includes(parsed)) return parsed
  if (parsed < options.min || parsed > options.max)
    throw new InputError(name, `${parsed} is out of range`, `use ${range}`)
  return parsed
}
