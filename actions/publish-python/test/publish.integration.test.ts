import { existsSync, readdirSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type ActionRunResult,
  VENV_BIN,
  firstUnmaskedUse,
  runBundledAction
} from '../../../test/harness/action-runner.ts'
import { type Stack, startStack } from '../../../test/stack/stack.ts'
import {
  type TrustedPublishingFixture,
  startTrustedPublishingFor
} from '../../../test/stack/trusted-publishing-fixture.ts'
import { makeWheelhouse } from '../../../test/stack/wheelhouse.ts'
import {
  WORKSPACE_ENV,
  buildDists,
  copyProject,
  expectSuccess,
  gitTagged,
  leaks,
  parseJsonOutput,
  removeTempDirs,
  setVersion,
  tempDir
} from './helpers.ts'

// publish-python's bundle, run as the runner runs it, publishing the sample projects (one per
// build backend, a setuptools-scm project tagged in git, a two-package monorepo) through every
// kind of target against the local stack: CodeArtifact (OIDC -> STS -> the CodeArtifact
// fixture -> pypiserver), codeartifact-login's hand-off, any index with a password, and PyPI
// trusted publishing (the mint-token fixture). `verify: install` makes the action itself pip
// install each release from pypiserver into a fresh venv and import it.

const KNOWN_TOKEN = 'ca-token.KNOWN+publish/secret=0123456789'
let stack: Stack
let trusted: TrustedPublishingFixture
// hatchling and its dependencies as wheels, for isolated builds without an index.
let wheelhouse: string

interface FileOutput {
  name: string
  size: number
  sha256: string
}

function codeArtifactInputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'aws-region': stack.region,
    'role-to-assume': stack.roleArn,
    domain: stack.domain,
    repository: stack.repository,
    'build-isolation': 'false',
    ...extra
  }
}

function tagEnv(tag: string): Record<string, string> {
  return { ...stack.env, ...WORKSPACE_ENV, GITHUB_REF: `refs/tags/${tag}` }
}

function published(): string[] {
  return readdirSync(stack.pypiserver.packagesDir)
}

function expectNoLeaks(result: ActionRunResult, secret: string): void {
  expect({ secret: secret.slice(0, 8), places: leaks(result, secret) }).toEqual({
    secret: secret.slice(0, 8),
    places: []
  })
}

beforeAll(async () => {
  wheelhouse = join(await tempDir('publish-wheelhouse'), 'wheels')
  ;[stack] = await Promise.all([startStack({ token: KNOWN_TOKEN }), makeWheelhouse(wheelhouse, ['hatchling', 'mdurl'])])
  trusted = await startTrustedPublishingFor(stack, [
    { repository: 'acme/widgets', workflow: '.github/workflows/release.yml' }
  ])
}, 60_000)
afterAll(async () => {
  await trusted?.stop()
  await stack?.stop()
  await removeTempDirs()
})
afterEach(() => stack.index.clearFaults())

