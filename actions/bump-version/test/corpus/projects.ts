import type { RepoOptions } from './sdists.ts'

// The corpus's expectations, one entry per pinned sdist: the files a release of the project must
// change (where its version lives), the version its own backend must then build, how the release
// is installed back; and for a layout no edit can bump, the refusal.

/** A project of the corpus: its pin, how its repository looks, and how it is released. */
interface Layout extends RepoOptions {
  /** The pin in sdists.json: the project's name and the released version its sdist is. */
  name: string
  version: string
  backend: string
  /** Where the version lives. */
  layout: string
  /** bump-version's inputs, as the project's workflow would pass them. */
  inputs: Record<string, string>
}

/** A layout the action bumps: what the bump must do, and how the release is installed back. */
export interface Released extends Layout {
  /** The version after the bump, as `uv version --bump` computes it. */
  next: string
  tag: string
  /** changed-files, in the action's order; [] when the tag alone carries the version. */
  changed: string[]
  /**
   * `action`: publish-python's own `verify: install` (no runtime dependencies: the local index
   * serves everything); `pypi`: installed by the test with its dependencies from PyPI.
   */
  install: 'action' | 'pypi'
  importName: string
  /**
   * A setup.py that gives long_description without its content type: `twine check --strict`
   * fails on twine's warning about it, while PyPI takes these releases as they are, so they are
   * published with `check: false`.
   */
  noContentType?: true
  /**
   * Pins for the build environment (uv's UV_BUILD_CONSTRAINT / UV_CONSTRAINT), for an old release
   * whose unpinned build requirement has since broken it, as its users pin it.
   */
  buildConstraints?: string[]
  /**
   * A uv.lock that must still satisfy `uv lock --check` (what `uv sync --locked` relies on) after
   * the bump: `own` when the sdist ships the project's lock, `made` when the test makes one with
   * `uv lock` and commits it before the bump, as a uv user's repository would have.
   */
  uvLock?: 'own' | 'made'
  /**
   * The version is a static `[project].version`, which every backend builds as written, so
   * `check-build` does not ask the backend (the others it asks, and the backend must agree).
   */
  staticVersion?: true
}

/** A layout no file edit can bump: the action must refuse with this one line and push nothing. */
export interface Refused extends Layout {
  refusal: string
}

