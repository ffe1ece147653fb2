// The confinement rule: paths resolve, symlinks included, inside the workspace (inputs) or the
// repository (version files edited in place).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inputDirectory, inputFile, realPath, resolvesInside } from '../src/paths.ts'
import { discoverVersionSources } from '../src/version-sources/discover.ts'
import { restoreEnvAfterEach } from '../../../test/harness/inputs.ts'
import { failure } from '../../../test/harness/failure.ts'

let base: string
let workspace: string
let outside: string
const startDir = process.cwd()
restoreEnvAfterEach()
beforeEach(() => {
  base = realPath(mkdtempSync(join(tmpdir(), 'paths-')))
  workspace = join(base, 'workspace')
  outside = join(base, 'outside')
  mkdirSync(join(workspace, 'project', 'dist'), { recursive: true })
  mkdirSync(outside)
  writeFileSync(join(outside, 'secret.txt'), 'VERSION = "1.0.0"\n')
  symlinkSync(outside, join(workspace, 'link-out'))
  symlinkSync(join(workspace, 'project'), join(workspace, 'link-in'))
  process.env['GITHUB_WORKSPACE'] = workspace
})
afterEach(() => {
  process.chdir(startDir)
  rmSync(base, { recursive: true, force: true })
})

describe('resolvesInside', () => {
  it.each([
    ['the root itself', '.', true],
    ['a child', 'project/dist', true],
    ['a file that does not exist yet', 'project/new/file.txt', true],
    ['a link that stays inside', 'link-in/dist', true],
    ['a name that starts with two dots', '..internal', true],
    ['a parent', '..', false],
    ['a lexical escape', 'project/../../outside', false],
    ['a link that leads out', 'link-out', false],
    ['a file below a link that leads out', 'link-out/secret.txt', false],
    ['a new file below a link that leads out', 'link-out/new.txt', false],
    ['an absolute path elsewhere', '/etc/passwd', false]
  ])('%s: %s -> %s', (_name, path, inside) => {
    expect(resolvesInside(workspace, path.startsWith('/') ? path : join(workspace, path))).toBe(inside)
  })
})

describe('inputs that name paths', () => {
  it.each([
    ['working-directory', '../outside'],
    ['working-directory', 'link-out'],
    ['context', '/tmp'],
    ['packages-dir', 'link-out']
  ])('%s: %s is refused with one line naming the input and where it resolves', (input, path) => {
    process.chdir(workspace)
    const message = failure(() => inputDirectory(input, path, 'a directory inside the workspace'))
    expect(message).toMatch(
      new RegExp(
        `^Input \`${input}\`: ".*" resolves to .*, outside the workspace .*; use a path inside the workspace \\(symlinks included\\)\\.$`
      )
    )
  })

  it('accepts directories inside, also through a link that stays inside, and names a missing one', () => {
    process.chdir(workspace)
    expect(inputDirectory('working-directory', 'link-in', 'x')).toBe(join(workspace, 'link-in'))
    expect(inputDirectory('working-directory', '.', 'x')).toBe(workspace)
    expect(failure(() => inputDirectory('working-directory', 'nope', 'the project directory'))).toBe(
      `Input \`working-directory\`: "nope" is not a directory (${join(workspace, 'nope')}); use the project directory.`
    )
  })

  it('confines files too: a Dockerfile path like ../../../etc/passwd is refused before it is read', () => {
    process.chdir(join(workspace, 'project'))
    expect(failure(() => inputFile('file', '../../../../../../etc/passwd'))).toMatch(
      /^Input `file`: "..\/..\/..\/..\/..\/..\/etc\/passwd" resolves to \/etc\/passwd, outside the workspace/
    )
    expect(inputFile('file', 'Dockerfile')).toBe(join(workspace, 'project', 'Dockerfile'))
  })
})

describe('version files that link out of the repository', () => {
  beforeEach(() => {
    writeFileSync(join(workspace, 'project', 'pyproject.toml'), '[project]\nname = "acme"\ndynamic = ["version"]\n')
  })

  it('refuses a VERSION file that is a symlink to a file outside, and leaves that file alone', () => {
    symlinkSync(join(outside, 'secret.txt'), join(workspace, 'project', 'VERSION'))
    writeFileSync(join(outside, 'secret.txt'), '1.0.0\n')
    const message = failure(() => discoverVersionSources(join(workspace, 'project'), { root: workspace }))
    expect(message).toBe(
      `\`VERSION\` holds the version but is a link to ${join(outside, 'secret.txt')}, outside the repository, so it is not edited. Fix: replace the link with the file itself, or keep the version in a file inside the repository`
    )
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('1.0.0\n')
  })

  it('refuses a `files` entry that leads out through a link, naming where it resolves', () => {
    writeFileSync(join(workspace, 'project', 'VERSION'), '1.0.0\n')
    const message = failure(() =>
      discoverVersionSources(join(workspace, 'project'), {
        root: workspace,
        files: [{ path: '../link-out/secret.txt' }]
      })
    )
    expect(message).toMatch(
      /^Input `files`: `..\/link-out\/secret.txt` is outside the repository \(it resolves to .*outside\/secret.txt\)/
    )
  })

  it('accepts a link that stays inside the repository', () => {
    writeFileSync(join(workspace, 'project', 'real-version.txt'), '1.0.0\n')
    symlinkSync('real-version.txt', join(workspace, 'project', 'VERSION'))
    const found = discoverVersionSources(join(workspace, 'project'), { root: workspace })
    expect(found.sources.map((source) => source.raw)).toEqual(['1.0.0'])
  })
})

describe('inputs the action only reads', () => {
  it('may also lie in RUNNER_TEMP (an artifact downloaded there), and nowhere else outside', () => {
    process.env['RUNNER_TEMP'] = outside
    expect(inputFile('packages-dir', join(outside, 'dists'), { runnerTemp: true })).toBe(join(outside, 'dists'))
    expect(failure(() => inputFile('packages-dir', '/etc', { runnerTemp: true }))).toBe(
      `Input \`packages-dir\`: "/etc" resolves to /etc, outside the workspace ${workspace} and RUNNER_TEMP; use a path inside the workspace or RUNNER_TEMP (symlinks included).`
    )
    // Without the option, RUNNER_TEMP is outside like anywhere else.
    expect(failure(() => inputFile('file', join(outside, 'Dockerfile')))).toMatch(/outside the workspace/)
  })
})