describe('setuptools sample to CodeArtifact with GitHub OIDC', () => {
  let project: string
  let result: ActionRunResult
  beforeAll(async () => {
    project = await copyProject('setuptools')
    result = await runBundledAction('publish-python', {
      inputs: codeArtifactInputs({ 'working-directory': project, verify: 'install' }),
      env: { ...tagEnv('v1.0.0'), RUNNER_DEBUG: '1' }
    })
  }, 120_000)

  it('builds, checks, gates, uploads and verifies', () => {
    expectSuccess(result)
    const files = parseJsonOutput<FileOutput[]>(result, 'files')
    expect(files.map((f) => f.name)).toEqual([
      'acme_setuptools_sample-1.0.0-py3-none-any.whl',
      'acme_setuptools_sample-1.0.0.tar.gz'
    ])
    for (const file of files) {
      expect(file.sha256).toMatch(/^[0-9a-f]{64}$/)
      expect(file.size).toBeGreaterThan(0)
    }
    expect(result.outputs['version']).toBe('1.0.0')
    expect(parseJsonOutput(result, 'uploaded')).toEqual(files.map((f) => f.name))
    expect(parseJsonOutput(result, 'skipped')).toEqual([])
    expect(result.outputs['index-url']).toBe(stack.indexUrl)
    expect(published()).toEqual(expect.arrayContaining(files.map((f) => f.name)))
  })

  it('verifies with ListPackageVersions and a pip install from the index in a fresh venv', () => {
    expect(
      stack.codeartifact.log.filter((entry) => entry.operation === 'ListPackageVersions' && entry.status === 200)
    ).not.toHaveLength(0)
    const pip = result.spawned.find((argv) => argv.includes('pip') && argv.includes('install'))
    expect(pip).toEqual(expect.arrayContaining(['acme-setuptools-sample==1.0.0']))
    expect(result.stdout).toMatch(/imported acme_setuptools_sample/)
    // The verify venv and every other temp file are gone.
    expect(readdirSync(result.job.runnerTemp)).toEqual([])
  })

  it('uploads with twine, with the token only in its environment', () => {
    const twine = result.spawned.find((argv) => argv.includes('twine') && argv.includes('upload'))
    expect(twine).toEqual(
      expect.arrayContaining(['--non-interactive', join(project, 'dist', 'acme_setuptools_sample-1.0.0.tar.gz')])
    )
    expectNoLeaks(result, KNOWN_TOKEN)
    expectNoLeaks(result, encodeURIComponent(KNOWN_TOKEN))
    const { maskedAt, firstPrintedAt } = firstUnmaskedUse(result.stdout, KNOWN_TOKEN)
    expect(maskedAt).toBeGreaterThanOrEqual(0)
    expect(firstPrintedAt).toBe(-1)
  })

  it('writes a summary with every file, its sha256, and pip / uv / poetry install commands', () => {
    const files = parseJsonOutput<FileOutput[]>(result, 'files')
    expect(result.summary).toContain('## Publish Python packages')
    for (const file of files)
      expect(result.summary).toMatch(
        new RegExp(`\\| \`${file.name.replace(/\./g, '\\.')}\` \\| [^|]+ \\| \`${file.sha256}\` \\| uploaded \\|`)
      )
    expect(result.summary).toContain(`pip install --index-url ${stack.indexUrl} acme-setuptools-sample==1.0.0`)
    expect(result.summary).toContain(`uv pip install --index-url ${stack.indexUrl} acme-setuptools-sample==1.0.0`)
    expect(result.summary).toContain(`poetry add --source codeartifact acme-setuptools-sample==1.0.0`)
    expect(result.summary).toContain(
      '**Verified:** installed acme-setuptools-sample==1.0.0 in a fresh virtual environment and imported acme_setuptools_sample'
    )
  })
})

describe('hatchling sample to any index with a password', () => {
  it('publishes, and a re-run of the same release rebuilds, skips both files and succeeds', async () => {
    const project = await copyProject('hatchling')
    const inputs = {
      'working-directory': project,
      'repository-url': stack.uploadUrl,
      username: 'uploader',
      password: 's3cret',
      'build-isolation': 'false',
      verify: 'install'
    }
    const first = await runBundledAction('publish-python', { inputs, env: tagEnv('v1.0.0') })
    expectSuccess(first)
    expect(parseJsonOutput(first, 'uploaded')).toEqual([
      'acme_hatch_sample-1.0.0-py3-none-any.whl',
      'acme_hatch_sample-1.0.0.tar.gz'
    ])
    expect(stack.index.log.filter((entry) => entry.method === 'POST').every((entry) => entry.user !== undefined)).toBe(
      true
    )
    expectNoLeaks(first, 's3cret')

    stack.index.clearLog()
    const again = await runBundledAction('publish-python', {
      inputs: { ...inputs, verify: 'index' },
      env: tagEnv('v1.0.0')
    })
    expectSuccess(again)
    expect(parseJsonOutput(again, 'uploaded')).toEqual([])
    expect(parseJsonOutput(again, 'skipped')).toEqual([
      'acme_hatch_sample-1.0.0-py3-none-any.whl',
      'acme_hatch_sample-1.0.0.tar.gz'
    ])
    expect(stack.index.log.filter((entry) => entry.method === 'POST')).toEqual([])
    expect(again.summary).toContain('skipped (identical file already on the index)')
  }, 120_000)
})

