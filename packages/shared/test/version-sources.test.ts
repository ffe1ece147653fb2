import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import {
  agreedVersion,
  applyEdits,
  discoverVersionSources,
  type ExtraFile,
  findAssignments,
  findSetupPyVersions,
  locateTomlStrings,
  pythonPattern,
  readWholeFileVersion,
  writeVersion
} from '../src/version-sources/index.ts'
import { failure } from '../../../test/harness/failure.ts'

// Layouts are written with every version token marked «like.this»: the test writes the files
// without the marks, checks that exactly the marked tokens are found, bumps, and compares every
// file byte for byte with the marked text where only the marked tokens changed.

const MARK = /«([^»]*)»/g
const NEW = '2.0.0rc1'

interface Layout {
  name: string
  files: Record<string, string>
  extra?: ExtraFile[]
  /** Labels of the sources, in the order found. */
  labels: string[]
  /** Normalized version all sources agree on. */
  version: string
  scm?: boolean
}

const HATCH_PYPROJECT = `[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "pkg"
dynamic = ["version"]

[tool.hatch.version]
path = "src/pkg/__about__.py"
`

const LAYOUTS: Layout[] = [
  {
    name: 'pyproject [project].version with comments, odd spacing, CRLF and a decoy in a multi-line string',
    files: {
      'pyproject.toml': [
        '# top comment\r',
        '[project]   # the table\r',
        'name = "pkg"\r',
        "description = '''\r",
        '[project]\r',
        'version = "9.9.9"\r',
        "'''\r",
        'classifiers = [\r',
        '  "A :: B",  # ]\r',
        ']\r',
        "version   =   '«1.2.3»'   # keep this comment\r",
        'urls = { "x" = "version = 1" }\r',
        '\r',
        '[tool.other]\r',
        'version = "0.0.0"\r',
        ''
      ].join('\n')
    },
    labels: ['[project].version'],
    version: '1.2.3'
  },
  {
    name: 'poetry [tool.poetry].version',
    files: {
      'pyproject.toml':
        '[tool.poetry]\nname = "pkg"\nversion = "«0.9.0»"\ndescription = ""\n\n[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
    },
    labels: ['[tool.poetry].version'],
    version: '0.9.0'
  },
  {
    name: '[project] and [tool.poetry] together, non-canonical but equal spellings',
    files: {
      'pyproject.toml': '[project]\nname = "pkg"\nversion = "«1.0.0-dev0»"\n\n[tool.poetry]\nversion = "«1.0.0.dev0»"\n'
    },
    labels: ['[project].version', '[tool.poetry].version'],
    version: '1.0.0.dev0'
  },
  {
    name: 'hatch [tool.hatch.version] path, __init__ importing it',
    files: {
      'pyproject.toml': HATCH_PYPROJECT,
      'src/pkg/__about__.py': '# SPDX\n__version__ = "«1.4.0»"\n',
      'src/pkg/__init__.py': 'from pkg.__about__ import __version__\n\n__all__ = ["__version__"]\n'
    },
    labels: ['[tool.hatch.version] path'],
    version: '1.4.0'
  },
  {
    name: 'hatch path with a custom pattern',
    files: {
      'pyproject.toml': `[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.hatch.version]\npath = "pkg/meta.py"\npattern = "BUILD = '(?P<version>[^']+)'"\n`,
      'pkg/meta.py': "NAME = 'x'\nBUILD = '«3.1.4»'\n"
    },
    labels: ['[tool.hatch.version] path'],
    version: '3.1.4'
  },
  {
    name: 'setuptools dynamic attr, flat layout, annotated assignment',
    files: {
      'pyproject.toml':
        '[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools.dynamic]\nversion = {attr = "pkg.__version__"}\n',
      'pkg/__init__.py': '"""Doc."""\n\n__version__: str = "«0.1.0»"  # bumped by CI\n'
    },
    labels: ['__version__ ([tool.setuptools.dynamic] version)'],
    version: '0.1.0'
  },
  {
    name: 'setuptools dynamic attr through package-dir to a submodule',
    files: {
      'pyproject.toml':
        '[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools]\npackage-dir = {"" = "lib"}\n\n[tool.setuptools.dynamic]\nversion = {attr = "pkg.version.VERSION"}\n',
      'lib/pkg/__init__.py': '',
      'lib/pkg/version.py': "VERSION = '«5.0.0»'\n"
    },
    labels: ['VERSION ([tool.setuptools.dynamic] version)'],
    version: '5.0.0'
  },
  {
    name: 'setuptools dynamic file',
    files: {
      'pyproject.toml':
        '[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools.dynamic]\nversion = {file = "VERSION.txt"}\n',
      'VERSION.txt': '«2.2.2»\n'
    },
    labels: ['whole file ([tool.setuptools.dynamic] version)'],
    version: '2.2.2'
  },
  {
    name: 'setup.cfg [metadata] version with setup.py shim',
    files: {
      'setup.cfg': '[metadata]\nname = pkg\n# version = 0.0.1\nVersion: «1.1.0»\n\n[options]\npackages = find:\n',
      'setup.py': 'from setuptools import setup\n\nsetup()\n'
    },
    labels: ['[metadata] version'],
    version: '1.1.0'
  },
  {
    name: 'setup.cfg version = attr: with package_dir',
    files: {
      'setup.cfg':
        '[metadata]\nname = pkg\nversion = attr: pkg.__version__\n\n[options]\npackage_dir =\n    =src\npackages = find:\n',
      'src/pkg/__init__.py': "__version__ = '«0.3.0»'\n"
    },
    labels: ['__version__ ([metadata] version = attr:)'],
    version: '0.3.0'
  },
  {
    name: 'setup.py version= literal, commented-out decoy, python_version marker',
    files: {
      'setup.py':
        'from setuptools import setup\n\n# version="0.0.1"\nsetup(\n    name="pkg",\n    version = "«4.0.0»",\n    install_requires=["x; python_version==\'3.8\'"],\n)\n'
    },
    labels: ['setup(version=...)'],
    version: '4.0.0'
  },
  {
    name: '__version__ in __init__.py and _version.py beside a static pyproject, plus VERSION',
    files: {
      'pyproject.toml': '[project]\nname = "pkg"\nversion = "«1.2.3»"\n',
      'src/pkg/__init__.py': 'from ._version import __version__ as __version__\n',
      'src/pkg/_version.py': "__version__ = version = '«1.2.3»'\n",
      'tests/__init__.py': '__version__ = "0.0.0"\n',
      VERSION: '«1.2.3»\n'
    },
    labels: ['[project].version', '__version__', 'whole file'],
    version: '1.2.3'
  },
  {
    name: 'flit: dynamic version from the module named after the project',
    files: {
      'pyproject.toml':
        '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n\n[project]\nname = "my-pkg"\ndynamic = ["version", "description"]\n',
      'my_pkg/__init__.py': '"""My package."""\n__version__ = "«0.5.0»"\n'
    },
    labels: ['__version__ (flit (the module’s __version__))'],
    version: '0.5.0'
  },
  {
    name: 'extra files: a pattern in docs/conf.py and a plain file',
    files: {
      'pyproject.toml': '[project]\nname = "pkg"\nversion = "«1.0.0»"\n',
      'docs/conf.py': 'project = "pkg"\nrelease = "«1.0.0»"\nversion = "1.0"\n',
      'chart/app-version': '«1.0.0»'
    },
    extra: [{ path: 'docs/conf.py', pattern: 'release = "{version}"' }, { path: 'chart/app-version' }],
    labels: ['[project].version', 'pattern release = "{version}"', 'file content'],
    version: '1.0.0'
  },
  {
    name: 'setuptools-scm: tag-only, the generated _version.py ignored',
    files: {
      'pyproject.toml':
        '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools_scm]\nversion_file = "src/pkg/_version.py"\n',
      'src/pkg/__init__.py': '',
      'src/pkg/_version.py':
        "# file generated by setuptools-scm\n# don't change, don't track in version control\n__version__ = version = '0.1.dev1'\n"
    },
    labels: [],
    version: '',
    scm: true
  },
  {
    name: 'hatch-vcs: tag-only',
    files: {
      'pyproject.toml': '[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.hatch.version]\nsource = "vcs"\n'
    },
    labels: [],
    version: '',
    scm: true
  }
]

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'version-sources-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function writeTree(files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content.replace(MARK, '$1'))
  }
}

