import { readFile, readdir, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { type ActionRunResult, runBundledAction } from '../../../test/harness/action-runner.ts'
import { type Stack, startStack } from '../../../test/stack/stack.ts'
import {
  PYTHON,
  buildExampleWheel,
  exec,
  expectFailure,
  expectSuccess,
  login,
  makeSdist,
  makeWheel,
  publishToIndex,
  removeTempDirs,
  tempDir,
  unzip,
  zipEntries
} from './helpers.ts'

// The bundle run as the runner runs it, after a real codeartifact-login, against pypiserver
// behind the CodeArtifact stand-in: a layer of the private example package (built from
// examples/acme-widgets) and a hand-made cp312 manylinux wheel; what the zip holds and that
// Python imports from it; the same sha256 twice; and the failures a user meets: no wheel for
// the architecture, an sdist-only requirement (never built), the 250 MB unzipped limit, a zip
// over 50 MB to publish without `s3-bucket`, and bad inputs.

const KNOWN_TOKEN = 'ca-token.KNOWN+layer/secret=0123456789abcdef'
let stack: Stack
let handoff: Record<string, string>
let marker: string

async function workspace(requirements?: string): Promise<string> {
  const dir = await tempDir('layer-ws')
  if (requirements !== undefined) await writeFile(join(dir, 'requirements.txt'), requirements)
  return dir
}

function runLayer(
  dir: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {}
): Promise<ActionRunResult> {
  return runBundledAction('lambda-layer', {
    inputs,
    cwd: dir,
    env: { ...stack.env, ...handoff, GITHUB_WORKSPACE: dir, ...env },
    timeoutMs: 180_000
  })
}

beforeAll(async () => {
  stack = await startStack({ token: KNOWN_TOKEN })
  const wheels = await tempDir('layer-wheels')
  // The example library, built as a release would build it.
  await publishToIndex(stack, await buildExampleWheel(wheels))
  // A platform wheel for python3.12 on x86_64 only, with bytecode that must not reach the zip.
  await publishToIndex(
    stack,
    await makeWheel(wheels, {
      name: 'acme-native',
      version: '2.0.0',
      tag: 'cp312-cp312-manylinux2014_x86_64',
      files: {
        'acme_native/__init__.py': 'from acme_native.core import VALUE\n',
        'acme_native/core.py': 'VALUE = "native-2.0.0"\n',
        'acme_native/__pycache__/core.cpython-312.pyc': 'not really bytecode',
        'acme_native/stray.pyc': 'not really bytecode'
      }
    })
  )
  // Only a wheel tagged with a newer manylinux than 2014 (glibc 2.28): fits python3.12 (2.34).
  await publishToIndex(
    stack,
    await makeWheel(wheels, {
      name: 'acme-modern',
      version: '1.0.0',
      tag: 'cp312-cp312-manylinux_2_28_x86_64',
      files: { 'acme_modern/__init__.py': 'GLIBC = "2.28"\n' }
    })
  )
  marker = join(await tempDir('layer-marker'), 'setup-py-ran')
  await publishToIndex(stack, await makeSdist(wheels, { name: 'acme-sdistonly', version: '1.0.0', marker }))
  handoff = await login(stack)
}, 120_000)

afterAll(async () => {
  await stack?.stop()
  await removeTempDirs()
})

describe('a layer from a requirements file', () => {
  let dir: string
  let first: ActionRunResult
  const requirements = '# the function`s dependencies\nacme-widgets==0.1.0\nacme-native>=2  # native\nacme-modern\n'

  beforeAll(async () => {
    dir = await workspace(requirements)
    first = await runLayer(dir, { requirements: 'requirements.txt', 'python-version': '3.12', output: 'out/layer.zip' })
  }, 180_000)

  it('zips python/<package>/... with the dist-info and without bytecode, deterministically', async () => {
    expectSuccess(first)
    const zip = join(dir, 'out', 'layer.zip')
    expect(first.outputs['zip-path']).toBe(zip)
    const bytes = await readFile(zip)
    expect(first.outputs['zip-sha256']).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(first.outputs['zip-size']).toBe(String(bytes.length))
    const entries = await zipEntries(zip)
    const names = entries.map((entry) => entry.name)
    expect(names).toEqual([...names].sort())
    expect(names).toEqual(
      expect.arrayContaining([
        'python/acme_native/__init__.py',
        'python/acme_native/core.py',
        'python/acme_native-2.0.0.dist-info/METADATA',
        'python/acme_native-2.0.0.dist-info/WHEEL',
        'python/acme_modern/__init__.py',
        'python/acme_widgets/__init__.py',
        'python/acme_widgets-0.1.0.dist-info/METADATA'
      ])
    )
    expect(names.every((name) => name.startsWith('python/'))).toBe(true)
    expect(names.filter((name) => name.includes('__pycache__') || name.endsWith('.pyc'))).toEqual([])
    expect(names.filter((name) => name.startsWith('python/bin/'))).toEqual([])
    for (const entry of entries) {
      expect(entry.date).toEqual([1980, 1, 1, 0, 0, 0])
      expect(entry.system).toBe(3)
      expect([0o100644, 0o100755]).toContain(entry.mode)
    }
    expect(first.outputs['unzipped-size']).toBe(String(entries.reduce((sum, entry) => sum + entry.size, 0)))
    expect(first.outputs['published']).toBe('false')
    expect(first.outputs['layer-version-arn']).toBe('')
    expect(first.stdout).toContain('Left out: acme_native/__pycache__/, acme_native/stray.pyc')
    expect(first.summary).toContain('not published (no `layer-name`)')
  })

  it('holds what Python imports from the unzipped python/ directory', async () => {
    const unzipped = await tempDir('layer-unzipped')
    await unzip(join(dir, 'out', 'layer.zip'), unzipped)
    const imported = await exec(PYTHON, [
      '-I',
      '-c',
      'import sys; sys.path.insert(0, sys.argv[1]); import acme_native, acme_modern, acme_widgets; print(acme_native.VALUE, acme_modern.GLIBC, acme_native.__file__)',
      join(unzipped, 'python')
    ])
    expect(imported.stderr).toBe('')
    expect(imported.stdout.trim()).toBe(`native-2.0.0 2.28 ${join(unzipped, 'python', 'acme_native', '__init__.py')}`)
  })

  it('asks pip for the runtime`s wheels only, with the token in its environment and not in its argv', () => {
    const pip = first.spawnedEnvs.find((child) => child.argv.includes('pip') && child.argv.includes('install'))
    expect(pip).toBeDefined()
    const argv = pip?.argv ?? []
    expect(argv).toEqual(expect.arrayContaining(['--only-binary=:all:', '--no-compile', '--implementation', 'cp']))
    expect(argv[argv.indexOf('--python-version') + 1]).toBe('3.12')
    const platforms = argv.flatMap((arg, index) => (argv[index - 1] === '--platform' ? [arg] : []))
    expect(platforms[0]).toBe('manylinux_2_34_x86_64')
    expect(platforms).toEqual(
      expect.arrayContaining(['manylinux2014_x86_64', 'manylinux_2_17_x86_64', 'manylinux1_x86_64'])
    )
    expect(platforms.every((tag) => tag.endsWith('_x86_64'))).toBe(true)
    expect(argv.join(' ')).not.toContain(KNOWN_TOKEN)
    expect(argv.join(' ')).not.toContain(encodeURIComponent(KNOWN_TOKEN))
    // The index with the token, by environment; no other credential, and no other pip setting.
    expect(pip?.env['PIP_INDEX_URL']).toBe(
      stack.indexUrl.replace('http://', `http://aws:${encodeURIComponent(KNOWN_TOKEN)}@`)
    )
    expect(pip?.env['PIP_CONFIG_FILE']).toBe('/dev/null')
    const names = Object.keys(pip?.env ?? {})
    expect(
      names.filter((name) => /^(AWS_(ACCESS|SECRET|SESSION)|ACTIONS_ID_TOKEN|CODEARTIFACT_AUTH|INPUT_)/.test(name))
    ).toEqual([])
    expect(names.filter((name) => name.startsWith('PIP_')).sort()).toEqual([
      'PIP_CONFIG_FILE',
      'PIP_DISABLE_PIP_VERSION_CHECK',
      'PIP_INDEX_URL',
      'PIP_NO_INPUT'
    ])
  })

  it('never lets the token reach the log, argv, outputs, the summary or the zip, and masks it first', async () => {
    for (const secret of [KNOWN_TOKEN, encodeURIComponent(KNOWN_TOKEN)]) {
      const stdout = first.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n')
      expect(stdout).not.toContain(secret)
      expect(first.stderr).not.toContain(secret)
      expect(first.files.output).not.toContain(secret)
      expect(first.summary).not.toContain(secret)
      expect(first.spawned.flat().join(' ')).not.toContain(secret)
      const zip = await readFile(join(dir, 'out', 'layer.zip'))
      expect(zip.includes(Buffer.from(secret))).toBe(false)
    }
    // The mask is the first thing the step says.
    const lines = first.stdout.split('\n').filter(Boolean)
    const maskAt = lines.indexOf(`::add-mask::${KNOWN_TOKEN}`)
    expect(maskAt).toBeGreaterThanOrEqual(0)
    expect(lines.slice(0, maskAt).every((line) => line.startsWith('::add-mask::'))).toBe(true)
    expect(Object.keys(first.outputs).sort()).toEqual([
      'layer-version',
      'layer-version-arn',
      'published',
      'unzipped-size',
      'zip-path',
      'zip-sha256',
      'zip-size'
    ])
  })

  it('gives the same zip, byte for byte, when run again (in another time zone, and from `packages`)', async () => {
    // DOS timestamps are local time: the fixed one must not move with the runner's zone.
    const again = await runLayer(
      dir,
      { requirements: 'requirements.txt', output: 'again.zip' },
      { TZ: 'Pacific/Kiritimati' }
    )
    expectSuccess(again)
    expect(again.outputs['zip-sha256']).toBe(first.outputs['zip-sha256'])
    const other = await workspace()
    const fromPackages = await runLayer(other, { packages: 'acme-widgets==0.1.0 acme-native >= 2\nacme-modern' })
    expectSuccess(fromPackages)
    expect(fromPackages.outputs['zip-path']).toBe(join(other, 'lambda-layer.zip'))
    expect(fromPackages.outputs['zip-sha256']).toBe(first.outputs['zip-sha256'])
  }, 180_000)
})

describe('a layer from a Pipfile.lock', () => {
  /** `pipenv lock`'s form: every file of each locked version, by sha256, in `default`. */
  async function lockFile(dir: string, versions: Record<string, string>, tamper = false): Promise<void> {
    const files = await readdir(stack.pypiserver.packagesDir)
    const entries: Record<string, { version: string; hashes: string[]; index: string }> = {}
    for (const [name, version] of Object.entries(versions)) {
      const prefix = `${name.replace(/-/g, '_')}-${version}`
      const hashes: string[] = []
      for (const file of files.filter((f) => f.startsWith(`${prefix}-`) || f === `${prefix}.tar.gz`)) {
        const digest = createHash('sha256')
          .update(await readFile(join(stack.pypiserver.packagesDir, file)))
          .digest('hex')
        hashes.push(`sha256:${tamper ? digest.replace(/^./, (c) => (c === '0' ? '1' : '0')) : digest}`)
      }
      expect(hashes.length).toBeGreaterThan(0)
      entries[name] = { version: `==${version}`, hashes: hashes.sort(), index: 'codeartifact' }
    }
    const lock = {
      _meta: { hash: { sha256: 'unused' }, sources: [{ name: 'codeartifact', url: '${PIPENV_CODEARTIFACT_URL}' }] },
      default: entries,
      develop: { 'acme-sdistonly': { version: '==1.0.0', hashes: ['sha256:00'] } }
    }
    await writeFile(join(dir, 'Pipfile.lock'), JSON.stringify(lock, null, 4))
  }

  it('installs exactly the locked versions, hash-checked, and leaves `develop` out', async () => {
    const dir = await workspace()
    await lockFile(dir, { 'acme-widgets': '0.1.0', 'acme-native': '2.0.0' })
    const result = await runLayer(dir, { requirements: 'Pipfile.lock', 'python-version': '3.12' })
    expectSuccess(result)
    const names = (await zipEntries(join(dir, 'lambda-layer.zip'))).map((entry) => entry.name)
    expect(names).toEqual(
      expect.arrayContaining([
        'python/acme_widgets-0.1.0.dist-info/METADATA',
        'python/acme_native-2.0.0.dist-info/METADATA'
      ])
    )
    expect(names.filter((name) => /sdistonly|acme_modern/.test(name))).toEqual([])
    const pip = result.spawnedEnvs.find((child) => child.argv.includes('pip') && child.argv.includes('install'))
    expect(pip).toBeDefined()
    expect(result.stdout).toContain('2 requirements from Pipfile.lock')
    expect(existsSync(marker)).toBe(false)
  })

  it('refuses a file whose sha256 the lock does not list, and installs nothing', async () => {
    const dir = await workspace()
    await lockFile(dir, { 'acme-widgets': '0.1.0' }, true)
    const line = expectFailure(await runLayer(dir, { requirements: 'Pipfile.lock', 'python-version': '3.12' }))
    expect(line).toMatch(
      /^acme_widgets-0\.1\.0-py3-none-any\.whl that pip downloaded for acme-widgets==0\.1\.0 has a sha256 the requirements do not list; nothing was installed\. Fix: /
    )
    expect(existsSync(join(dir, 'lambda-layer.zip'))).toBe(false)
  })

  it('warns when markers would be evaluated for another Python than the runtime`s', async () => {
    // The tests' pip runs on .venv's Python; a layer for another minor version gets the warning.
    const runner = (
      await exec(PYTHON, ['-c', 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")'])
    ).stdout.trim()
    const other = runner === '3.12' ? '3.13' : '3.12'
    const dir = await workspace('acme-widgets==0.1.0 ; python_version >= "3.9"\n')
    const result = await runLayer(dir, { requirements: 'requirements.txt', 'python-version': other })
    expectSuccess(result)
    expect(result.warnings).toContain(
      `The requirements have environment markers, which pip evaluates for the Python it runs on (${runner}), not for the layer's python${other}: run this step on Python ${other} (actions/setup-python) so the layer holds what the runtime would install.`
    )
    const same = await runLayer(await workspace('acme-widgets==0.1.0 ; python_version >= "3.9"\n'), {
      requirements: 'requirements.txt',
      'python-version': runner
    })
    expectSuccess(same)
    expect(same.warnings).toEqual([])
  })

  it('refuses a Pipfile: resolving it is pipenv`s job', async () => {
    const dir = await workspace()
    await writeFile(join(dir, 'Pipfile'), '[packages]\nacme-widgets = "*"\n')
    const line = expectFailure(await runLayer(dir, { requirements: 'Pipfile' }))
    expect(line).toBe(
      'Input `requirements`: "Pipfile" is a Pipfile, which only pipenv resolves; run `pipenv lock` and pass the Pipfile.lock beside it (its versions and sha256 are then what the layer holds).'
    )
  })
})

describe('requirements without a fitting wheel', () => {
  it('arm64 with only an x86_64 wheel: one error naming the requirement, what the index has and the fix', async () => {
    const dir = await workspace('acme-widgets==0.1.0\nacme-native==2.0.0\n')
    const result = await runLayer(dir, { requirements: 'requirements.txt', architecture: 'arm64' })
    const error = expectFailure(result)
    expect(error).toContain('No wheel of acme-native==2.0.0 fits python3.12 on arm64')
    expect(error).toContain('aarch64')
    expect(error).toContain('acme_native-2.0.0-cp312-cp312-manylinux2014_x86_64.whl')
    expect(error).toContain('Fix: pick a version of acme-native that publishes such a wheel')
    expect(error).toContain('pip: No matching distribution found for acme-native==2.0.0')
    expect(existsSync(join(dir, 'lambda-layer.zip'))).toBe(false)
    expect(result.outputs['zip-path']).toBeUndefined()
  }, 120_000)

  it('python3.11 (Amazon Linux 2, glibc 2.26) cannot take a manylinux_2_28 wheel', async () => {
    const dir = await workspace()
    const result = await runLayer(dir, { packages: 'acme-modern', 'python-version': '3.11' })
    const error = expectFailure(result)
    expect(error).toContain('No wheel of acme-modern fits python3.11 on x86_64')
    expect(error).toContain('glibc 2.26')
  }, 120_000)

  it('an sdist-only requirement fails clearly and nothing of it ever runs', async () => {
    const dir = await workspace('acme-sdistonly==1.0.0\n')
    const result = await runLayer(dir, { requirements: 'requirements.txt' })
    const error = expectFailure(result)
    expect(error).toContain('No wheel of acme-sdistonly==1.0.0 fits python3.12 on x86_64')
    expect(error).toContain('The index has: acme_sdistonly-1.0.0.tar.gz')
    expect(error).toContain('sdists are never built here')
    expect(existsSync(marker)).toBe(false)
  }, 120_000)
})

describe('Lambda`s size limits', () => {
  it('a layer over 250 MB unzipped fails with its size, its largest packages and the fix', async () => {
    const wheels = await tempDir('layer-big')
    await publishToIndex(
      stack,
      await makeWheel(wheels, {
        name: 'acme-huge',
        version: '1.0.0',
        tag: 'py3-none-any',
        files: { 'acme_huge/__init__.py': '', 'acme_huge/data.bin': { zeros: 262_144_000 } }
      })
    )
    const dir = await workspace()
    const started = Date.now()
    const result = await runLayer(dir, { packages: 'acme-huge acme-widgets' })
    const error = expectFailure(result)
    expect(error).toMatch(
      /^The layer unzips to 250\.0 MB \(26214\d{4} bytes\), over Lambda's limit of 250 MB \(262144000 bytes\) for a function and all its layers\. Largest: acme_huge\/ 250\.0 MB, /
    )
    expect(error).toContain('Fix: leave out what the runtime already has (boto3, botocore)')
    expect(existsSync(join(dir, 'lambda-layer.zip'))).toBe(false)
    console.log(`unzipped-limit run: ${Date.now() - started} ms`)
  }, 180_000)

  it('a zip over 50 MB to publish without `s3-bucket` fails before any AWS call', async () => {
    const wheels = await tempDir('layer-random')
    await publishToIndex(
      stack,
      await makeWheel(wheels, {
        name: 'acme-noise',
        version: '1.0.0',
        tag: 'py3-none-any',
        files: { 'acme_noise/__init__.py': '', 'acme_noise/noise.bin': { random: 53_000_000 } }
      })
    )
    const dir = await workspace()
    const started = Date.now()
    const result = await runLayer(dir, {
      packages: 'acme-noise',
      'layer-name': 'acme-noise',
      'aws-region': stack.region,
      'role-to-assume': stack.roleArn
    })
    const error = expectFailure(result)
    expect(error).toMatch(
      /^The zip is 50\.\d MB \(\d+ bytes\): PublishLayerVersion takes at most 50 MB \(52428800 bytes\) in the request; nothing was published\./
    )
    expect(error).toContain('Fix: set `s3-bucket`')
    expect(Number(result.outputs['zip-size'])).toBeGreaterThan(52_428_800)
    expect(result.stdout).not.toContain('AWS credentials')
    console.log(`50 MB zip run: ${Date.now() - started} ms, zip ${result.outputs['zip-size']} bytes`)
  }, 180_000)
})

describe('inputs', () => {
  it.each([
    [{}, 'Input `requirements`: and `packages` are both empty'],
    [{ requirements: 'requirements.txt', packages: 'x' }, 'Input `packages`: is set together with `requirements`'],
    [{ packages: 'x', 'python-version': '3.8' }, 'Input `python-version`: "3.8" is not a Lambda Python runtime'],
    [
      { packages: 'x', architecture: 'aarch64' },
      'Input `architecture`: "aarch64" is not accepted; use one of x86_64, arm64.'
    ],
    [{ packages: 'x @ https://example.com/x.whl' }, 'is a direct reference'],
    [{ requirements: '../outside.txt' }, 'outside the workspace'],
    [{ packages: 'x', 'index-url': 'https://aws:tok@example.com/simple/' }, 'Input `index-url`: has credentials in it']
  ])('%j fails with one line', async (inputs, expected) => {
    const dir = await workspace('x\n')
    const result = await runLayer(dir, inputs as Record<string, string>)
    expect(expectFailure(result)).toContain(expected)
    expect(result.spawned).toEqual([])
  })

  it('a requirements file with a pip option is refused by line', async () => {
    const dir = await workspace('acme-widgets\n--extra-index-url https://example.com/simple/\n')
    const result = await runLayer(dir, { requirements: 'requirements.txt' })
    expect(expectFailure(result)).toContain(
      'Input `requirements`: line 2 ("--extra-index-url https://example.com/simple/") is a pip option'
    )
    expect(result.spawned).toEqual([])
  })

  it('without codeartifact-login or `index-url`, says what to do', async () => {
    const dir = await workspace()
    const result = await runLayer(dir, { packages: 'acme-widgets' }, { CODEARTIFACT_AUTH_TOKEN: '' })
    expect(expectFailure(result)).toContain('run codeartifact-login before this step')
  })
})