describe('flit_core sample with the token codeartifact-login left in the job', () => {
  it('publishes with CODEARTIFACT_* from the environment and installs it back', async () => {
    const project = await copyProject('flit')
    const result = await runBundledAction('publish-python', {
      inputs: {
        'working-directory': project,
        'build-isolation': 'false',
        verify: 'install',
        'expected-version': '1.0'
      },
      env: {
        ...WORKSPACE_ENV,
        CODEARTIFACT_AUTH_TOKEN: KNOWN_TOKEN,
        CODEARTIFACT_REGISTRY_URL: stack.uploadUrl,
        CODEARTIFACT_INDEX_URL: stack.indexUrl
      }
    })
    expectSuccess(result)
    expect(result.outputs['version']).toBe('1.0.0')
    expect(result.stdout).toContain('token from an earlier codeartifact-login step')
    expect(result.stdout).toMatch(/imported acme_flit_sample/)
    expectNoLeaks(result, KNOWN_TOKEN)
  }, 120_000)
})

describe('poetry-core sample uploaded with uv publish', () => {
  it('publishes with `uploader: uv` and installs it back', async () => {
    const project = await copyProject('poetry')
    const result = await runBundledAction('publish-python', {
      inputs: {
        'working-directory': project,
        'repository-url': stack.uploadUrl,
        username: 'aws',
        password: KNOWN_TOKEN,
        uploader: 'uv',
        'build-isolation': 'false',
        verify: 'install'
      },
      env: tagEnv('v1.0.0')
    })
    expectSuccess(result)
    const uv = result.spawned.find((argv) => argv.includes('publish'))
    expect(uv?.[0]).toMatch(/uv$/)
    expect(parseJsonOutput(result, 'uploaded')).toEqual([
      'acme_poetry_sample-1.0.0-py3-none-any.whl',
      'acme_poetry_sample-1.0.0.tar.gz'
    ])
    expect(result.stdout).toMatch(/imported acme_poetry_sample/)
    expectNoLeaks(result, KNOWN_TOKEN)
  }, 120_000)
})

describe('setuptools-scm sample versioned by a git tag', () => {
  it('publishes the version of the tag (v1.3.0 -> 1.3.0) and installs it back', async () => {
    const project = await copyProject('scm')
    await gitTagged(project, 'v1.3.0')
    const result = await runBundledAction('publish-python', {
      inputs: codeArtifactInputs({ 'working-directory': project, verify: 'install' }),
      env: tagEnv('v1.3.0')
    })
    expectSuccess(result)
    expect(result.outputs['version']).toBe('1.3.0')
    expect(parseJsonOutput(result, 'uploaded')).toEqual([
      'acme_scm_sample-1.3.0-py3-none-any.whl',
      'acme_scm_sample-1.3.0.tar.gz'
    ])
    expect(result.stdout).toContain('Version 1.3.0 matches tag v1.3.0')
    expect(result.stdout).toMatch(/imported acme_scm_sample/)
  }, 120_000)
})