describe.each(LAYOUTS)('$name', (layout) => {
  it('finds exactly the marked tokens, agrees, and rewrites only them', async () => {
    writeTree(layout.files)
    const discovery = discoverVersionSources(dir, { files: layout.extra })
    expect(discovery.sources.map((s) => s.label)).toEqual(layout.labels)
    expect(Boolean(discovery.scm)).toBe(Boolean(layout.scm))
    if (layout.scm) return

    const marked = Object.entries(layout.files).flatMap(([file, content]) =>
      [...content.matchAll(MARK)].map((m) => `${file}=${m[1]}`)
    )
    expect(discovery.sources.map((s) => `${s.file}=${s.raw}`).sort()).toEqual(marked.sort())
    expect(agreedVersion(discovery.sources)).toBe(layout.version)

    const changed = writeVersion(discovery.sources, NEW)
    expect(changed.length).toBe(new Set(discovery.sources.map((s) => s.path)).size)
    for (const [file, content] of Object.entries(layout.files)) {
      expect({ file, text: readFileSync(join(dir, file), 'utf8') }).toEqual({ file, text: content.replace(MARK, NEW) })
    }
    // And the bumped tree reads back as the new version.
    expect(agreedVersion(discoverVersionSources(dir, { files: layout.extra }).sources)).toBe(NEW)
  })
})

