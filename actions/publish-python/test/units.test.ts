import { crc32, gzipSync } from 'node:zlib'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeError } from '@release/shared/errors'
import { buildCommand, explainBuildFailure, unmetBuildRequirement } from '../src/build.ts'
import { readBuildSystem, requiresKey } from '../src/build-env.ts'
import { hintFor, parseTwineCheck } from '../src/check.ts'
import { type Dist, describeDists } from '../src/dists.ts'
import { expectedVersion, gateVersion } from '../src/gate.ts'
import { getInputs, simpleIndexFor } from '../src/inputs.ts'
import { installCommands } from '../src/report.ts'
import { dependencyOrder } from '../src/releases.ts'
import type { ResolvedTarget } from '../src/target.ts'
import type { Toolchain } from '@release/shared/python/toolchain'
import { UploadFailure, classifyUpload, classifyUploaderOutput, uploaderEnv } from '@release/shared/python/uploader'
import { explainFailure } from '../src/upload.ts'
import { installerEnv, missingDependency } from '../src/verify.ts'
import { isUnknownPackage } from '@release/shared/aws/codeartifact'
import { restoreEnvAfterEach, setInputs } from '../../../test/harness/inputs.ts'
import { failure } from '../../../test/harness/failure.ts'

function dist(file: string, version: string, kind: Dist['kind'] = 'wheel'): Dist {
  return { path: `/d/${file}`, file, project: 'acme-widgets', version, kind, size: 1, sha256: '0'.repeat(64) }
}