export const RELEASED: Released[] = [
  {
    name: 'flask',
    staticVersion: true,
    version: '3.1.3',
    backend: 'flit_core',
    layout: '[project].version, uv.lock',
    inputs: { bump: 'minor, rc' },
    next: '3.2.0rc1',
    tag: 'v3.2.0rc1',
    changed: ['pyproject.toml', 'uv.lock'],
    uvLock: 'own',
    install: 'pypi',
    importName: 'flask'
  },
  {
    name: 'requests',
    version: '2.34.2',
    backend: 'setuptools',
    layout: 'attr: requests.__version__.__version__ (src/requests/__version__.py)',
    inputs: { bump: 'minor' },
    next: '2.35.0',
    tag: 'v2.35.0',
    changed: ['src/requests/__version__.py'],
    install: 'pypi',
    importName: 'requests'
  },
  {
    name: 'uvicorn',
    version: '0.54.0',
    backend: 'hatchling',
    layout: '[tool.hatch.version] path = uvicorn/__init__.py',
    inputs: { bump: 'patch' },
    next: '0.54.1',
    tag: 'v0.54.1',
    changed: ['uvicorn/__init__.py'],
    install: 'pypi',
    importName: 'uvicorn'
  },
  {
    name: 'tomlkit',
    staticVersion: true,
    version: '0.15.2',
    backend: 'poetry-core',
    layout: '[project].version + __version__ in tomlkit/__init__.py, uv.lock made by uv lock',
    inputs: { bump: 'minor' },
    next: '0.16.0',
    tag: 'v0.16.0',
    changed: ['pyproject.toml', 'tomlkit/__init__.py', 'uv.lock'],
    uvLock: 'made',
    install: 'action',
    importName: 'tomlkit'
  },
  {
    name: 'pluggy',
    version: '1.7.0',
    backend: 'setuptools + setuptools-scm',
    layout: 'git tags (bare versions, no v); uv.lock (no version: dynamic)',
    inputs: { bump: 'minor', 'tag-prefix': '' },
    tags: ['1.7.0'],
    generated: ['src/pluggy/_version.py'],
    next: '1.8.0',
    tag: '1.8.0',
    changed: [],
    uvLock: 'own',
    install: 'action',
    importName: 'pluggy'
  },
  {
    name: 'flake8',
    version: '7.5.0',
    backend: 'setuptools',
    layout: 'setup.cfg version = attr: flake8.__version__ (package_dir src)',
    inputs: { bump: 'patch' },
    next: '7.5.1',
    tag: 'v7.5.1',
    changed: ['src/flake8/__init__.py'],
    install: 'pypi',
    importName: 'flake8'
  },
  {
    name: 'pyupgrade',
    version: '3.22.0',
    backend: 'setuptools',
    layout: 'setup.cfg [metadata] version',
    inputs: { bump: 'major' },
    next: '4.0.0',
    tag: 'v4.0.0',
    changed: ['setup.cfg'],
    install: 'pypi',
    importName: 'pyupgrade'
  },
  {
    name: 'attrs',
    version: '26.1.0',
    backend: 'hatchling + hatch-vcs',
    layout: 'git tags (bare versions, no v); uv.lock (no version: dynamic)',
    inputs: { bump: 'minor', 'tag-prefix': '' },
    tags: ['26.1.0'],
    next: '26.2.0',
    tag: '26.2.0',
    changed: [],
    uvLock: 'own',
    install: 'action',
    importName: 'attrs'
  },
  {
    name: 'hatch',
    version: '1.18.2',
    backend: 'hatchling + hatch-vcs',
    layout: 'git tags hatch-v* (git_describe_command --match hatch-v*)',
    inputs: { bump: 'patch', 'tag-template': 'hatch-v{version}' },
    tags: ['hatch-v1.18.2'],
    generated: ['src/hatch/_version.py'],
    next: '1.18.3',
    tag: 'hatch-v1.18.3',
    changed: [],
    install: 'pypi',
    importName: 'hatch'
  },
  {
    name: 'certifi',
    version: '2026.7.22',
    noContentType: true,
    backend: 'setuptools (setup.py reads __version__ by regex)',
    layout: '__version__ in certifi/__init__.py',
    inputs: { version: '2026.8.1' },
    next: '2026.8.1',
    tag: 'v2026.8.1',
    changed: ['certifi/__init__.py'],
    install: 'action',
    importName: 'certifi'
  },
  {
    name: 'logfire-sdk',
    staticVersion: true,
    version: '5.4.0',
    backend: 'hatchling',
    layout: '[project].version of a workspace member (logfire-sdk/)',
    subdir: 'logfire-sdk',
    fromParent: ['CHANGELOG.md', 'Makefile', 'tests'],
    inputs: { bump: 'patch', 'working-directory': 'logfire-sdk' },
    next: '5.4.1',
    tag: 'v5.4.1',
    changed: ['logfire-sdk/pyproject.toml'],
    install: 'pypi',
    importName: 'logfire'
  },
  {
    name: 'pydantic',
    version: '2.14.4',
    backend: 'hatchling',
    layout: '[tool.hatch.version] path = pydantic/version.py',
    inputs: { bump: 'patch' },
    next: '2.14.5',
    tag: 'v2.14.5',
    changed: ['pydantic/version.py'],
    install: 'pypi',
    importName: 'pydantic'
  },
  {
    name: 'markdown-it-py',
    version: '4.3.0',
    backend: 'flit_core',
    layout: 'dynamic version: __version__ in markdown_it/__init__.py',
    inputs: { bump: 'minor' },
    next: '4.4.0',
    tag: 'v4.4.0',
    changed: ['markdown_it/__init__.py'],
    install: 'pypi',
    importName: 'markdown_it'
  },
  {
    name: 'typer',
    staticVersion: true,
    version: '0.29.2',
    backend: 'pdm-backend',
    layout: '[project].version + [tool.pdm.version] path = typer/__init__.py',
    inputs: { bump: 'patch' },
    next: '0.29.3',
    tag: 'v0.29.3',
    changed: ['pyproject.toml', 'typer/__init__.py'],
    install: 'pypi',
    importName: 'typer'
  },
  {
    name: 'simplejson',
    version: '4.3.0',
    noContentType: true,
    backend: 'setuptools (C extension)',
    layout: "setup.py VERSION = '...' + __version__ in simplejson/__init__.py",
    inputs: { bump: 'patch' },
    next: '4.3.1',
    tag: 'v4.3.1',
    changed: ['setup.py', 'simplejson/__init__.py'],
    install: 'action',
    importName: 'simplejson'
  },
  {
    name: 'PyYAML',
    version: '6.0.4',
    noContentType: true,
    backend: 'setuptools via an in-tree backend (C extension)',
    layout: "setup.py VERSION + __version__ in lib/yaml/__init__.py (package_dir={'': 'lib'})",
    inputs: { bump: 'minor, beta' },
    next: '6.1.0b1',
    tag: 'v6.1.0b1',
    changed: ['lib/yaml/__init__.py', 'setup.py'],
    install: 'action',
    importName: 'yaml'
  },
  {
    // PyYAML 5 chose its package directory by Python major version; both copies hold __version__.
    name: 'PyYAML',
    version: '5.4.1',
    backend: 'setuptools (C extension)',
    layout: "setup.py VERSION + __version__ in lib/yaml and lib3/yaml (package_dir={'': {2: 'lib', 3: 'lib3'}[...]})",
    inputs: { bump: 'patch' },
    next: '5.4.2',
    tag: 'v5.4.2',
    changed: ['lib/yaml/__init__.py', 'lib3/yaml/__init__.py', 'setup.py'],
    install: 'action',
    importName: 'yaml',
    noContentType: true,
    // Cython 3 no longer builds PyYAML 5's extension (AttributeError: cython_sources).
    buildConstraints: ['Cython<3']
  }
]