describe('refusals', () => {
  it('lists each file and its version when the sources disagree', () => {
    writeTree({
      'pyproject.toml': '[project]\nname = "pkg"\nversion = "1.2.0"\n',
      'src/pkg/__init__.py': '__version__ = "1.3.0"\n'
    })
    const message = failure(() => agreedVersion(discoverVersionSources(dir).sources))
    expect(message).toBe(
      'Version sources disagree:\n  pyproject.toml:3 [project].version = 1.2.0\n  src/pkg/__init__.py:1 __version__ = 1.3.0\n Fix: set them all to the same version in a commit, then run again'
    )
  })

  it('treats 1.0 and 1.0.0 as a disagreement (different text in the release)', () => {
    writeTree({ 'pyproject.toml': '[project]\nname = "pkg"\nversion = "1.0"\n', VERSION: '1.0.0\n' })
    expect(failure(() => agreedVersion(discoverVersionSources(dir).sources))).toMatch(
      /disagree:\n {2}pyproject.toml:3 \[project\].version = 1.0\n {2}VERSION:1 whole file = 1.0.0/
    )
  })

  it('names the file of a version PEP 440 rejects', () => {
    writeTree({ 'pyproject.toml': '[project]\nname = "pkg"\nversion = "1.0-banana"\n' })
    expect(failure(() => agreedVersion(discoverVersionSources(dir).sources))).toMatch(
      /^pyproject.toml:3 \[project\].version holds "1.0-banana", which is not a PEP 440 version: /
    )
  })

  it('says where it looked when there is no version at all', () => {
    writeTree({ 'README.md': '# hi\n' })
    expect(failure(() => discoverVersionSources(dir))).toMatch(
      /^No version found in .*: looked for pyproject.toml .* Fix: set `working-directory`/
    )
  })

  it('refuses a hatch `code` source unless the caller names a file', () => {
    writeTree({
      'pyproject.toml':
        '[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.hatch.version]\nsource = "code"\npath = "v.py"\n',
      'v.txt': '1.0.0'
    })
    expect(failure(() => discoverVersionSources(dir))).toMatch(
      /computes the version at build time\. Fix: name the file/
    )
    expect(discoverVersionSources(dir, { files: [{ path: 'v.txt' }] }).sources.map((s) => s.raw)).toEqual(['1.0.0'])
  })

  it('reports a TOML syntax error in one line', () => {
    writeTree({ 'pyproject.toml': '[project\nversion = "1"\n' })
    expect(failure(() => discoverVersionSources(dir))).toMatch(
      /^pyproject.toml cannot be read: .+ Fix: fix the TOML syntax$/
    )
  })

  it('refuses extra files outside the repository, missing files and patterns that match nothing', () => {
    writeTree({
      'pyproject.toml': '[project]\nname = "pkg"\nversion = "1.0.0"\n',
      'docs/conf.py': 'release = "1.0.0"\n'
    })
    expect(failure(() => discoverVersionSources(dir, { files: [{ path: '../outside.txt' }] }))).toMatch(
      /^Input `files`: `..\/outside.txt` is outside the repository/
    )
    expect(failure(() => discoverVersionSources(dir, { files: [{ path: 'nope.txt' }] }))).toMatch(
      /^Input `files`: `nope.txt` does not exist/
    )
    expect(
      failure(() =>
        discoverVersionSources(dir, { files: [{ path: 'docs/conf.py', pattern: "release = '{version}'" }] })
      )
    ).toMatch(/^Input `files`: the pattern `release = '\{version\}'` matches nothing in `docs\/conf.py`/)
  })

  it('refuses a dynamic attr that is not a string literal', () => {
    writeTree({
      'pyproject.toml':
        '[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools.dynamic]\nversion = {attr = "pkg.__version__"}\n',
      'pkg/__init__.py': 'from importlib.metadata import version\n__version__ = version("pkg")\n'
    })
    expect(failure(() => discoverVersionSources(dir))).toMatch(
      /reads `pkg.__version__`, and `pkg\/__init__.py` computes `__version__` \(from a tuple or other code\), which no file edit can set/
    )
  })

  it('refuses to edit a file that changed since it was read', async () => {
    writeTree({ 'pyproject.toml': '[project]\nname = "pkg"\nversion = "1.0.0"\n' })
    const { sources } = discoverVersionSources(dir)
    writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "pkg"\nversion = "1.0.1"\n')
    expect(() => writeVersion(sources, '2.0.0')).toThrow(
      'pyproject.toml changed while the version was being bumped: expected "1.0.0", found "1.0.1".'
    )
  })
})