describe('two-package monorepo', () => {
  it('publishes core before the app that depends on it, in one call, with isolated builds, and installs both', async () => {
    const repo = await copyProject('monorepo')
    const result = await runBundledAction('publish-python', {
      inputs: codeArtifactInputs({
        'working-directory': repo,
        packages: 'core\napp',
        'build-isolation': 'true',
        verify: 'install',
        'import-name': 'acme_mono_app, acme_mono_core'
      }),
      // The isolated build environment gets hatchling from the wheelhouse instead of PyPI.
      env: { ...tagEnv('v1.0.0'), UV_FIND_LINKS: wheelhouse, UV_OFFLINE: '1' }
    })
    expectSuccess(result)
    // One isolated environment for both (same build requirements), with only those in it.
    expect(result.stdout).toContain('Isolated build environment for 2 projects: hatchling>=1.26')
    // SOURCE_DATE_EPOCH comes from the one HEAD both projects share: read once, not per project.
    expect(result.spawned.filter((argv) => argv.includes('log') && argv.includes('--format=%ct'))).toHaveLength(1)
    expect(result.spawned.filter((argv) => argv.includes('--compile-bytecode'))).toEqual([
      [
        expect.stringMatching(/uv$/),
        'pip',
        'install',
        '--quiet',
        '--compile-bytecode',
        '--python',
        expect.any(String),
        'hatchling>=1.26'
      ]
    ])
    expect(
      result.spawned
        .filter((argv) => argv[1] === 'build')
        .every((argv) => argv.includes('--no-build-isolation') && !argv.includes(join(VENV_BIN, 'python')))
    ).toBe(true)
    expect(parseJsonOutput(result, 'uploaded')).toEqual([
      'acme_mono_core-1.0.0-py3-none-any.whl',
      'acme_mono_core-1.0.0.tar.gz',
      'acme_mono_app-1.0.0-py3-none-any.whl',
      'acme_mono_app-1.0.0.tar.gz'
    ])
    // One twine call, core's files first.
    const uploads = result.spawned.filter((argv) => argv.includes('twine') && argv.includes('upload'))
    expect(uploads).toHaveLength(1)
    const order = (uploads[0] as string[])
      .filter((arg) => arg.endsWith('.whl') || arg.endsWith('.tar.gz'))
      .map((arg) => arg.split('/').pop())
    expect(order).toEqual([
      'acme_mono_core-1.0.0-py3-none-any.whl',
      'acme_mono_core-1.0.0.tar.gz',
      'acme_mono_app-1.0.0-py3-none-any.whl',
      'acme_mono_app-1.0.0.tar.gz'
    ])
    // pip resolved acme-mono-core from the index as the app's dependency.
    expect(result.stdout).toMatch(
      /Successfully installed acme-mono-app-1\.0\.0 acme-mono-core-1\.0\.0|Successfully installed acme-mono-core-1\.0\.0 acme-mono-app-1\.0\.0/
    )
    expect(result.stdout).toMatch(/imported acme_mono_app, acme_mono_core/)
    expect(result.summary).toContain('pip install --index-url')
    expect(result.summary).toContain('acme-mono-core==1.0.0 acme-mono-app==1.0.0')
  }, 120_000)
})

describe('isolated builds whose backend asks for more at build time', () => {
  it("rebuilds with uv's own isolation when the prepared environment lacks a dynamic build requirement", async () => {
    const project = await copyProject('hatchling')
    await setVersion(project, '1.1.0', 'acme-dynamic-requires')
    // An in-tree backend wrapping hatchling that, like scikit-build-core with cmake, needs a
    // package it only names through get_requires_for_build_* (mdurl stands in for it).
    await writeFile(
      join(project, '_backend.py'),
      [
        'from hatchling import build as _h',
        'def get_requires_for_build_sdist(config_settings=None):',
        '    return ["mdurl"]',
        'def get_requires_for_build_wheel(config_settings=None):',
        '    return ["mdurl"]',
        'def build_sdist(directory, config_settings=None):',
        '    import mdurl  # noqa: F401',
        '    return _h.build_sdist(directory, config_settings)',
        'def build_wheel(directory, config_settings=None, metadata_directory=None):',
        '    import mdurl  # noqa: F401',
        '    return _h.build_wheel(directory, config_settings, metadata_directory)',
        ''
      ].join('\n')
    )
    const pyproject = join(project, 'pyproject.toml')
    await writeFile(
      pyproject,
      (await readFile(pyproject, 'utf8')).replace(
        'build-backend = "hatchling.build"',
        'build-backend = "_backend"\nbackend-path = ["."]'
      )
    )
    const result = await runBundledAction('publish-python', {
      inputs: {
        'working-directory': project,
        'repository-url': stack.uploadUrl,
        username: 'uploader',
        password: 's3cret'
      },
      env: { ...tagEnv('v1.1.0'), UV_FIND_LINKS: wheelhouse, UV_OFFLINE: '1' }
    })
    expectSuccess(result)
    expect(result.stdout).toContain(
      "the build failed in the prepared build environment; building it again with uv's own isolation"
    )
    expect(parseJsonOutput(result, 'uploaded')).toEqual([
      'acme_dynamic_requires-1.1.0-py3-none-any.whl',
      'acme_dynamic_requires-1.1.0.tar.gz'
    ])
  }, 120_000)
})

