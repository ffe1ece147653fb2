// Variable assignments as each shell reads them back with `source` / `eval` / `Invoke-Expression`.
// Values are quoted so that nothing in them is expanded: a token is opaque text, and an index
// URL holds characters (`$`, `%`) that a double-quoted string would touch.

export const SHELLS = ['sh', 'fish', 'powershell'] as const
export type Shell = (typeof SHELLS)[number]

/** bash/zsh/dash: inside single quotes nothing is special; a quote is closed, escaped, reopened. */
function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/** fish: single quotes where only \\ and \' are escapes. */
function fishQuote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** PowerShell: verbatim single-quoted strings, a quote doubled (PowerShell also reads U+2018-U+201B as one). */
function powershellQuote(value: string): string {
  return `'${value.replace(/['\u2018-\u201B]/g, '$&$&')}'`
}

export function assignments(shell: Shell, variables: Record<string, string>): string {
  const lines = Object.entries(variables).map(([name, value]) => {
    switch (shell) {
      case 'sh':
        return `export ${name}=${shQuote(value)}`
      case 'fish':
        return `set -gx ${name} ${fishQuote(value)}`
      case 'powershell':
        return `$env:${name} = ${powershellQuote(value)}`
    }
  })
  return lines.map((line) => `${line}\n`).join('')
}

export function removals(shell: Shell, names: readonly string[]): string {
  const lines = names.map((name) => {
    switch (shell) {
      case 'sh':
        return `unset ${name}`
      case 'fish':
        return `set -e ${name}`
      case 'powershell':
        return `Remove-Item Env:${name} -ErrorAction SilentlyContinue`
    }
  })
  return lines.map((line) => `${line}\n`).join('')
}
