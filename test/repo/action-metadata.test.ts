import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

// Every action.yml declares the same runtime, documents every input with a default, and
// its README's tables list exactly the inputs and outputs action.yml declares.
const root = new URL('../..', import.meta.url).pathname
const actions = readdirSync(join(root, 'actions')).filter((name) =>
  existsSync(join(root, 'actions', name, 'action.yml'))
)

interface ActionYaml {
  name: string
  description: string
  inputs?: Record<string, { description?: string; default?: string; required?: boolean }>
  outputs?: Record<string, { description?: string }>
  runs: { using: string; main: string; post?: string }
}

function load(name: string): ActionYaml {
  return parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8')) as ActionYaml
}

/** Names in the first column of the README table that follows `heading`. */
function tableNames(readme: string, heading: string): string[] {
  const start = readme.indexOf(`## ${heading}`)
  if (start < 0) return []
  const section = readme.slice(start).split('\n').slice(1)
  const end = section.findIndex((line) => line.startsWith('## '))
  return (end < 0 ? section : section.slice(0, end))
    .filter((line) => line.startsWith('| `'))
    .map((line) => /^\| `([^`]+)`/.exec(line)?.[1] ?? '')
}

describe.each(actions)('actions/%s', (name) => {
  const action = load(name)

  it('runs on node24 from the committed bundle', () => {
    expect(action.runs.using).toBe('node24')
    expect(action.runs.main).toBe('dist/index.js')
    expect(existsSync(join(root, 'actions', name, action.runs.main))).toBe(true)
    if (action.runs.post) expect(action.runs.post).toBe('dist/index.js')
  })

  it('describes every input and gives it a default', () => {
    for (const [input, spec] of Object.entries(action.inputs ?? {})) {
      expect({ input, description: Boolean(spec.description), hasDefault: spec.default !== undefined }).toEqual({
        input,
        description: true,
        hasDefault: true
      })
      expect(input).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
      // The runner (and act) evaluate `${{ }}` only in defaults; in a description it fails the step.
      expect({ input, description: spec.description }).not.toEqual({
        input,
        description: expect.stringContaining('${{')
      })
    }
  })

  it('README lists exactly the declared inputs and outputs', () => {
    const readme = readFileSync(join(root, 'actions', name, 'README.md'), 'utf8')
    expect(tableNames(readme, 'Inputs').sort()).toEqual(Object.keys(action.inputs ?? {}).sort())
    expect(tableNames(readme, 'Outputs').sort()).toEqual(Object.keys(action.outputs ?? {}).sort())
  })

  it('reads every declared input in its source', () => {
    const sources = readdirSync(join(root, 'actions', name, 'src'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
      .join('\n')
    const shared = ['aws/inputs.ts', 'inputs.ts', 'released-version.ts']
      .map((file) => readFileSync(join(root, 'packages', 'shared', 'src', file), 'utf8'))
      .join('\n')
    for (const input of Object.keys(action.inputs ?? {})) {
      expect({ input, read: sources.includes(`'${input}'`) || shared.includes(`'${input}'`) }).toEqual({
        input,
        read: true
      })
    }
  })
})

it('every action uses the same runtime', () => {
  expect(new Set(actions.map((name) => load(name).runs.using))).toEqual(new Set(['node24']))
})
