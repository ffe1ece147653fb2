import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { ActionRunResult } from '../../../test/harness/action-runner.ts'
import { type Sandbox, builtVersion, bump, git, limited, originFile, originLog, sandbox, succeeded } from './helpers.ts'

// One sample project per version-source layout, each bumped by the bundled action on Node 24
// against a bare origin, then built for real (python -m build --sdist, offline) to prove the
// edit is the one the backend reads. Version tokens are marked «like.this» in the samples: every
// other byte of every file must come out unchanged.

const MARK = /«([^»]*)»/g

interface Layout {
  name: string
  files: Record<string, string>
  inputs: Record<string, string>
  previous: string
  next: string
  /** The project inside the repository (working-directory). */
  dir?: string
  tag?: string
  tagOnly?: boolean
  tags?: string[]
  /** Committed after the tags, so the tags sit on an older commit. */
  later?: Record<string, string>
}

const README = { 'README.md': '# pkg\n' }

const LAYOUTS: Layout[] = [
  {
    name: 'hatchling, static [project].version + __version__ in __init__.py',
    files: {
      ...README,
      'pyproject.toml':
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "pkg"\n# Bumped by CI.\nversion = "«1.2.3»"  # do not edit by hand\n',
      'src/pkg/__init__.py': '"""pkg."""\n\n__version__ = "«1.2.3»"\n'
    },
    inputs: { bump: 'minor' },
    previous: '1.2.3',
    next: '1.3.0'
  },
  {
    name: 'hatchling, dynamic [tool.hatch.version] path',
    files: {
      ...README,
      'pyproject.toml':
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.hatch.version]\npath = "src/pkg/__about__.py"\n',
      'src/pkg/__about__.py': '# SPDX-License-Identifier: MIT\n__version__ = "«0.4.1»"\n',
      'src/pkg/__init__.py': 'from .__about__ import __version__\n'
    },
    inputs: { bump: 'patch' },
    previous: '0.4.1',
    next: '0.4.2'
  },
  {
    name: 'setuptools, dynamic attr (src layout)',
    files: {
      ...README,
      'pyproject.toml':
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools.dynamic]\nversion = {attr = "pkg.__version__"}\n',
      'src/pkg/__init__.py': "__version__ = '«1.2.3»'\n"
    },
    inputs: { bump: 'minor, rc' },
    previous: '1.2.3',
    next: '1.3.0rc1'
  },
  {
    name: 'setuptools, dynamic file',
    files: {
      ...README,
      'pyproject.toml':
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools]\npackages = ["pkg"]\n\n[tool.setuptools.dynamic]\nversion = {file = "VERSION"}\n',
      'pkg/__init__.py': '',
      VERSION: '«1.9.0»\n'
    },
    inputs: { version: '2.0.0' },
    previous: '1.9.0',
    next: '2.0.0'
  },
  {
    name: 'setup.cfg [metadata] version with a setup.py shim',
    files: {
      ...README,
      'setup.cfg': '[metadata]\nname = pkg\nversion = «3.0.0»\n\n[options]\npackages = pkg\n',
      'setup.py': 'from setuptools import setup\n\nsetup()\n',
      'pkg/__init__.py': ''
    },
    inputs: { bump: 'post' },
    previous: '3.0.0',
    next: '3.0.0.post1'
  },
  {
    name: 'setup.cfg version = attr: with package_dir',
    files: {
      ...README,
      'setup.cfg':
        '[metadata]\nname = pkg\nversion = attr: pkg.__version__\n\n[options]\npackage_dir =\n    =src\npackages = find:\n\n[options.packages.find]\nwhere = src\n',
      'setup.py': 'from setuptools import setup\n\nsetup()\n',
      'src/pkg/__init__.py': '__version__ = "«0.0.9»"\n'
    },
    inputs: { bump: 'patch' },
    previous: '0.0.9',
    next: '0.0.10'
  },
  {
    name: 'setup.py version="..."',
    files: {
      ...README,
      'setup.py':
        'from setuptools import setup\n\nsetup(\n    name="pkg",\n    version="«0.9.1»",  # released by CI\n    packages=["pkg"],\n)\n',
      'pkg/__init__.py': ''
    },
    inputs: { bump: 'major' },
    previous: '0.9.1',
    next: '1.0.0'
  },
  {
    name: 'poetry-core, [tool.poetry].version',
    files: {
      ...README,
      'pyproject.toml':
        '[tool.poetry]\nname = "pkg"\nversion = "«1.2.3»"\ndescription = "A package"\nauthors = ["A <a@example.com>"]\n\n[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n',
      'pkg/__init__.py': ''
    },
    inputs: { bump: 'patch, dev' },
    previous: '1.2.3',
    next: '1.2.4.dev1'
  },
  {
    name: 'flit_core, dynamic version from the module',
    files: {
      ...README,
      'pyproject.toml':
        '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n\n[project]\nname = "my-pkg"\ndynamic = ["version", "description"]\n',
      'my_pkg/__init__.py': '"""My package."""\n\n__version__ = "«0.1.0b2»"\n'
    },
    inputs: { bump: 'beta' },
    previous: '0.1.0b2',
    next: '0.1.0b3'
  },
  {
    name: 'extra files with a pattern, a custom tag template and a lightweight tag, in a monorepo subdirectory',
    dir: 'libs/shared',
    files: {
      'libs/shared/README.md': '# shared\n',
      'libs/shared/pyproject.toml':
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "shared"\nversion = "«2.1.0»"\n',
      'libs/shared/src/shared/__init__.py': '',
      'libs/shared/docs/conf.py': 'project = "shared"\nrelease = "«2.1.0»"\nversion = "2.1"\n',
      'services/api/pyproject.toml': '[project]\nname = "api"\nversion = "9.9.9"\n'
    },
    inputs: {
      bump: 'patch',
      'working-directory': 'libs/shared',
      files: 'docs/conf.py: release = "{version}"',
      'tag-template': 'shared-v{version}',
      'annotated-tag': 'false'
    },
    previous: '2.1.0',
    next: '2.1.1',
    tag: 'shared-v2.1.1'
  },
  {
    name: 'setuptools-scm: tag-only',
    files: {
      ...README,
      'pyproject.toml':
        '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools_scm]\n',
      'src/pkg/__init__.py': ''
    },
    tags: ['v0.1.0', 'v0.1.1', 'other-v9.0.0'],
    later: { 'src/pkg/feature.py': 'FEATURE = True\n' },
    inputs: { bump: 'minor' },
    previous: '0.1.1',
    next: '0.2.0',
    tagOnly: true
  },
  {
    // simplejson's shape: setup(version=VERSION) with the constant above it, and __version__.
    name: 'setup.py, version=VERSION constant + __version__ in the package',
    files: {
      ...README,
      'setup.py':
        "#!/usr/bin/env python\nfrom setuptools import setup\n\nVERSION = '«4.1.1»'\nDESCRIPTION = 'JSON for Python'\n\nsetup(\n    name='pkg',\n    version=VERSION,\n    description=DESCRIPTION,\n    packages=['pkg'],\n)\n",
      'pkg/__init__.py': 'r"""pkg."""\n__version__ = \'«4.1.1»\'\n'
    },
    inputs: { bump: 'patch' },
    previous: '4.1.1',
    next: '4.1.2'
  },
  {
    // PyYAML's shape: the constant in setup.py, the package under lib/ (package_dir).
    name: "setup.py, VERSION constant + package_dir={'': 'lib'}",
    files: {
      ...README,
      'setup.py':
        "from setuptools import setup\n\nNAME = 'pkg'\nVERSION = '«7.0.0.dev0»'\n\nif __name__ == '__main__':\n    setup(\n        name=NAME,\n        version=VERSION,\n        package_dir={'': 'lib'},\n        packages=['pkg'],\n    )\n",
      'lib/pkg/__init__.py': "__version__ = '«7.0.0.dev0»'\n"
    },
    inputs: { bump: 'stable' },
    previous: '7.0.0.dev0',
    next: '7.0.0'
  },
  {
    // requests' shape: setup.py execs src/pkg/__version__.py and passes about["__version__"].
    name: 'setup.py reading src/pkg/__version__.py',
    files: {
      ...README,
      'setup.py':
        'import os\nfrom setuptools import setup\n\nhere = os.path.abspath(os.path.dirname(__file__))\nabout = {}\nwith open(os.path.join(here, "src", "pkg", "__version__.py"), encoding="utf-8") as f:\n    exec(f.read(), about)\n\nsetup(\n    name=about["__title__"],\n    version=about["__version__"],\n    package_dir={"": "src"},\n    packages=["pkg"],\n)\n',
      'src/pkg/__init__.py': 'from .__version__ import __version__\n',
      'src/pkg/__version__.py': '__title__ = "pkg"\n__version__ = "«2.32.3»"\n__build__ = 0x023203\n'
    },
    inputs: { bump: 'minor' },
    previous: '2.32.3',
    next: '2.33.0'
  },
  {
    // A monorepo root that reads only its own tags, as hatch's does (`--match hatch-v*`).
    name: 'setuptools-scm: tag-only, git_describe_command --match names the tags',
    files: {
      ...README,
      'pyproject.toml':
        '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools_scm]\ngit_describe_command = ["git", "describe", "--dirty", "--tags", "--long", "--match", "pkg-v*"]\n',
      'src/pkg/__init__.py': ''
    },
    tags: ['pkg-v1.4.0', 'v7.0.0'],
    later: { 'src/pkg/feature.py': 'FEATURE = True\n' },
    // No tag-template: the tags the provider reads decide their form.
    inputs: { bump: 'patch' },
    previous: '1.4.0',
    next: '1.4.1',
    tag: 'pkg-v1.4.1',
    tagOnly: true
  },
  {
    // A common setuptools-scm form: the glob takes v1.2.3, so the default template fits it.
    name: 'setuptools-scm: tag-only, git_describe_command --match v[0-9]*',
    files: {
      ...README,
      'pyproject.toml':
        '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools_scm]\ngit_describe_command = ["git", "describe", "--dirty", "--tags", "--long", "--match", "v[0-9]*"]\n',
      'src/pkg/__init__.py': ''
    },
    tags: ['v2.0.0'],
    later: { 'src/pkg/feature.py': 'FEATURE = True\n' },
    inputs: { bump: 'minor' },
    previous: '2.0.0',
    next: '2.1.0',
    tagOnly: true
  }
]