describe('expectedVersion', () => {
  it.each([
    [undefined, 'v', 'refs/tags/v1.2.0', '1.2.0', 'tag v1.2.0'],
    [undefined, 'v', 'refs/tags/v1.0.0-rc.1', '1.0.0rc1', 'tag v1.0.0-rc.1'],
    [undefined, 'shared-v', 'refs/tags/shared-v2.0', '2.0', 'tag shared-v2.0'],
    [undefined, '', 'refs/tags/3.1.0.post1', '3.1.0.post1', 'tag 3.1.0.post1'],
    ['1.5.0', 'v', 'refs/tags/v9.9.9', '1.5.0', 'input `expected-version`']
  ])('input %s, prefix %j, ref %s -> %s', (input, prefix, ref, version, source) => {
    expect(expectedVersion(input, prefix, { GITHUB_REF: ref })).toEqual({ version, source })
  })

  it('is undefined for branch runs', () => {
    expect(expectedVersion(undefined, 'v', { GITHUB_REF: 'refs/heads/main' })).toBeUndefined()
    expect(expectedVersion(undefined, 'v', {})).toBeUndefined()
  })

  it('explains a tag without the prefix, and one that is no version', () => {
    expect(() => expectedVersion(undefined, 'v', { GITHUB_REF: 'refs/tags/shared-v1.0' })).toThrow(
      /does not start with `tag-prefix` "v"/
    )
    expect(() => expectedVersion(undefined, 'v', { GITHUB_REF: 'refs/tags/vnext' })).toThrow(
      /does not name a PEP 440 version \("next"/
    )
  })
})

describe('gateVersion', () => {
  it('passes one matching version, comparing as PEP 440 does', () => {
    expect(
      gateVersion(
        [dist('a-1.0-py3-none-any.whl', '1.0'), dist('a-1.0.tar.gz', '1.0', 'sdist')],
        { version: '1.0.0', source: 'tag v1.0.0' },
        false
      )
    ).toBe('1.0')
  })

  it.each([
    [[dist('a-1.0rc1-py3-none-any.whl', '1.0rc1')], /built version 1\.0rc1 does not match 1\.0\.0 from tag v1\.0\.0/],
    [
      [dist('a-1.0-py3-none-any.whl', '1.0'), dist('a-1.1.tar.gz', '1.1', 'sdist')],
      /more than one version: 1\.0 \(a-1\.0-py3-none-any\.whl\); 1\.1 \(a-1\.1\.tar\.gz\)/
    ],
    [
      [dist('a-1.0.0+g1a2b3c-py3-none-any.whl', '1.0.0+g1a2b3c')],
      /local version \(\+g1a2b3c\).*local_scheme = "no-local-version"/
    ],
    [[dist('a-latest-py3-none-any.whl', 'latest')], /carries "latest", which is not a PEP 440 version/]
  ])('refuses %#', (dists, message) => {
    expect(failure(() => gateVersion(dists, { version: '1.0.0', source: 'tag v1.0.0' }, false))).toMatch(message)
  })

  it('accepts a local version when allowed', () => {
    expect(gateVersion([dist('a-1.0+x-py3-none-any.whl', '1.0+x')], undefined, true)).toBe('1.0+x')
  })
})

describe('simpleIndexFor', () => {
  it.each([
    ['https://upload.pypi.org/legacy/', 'https://pypi.org/simple/'],
    ['https://test.pypi.org/legacy/', 'https://test.pypi.org/simple/'],
    [
      'https://acme-1111.d.codeartifact.us-east-1.amazonaws.com/pypi/internal/',
      'https://acme-1111.d.codeartifact.us-east-1.amazonaws.com/pypi/internal/simple/'
    ],
    ['https://devpi.example/root/prod/', 'https://devpi.example/root/prod/simple/'],
    ['https://warehouse.example/legacy/', 'https://warehouse.example/simple/']
  ])('%s -> %s', (upload, index) => {
    expect(simpleIndexFor(upload)).toBe(index)
  })
})

describe('buildCommand', () => {
  const base: Toolchain = {
    python: '/py/bin/python',
    pythonVersion: '3.12.0',
    uv: '/bin/uv',
    builder: 'uv',
    pip: true,
    notes: []
  }
  const project = { dir: '/w/lib', label: 'lib' }
  it.each([
    [
      'uv, isolated, both',
      base,
      { isolation: true, distTypes: ['sdist', 'wheel'] },
      ['/bin/uv', 'build', '/w/lib', '--out-dir', '/w/lib/dist', '--python', '/py/bin/python']
    ],
    [
      'uv, no isolation, wheel only',
      base,
      { isolation: false, distTypes: ['wheel'] },
      [
        '/bin/uv',
        'build',
        '/w/lib',
        '--out-dir',
        '/w/lib/dist',
        '--python',
        '/py/bin/python',
        '--no-build-isolation',
        '--wheel'
      ]
    ],
    [
      'build, no isolation',
      { ...base, builder: 'build', build: { command: '/py/bin/python', args: ['-m', 'build'] } },
      { isolation: false, distTypes: ['wheel', 'sdist'] },
      ['/py/bin/python', '-m', 'build', '/w/lib', '--outdir', '/w/lib/dist', '--no-isolation']
    ],
    [
      'build from uv tool run, sdist only',
      {
        ...base,
        builder: 'build',
        build: { command: '/bin/uv', args: ['tool', 'run', '--from', 'build==1.6.1', 'pyproject-build'] }
      },
      { isolation: true, distTypes: ['sdist'] },
      [
        '/bin/uv',
        'tool',
        'run',
        '--from',
        'build==1.6.1',
        'pyproject-build',
        '/w/lib',
        '--outdir',
        '/w/lib/dist',
        '--sdist'
      ]
    ]
  ] as const)('%s', (_name, toolchain, options, argv) => {
    const command = buildCommand(toolchain as Toolchain, project, '/w/lib/dist', {
      ...options,
      distTypes: [...options.distTypes],
      clean: true
    })
    expect([command.command, ...command.args]).toEqual(argv)
  })
})

describe('explainBuildFailure', () => {
  const project = { dir: '/w/lib', label: 'lib' }
  it('names a missing backend (pypa/build wording)', () => {
    const error = explainBuildFailure(project, "ERROR Backend 'pdm.backend' is not available.", {
      isolation: false,
      python: '/py'
    })
    expect(error.message).toBe('Building lib failed: the build backend `pdm.backend` cannot be imported.')
    expect(error.hint).toContain('build-isolation: false')
  })
  it('names a missing backend (uv wording, backend from pyproject)', () => {
    const error = explainBuildFailure(
      project,
      "ModuleNotFoundError: No module named 'hatchling'\nerror: Failed to build `/w/lib`",
      { isolation: true, python: '/py', backend: 'hatchling.build' }
    )
    expect(error.message).toBe(
      "Building lib failed: the build backend `hatchling.build` cannot be imported (No module named 'hatchling')."
    )
  })
  it('points setuptools-scm failures at fetch-depth', () => {
    expect(
      explainBuildFailure(project, 'LookupError: setuptools-scm was unable to detect version for /w/lib.', {
        isolation: true,
        python: '/py'
      }).hint
    ).toContain('fetch-depth: 0')
  })
  it('falls back to the last error line', () => {
    expect(
      explainBuildFailure(project, 'running build\nerror: invalid command bdist_wheel\n', {
        isolation: true,
        python: '/py'
      }).message
    ).toBe('Building lib failed: invalid command bdist_wheel')
  })
})

describe('parseTwineCheck', () => {
  it('collects the failed files and their wrapped error records', () => {
    const output = [
      'Checking dist/brk-1.0-py3-none-any.whl: FAILED',
      'ERROR    `long_description` has syntax errors in markup and would not be rendered on PyPI.',
      '         line 4: Error: Error in "code-block" directive:',
      '         unknown option: "bad".',
      '         ',
      '         .. code-block:: nope',
      'Checking dist/brk-1.0.tar.gz: PASSED',
      'Checking dist/other-1.0.tar.gz: FAILED due to warnings',
      'WARNING  `long_description` missing.'
    ].join('\n')
    expect(parseTwineCheck(output)).toEqual([
      {
        file: 'brk-1.0-py3-none-any.whl',
        problems: [
          '`long_description` has syntax errors in markup and would not be rendered on PyPI. line 4: Error: Error in "code-block" directive: unknown option: "bad".'
        ]
      },
      { file: 'other-1.0.tar.gz', problems: ['`long_description` missing.'] }
    ])
  })
})

describe('classifyUploaderOutput', () => {
  it.each([
    [
      'twine 503',
      'Uploading a-1.0.tar.gz\nWARNING  Received "503: Service Unavailable"\nERROR    HTTPError: 503 Service Unavailable from http://i/\n         Service Unavailable',
      { status: 503, retryable: true, file: 'a-1.0.tar.gz' }
    ],
    [
      'twine 429',
      'Uploading a-1.0-py3-none-any.whl\nERROR    HTTPError: 429 Too Many Requests from http://i/',
      { status: 429, retryable: true, file: 'a-1.0-py3-none-any.whl' }
    ],
    [
      'twine 403',
      'ERROR    HTTPError: 403 Forbidden from http://i/\n         Forbidden',
      { status: 403, retryable: false }
    ],
    [
      'twine connection',
      'Traceback ...\nrequests.exceptions.ConnectionError: HTTPConnectionPool(host=x): Max retries exceeded',
      { status: undefined, retryable: true }
    ],
    [
      'uv 500',
      'error: Failed to publish `dist/a-1.0.tar.gz` to `http://i/`\n  cause: Server returned status code 500 Internal Server Error. Server says: boom',
      { status: 500, retryable: true, file: 'a-1.0.tar.gz' }
    ],
    [
      'uv connect',
      'error: Failed to publish `a.whl` to `http://i/`\n  cause: error sending request for url (http://i/)\n  cause: Connection refused (os error 111)',
      { status: undefined, retryable: true }
    ],
    [
      'invalid dist',
      'ERROR    InvalidDistribution: Invalid distribution metadata',
      { status: undefined, retryable: false }
    ]
  ])('%s', (_name, output, expected) => {
    const failure = classifyUploaderOutput(output)
    expect({
      status: failure.status,
      retryable: classifyUpload(failure).retryable,
      ...('file' in expected ? { file: failure.file } : {})
    }).toEqual(expected)
  })
})

describe('explainFailure', () => {
  const explain = (output: string): string =>
    describeError(explainFailure(classifyUploaderOutput(output), 'https://i/', '1.0'))

  it('reads "already exists" from any line of the output, not only the status line', () => {
    const twine =
      'Uploading a-1.0-py3-none-any.whl\nWARNING  Error during upload. Retry with the --verbose option for more details.\nERROR    HTTPError: 400 Bad Request from https://i/\n         File already exists. See https://i/help/#file-name-reuse for more information.'
    expect(explain(twine)).toMatch(
      /^The index refused a-1\.0-py3-none-any\.whl: it already has a file of that name \(HTTP 400\).*Fix: bump the version \(1\.0 is taken\)/
    )
  })

  it('keeps other 400s as plain failures', () => {
    expect(explain('ERROR    HTTPError: 400 Bad Request from https://i/\n         Invalid classifier')).toMatch(
      /^The upload to https:\/\/i\/ failed: HTTPError: 400 Bad Request/
    )
  })

  it('keeps the output on a failure that is retried after progress', () => {
    const failure = new UploadFailure('HTTPError: 400 Bad Request', {
      status: 400,
      progressed: true,
      output: 'HTTPError: 400 Bad Request\nFile already exists'
    })
    expect(describeError(explainFailure(failure, 'https://i/', '1.0'))).toMatch(/already has a file of that name/)
  })

  it.each([
    ['twine', 'ERROR    NonInteractive: Credential not found for password.'],
    [
      'uv',
      'error: Failed to publish `a.whl` to `https://i/`\n  cause: Failed to send POST request\n  cause: Missing credentials for: https://i/'
    ]
  ])('says %s had no credentials', (_name, output) => {
    expect(explain(output)).toMatch(
      /^The upload to https:\/\/i\/ has no credentials: `password` is empty.*Fix: set `password`/
    )
  })
})

describe('uploaderEnv', () => {
  // What an earlier codeartifact-login exported must not reach another target.
  const inheritedKeys = [
    'TWINE_USERNAME',
    'TWINE_PASSWORD',
    'TWINE_REPOSITORY_URL',
    'TWINE_REPOSITORY',
    'UV_PUBLISH_URL',
    'UV_PUBLISH_USERNAME',
    'UV_PUBLISH_PASSWORD',
    'UV_PUBLISH_TOKEN'
  ]

  it.each(['twine', 'uv'] as const)(
    '%s without credentials: every credential and target variable is set, to nothing',
    (uploader) => {
      const env = uploaderEnv(uploader, 'https://other/', undefined)
      for (const key of inheritedKeys) expect(key in env).toBe(true)
      expect(Object.entries(env).filter(([key, value]) => inheritedKeys.includes(key) && value !== undefined)).toEqual(
        uploader === 'twine' ? [['TWINE_REPOSITORY_URL', 'https://other/']] : []
      )
    }
  )

  it('twine with credentials gets exactly this target', () => {
    expect(uploaderEnv('twine', 'https://i/', { username: 'u', password: 'p' })).toMatchObject({
      TWINE_USERNAME: 'u',
      TWINE_PASSWORD: 'p',
      TWINE_REPOSITORY_URL: 'https://i/',
      TWINE_REPOSITORY: undefined,
      UV_PUBLISH_PASSWORD: undefined
    })
  })

  it('uv with credentials gets exactly this target', () => {
    expect(uploaderEnv('uv', 'https://i/', { username: 'u', password: 'p' })).toMatchObject({
      UV_PUBLISH_USERNAME: 'u',
      UV_PUBLISH_PASSWORD: 'p',
      UV_PUBLISH_URL: undefined,
      UV_PUBLISH_TOKEN: undefined,
      TWINE_PASSWORD: undefined
    })
  })
})

describe('installerEnv', () => {
  const inherited = {
    PIP_EXTRA_INDEX_URL: 'https://aws:t@ca/simple/',
    PIP_INDEX_URL: 'https://aws:t@ca/simple/',
    UV_INDEX: 'codeartifact=https://ca/simple/',
    UV_DEFAULT_INDEX: 'codeartifact=https://ca/simple/',
    UV_INDEX_CODEARTIFACT_USERNAME: 'aws',
    UV_INDEX_CODEARTIFACT_PASSWORD: 't',
    UV_INDEX_URL: 'https://ca/simple/',
    PATH: '/usr/bin'
  }
  it('pip: only the target index', () => {
    const env = installerEnv('pip', 'https://i/simple/', inherited)
    expect(env).toMatchObject({
      PIP_INDEX_URL: 'https://i/simple/',
      PIP_EXTRA_INDEX_URL: undefined,
      UV_INDEX: undefined,
      UV_INDEX_CODEARTIFACT_PASSWORD: undefined
    })
    expect('PATH' in env).toBe(false)
  })
  it('uv: only the target index, every inherited UV_INDEX_* dropped', () => {
    const env = installerEnv('uv', 'https://i/simple/', inherited)
    expect(Object.entries(env).filter(([, value]) => value !== undefined)).toEqual([
      ['UV_DEFAULT_INDEX', 'https://i/simple/'],
      ['UV_NO_PROGRESS', '1']
    ])
    for (const key of Object.keys(inherited).filter((key) => key !== 'PATH' && key !== 'UV_DEFAULT_INDEX'))
      expect(key in env).toBe(true)
  })
})

describe('isUnknownPackage', () => {
  const notFound = (message: string, resourceType?: string): unknown =>
    Object.assign(new Error(message), { name: 'ResourceNotFoundException', resourceType })
  it("decides by the SDK's resourceType", () => {
    expect(isUnknownPackage(notFound('Package not found', 'package'))).toBe(true)
    // A repository named "packages" must not read as an unknown package.
    expect(
      isUnknownPackage(notFound("Repository not found. Repository 'packages' in domain 'acme'", 'repository'))
    ).toBe(false)
    expect(isUnknownPackage(notFound('Domain not found', 'domain'))).toBe(false)
  })
  it('falls back to the message only without resourceType', () => {
    expect(isUnknownPackage(notFound("Package not found. Package 'acme' in repository 'r'"))).toBe(true)
    expect(isUnknownPackage(notFound("Repository not found. Repository 'packages' in domain 'acme'"))).toBe(false)
    expect(isUnknownPackage(Object.assign(new Error('Package not found'), { name: 'AccessDeniedException' }))).toBe(
      false
    )
    expect(isUnknownPackage(undefined)).toBe(false)
  })
})

describe('installCommands', () => {
  const target = (indexUrl: string, kind: ResolvedTarget['kind']): ResolvedTarget => ({
    kind,
    indexUrl,
    uploadUrl: '',
    description: '',
    uploadCredentials: async () => undefined
  })
  it('uses plain names for PyPI', () => {
    expect(installCommands(['acme==1.0'], target('https://pypi.org/simple/', 'trusted-publishing'))).toEqual([
      'pip install acme==1.0',
      'uv add acme==1.0',
      'poetry add acme==1.0'
    ])
  })
  it('names the index for private ones', () => {
    expect(installCommands(['a==2.0', 'b==2.0'], target('https://ca/simple/', 'codeartifact'))).toEqual([
      'pip install --index-url https://ca/simple/ a==2.0 b==2.0',
      'uv pip install --index-url https://ca/simple/ a==2.0 b==2.0',
      'uv add --index codeartifact=https://ca/simple/ a==2.0 b==2.0',
      'poetry source add --priority=primary codeartifact https://ca/simple/',
      'poetry add --source codeartifact a==2.0 b==2.0'
    ])
  })
})

describe('getInputs', () => {
  restoreEnvAfterEach()
  const withInputs = (inputs: Record<string, string>): void => setInputs(inputs, ['CODEARTIFACT_'])

  it('reads an any-index target with defaults', () => {
    withInputs({ 'repository-url': 'https://pypi.internal/upload', password: 'pw' })
    const inputs = getInputs()
    expect(inputs.target).toEqual({
      kind: 'index',
      uploadUrl: 'https://pypi.internal/upload/',
      indexUrl: 'https://pypi.internal/upload/simple/',
      username: '__token__',
      password: 'pw'
    })
    expect(inputs).toMatchObject({
      packages: ['.'],
      builder: 'auto',
      buildIsolation: true,
      check: true,
      tagPrefix: 'v',
      existing: 'skip-identical',
      verify: 'index',
      uploader: 'twine',
      dryRun: false,
      retryTimeoutMs: 60_000
    })
  })

  it('takes an explicitly empty tag prefix', () => {
    withInputs({ 'repository-url': 'https://i/', 'tag-prefix': '' })
    expect(getInputs().tagPrefix).toBe('')
  })

  it.each([
    ['{name}-v{version}', { tagPrefix: 'v', tagTemplate: '{name}-v{version}' }],
    ['shared-v{version}', { tagPrefix: 'shared-v', tagTemplate: undefined }],
    ['{version}', { tagPrefix: '', tagTemplate: undefined }]
  ])('reads tag-template %s: with {name} it selects packages by tag, without it is a prefix', (template, expected) => {
    withInputs({ 'repository-url': 'https://i/', 'tag-template': template })
    const { tagPrefix, tagTemplate } = getInputs()
    expect({ tagPrefix, tagTemplate }).toEqual(expected)
  })

  it('uses what codeartifact-login left when no target is given', () => {
    withInputs({})
    Object.assign(process.env, {
      CODEARTIFACT_AUTH_TOKEN: 't',
      CODEARTIFACT_REGISTRY_URL: 'https://ca/pypi/r/',
      CODEARTIFACT_INDEX_URL: 'https://ca/pypi/r/simple/'
    })
    expect(getInputs().target).toEqual({
      kind: 'codeartifact-login',
      uploadUrl: 'https://ca/pypi/r/',
      indexUrl: 'https://ca/pypi/r/simple/',
      username: 'aws',
      password: 't'
    })
  })

  it.each([
    ['repository-url', 'https://user:tok en@host:x/'],
    ['index-url', 'not a url with s3cret']
  ])('says %s is not a URL without echoing the value', (name, value) => {
    withInputs({ 'repository-url': 'https://i/', [name]: value })
    const message = failure(() => getInputs())
    expect(message).toBe(
      `Input \`${name}\`: is not a URL; use an absolute http(s) URL such as https://upload.pypi.org/legacy/.`
    )
  })

  it.each([
    [{}, 'Input `domain`: is empty and no other target is set; publish to CodeArtifact with `domain` and `repository`'],
    [
      { 'repository-url': 'https://u:p@i/' },
      'Input `repository-url`: contains credentials; put the user name in `username`'
    ],
    [{ domain: 'acme', 'repository-url': 'https://i/' }, 'Input `repository-url`: cannot be combined with `domain`'],
    [
      { domain: 'acme', repository: 'r', 'aws-region': 'us-east-1', 'index-url': 'https://i/simple/' },
      'Input `index-url`: cannot be combined with `domain`'
    ],
    [{ 'repository-url': 'ftp://i/' }, 'Input `repository-url`: uses ftp, not http(s)'],
    [
      { 'trusted-publishing': 'true', password: 'x' },
      'Input `password`: is set together with `trusted-publishing: true`'
    ],
    [
      { 'repository-url': 'https://i/', 'expected-version': 'one' },
      'Input `expected-version`: "one" is not a PEP 440 version'
    ],
    [
      { 'repository-url': 'https://i/', packages: 'a', 'packages-dir': 'dist' },
      'Input `packages-dir`: is set together with `packages`'
    ],
    [
      { 'repository-url': 'https://i/', verify: 'install', 'dist-types': 'sdist' },
      'Input `verify`: `install` needs a wheel'
    ],
    [
      { 'repository-url': 'https://i/', 'import-name': 'acme-widgets' },
      'Input `import-name`: "acme-widgets" is not a module name'
    ],
    [
      { 'repository-url': 'https://i/', 'tag-template': '{name}-v{version}', 'expected-version': '1.0.0' },
      'Input `expected-version`: is set while `tag-template` gives each package its own version; leave `expected-version` empty'
    ],
    [
      { 'repository-url': 'https://i/', 'tag-template': 'release-{version}-final' },
      'Input `tag-template`: "release-{version}-final" has text after {version}'
    ],
    [
      { 'repository-url': 'https://i/', 'tag-template': '{project}-v{version}' },
      'Input `tag-template`: "{project}-v{version}" has the unknown placeholder {project}'
    ],
    [
      { 'repository-url': 'https://i/', 'tag-template': '{name}-v{version}', 'tag-prefix': 'x' },
      'Input `tag-template`: is set together with a non-default `tag-prefix`'
    ],
    [{ domain: 'acme' }, 'Input `repository`: is required but empty'],
    [{ domain: 'acme', repository: 'python-internal' }, 'Input `aws-region`: is empty and AWS_REGION is not set']
  ])('refuses %j in one line', (inputs, message) => {
    withInputs(inputs)
    delete process.env['AWS_REGION']
    delete process.env['AWS_DEFAULT_REGION']
    expect(() => getInputs()).toThrow(message)
  })
})

describe('build environments', () => {
  it('reads [build-system] and keys requirement sets by content, not order or spacing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'build-system-'))
    await writeFile(
      join(dir, 'pyproject.toml'),
      '[build-system]\nrequires = [\n  "hatchling >= 1.26",\n  "hatch-vcs",\n]\nbuild-backend = "hatchling.build"\n'
    )
    expect(await readBuildSystem(dir)).toEqual({
      requires: ['hatchling >= 1.26', 'hatch-vcs'],
      backend: 'hatchling.build'
    })
    expect(requiresKey(['hatchling >= 1.26', 'hatch-vcs'])).toBe(requiresKey(['hatch-vcs', 'hatchling>=1.26']))
    expect(requiresKey(['hatchling'])).not.toBe(requiresKey(['hatchling', 'hatch-vcs']))
    await writeFile(join(dir, 'pyproject.toml'), '[project]\nname = "legacy"\n')
    expect(await readBuildSystem(dir)).toBeUndefined()
    expect(await readBuildSystem(join(dir, 'missing'))).toBeUndefined()
  })
})