describe('readers', () => {
  it('locates TOML strings through dotted keys, quoted keys and inline tables, skipping arrays', () => {
    const text = 'a.b = "x"\n"c" . d = \'y\'\n[t]\ne = { f = "z", g = ["no"] }\nh = """\nmulti\n"""\n'
    expect(locateTomlStrings(text).map((l) => `${l.key.join('.')}=${l.value}@${text.slice(l.start, l.end)}`)).toEqual([
      'a.b=x@x',
      'c.d=y@y',
      't.e.f=z@z'
    ])
  })

  it('finds only module-level, plain-literal assignments', () => {
    const text =
      '__version__ = "1"\n  __version__ = "2"\n__version__ = "3" + x\n__version__ = f"{x}"\n__version__ = "4"  # ok\n'
    expect(findAssignments(text, ['__version__']).map((m) => m.raw)).toEqual(['1', '4'])
  })

  it('reads setup.py version= arguments but not comparisons or other keywords', () => {
    const text = 'setup(version="1.0", python_version="3", min_version="2")\nif version == "1": pass\n'
    expect(findSetupPyVersions(text).map((m) => m.raw)).toEqual(['1.0'])
  })

  it('translates hatch patterns: inline flags, (?P<name>) and (?P=name)', () => {
    const regex = pythonPattern(String.raw`(?i)^(__version__|VERSION) *= *([\'"])v?(?P<version>.+?)\2`, 'm')
    expect(regex.exec('x = 1\nversion = "v1.2"\n')?.groups?.['version']).toBe('1.2')
    expect(pythonPattern('(?P<q>x)(?P=q)', '').test('xx')).toBe(true)
    expect(() => pythonPattern('(?x)a b', '')).toThrow('the inline flag (?x) has no JavaScript equivalent')
  })

  it('takes a whole-file version only when it is one line', () => {
    expect(readWholeFileVersion('\n 1.0 \n')).toMatchObject({ raw: '1.0', start: 2, end: 5 })
    expect(readWholeFileVersion('1.0\n2.0\n')).toBeUndefined()
    expect(readWholeFileVersion('  \n')).toBeUndefined()
  })

  it('applies edits from the end and refuses overlaps', () => {
    expect(
      applyEdits('a1b2c', [
        { start: 1, end: 2, expected: '1', replacement: '10' },
        { start: 3, end: 4, expected: '2', replacement: '20' }
      ])
    ).toBe('a10b20c')
    expect(() =>
      applyEdits('abc', [
        { start: 0, end: 2, expected: 'ab', replacement: 'x' },
        { start: 1, end: 3, expected: 'bc', replacement: 'y' }
      ])
    ).toThrow(/overlapping/)
  })
})

