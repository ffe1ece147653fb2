import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readProjectName } from '../src/python/project-name.ts'

// `{name}` in tag templates: the project name where each backend states it, PEP 503-normalized.

const dirs: string[] = []
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'name-'))
  dirs.push(dir)
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text)
  return dir
}

describe('readProjectName', () => {
  it.each([
    ['[project] name', { 'pyproject.toml': '[project]\nname = "Orb_Common"\nversion = "1.0"\n' }, 'orb-common'],
    ['[tool.poetry] name', { 'pyproject.toml': '[tool.poetry]\nname = "orb.models"\n' }, 'orb-models'],
    [
      'setup.cfg [metadata] name, beside a pyproject.toml with only [build-system]',
      { 'pyproject.toml': '[build-system]\nrequires = ["setuptools"]\n', 'setup.cfg': '[metadata]\nname = PyYAML\n' },
      'pyyaml'
    ],
    [
      'a literal name= in setup.py',
      { 'setup.py': "setup(\n    name='simplejson',\n    version=VERSION,\n)\n" },
      'simplejson'
    ]
  ])('%s', (_label, files, expected) => {
    expect(readProjectName(project(files))).toBe(expected)
  })

  it('is undefined when no file states it plainly', () => {
    expect(readProjectName(project({ 'setup.py': 'setup(name=about["__title__"])\n' }))).toBeUndefined()
    expect(readProjectName(project({ 'pyproject.toml': 'not toml [' }))).toBeUndefined()
  })
})