describe('hostile inputs', () => {
  restoreEnvAfterEach()
  const index = { 'repository-url': 'https://pypi.internal/legacy/', password: 'pw' }

  it.each([
    [{ ...index, 'tag-prefix': 'v$(id)' }, 'Input `tag-prefix`: "v$(id)" cannot start a tag: it contains "$"'],
    [{ ...index, 'tag-prefix': 'v;' }, 'Input `tag-prefix`: "v;" cannot start a tag: it contains ";"'],
    [
      { ...index, 'tag-prefix': 'v\n::warning::x' },
      'Input `tag-prefix`: "v ::warning::x" cannot start a tag: it contains U+000A'
    ],
    [
      { 'repository-url': 'http://pypi.internal:8080/legacy/', password: 'pw' },
      'Input `repository-url`: would send credentials over plain http to pypi.internal:8080; use an https:// URL'
    ],
    [
      { ...index, 'index-url': 'http://mirror.internal/simple/' },
      'Input `index-url`: would send credentials over plain http to mirror.internal; use an https:// URL'
    ],
    [
      { 'repository-url': 'http://pypi.internal/legacy/', 'trusted-publishing': 'true' },
      'Input `repository-url`: would send credentials over plain http to pypi.internal'
    ]
  ])('refuses %j with one line', (inputs, start) => {
    setInputs(inputs, ['CODEARTIFACT_'])
    expect(failure(() => getInputs())).toContain(start)
  })

  it.each<Record<string, string>>([
    { 'repository-url': 'http://127.0.0.1:8080/legacy/', password: 'pw' },
    { 'repository-url': 'http://localhost/legacy/', password: 'pw' },
    { 'repository-url': 'http://pypi.internal/legacy/', password: 'pw', 'allow-insecure-http': 'true' },
    { 'repository-url': 'http://pypi.internal/legacy/' }
  ])('accepts %j (loopback, the opt-in, or no credentials to send)', (inputs) => {
    setInputs(inputs, ['CODEARTIFACT_'])
    expect(getInputs().target.kind).toBe('index')
  })
})