describe('a version the files compute', () => {
  const PYPROJECT =
    '[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools.dynamic]\nversion = {attr = "pkg.__version__"}\n'

  it('says a computed __version__ cannot be set by editing files, and how to make it a literal', () => {
    writeTree({
      'pyproject.toml': PYPROJECT,
      'pkg/__init__.py': 'VERSION_INFO = (1, 2, 3)\n__version__ = ".".join(map(str, VERSION_INFO))\n'
    })
    expect(failure(() => discoverVersionSources(dir))).toMatch(
      /computes `__version__` \(from a tuple or other code\), which no file edit can set\. Fix: make it a string literal, `__version__ = "1\.2\.3"`, and derive any tuple from it/
    )
  })

  it('keeps the `files` hint when the attribute is not there at all', () => {
    writeTree({ 'pyproject.toml': PYPROJECT, 'pkg/__init__.py': 'NAME = "pkg"\n' })
    expect(failure(() => discoverVersionSources(dir))).toMatch(
      /has no `__version__ = "..."` string literal to edit\. Fix: assign __version__ a plain string literal, or name the file holding the version in `files`/
    )
  })
})

describe('the tags a VCS provider reads (git_describe_command --match)', () => {
  const discover = (pyproject: string): ReturnType<typeof discoverVersionSources> => {
    writeTree({ 'pyproject.toml': `[project]\nname = "pkg"\ndynamic = ["version"]\n\n${pyproject}` })
    return discoverVersionSources(dir)
  }

  it.each([
    [
      'hatch-vcs raw-options, argv list',
      '[tool.hatch.version]\nsource = "vcs"\n\n[tool.hatch.version.raw-options]\ngit_describe_command = ["git", "describe", "--tags", "--match", "hatch-v*"]\n',
      'hatch-v*'
    ],
    [
      'setuptools-scm, one string with a quoted --match=',
      '[tool.setuptools_scm]\ngit_describe_command = "git describe --dirty --tags --long --match=\'lib-v*\'"\n',
      'lib-v*'
    ],
    ['setuptools-scm without git_describe_command', '[tool.setuptools_scm]\n', undefined],
    [
      'a file source: the tags do not matter',
      '[tool.hatch.version]\npath = "v.py"\n\n[tool.hatch.version.raw-options]\ngit_describe_command = "git describe --match x-*"\n',
      undefined
    ]
  ])('%s', (_, pyproject, expected) => {
    if (pyproject.includes('v.py')) writeTree({ 'v.py': '__version__ = "1.0.0"\n' })
    expect(discover(pyproject).scmTagMatch).toBe(expected)
  })
})
