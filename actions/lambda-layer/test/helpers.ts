// Shared by lambda-layer's integration tests: wheels and sdists made by hand (a platform wheel
// of a tag the runner could not build, a huge one, one that must never be built), a workspace
// for each run, and the codeartifact-login run whose hand-off the action reads.
import { execFile } from 'node:child_process'
import { copyFile, readdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { type ActionRunResult, ROOT, VENV_BIN, runBundledAction } from '../../../test/harness/action-runner.ts'
import type { Stack } from '../../../test/stack/stack.ts'

export const PYTHON = join(VENV_BIN, 'python')

export interface Exec {
  code: number
  stdout: string
  stderr: string
}

/** Runs a command without blocking the event loop (the stack's servers run in this process). */
export function exec(command: string, args: string[], options: { cwd?: string } = {}): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
    })
  })
}

async function python(script: string, args: string[]): Promise<string> {
  const result = await exec(PYTHON, ['-c', script, ...args])
  if (result.code !== 0) throw new Error(`python failed:\n${result.stderr}`)
  return result.stdout.trim()
}

export { removeTempDirs, tempDir } from '../../../test/harness/temp-dirs.ts'

/** A file of a hand-made wheel: text, or `size` bytes of zeros (compressible) or random bytes. */
export type WheelFile = string | { zeros: number } | { random: number }

// A minimal valid wheel: the files, METADATA, WHEEL (with its tag) and a RECORD of sha256s.
// Random content is stored, not deflated, so a big one is written in about a second.
const MAKE_WHEEL = `
import base64, hashlib, json, os, sys, zipfile
spec = json.loads(sys.argv[1])
name, version, tag = spec['name'], spec['version'], spec['tag']
stem = name.replace('-', '_')
path = os.path.join(spec['dir'], f"{stem}-{version}-{tag}.whl")
info = f"{stem}-{version}.dist-info"
def content(value):
    if isinstance(value, str): return value.encode()
    if 'zeros' in value: return bytes(value['zeros'])
    return os.urandom(value['random'])
files = {k: content(v) for k, v in spec['files'].items()}
purelib = 'true' if tag.endswith('-none-any') else 'false'
files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n".encode()
files[f"{info}/WHEEL"] = f"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: {purelib}\\nTag: {tag}\\n".encode()
record = []
for k, v in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(v).digest()).rstrip(b'=').decode()
    record.append(f"{k},sha256={digest},{len(v)}")
record.append(f"{info}/RECORD,,")
files[f"{info}/RECORD"] = ("\\n".join(record) + "\\n").encode()
with zipfile.ZipFile(path, 'w') as z:
    for k, v in files.items():
        method = zipfile.ZIP_STORED if isinstance(spec['files'].get(k), dict) and 'random' in spec['files'][k] else zipfile.ZIP_DEFLATED
        z.writestr(zipfile.ZipInfo(k, (2024, 1, 1, 0, 0, 0)), v, compress_type=method)
print(path)
`

/** Writes `<name>-<version>-<tag>.whl` into `dir`; returns its path. */
export function makeWheel(
  dir: string,
  spec: { name: string; version: string; tag: string; files: Record<string, WheelFile> }
): Promise<string> {
  return python(MAKE_WHEEL, [JSON.stringify({ dir, ...spec })])
}

// An sdist whose setup.py, if anything ever ran it, would leave a marker file.
const MAKE_SDIST = `
import io, json, os, sys, tarfile
spec = json.loads(sys.argv[1])
stem = spec['name'].replace('-', '_')
base = f"{stem}-{spec['version']}"
setup = f"""open({spec['marker']!r}, 'w').write('setup.py ran')
from setuptools import setup
setup(name={spec['name']!r}, version={spec['version']!r})
"""
pkg_info = f"Metadata-Version: 2.1\\nName: {spec['name']}\\nVersion: {spec['version']}\\n"
path = os.path.join(spec['dir'], base + '.tar.gz')
with tarfile.open(path, 'w:gz') as tar:
    for name, text in [('setup.py', setup), ('PKG-INFO', pkg_info)]:
        data = text.encode()
        member = tarfile.TarInfo(f"{base}/{name}")
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
print(path)
`

export function makeSdist(dir: string, spec: { name: string; version: string; marker: string }): Promise<string> {
  return python(MAKE_SDIST, [JSON.stringify({ dir, ...spec })])
}

/** The entries of a zip, in archive order, with sizes, permissions and DOS timestamps. */
export async function zipEntries(
  zip: string
): Promise<Array<{ name: string; size: number; mode: number; date: number[]; system: number }>> {
  const out = await python(
    `import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps([{"name": i.filename, "size": i.file_size, "mode": i.external_attr >> 16, "date": list(i.date_time), "system": i.create_system} for i in z.infolist()]))`,
    [zip]
  )
  return JSON.parse(out) as Array<{ name: string; size: number; mode: number; date: number[]; system: number }>
}

export async function unzip(zip: string, into: string): Promise<void> {
  await python('import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', [zip, into])
}

/** Copies a wheel or sdist into the stack's index (pypiserver's directory, behind the stand-in). */
export async function publishToIndex(stack: Stack, file: string): Promise<void> {
  await copyFile(file, join(stack.pypiserver.packagesDir, basename(file)))
}

/** The example library's wheel, built as a release builds it, into `dir`; returns its path. */
export async function buildExampleWheel(dir: string): Promise<string> {
  const built = await exec(join(VENV_BIN, 'uv'), [
    'build',
    '-q',
    '--wheel',
    '--no-build-isolation',
    '--python',
    PYTHON,
    '--out-dir',
    dir,
    join(ROOT, 'examples', 'acme-widgets')
  ])
  if (built.code !== 0) throw new Error(built.stderr)
  const wheel = (await readdir(dir)).find((file) => file.endsWith('.whl'))
  if (!wheel) throw new Error(`uv build left no wheel in ${dir}`)
  return join(dir, wheel)
}

/** codeartifact-login run for real: the variables it exports are what the layer step reads. */
export async function login(stack: Stack): Promise<Record<string, string>> {
  const result = await runBundledAction('codeartifact-login', {
    inputs: {
      'aws-region': stack.region,
      'role-to-assume': stack.roleArn,
      domain: stack.domain,
      repository: stack.repository
    },
    env: stack.env
  })
  if (result.exitCode !== 0) throw new Error(`codeartifact-login failed:\n${result.stdout}\n${result.stderr}`)
  return result.exportedEnv
}

export function expectSuccess(result: ActionRunResult): void {
  if (result.exitCode !== 0 || result.errors.length > 0) {
    throw new Error(
      `action failed (exit ${result.exitCode}):\n${result.errors.join('\n')}\n--- stdout ---\n${result.stdout.slice(-6000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`
    )
  }
}

export function expectFailure(result: ActionRunResult): string {
  if (result.exitCode === 0 || result.errors.length !== 1)
    throw new Error(
      `expected one error, got exit ${result.exitCode}:\n${result.errors.join('\n')}\n${result.stdout.slice(-4000)}`
    )
  return result.errors[0] as string
}