describe('missingDependency', () => {
  it.each([
    ['pip, a dependency', 'ERROR: No matching distribution found for mdurl~=0.1', ['markdown-it-py'], 'mdurl'],
    [
      'pip, our own project (not visible yet)',
      'ERROR: No matching distribution found for acme-widgets==1.2.0',
      ['acme_widgets'],
      undefined
    ],
    [
      'uv, a dependency',
      '  × No solution found when resolving dependencies:\n  ╰─▶ Because mdurl was not found in the package registry and markdown-it-py==4.0.0 depends on mdurl, we can conclude that markdown-it-py==4.0.0 cannot be used.',
      ['markdown-it-py'],
      'mdurl'
    ],
    [
      'uv, our own project',
      'Because there is no version of acme-widgets==1.2.0 and you require acme-widgets==1.2.0',
      ['acme-widgets'],
      undefined
    ],
    ['anything else', 'ERROR: Could not install packages due to an OSError', ['acme'], undefined]
  ])('%s', (_name, output, projects, missing) => {
    expect(missingDependency(output, projects)).toBe(missing)
  })
})

describe('describeDists', () => {
  it('names an sdist cut short (a truncated download that starts right)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'truncated-'))
    const whole = gzipSync(Buffer.alloc(200_000, 'x'))
    await writeFile(join(dir, 'acme-1.0.0.tar.gz'), whole.subarray(0, whole.length - 20))
    await expect(describeDists([join(dir, 'acme-1.0.0.tar.gz')])).rejects.toThrow(
      'acme-1.0.0.tar.gz is not a complete gzip-compressed tar archive'
    )
    await writeFile(join(dir, 'acme-1.0.0.tar.gz'), whole)
    await expect(describeDists([join(dir, 'acme-1.0.0.tar.gz')])).resolves.toHaveLength(1)
  })

  it.each([
    ['acme-1.0.0-py3-none-any.whl', 'acme-1.0.0-py3-none-any.whl is not a readable zip archive'],
    ['acme-1.0.0.tar.gz', 'acme-1.0.0.tar.gz is not a complete gzip-compressed tar archive'],
    ['acme-1.0.0.zip', 'acme-1.0.0.zip is not a readable zip archive']
  ])('names a corrupt %s and the fix', async (file, start) => {
    const dir = await mkdtemp(join(tmpdir(), 'corrupt-'))
    await writeFile(join(dir, file), 'not an archive, as a truncated download looks')
    await expect(describeDists([join(dir, file)])).rejects.toThrow(`${start}, so it cannot be checked or published.`)
  })
})

