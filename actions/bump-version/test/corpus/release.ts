import { execFile } from 'node:child_process'
import { readdirSync, rmSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import {
  type ActionRunResult,
  TEMP_WORKSPACE_ENV,
  VENV_BIN,
  runBundledAction
} from '../../../../test/harness/action-runner.ts'
import { type PypiServer, startPypiServer } from '../../../../test/stack/pypiserver.ts'
import { type Sandbox, bump, git } from '../helpers.ts'
import type { Refused, Released } from './projects.ts'
import { CACHE_DIR, pin, unpackIntoRepo } from './sdists.ts'

// One corpus project's release, step by step, as a workflow would run it: bump-version's bundle
// on the unpacked repository; then (for a bumped project) `uv lock --check` where it keeps a
// uv.lock, publish-python's bundle building with the project's own backend in an isolated
// environment and uploading to a pypiserver of its own, and an install back from that index.

const run = promisify(execFile)
const UV = join(VENV_BIN, 'uv')
const USER = { user: 'uploader', password: 'corpus-s3cret' }

// Isolated builds and installs download from PyPI; uv's cache keeps re-runs fast. The runner
// harness starts the action with a clean environment, so the machine's own TLS roots (a proxy's
// CA, where there is one) are handed on explicitly.
const UV_ENV: Record<string, string> = {
  UV_CACHE_DIR: join(CACHE_DIR, 'uv'),
  ...Object.fromEntries(
    ['SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE', 'PIP_CERT']
      .filter((name) => process.env[name])
      .map((name) => [name, process.env[name] as string])
  )
}

export interface Outcome {
  box: Sandbox
  /** HEAD before the bump. */
  initialSha: string
  bumped: ActionRunResult
  lockCheck?: { ok: boolean; output: string }
  published?: ActionRunResult
  /** The Version: of each file publish-python uploaded, from the file's own metadata. */
  builtVersions?: string[]
  /** The version importlib.metadata reports after the install from the index. */
  installed?: string
  /** What failed after the bump (a build, an install): it fails that step's test, not the others. */
  error?: Error
}

interface Captured {
  ok: boolean
  output: string
}

async function capture(command: string, args: string[], cwd?: string): Promise<Captured> {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd,
      env: { ...process.env, ...UV_ENV },
      maxBuffer: 32 * 1024 * 1024
    })
    return { ok: true, output: stdout + stderr }
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string }
    return { ok: false, output: `${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}` }
  }
}

/** Unpacks the project into a repository and runs bump-version on it. */
export async function bumpProject(project: Released | Refused): Promise<Outcome> {
  const makeLock = 'uvLock' in project && project.uvLock === 'made'
  const box = await unpackIntoRepo(pin(project.name, project.version), project, async (dir) => {
    if (!makeLock) return
    const locked = await capture(UV, ['lock'], dir)
    if (!locked.ok) throw new Error(`uv lock failed before the bump:\n${locked.output}`)
  })
  const initialSha = await git(box.work, 'rev-parse', 'HEAD')
  // The backend is asked too (`check-build: true`, as a bump without push credentials would):
  // the real layouts prove it reads the version the bump wrote.
  const bumped = await bump(box.work, { 'check-build': 'true', ...project.inputs }, await backendEnv(project, box.root))
  return { box, initialSha, bumped }
}

/** What isolated builds need here: uv's cache, the TLS roots, and the project's build constraints. */
async function backendEnv(project: Released | Refused, root: string): Promise<Record<string, string>> {
  const env = { ...TEMP_WORKSPACE_ENV, ...UV_ENV }
  if ('buildConstraints' in project && project.buildConstraints) {
    const constraints = join(root, 'build-constraints.txt')
    await writeFile(constraints, project.buildConstraints.join('\n') + '\n')
    Object.assign(env, { UV_BUILD_CONSTRAINT: constraints, UV_CONSTRAINT: constraints })
  }
  return env
}