export const REFUSED: Refused[] = [
  {
    name: 'Markdown',
    version: '3.11.3',
    backend: 'setuptools',
    layout: 'attr: markdown.__meta__.__version__, built by _get_version(__version_info__) from a tuple',
    inputs: { bump: 'patch' },
    refusal:
      'pyproject.toml [tool.setuptools.dynamic] version reads `markdown.__meta__.__version__`, and `markdown/__meta__.py` computes `__version__` (from a tuple or other code), which no file edit can set. Fix: make it a string literal, `__version__ = "1.2.3"`, and derive any tuple from it (`VERSION = tuple(int(part) for part in __version__.split("."))`)'
  },
  {
    // Python-Markdown 3.3: setup.py computes the version from the tuple in markdown/__meta__.py.
    name: 'Markdown',
    version: '3.3.7',
    backend: 'setuptools (setup.py)',
    layout: 'setup.py version=__version__ from get_version(), which loads markdown/__meta__.py (a tuple)',
    inputs: { bump: 'patch' },
    refusal:
      'setup.py passes `version=__version__`, and `__version__` comes from code (`__version__, __version_info__ = get_version()`), not from a string literal a bump can edit. Fix: keep the version as a string literal and pass that on: `__version__ = "1.2.3"` in setup.py, or `__version__ = "1.2.3"` in the package with setup.cfg `version = attr: <package>.__version__`; derive any tuple from the string'
  }
]