describe('unmetBuildRequirement', () => {
  it.each([
    [
      'uv',
      'error: Failed to build `/tmp/x`\n  cause: Failed to resolve requirements from `build-system.requires`\n  cause: No solution found when resolving: `hatchling-not-here>=1`\n',
      'hatchling-not-here>=1'
    ],
    [
      'pip through build',
      "ERROR: No matching distribution found for hatchling-not-here>=1\nsubprocess.CalledProcessError: Command '[..., 'install', '-r', '/tmp/build-requirements-x.txt']' returned non-zero exit status 1.",
      'hatchling-not-here>=1'
    ],
    [
      'uv, one missing among several',
      'cause: Failed to resolve requirements from `build-system.requires`\n  cause: No solution found when resolving: `hatchling`, `nonexistent-pkg-xyz>=1`\n  cause: Because nonexistent-pkg-xyz was not found in the cache and you require nonexistent-pkg-xyz>=1, we can conclude that your requirements are unsatisfiable.',
      'nonexistent-pkg-xyz>=1'
    ],
    ['a failure that is not about build requirements', 'ERROR: No matching distribution found for mdurl', undefined]
  ])('%s', (_name, output, requirement) => {
    expect(unmetBuildRequirement(output)).toBe(requirement)
  })

  it('names the requirement in the failure line instead of pointing at the build output', () => {
    const error = explainBuildFailure(
      { dir: '/p', label: 'p' },
      'cause: Failed to resolve requirements from `build-system.requires`\n  cause: No solution found when resolving: `hatchling-not-here>=1`',
      { isolation: true, python: 'python3' }
    )
    expect(describeError(error)).toMatch(
      /^Building p failed: the build requirement `hatchling-not-here>=1` cannot be installed\. Fix: check it in `\[build-system\] requires`/
    )
  })
})