/**
 * Bump, lock check, build + publish, install. Each project gets an index of its own: on one
 * shared index, a corpus project published there (certifi 2026.8.1) would shadow the release on
 * PyPI that another project needs (logfire-sdk wants certifi>=2026.10.19).
 */
export async function releaseProject(project: Released): Promise<Outcome> {
  const outcome = await bumpProject(project)
  if (outcome.bumped.exitCode !== 0) return outcome
  const dir = join(outcome.box.work, project.subdir ?? '')
  if (project.uvLock) outcome.lockCheck = await capture(UV, ['lock', '--check'], dir)
  const env = await backendEnv(project, outcome.box.root)
  const pypi = await startPypiServer({ users: [USER] })
  try {
    await publishAndInstall(pypi, project, dir, env, outcome)
  } catch (error) {
    outcome.error = error as Error
  } finally {
    await pypi.stop()
  }
  return outcome
}

async function publishAndInstall(
  pypi: PypiServer,
  project: Released,
  dir: string,
  env: Record<string, string>,
  outcome: Outcome
): Promise<void> {
  outcome.published = await runBundledAction('publish-python', {
    inputs: {
      'working-directory': dir,
      'repository-url': `${pypi.url}/`,
      username: USER.user,
      password: USER.password,
      'build-isolation': 'true',
      'expected-version': project.next,
      check: project.noContentType ? 'false' : 'true',
      verify: project.install === 'action' ? 'install' : 'index',
      'import-name': project.importName
    },
    env,
    timeoutMs: 300_000
  })
  if (outcome.published.exitCode !== 0) return
  outcome.builtVersions = await versionsOnIndex(pypi)
  if (project.install === 'pypi') outcome.installed = await installFromIndex(pypi, project)
}

/** The Version: of every file on the index, read from the file itself (PKG-INFO, or the wheel's METADATA). */
async function versionsOnIndex(pypi: PypiServer): Promise<string[]> {
  const files = readdirSync(pypi.packagesDir).sort()
  const script = [
    'import sys, tarfile, zipfile',
    'for path in sys.argv[1:]:',
    '    if path.endswith(".whl"):',
    '        z = zipfile.ZipFile(path)',
    '        text = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()',
    '    else:',
    '        t = tarfile.open(path)',
    '        text = t.extractfile(next(m for m in t.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO"))).read().decode()',
    '    print(next(line[len("Version: "):] for line in text.splitlines() if line.startswith("Version: ")))'
  ].join('\n')
  const { stdout } = await run(join(VENV_BIN, 'python'), [
    '-c',
    script,
    ...files.map((file) => join(pypi.packagesDir, file))
  ])
  return stdout.split('\n').filter(Boolean)
}

/** name==next from the project's index, its dependencies from PyPI, into a fresh venv; the installed version. */
async function installFromIndex(pypi: PypiServer, project: Released): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'corpus-venv-'))
  try {
    const venv = join(dir, 'venv')
    const python = join(venv, 'bin', 'python')
    const made = await capture(UV, ['venv', '--quiet', '--python', join(VENV_BIN, 'python'), venv])
    if (!made.ok) throw new Error(made.output)
    // uv takes a name from the first index that has it (its default first-index strategy), and
    // `--index` comes before `--default-index`: the release can only come from pypiserver.
    const local = new URL(`${pypi.url}/simple/`)
    local.username = USER.user
    local.password = USER.password
    const installed = await capture(UV, [
      'pip',
      'install',
      '--quiet',
      '--python',
      python,
      '--index',
      `local=${local.href}`,
      '--default-index',
      'https://pypi.org/simple',
      `${project.name}==${project.next}`
    ])
    if (!installed.ok) throw new Error(installed.output)
    const { stdout } = await run(python, [
      '-c',
      `import importlib.metadata, ${project.importName}; print(importlib.metadata.version(${JSON.stringify(project.name)}))`
    ])
    return stdout.trim()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