interface Outcome {
  box: Sandbox
  initialSha: string
  result: ActionRunResult
  built: string
}

// The bumps and builds run two at a time up front (each is mostly waiting on git and Python);
// each test then checks its own outcome.
const outcomes = new Map<string, Promise<Outcome>>()
beforeAll(() => {
  const tasks = LAYOUTS.map((layout) => async (): Promise<Outcome> => {
    const files = Object.fromEntries(
      Object.entries(layout.files).map(([path, text]) => [path, text.replace(MARK, '$1')])
    )
    const box = await sandbox(files, { tags: layout.tags, later: layout.later })
    const initialSha = await git(box.work, 'rev-parse', 'HEAD')
    const result = await bump(box.work, layout.inputs)
    const built = result.exitCode === 0 ? await builtVersion(join(box.work, layout.dir ?? '.')) : ''
    return { box, initialSha, result, built }
  })
  const all = limited(2, tasks)
  LAYOUTS.forEach((layout, i) =>
    outcomes.set(
      layout.name,
      all.then((results) => results[i])
    )
  )
  // Keep an early rejection from going unhandled before its test awaits it.
  all.catch(() => undefined)
})

afterAll(async () => {
  for (const outcome of outcomes.values()) {
    const { box } = await outcome.catch(() => ({ box: undefined }))
    if (box) rmSync(box.root, { recursive: true, force: true })
  }
})

