import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

// The README documents each reusable workflow's inputs, outputs and secrets in tables under
// `#### <workflow> inputs|outputs|secrets`; they must list exactly what the workflow declares,
// with the same types and defaults.
const root = new URL('../..', import.meta.url).pathname
const readme = readFileSync(join(root, 'README.md'), 'utf8')

interface WorkflowCall {
  inputs?: Record<string, { type: string; default?: string | boolean; required?: boolean }>
  outputs?: Record<string, unknown>
  secrets?: Record<string, unknown>
}

function workflowCall(name: string): WorkflowCall {
  const workflow = parse(readFileSync(join(root, '.github', 'workflows', `${name}.yml`), 'utf8')) as {
    on: { workflow_call: WorkflowCall }
  }
  return workflow.on.workflow_call
}

/** Rows of the table under `#### <heading>`: the cells of each `| \`name\` | ...` line. */
function table(heading: string): string[][] {
  const lines = readme
    .slice(readme.indexOf(`#### ${heading}\n`))
    .split('\n')
    .slice(1)
  const end = lines.findIndex((line) => line.startsWith('#'))
  return (end < 0 ? lines : lines.slice(0, end))
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split(/(?<!\\)\|/) // cells, padded or not; `\|` inside a cell is no separator
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/^`|`$/g, ''))
    )
}

describe.each([
  'publish-on-tag',
  'build-python',
  'bump-and-release',
  'publish-on-change',
  'build-service-image',
  'promote',
  'lambda-layer'
])('README section for %s', (name) => {
  const call = workflowCall(name)

  it('lists every input with its type and default', () => {
    const documented = table(`${name} inputs`).map(([input, type, defaultValue]) => [input, type, defaultValue])
    const declared = Object.entries(call.inputs ?? {}).map(([input, spec]) => [
      input,
      spec.type,
      spec.required ? 'required' : spec.default === undefined || spec.default === '' ? '' : String(spec.default)
    ])
    expect(documented.map(([input, type]) => [input, type])).toEqual(declared.map(([input, type]) => [input, type]))
    for (const [input, , defaultValue] of declared) {
      const row = documented.find(([documentedInput]) => documentedInput === input)
      expect({ input, default: row?.[2]?.includes(defaultValue as string) }).toEqual({ input, default: true })
    }
  })

  it('lists every output and secret', () => {
    expect(table(`${name} outputs`).map(([output]) => output)).toEqual(Object.keys(call.outputs ?? {}))
    expect(table(`${name} secrets`).map(([secret]) => secret)).toEqual(Object.keys(call.secrets ?? {}))
  })
})
