import { jest } from '@jest/globals'
import { createHash } from 'node:crypto'
import { chmod, lstat, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeError } from '@release/shared/errors'
import { resetSecretsForTests } from '@release/shared/secrets'
import { restoreEnvAfterEach, setInputs as setHarnessInputs } from '../../../test/harness/inputs.ts'
import {
  checkRequirementsText,
  getInputs,
  parsePackages,
  platformTags,
  runtimeGlibc,
  specifierProblem
} from '../src/inputs.ts'
import { largestTopLevel, scanLayer, sizeText, writeLayerZip } from '../src/layer-zip.ts'
import { hashMismatch, pipEnv, pipFailure, pipInstallArgs, unresolvedRequirement } from '../src/pip.ts'
import { pipfileLockRequirements } from '../src/pipfile-lock.ts'
import { s3Key } from '../src/publish.ts'

restoreEnvAfterEach()
const HANDOFF = {
  CODEARTIFACT_AUTH_TOKEN: 'tok-unit-0123456789',
  CODEARTIFACT_INDEX_URL: 'https://acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/py/simple/',
  CODEARTIFACT_REGISTRY_URL: 'https://acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/py/'
}
function setInputs(inputs: Record<string, string>, env: Record<string, string> = HANDOFF): void {
  setHarnessInputs(inputs, ['AWS_', 'CODEARTIFACT_'])
  Object.assign(process.env, env)
}
beforeEach(() => {
  resetSecretsForTests()
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(() => jest.restoreAllMocks())

describe('platformTags', () => {
  it('python3.12+ (Amazon Linux 2023, glibc 2.34) on x86_64: 2_34 down to 2_5 with the legacy aliases after their twins', () => {
    const tags = platformTags('3.12', 'x86_64')
    expect(tags[0]).toBe('manylinux_2_34_x86_64')
    expect(tags.at(-1)).toBe('manylinux1_x86_64')
    expect(tags).toHaveLength(30 + 3)
    expect(tags.slice(tags.indexOf('manylinux_2_17_x86_64'), tags.indexOf('manylinux_2_17_x86_64') + 2)).toEqual([
      'manylinux_2_17_x86_64',
      'manylinux2014_x86_64'
    ])
    expect(tags).toContain('manylinux2010_x86_64')
    expect(platformTags('3.14', 'x86_64')).toEqual(tags)
  })

  it('python3.9-3.11 (Amazon Linux 2, glibc 2.26) stop at 2_26', () => {
    for (const version of ['3.9', '3.10', '3.11'] as const) {
      expect(runtimeGlibc(version).minor).toBe(26)
      expect(platformTags(version, 'x86_64')[0]).toBe('manylinux_2_26_x86_64')
      expect(platformTags(version, 'x86_64')).not.toContain('manylinux_2_28_x86_64')
    }
  })

  it('arm64 means aarch64 wheels from manylinux2014 (glibc 2.17) up', () => {
    expect(platformTags('3.13', 'arm64')).toEqual([
      ...Array.from({ length: 34 - 17 + 1 }, (_, i) => `manylinux_2_${34 - i}_aarch64`),
      'manylinux2014_aarch64'
    ])
    expect(platformTags('3.11', 'arm64')[0]).toBe('manylinux_2_26_aarch64')
  })
})

describe('pipInstallArgs', () => {
  it('asks for the runtime`s wheels into the target, never compiling, never building', () => {
    const args = pipInstallArgs({
      target: '/t/python',
      requirementsFile: '/t/req.txt',
      pythonVersion: '3.11',
      architecture: 'arm64'
    })
    expect(args.slice(0, 7)).toEqual([
      'install',
      '--disable-pip-version-check',
      '--no-input',
      '--progress-bar',
      'off',
      '--target',
      '/t/python'
    ])
    expect(args.slice(-8)).toEqual([
      '--implementation',
      'cp',
      '--python-version',
      '3.11',
      '--only-binary=:all:',
      '--no-compile',
      '-r',
      '/t/req.txt'
    ])
    expect(args.filter((arg) => arg === '--platform')).toHaveLength(platformTags('3.11', 'arm64').length)
  })
})

describe('pipEnv', () => {
  it('sets the index and drops every other pip setting but TLS and network tuning', () => {
    const env = pipEnv('https://aws:t@x/simple/', {
      PIP_EXTRA_INDEX_URL: 'https://aws:t@evil/simple/',
      PIP_NO_BINARY: ':all:',
      pip_find_links: '/tmp',
      PIP_CERT: '/etc/ca.pem',
      PIP_DEFAULT_TIMEOUT: '30',
      PATH: '/bin'
    })
    expect(env).toEqual({
      PIP_EXTRA_INDEX_URL: undefined,
      PIP_NO_BINARY: undefined,
      pip_find_links: undefined,
      PIP_INDEX_URL: 'https://aws:t@x/simple/',
      PIP_CONFIG_FILE: expect.any(String),
      PIP_NO_INPUT: '1',
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
      PYTHONDONTWRITEBYTECODE: '1'
    })
  })
})

describe('pip failures', () => {
  const output = [
    'Looking in indexes: https://aws:****@x/simple/',
    'ERROR: Could not find a version that satisfies the requirement numpy==2.0.0 (from versions: none)',
    'ERROR: No matching distribution found for numpy==2.0.0'
  ].join('\n')

  it('names the requirement without a wheel, what the index has and the fix', () => {
    expect(unresolvedRequirement(output)).toBe('numpy==2.0.0')
    const error = pipFailure(output, { pythonVersion: '3.12', architecture: 'arm64' }, ['numpy-2.0.0.tar.gz'])
    expect(error.message).toBe(
      'No wheel of numpy==2.0.0 fits python3.12 on arm64 (a manylinux wheel for glibc 2.34 or older on aarch64, or a pure-Python wheel). The index has: numpy-2.0.0.tar.gz. pip: No matching distribution found for numpy==2.0.0'
    )
    expect(error.hint).toContain('pick a version of numpy that publishes such a wheel')
  })

  it('other failures keep pip`s last error line', () => {
    const error = pipFailure('Collecting x\nERROR: HTTP error 401 while getting https://x/x.whl\nmore', {
      pythonVersion: '3.9',
      architecture: 'x86_64'
    })
    expect(error.message).toBe(
      'pip could not install the requirements for python3.9 on x86_64: HTTP error 401 while getting https://x/x.whl'
    )
  })
})

describe('requirement specifiers', () => {
  it.each([
    ['requests', undefined],
    ['requests[socks,security]>=2.31,<3', undefined],
    ['numpy==2.0.0; python_version >= "3.10"', undefined],
    ['Django (>=4.2)', undefined],
    ['x @ https://example.com/x-1.0-py3-none-any.whl', 'direct reference'],
    ['x@git+https://example.com/x', 'direct reference'],
    ['./local/project', 'not a requirement specifier'],
    ['/abs/path.whl', 'not a requirement specifier'],
    ['https://example.com/x.whl', 'direct reference']
  ])('%s', (specifier, problem) => {
    const found = specifierProblem(specifier)
    if (problem === undefined) expect(found).toBeUndefined()
    else expect(found).toContain(problem)
  })

  it('`packages` splits on blanks and lines but keeps a specifier`s own blanks', () => {
    expect(
      parsePackages(
        'acme-widgets==1.4.0 requests >= 2.31, < 3\n  # a comment\nnumpy; python_version < "3.13"\nboto3 pydantic[email] ~= 2.7'
      )
    ).toEqual([
      'acme-widgets==1.4.0',
      'requests >= 2.31, < 3',
      'numpy; python_version < "3.13"',
      'boto3',
      'pydantic[email] ~= 2.7'
    ])
  })

  it('a requirements file: comments, continuations and --hash are fine; pip options are refused by line', () => {
    expect(
      checkRequirementsText(
        '# pinned\nrequests==2.32.3 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\nidna==3.7  # via requests\n',
        'requirements'
      )
    ).toEqual(['requests==2.32.3', 'idna==3.7'])
    for (const line of [
      '-r other.txt',
      '--index-url https://x/simple/',
      '-e .',
      '--find-links /tmp',
      '-c constraints.txt'
    ])
      expect(() => checkRequirementsText(`x\n${line}\n`, 'requirements')).toThrow(
        `Input \`requirements\`: line 2 ("${line}") is a pip option`
      )
    expect(() => checkRequirementsText('# nothing\n\n', 'requirements')).toThrow('lists no requirement')
  })
})

describe('getInputs', () => {
  it('defaults: python3.12 on x86_64 into lambda-layer.zip, from codeartifact-login`s index, no publishing', () => {
    setInputs({ packages: 'acme-widgets' })
    expect(getInputs()).toEqual({
      requirements: { kind: 'packages', specifiers: ['acme-widgets'], input: 'packages' },
      pythonVersion: '3.12',
      architecture: 'x86_64',
      output: 'lambda-layer.zip',
      index: {
        kind: 'codeartifact-login',
        indexUrl: HANDOFF.CODEARTIFACT_INDEX_URL,
        token: HANDOFF.CODEARTIFACT_AUTH_TOKEN
      },
      python: undefined,
      pipTimeoutMs: 20 * 60_000,
      publish: undefined
    })
  })

  it('publishing reads the AWS inputs; s3-key-prefix gets its slash', () => {
    setInputs({
      requirements: 'req.txt',
      'python-version': '3.9',
      architecture: 'ARM64',
      'layer-name': 'acme_deps-1',
      'aws-region': 'eu-west-1',
      's3-bucket': 'acme-layers',
      's3-key-prefix': 'layers/python'
    })
    const inputs = getInputs()
    expect(inputs.requirements).toEqual({ kind: 'file', path: 'req.txt', input: 'requirements' })
    expect(inputs.architecture).toBe('arm64')
    expect(inputs.publish).toEqual({
      layerName: 'acme_deps-1',
      credentials: expect.objectContaining({ region: 'eu-west-1', roleToAssume: undefined }),
      s3Bucket: 'acme-layers',
      s3KeyPrefix: 'layers/python/',
      description: undefined
    })
    expect(s3Key(inputs.publish!, 'ab'.repeat(32))).toBe(`layers/python/acme_deps-1/${'ab'.repeat(32)}.zip`)
  })

  it.each([
    [{}, 'Input `requirements`: and `packages` are both empty; set exactly one'],
    [{ packages: 'x', requirements: 'r.txt' }, 'Input `packages`: is set together with `requirements`'],
    [
      { packages: 'x', 'python-version': '3.15' },
      'Input `python-version`: "3.15" is not a Lambda Python runtime; use one of 3.9, 3.10, 3.11, 3.12, 3.13, 3.14.'
    ],
    [{ packages: 'x', output: 'layer.tar' }, 'Input `output`: "layer.tar" does not end with .zip'],
    [{ packages: 'x', 'layer-name': 'bad name' }, 'Input `layer-name`: "bad name" is not valid'],
    [{ packages: 'x', 's3-bucket': 'acme' }, 'Input `s3-bucket`: is set but `layer-name` is empty'],
    [
      { packages: 'x', 'layer-name': 'l', 's3-bucket': 'Bad_Bucket', 'aws-region': 'us-east-1' },
      'Input `s3-bucket`: "Bad_Bucket" is not valid'
    ],
    [{ packages: 'x', 'layer-name': 'l' }, 'Input `aws-region`: is empty and AWS_REGION is not set'],
    [{ packages: 'x', 'index-url': 'ftp://x/simple/' }, 'Input `index-url`: is a ftp: URL'],
    [{ packages: 'x', 'pip-timeout-minutes': '0' }, 'Input `pip-timeout-minutes`: 0 is out of range']
  ])('%j fails with one line', (inputs, message) => {
    setInputs(inputs as Record<string, string>)
    expect(() => getInputs()).toThrow(message)
  })

  it('index-url needs no codeartifact-login; without either, says what to do', () => {
    setInputs({ packages: 'x', 'index-url': 'https://pypi.org/simple/' }, {})
    expect(getInputs().index).toEqual({ kind: 'index-url', indexUrl: 'https://pypi.org/simple/' })
    setInputs({ packages: 'x' }, {})
    expect(() => getInputs()).toThrow('run codeartifact-login before this step')
  })

  it('refuses to send the token over plain http to another host', () => {
    setInputs({ packages: 'x' }, { ...HANDOFF, CODEARTIFACT_INDEX_URL: 'http://mirror.example.com/simple/' })
    expect(() => getInputs()).toThrow(
      'The index codeartifact-login left in CODEARTIFACT_INDEX_URL: would send credentials over plain http to mirror.example.com.'
    )
  })
})

describe('Pipfile.lock', () => {
  const lock = (packages: Record<string, unknown>, develop: Record<string, unknown> = {}) =>
    JSON.stringify({ _meta: { hash: { sha256: 'x' } }, default: packages, develop })

  it('pins every default package with its markers, extras and all its hashes; develop is left out', () => {
    const text = pipfileLockRequirements(
      lock(
        {
          requests: { version: '==2.32.3', hashes: ['sha256:aa', 'sha256:bb'], markers: "python_version >= '3.8'" },
          'acme-widgets': { version: '==0.1.0', hashes: ['sha256:cc'], extras: ['fast'], index: 'codeartifact' }
        },
        { pytest: { version: '==8.0.0', hashes: ['sha256:dd'] } }
      ),
      'requirements'
    )
    expect(text).toBe(
      "acme-widgets[fast]==0.1.0 --hash=sha256:cc\nrequests==2.32.3 ; python_version >= '3.8' --hash=sha256:aa --hash=sha256:bb\n"
    )
    // What checkRequirementsText then sees: requirements only, the hashes kept for pip.
    expect(checkRequirementsText(text, 'requirements')).toEqual([
      'acme-widgets[fast]==0.1.0',
      "requests==2.32.3 ; python_version >= '3.8'"
    ])
  })

  it.each([
    ['{', /Input `requirements`: is not JSON/],
    [JSON.stringify({ develop: {} }), /has no "default" section/],
    [lock({}), /locks no package in "default"/],
    [
      lock({ x: { git: 'https://github.com/a/x.git', ref: 'abc' } }),
      /locks x from git \(https:\/\/github.com\/a\/x.git\)/
    ],
    [lock({ x: { path: '.', editable: true } }), /locks x from a path or URL/],
    [lock({ x: { version: '*', hashes: ['sha256:a'] } }), /locks x without a pinned version/],
    [lock({ x: { version: '==1.0' } }), /records no sha256 for x/]
  ])('refuses %s', (text, expected) => {
    expect(() => pipfileLockRequirements(text, 'requirements')).toThrow(expected)
  })

  it('names the file and the requirement when pip refuses a download whose sha256 the lock does not list', () => {
    const output = [
      'ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes. Otherwise, examine the package contents carefully; someone may have tampered with them.',
      '    acme-widgets==0.1.0 from http://127.0.0.1:8080/pypi/r/packages/acme_widgets-0.1.0-py3-none-any.whl#sha256=ab12 (from -r /tmp/x/requirements.txt (line 1)):',
      '        Expected sha256 0000',
      '             Got        ab12'
    ].join('\n')
    expect(hashMismatch(output)).toEqual({
      requirement: 'acme-widgets==0.1.0',
      file: 'acme_widgets-0.1.0-py3-none-any.whl'
    })
    expect(describeError(pipFailure(output, { pythonVersion: '3.12', architecture: 'x86_64' }))).toMatch(
      /^acme_widgets-0\.1\.0-py3-none-any\.whl that pip downloaded for acme-widgets==0\.1\.0 has a sha256 the requirements do not list; nothing was installed\. Fix: if the lock/
    )
    expect(hashMismatch('ERROR: No matching distribution found for x')).toBeUndefined()
  })
})

describe('the zip', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'layer-unit-'))
  })
  afterEach(async () => rm(dir, { recursive: true, force: true }))

  async function tree(root: string, mtime: Date): Promise<void> {
    for (const [path, text] of [
      ['pkg/__init__.py', 'x = 1\n'],
      ['pkg/_native.so', 'ELF'.repeat(1000)],
      ['pkg/__pycache__/__init__.cpython-312.pyc', 'pyc'],
      ['pkg-1.0.dist-info/RECORD', 'r'],
      ['bin/tool', '#!/runner/python\n'],
      ['aaa.py', 'top = 1\n']
    ] as const) {
      await mkdir(join(root, path, '..'), { recursive: true })
      await writeFile(join(root, path), text)
      await utimes(join(root, path), mtime, mtime)
    }
    await chmod(join(root, 'pkg/_native.so'), 0o755)
  }

  // The time zone is checked by the integration test (a run with TZ set): jest gives each test
  // file its own process.env, so TZ cannot be changed here.
  it('is the same bytes whatever the files` timestamps', async () => {
    const a = join(dir, 'a')
    const b = join(dir, 'b')
    await tree(a, new Date('2020-01-01T00:00:00Z'))
    await tree(b, new Date('2024-06-30T12:34:56Z'))
    const first = await writeLayerZip((await scanLayer(a)).files, join(dir, 'a.zip'))
    const second = await writeLayerZip((await scanLayer(b)).files, join(dir, 'b.zip'))
    expect(second).toEqual(first)
    const bytes = await readFile(join(dir, 'a.zip'))
    expect(first.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(first.codeSha256).toBe(createHash('sha256').update(bytes).digest('base64'))
    expect(first.size).toBe(bytes.length)
  })

  it('never writes through a `.partial` symlink that was already there', async () => {
    const outside = join(dir, 'outside.txt')
    await writeFile(outside, 'precious\n')
    await mkdir(join(dir, 'ws'))
    await symlink(outside, join(dir, 'ws', 'layer.zip.partial'))
    await tree(join(dir, 'src'), new Date())
    await writeLayerZip((await scanLayer(join(dir, 'src'))).files, join(dir, 'ws', 'layer.zip'))
    expect(await readFile(outside, 'utf8')).toBe('precious\n')
    expect((await lstat(join(dir, 'ws', 'layer.zip'))).isFile()).toBe(true)
    expect((await readFile(join(dir, 'ws', 'layer.zip'))).subarray(0, 2).toString()).toBe('PK')
  })

  it('leaves out bytecode and bin/, sorts, and sizes by top-level entry', async () => {
    await tree(dir, new Date())
    const contents = await scanLayer(dir)
    expect(contents.files.map((file) => file.path)).toEqual([
      'aaa.py',
      'pkg-1.0.dist-info/RECORD',
      'pkg/__init__.py',
      'pkg/_native.so'
    ])
    expect(contents.dropped).toEqual(['bin/', 'pkg/__pycache__/'])
    expect(contents.size).toBe(8 + 1 + 6 + 3000)
    expect(contents.files.find((file) => file.path === 'pkg/_native.so')?.executable).toBe(true)
    expect(largestTopLevel(contents.files)).toEqual([
      { name: 'pkg/', size: 3006 },
      { name: 'aaa.py', size: 8 },
      { name: 'pkg-1.0.dist-info/', size: 1 }
    ])
    expect([sizeText(3006), sizeText(262_144_000)]).toEqual(['2.9 KB', '250.0 MB'])
  })
})
