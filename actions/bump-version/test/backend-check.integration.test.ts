import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeWheelhouse } from '../../../test/stack/wheelhouse.ts'
import { bump as bumpWith, failureOf, git, originLog, sandboxMaker, succeeded } from './helpers.ts'

// `check-build`: before the commit, the build backend is asked (pypa/build --metadata, PEP 517
// prepare_metadata_for_build_wheel) which version it builds; a bump it would not build is
// undone and refused, and nothing the backend wrote is left in the checkout.

const README = { 'README.md': '# pkg\n' }

// The backend reads the version from meta.json, which no reader knows; the action finds only
// __version__ and would bump half of the project.
const HIDDEN_SOURCE = {
  ...README,
  'setup.py':
    "import json\nfrom setuptools import setup\n\nsetup(name='pkg', version=json.load(open('meta.json'))['version'], packages=['pkg'])\n",
  'meta.json': '{"version": "1.0.0"}\n',
  'pkg/__init__.py': "__version__ = '1.0.0'\n"
}

const HATCH_PATH = {
  ...README,
  'pyproject.toml':
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.hatch.version]\npath = "src/pkg/__about__.py"\n',
  'src/pkg/__about__.py': '__version__ = "0.4.1"\n',
  'src/pkg/__init__.py': 'from .__about__ import __version__\n'
}

const SETUPTOOLS_ATTR = {
  ...README,
  'pyproject.toml':
    '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools.dynamic]\nversion = {attr = "pkg.__version__"}\n',
  'src/pkg/__init__.py': "__version__ = '1.2.3'\n"
}

const SCM = {
  ...README,
  'pyproject.toml':
    '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools_scm]\n',
  'src/pkg/__init__.py': ''
}

const STATIC = {
  ...README,
  'pyproject.toml':
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "pkg"\nversion = "2.0.0"\n',
  'src/pkg/__init__.py': '__version__ = "2.0.0"\n'
}

const newBox = sandboxMaker(HIDDEN_SOURCE)

// The backends' isolated environments are filled offline from .venv's copies (uv reads these).
let wheelhouse: string
beforeAll(async () => {
  wheelhouse = mkdtempSync(join(tmpdir(), 'backend-wheels-'))
  await makeWheelhouse(wheelhouse, ['hatchling', 'setuptools', 'setuptools-scm'])
})
afterAll(() => rmSync(wheelhouse, { recursive: true, force: true }))