describe('twine check hints', () => {
  it.each([
    [
      [
        '`long_description_content_type` missing. defaulting to `text/x-rst`.',
        'line 3: Error: Unexpected indentation.'
      ],
      /setup\(\) or setup\.cfg \[metadata\]: `long_description_content_type="text\/x-rst"` for reStructuredText \(README\.rst\) or `"text\/markdown"` for Markdown .* or set `check: false`$/
    ],
    [['`long_description` missing.'], /readme = "README.md"/],
    [['line 3: Error: Unexpected indentation.'], /fix the README/]
  ])('%j', (problems, hint) => {
    expect(hintFor(problems)).toMatch(hint)
  })
})

/** A zip of `files`, stored (no compression), as the smallest valid wheel container. */
function zipOf(files: Record<string, string>): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text)
    const nameBytes = Buffer.from(name)
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(data.length, 20)
    central.writeUInt32LE(data.length, 24)
    central.writeUInt16LE(nameBytes.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, nameBytes, data)
    centrals.push(central, nameBytes)
    offset += 30 + nameBytes.length + data.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(Object.keys(files).length, 8)
  end.writeUInt16LE(Object.keys(files).length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

describe('dependencyOrder', () => {
  async function wheel(project: string, requires: string[]): Promise<Dist> {
    const dir = await mkdtemp(join(tmpdir(), 'order-'))
    const name = project.replace(/-/g, '_')
    const path = join(dir, `${name}-1.0.0-py3-none-any.whl`)
    const metadata = [
      'Metadata-Version: 2.4',
      `Name: ${project}`,
      'Version: 1.0.0',
      ...requires.map((r) => `Requires-Dist: ${r}`),
      '',
      'body'
    ]
    await writeFile(path, zipOf({ [`${name}-1.0.0.dist-info/METADATA`]: metadata.join('\n') }))
    return {
      path,
      file: path.split('/').pop() as string,
      project,
      version: '1.0.0',
      kind: 'wheel',
      size: 0,
      sha256: ''
    }
  }

  it('puts each package after the packages it requires, keeping the given order otherwise; extras do not count', async () => {
    const groups = new Map([
      ['app', [await wheel('app', ['models>=1', 'requests'])]],
      ['models', [await wheel('models', ['common (>=1.2)', 'app; extra == "cli"'])]],
      ['common', [await wheel('common', [])]],
      ['tools', [await wheel('tools', [])]]
    ])
    expect(await dependencyOrder(groups)).toEqual(['common', 'models', 'app', 'tools'])
  })

  it('fails on a cycle, naming the packages in it', async () => {
    const groups = new Map([
      ['a', [await wheel('a', ['b'])]],
      ['b', [await wheel('b', ['a'])]]
    ])
    await expect(dependencyOrder(groups)).rejects.toThrow('The packages a, b depend on each other in a cycle')
  })
})