describe.each(LAYOUTS)('$name', (layout) => {
  it(`bumps ${layout.previous} -> ${layout.next}, pushes commit and tag together, and the build reads ${layout.next}`, async () => {
    const { box, initialSha, result, built } = await (outcomes.get(layout.name) as Promise<Outcome>)
    succeeded(result)
    const tag = layout.tag ?? `v${layout.next}`
    const prefix = layout.dir ? `${layout.dir}/` : ''
    const changed = Object.entries(layout.files)
      .filter(([, text]) => text.includes('«'))
      .map(([path]) => path)
      .sort()

    expect(result.outputs).toEqual({
      'previous-version': layout.previous,
      version: layout.next,
      tag,
      tags: tag,
      versions: result.outputs['versions'],
      'commit-sha': result.outputs['commit-sha'],
      'changed-files': layout.tagOnly ? '' : changed.join('\n')
    })
    expect(Object.values(JSON.parse(result.outputs['versions']) as Record<string, string>)).toEqual([layout.next])
    expect(result.outputs['changed-files'].split('\n').every((path) => !path || path.startsWith(prefix))).toBe(true)
    expect(built).toBe(layout.next)

    const log = await originLog(box)
    const tagTarget = await git(box.origin, 'rev-parse', `refs/tags/${tag}^{commit}`)
    const tagType = await git(box.origin, 'cat-file', '-t', `refs/tags/${tag}`)
    expect(tagType).toBe(layout.inputs['annotated-tag'] === 'false' ? 'commit' : 'tag')
    if (layout.tagOnly) {
      // Nothing to commit: the tag goes on the commit that was checked out.
      expect(log[0].sha).toBe(initialSha)
      expect(result.outputs['commit-sha']).toBe(initialSha)
      expect(tagTarget).toBe(initialSha)
      return
    }
    expect(log[0]).toEqual({
      sha: result.outputs['commit-sha'],
      parents: [initialSha],
      subject: `Bump version: ${layout.previous} → ${layout.next}`
    })
    expect(tagTarget).toBe(result.outputs['commit-sha'])
    // Every byte outside the version tokens is as it was, on the remote.
    for (const [path, text] of Object.entries(layout.files)) {
      const expected = text.replace(MARK, layout.next).replace(/\n$/, '')
      expect({ path, text: await originFile(box, 'main', path) }).toEqual({ path, text: expected })
    }
    // The checkout is left clean, on the pushed commit.
    expect(await git(box.work, 'status', '--porcelain', '--untracked-files=no')).toBe('')
    expect(await git(box.work, 'rev-parse', 'HEAD')).toBe(result.outputs['commit-sha'])
  })
})