function bump(cwd: string, inputs: Record<string, string>): ReturnType<typeof bumpWith> {
  return bumpWith(cwd, inputs, { UV_FIND_LINKS: wheelhouse, UV_OFFLINE: '1' })
}
const BACKEND_LINE = /The build backend builds (\S+) \(/

/** Everything git lists as changed, untracked or ignored: a checked bump leaves nothing behind. */
async function leftovers(work: string): Promise<string> {
  return git(work, 'status', '--porcelain', '--ignored', '--untracked-files=all')
}

describe('bump-version asks the build backend before committing (check-build)', () => {
  test('a version the backend would not build is refused, the files restored, nothing committed or tagged', async () => {
    const box = await newBox()
    const head = await git(box.work, 'rev-parse', 'HEAD')
    const result = await bump(box.work, { bump: 'patch', push: 'false' })
    expect(failureOf(result)).toBe(
      'The build backend would build 1.0.0, not 1.0.1: the version it builds comes from somewhere this bump did not edit. Fix: name the file that holds it in `files` (`path`, or `path: text with {version}`), or make the build read the version from a file listed above; nothing was committed, tagged or pushed'
    )
    expect(await git(box.work, 'rev-parse', 'HEAD')).toBe(head)
    expect(await git(box.work, 'tag', '--list')).toBe('')
    expect(readFileSync(join(box.work, 'pkg/__init__.py'), 'utf8')).toBe(HIDDEN_SOURCE['pkg/__init__.py'])
    // setuptools writes pkg.egg-info into the tree (ignored here); the action removes it.
    expect(await leftovers(box.work)).toBe('')
  })

  test('the fix it names works: with the hidden file in `files` the bump passes the check', async () => {
    const box = await newBox()
    const result = succeeded(
      await bump(box.work, { bump: 'patch', push: 'false', files: 'meta.json: "version": "{version}"' })
    )
    expect(BACKEND_LINE.exec(result.stdout)?.[1]).toBe('1.0.1')
    expect(await git(box.work, 'show', '--name-only', '--format=', 'HEAD')).toBe('meta.json\npkg/__init__.py')
    expect(await git(box.work, 'tag', '--points-at', 'HEAD')).toBe('v1.0.1')
    expect(await leftovers(box.work)).toBe('')
  })

  test('with push: true it is asked only when check-build is true, and a refusal pushes nothing', async () => {
    const box = await newBox()
    const skipped = succeeded(await bump(box.work, { bump: 'patch' }))
    expect(skipped.stdout).not.toMatch(BACKEND_LINE)
    expect(skipped.stdout).toContain('the build backend was not asked which version it builds')
    expect((await originLog(box)).length).toBe(2)

    const before = await originLog(box)
    const refused = await bump(box.work, { bump: 'patch', 'check-build': 'true' })
    expect(failureOf(refused)).toMatch(/^The build backend would build 1\.0\.0, not 1\.0\.2:/)
    expect(await originLog(box)).toEqual(before)
    expect(await git(box.origin, 'tag', '--list')).toBe('v1.0.1')
  })

  test('auto does not ask while a credential is in reach: a token input, or credentials the checkout kept', async () => {
    const box = await newBox()
    const withToken = succeeded(
      await bump(box.work, { bump: 'patch', push: 'false', 'github-token': 'ghs_x0123456789' })
    )
    expect(withToken.stdout).not.toMatch(BACKEND_LINE)
    expect(withToken.stdout).toContain('the build backend was not asked which version it builds: `github-token` is set')

    const kept = await newBox()
    // What actions/checkout leaves without `persist-credentials: false`.
    await git(kept.work, 'config', 'http.https://github.com/.extraheader', 'AUTHORIZATION: basic eDp5')
    const persisted = succeeded(await bump(kept.work, { bump: 'patch', push: 'false' }))
    expect(persisted.stdout).not.toMatch(BACKEND_LINE)
    expect(persisted.stdout).toContain('the checkout keeps credentials')
  })

  test.each([
    ['hatchling, dynamic path', HATCH_PATH, '0.4.2'],
    ['setuptools, dynamic attr (src layout)', SETUPTOOLS_ATTR, '1.2.4']
  ])('%s: the backend agrees and the bump is committed and tagged', async (_name, files, expected) => {
    const box = await newBox(files)
    const result = succeeded(await bump(box.work, { bump: 'patch', push: 'false' }))
    expect(BACKEND_LINE.exec(result.stdout)?.[1]).toBe(expected)
    expect(await git(box.work, 'tag', '--points-at', 'HEAD')).toBe(`v${expected}`)
    expect(await leftovers(box.work)).toBe('')
  })

  test('tag-only (setuptools-scm): the backend builds the new tag; a dirty tree would add a local part and is refused with the tag deleted', async () => {
    const box = await newBox(SCM, { tags: ['v0.3.0'], later: { 'CHANGES.md': 'more\n' } })
    const result = succeeded(await bump(box.work, { bump: 'minor', push: 'false' }))
    expect(BACKEND_LINE.exec(result.stdout)?.[1]).toBe('0.4.0')
    expect(await git(box.work, 'tag', '--points-at', 'HEAD')).toBe('v0.4.0')

    const dirty = await newBox(SCM, { tags: ['v0.3.0'], later: { 'CHANGES.md': 'more\n' } })
    await git(dirty.work, 'rm', '--quiet', '--cached', 'CHANGES.md')
    const refused = await bump(dirty.work, { bump: 'minor', push: 'false', 'allow-dirty': 'true' })
    expect(failureOf(refused)).toMatch(
      /^The build backend would build 0\.4\.1\.dev0\+g[0-9a-f]+\.d\d{8} from tag v0\.4\.0, not 0\.4\.0\./
    )
    expect(await git(dirty.work, 'tag', '--list')).toBe('v0.3.0')
  })

  test('a static [project].version is not asked about: every backend builds it as written', async () => {
    const box = await newBox(STATIC)
    const result = succeeded(await bump(box.work, { bump: 'patch', push: 'false', 'check-build': 'true' }))
    expect(result.stdout).not.toMatch(BACKEND_LINE)
    expect(result.stdout).not.toContain('was not asked')
    expect(await git(box.work, 'tag', '--points-at', 'HEAD')).toBe('v2.0.1')
  })

  test('a backend that fails is one error line with the fix, and the files are restored', async () => {
    const broken = {
      ...SETUPTOOLS_ATTR,
      'pyproject.toml': SETUPTOOLS_ATTR['pyproject.toml'].replace(
        'build-backend = "setuptools.build_meta"',
        'build-backend = "setuptools.no_such_backend"'
      )
    }
    const box = await newBox(broken)
    const head = await git(box.work, 'rev-parse', 'HEAD')
    const failure = failureOf(await bump(box.work, { bump: 'patch', push: 'false' }))
    expect(failure).toMatch(/^Asking the build backend for the version it builds failed: .*no_such_backend/)
    expect(failure).toContain('run `python -m build --metadata` in the project to see why, or set `check-build: false`')
    expect(await git(box.work, 'rev-parse', 'HEAD')).toBe(head)
    expect(readFileSync(join(box.work, 'src/pkg/__init__.py'), 'utf8')).toBe(SETUPTOOLS_ATTR['src/pkg/__init__.py'])
    expect(await leftovers(box.work)).toBe('')
  })
})
