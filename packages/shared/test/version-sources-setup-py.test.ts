import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import {
  agreedVersion,
  discoverVersionSources,
  findComputedSetupPyVersion,
  findSetupPyRootPackageDirs,
  writeVersion
} from '../src/version-sources/index.ts'
import { failure } from '../../../test/harness/failure.ts'

// setup.py layouts of older releases of the real-layout corpus's projects (issue 13): PyYAML 5
// picked its package directory by Python major version, and Python-Markdown 3.3 computed the
// version in setup.py from a tuple in markdown/__meta__.py.

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'version-sources-setup-py-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function writeTree(files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
}

describe("package_dir={'': <expression>} (PyYAML 5: lib/ for Python 2, lib3/ for Python 3)", () => {
  const SETUP_PY =
    "import sys\nfrom setuptools import setup\n\nVERSION = '5.4.1'\n\nsetup(\n    name='PyYAML',\n    version=VERSION,\n    package_dir={'': {2: 'lib', 3: 'lib3'}[sys.version_info[0]]},\n    packages=['yaml'],\n)\n"

  it('bumps __version__ in every directory the expression can pick, with the setup.py constant', () => {
    writeTree({
      'setup.py': SETUP_PY,
      'lib/yaml/__init__.py': "\n__version__ = '5.4.1'\n",
      'lib3/yaml/__init__.py': "\n__version__ = '5.4.1'\n"
    })
    const discovery = discoverVersionSources(dir)
    expect(discovery.sources.map((source) => source.file).sort()).toEqual([
      'lib/yaml/__init__.py',
      'lib3/yaml/__init__.py',
      'setup.py'
    ])
    writeVersion(discovery.sources, '5.4.2')
    expect(readFileSync(join(dir, 'lib3/yaml/__init__.py'), 'utf8')).toBe("\n__version__ = '5.4.2'\n")
    expect(readFileSync(join(dir, 'lib/yaml/__init__.py'), 'utf8')).toBe("\n__version__ = '5.4.2'\n")
    expect(agreedVersion(discoverVersionSources(dir).sources)).toBe('5.4.2')
  })

  it.each([
    ["package_dir={'': 'lib'}", ['lib']],
    ['package_dir = {"": "src"},', ['src']],
    ["package_dir=dict(**{'': 'lib'})", ['lib']],
    ["package_dir={'': {2: 'lib', 3: 'lib3'}[sys.version_info[0]]}", ['lib', 'lib3']],
    ["package_dir={'': LIB_DIR}", []],
    ["# package_dir={'': 'lib'}", []],
    ["package_dir={'yaml': 'lib/yaml'}", []]
  ])('%s -> %j', (line, dirs) => {
    expect(findSetupPyRootPackageDirs(`setup(\n    ${line}\n)\n`)).toEqual(dirs)
  })
})

describe('setup(version=NAME) where code makes NAME (Python-Markdown 3.3)', () => {
  const SETUP_PY =
    "import os\nfrom setuptools import setup\n\n\ndef get_version():\n    \"\"\"Get version and version_info from markdown/__meta__.py file.\"\"\"\n    module_path = os.path.join(os.path.dirname('__file__'), 'markdown', '__meta__.py')\n    ...\n    return meta.__version__, meta.__version_info__\n\n\n__version__, __version_info__ = get_version()\n\nsetup(\n    name='Markdown',\n    version=__version__,\n)\n"
  const META = "__version_info__ = (3, 3, 7, 'final', 0)\n__version__ = _get_version(__version_info__)\n"

  it('refuses with one line naming setup.py, the statement, and the fix', () => {
    writeTree({
      'setup.py': SETUP_PY,
      'markdown/__init__.py': 'from .__meta__ import __version__, __version_info__\n',
      'markdown/__meta__.py': META
    })
    expect(failure(() => discoverVersionSources(dir))).toBe(
      'setup.py passes `version=__version__`, and `__version__` comes from code (`__version__, __version_info__ = get_version()`), not from a string literal a bump can edit. Fix: keep the version as a string literal and pass that on: `__version__ = "1.2.3"` in setup.py, or `__version__ = "1.2.3"` in the package with setup.cfg `version = attr: <package>.__version__`; derive any tuple from the string'
    )
  })

  it('names an import as the binding statement', () => {
    expect(
      findComputedSetupPyVersion('from markdown.__meta__ import __version__\n\nsetup(version=__version__)\n')
    ).toEqual({ name: '__version__', statement: 'from markdown.__meta__ import __version__' })
  })

  it('is not a refusal when the code reads a literal the action finds elsewhere (certifi reads certifi/__init__.py)', () => {
    writeTree({
      'setup.py':
        "import re\nfrom setuptools import setup\n\nwith open('certifi/__init__.py') as f:\n    VERSION = re.search(r'__version__ = \"([^\"]*)\"', f.read()).group(1)\n\nsetup(name='certifi', version=VERSION)\n",
      'certifi/__init__.py': '__version__ = "2026.07.22"\n'
    })
    expect(discoverVersionSources(dir).sources.map((source) => `${source.file}=${source.raw}`)).toEqual([
      'certifi/__init__.py=2026.07.22'
    ])
  })

  it('leaves a constant assigned a literal to the setup.py reader', () => {
    expect(findComputedSetupPyVersion("VERSION = '4.3.0'\nsetup(version=VERSION)\n")).toBeUndefined()
  })
})