describe('trusted publishing', () => {
  it('exchanges the GitHub OIDC token at the index for an upload token and publishes with it', async () => {
    const project = await copyProject('hatchling')
    await setVersion(project, '1.0.1')
    const uploadUrl = `${trusted.url}/pypi/${stack.repository}/`
    const result = await runBundledAction('publish-python', {
      inputs: {
        'working-directory': project,
        'trusted-publishing': 'true',
        'repository-url': uploadUrl,
        'build-isolation': 'false',
        verify: 'install'
      },
      env: tagEnv('v1.0.1')
    })
    expectSuccess(result)
    expect(trusted.mintLog).toEqual([{ status: 200, repository: 'acme/widgets' }])
    expect(parseJsonOutput(result, 'uploaded')).toEqual([
      'acme_hatch_sample-1.0.1-py3-none-any.whl',
      'acme_hatch_sample-1.0.1.tar.gz'
    ])
    expect(result.outputs['index-url']).toBe(`${uploadUrl}simple/`)
    expect(stack.index.log.filter((entry) => entry.method === 'POST').at(-1)).toMatchObject({
      user: '__token__',
      status: 200
    })
    for (const token of trusted.minted) {
      expectNoLeaks(result, token)
      expect(firstUnmaskedUse(result.stdout, token).maskedAt).toBeGreaterThanOrEqual(0)
    }
  }, 120_000)

  it('fails in one line with the fix when no trusted publisher matches the workflow', async () => {
    trusted.setPublishers([{ repository: 'acme/other' }])
    try {
      const project = await copyProject('hatchling')
      await setVersion(project, '1.0.2')
      const before = published().length
      const result = await runBundledAction('publish-python', {
        inputs: {
          'working-directory': project,
          'trusted-publishing': 'true',
          'repository-url': `${trusted.url}/pypi/${stack.repository}/`,
          'build-isolation': 'false'
        },
        env: tagEnv('v1.0.2')
      })
      expect(result.exitCode).toBe(1)
      expect(result.errors).toEqual([
        expect.stringMatching(
          /^The index refused the trusted publishing exchange: invalid-publisher: .*Fix: add a trusted publisher .*repository "acme\/widgets"/
        )
      ])
      expect(published()).toHaveLength(before)
    } finally {
      trusted.setPublishers([{ repository: 'acme/widgets', workflow: '.github/workflows/release.yml' }])
    }
  }, 120_000)
})

describe('a bare Python without twine, and no uv on PATH', () => {
  it('installs the pinned twine into a private environment once and publishes with it', async () => {
    const bare = '/root/.pyenv/versions/3.11.7/bin/python3'
    if (!existsSync(bare)) return
    const tools = await tempDir('tool-cache')
    const wheels = join(tools, 'wheels')
    await makeWheelhouse(wheels, ['twine', 'build'])
    const dist = await buildDists(
      await copyProject('hatchling').then(async (project) => (await setVersion(project, '1.0.3'), project))
    )
    const env = {
      ...tagEnv('v1.0.3'),
      // PATH without .venv/bin (no uv, no twine); pip installs the pins from the wheelhouse.
      PATH: (process.env['PATH'] ?? '')
        .split(':')
        .filter((dir) => !dir.includes('.venv'))
        .join(':'),
      RUNNER_TOOL_CACHE: tools,
      PIP_NO_INDEX: '1',
      PIP_FIND_LINKS: wheels
    }
    const inputs = {
      'packages-dir': dist,
      'repository-url': stack.uploadUrl,
      username: 'uploader',
      password: 's3cret',
      python: bare
    }
    const result = await runBundledAction('publish-python', { inputs, env })
    expectSuccess(result)
    expect(result.stdout).toContain('Installing twine==7.0.0 and build==1.6.1 into')
    expect(result.stdout).toMatch(/twine: \S+ -m twine \(a private environment with the pinned version\)/)
    expect(parseJsonOutput(result, 'uploaded')).toEqual([
      'acme_hatch_sample-1.0.3-py3-none-any.whl',
      'acme_hatch_sample-1.0.3.tar.gz'
    ])
    // The second run finds the environment and installs nothing.
    const again = await runBundledAction('publish-python', { inputs, env })
    expectSuccess(again)
    expect(again.stdout).not.toContain('Installing twine')
    expect(parseJsonOutput(again, 'skipped')).toHaveLength(2)
  }, 180_000)
})
