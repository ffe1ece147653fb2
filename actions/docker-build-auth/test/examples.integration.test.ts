import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TEMP_WORKSPACE_ENV, ROOT, VENV_BIN, runBundledAction } from '../../../test/harness/action-runner.ts'
import type { ActionRunResult } from '../../../test/harness/action-runner.ts'
import {
  type Podman,
  type RunResult,
  run,
  runPodmanImage,
  searchSavedImage,
  secretForms,
  setupPodman
} from '../../../test/harness/containers.ts'
import { type DockerEngine, searchDockerSavedImage, startDockerEngine } from '../../../test/harness/docker-engine.ts'
import { PYTHON_BASE_IMAGE, importPythonBase, pythonBaseTarball } from '../../../test/harness/python-base.ts'
import { type Stack, startStack } from '../../../test/stack/stack.ts'
import { buildWheel } from '../../../test/stack/tools.ts'

// The example Dockerfiles users copy (examples/docker), built for real by the action on both
// builders, from an offline stand-in for python:3.12-slim (a debootstrapped Debian with
// python3, pip, venv and uv; test/harness/python-base.ts), against the local index serving the
// example library acme-widgets. Then the image's own program runs: it imports the private
// package and prints what it assembled. The token is in no file of the saved image.

const TOKEN = 'ca-token.KNOWN+example/secret=0123456789'
const EXAMPLES = join(ROOT, 'examples', 'docker')
const WHEEL = 'acme_widgets-0.1.0-py3-none-any.whl'
// What examples/docker/service/app.py prints with acme-widgets 0.1.0 installed.
const PROGRAM_OUTPUT = 'acme-widgets 0.1.0: gear-1, gear-2, gear-3\n'
const BUILDERS = ['docker', 'podman'] as const
type BuilderName = (typeof BUILDERS)[number]

let stack: Stack
let engine: DockerEngine
let podman: Podman
const scratch: string[] = []

beforeAll(async () => {
  const wheelDir = await mkdtemp(join(tmpdir(), 'widgets-wheel-'))
  scratch.push(wheelDir)
  // debootstrap (minutes) only when the cached base is missing; see python-base.ts.
  const [started, , dockerd, configured, base] = await Promise.all([
    startStack({ token: TOKEN }),
    buildWheel(join(ROOT, 'examples', 'acme-widgets'), wheelDir),
    startDockerEngine(),
    // overlay: vfs copies and diffs the whole 200 MB rootfs for every layer (a minute a build).
    setupPodman({ storageDriver: 'overlay' }),
    pythonBaseTarball()
  ])
  stack = started
  engine = dockerd
  podman = configured
  await Promise.all([
    copyFile(join(wheelDir, WHEEL), join(stack.pypiserver.packagesDir, WHEEL)),
    importPythonBase((args) => engine.run(args, { timeoutMs: 300_000 }), base.tarball),
    importPythonBase((args) => podman.run(args), base.tarball)
  ])
}, 900_000)
afterAll(async () => {
  await Promise.allSettled([
    stack?.stop(),
    engine?.stop(),
    podman?.cleanup(),
    ...scratch.map((dir) => rm(dir, { recursive: true, force: true }))
  ])
}, 60_000)

/** The index URL with the token, as the action writes it into the secret file. */
function indexUrlWithToken(): string {
  const url = new URL(stack.indexUrl)
  url.username = 'aws'
  url.password = encodeURIComponent(TOKEN)
  return url.toString()
}

/**
 * A copy of examples/docker/service with the example Dockerfile, its `python:3.12-slim` replaced
 * by the offline base (which carries uv, so the uv image's binary is taken from it as well).
 */
async function contextFor(dockerfile: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `example-${dockerfile.replace(/\W/g, '-')}-`))
  scratch.push(dir)
  cpSync(join(EXAMPLES, 'service'), dir, { recursive: true })
  const text = readFileSync(join(EXAMPLES, dockerfile), 'utf8')
    .replaceAll('FROM python:3.12-slim', `FROM ${PYTHON_BASE_IMAGE}`)
    .replace(/COPY --from=ghcr\.io\/astral-sh\/uv:\S+ \/uv /, `COPY --from=${PYTHON_BASE_IMAGE} /usr/local/bin/uv `)
  expect(text).not.toContain('python:3.12-slim')
  writeFileSync(join(dir, 'Dockerfile'), text)
  if (text.includes('uv.lock')) {
    // What the user does once, where the index is reachable: the URL in the environment only.
    const locked = await run(join(VENV_BIN, 'uv'), ['lock', '--quiet', '--no-cache'], {
      cwd: dir,
      env: { ...process.env, UV_DEFAULT_INDEX: indexUrlWithToken(), UV_PYTHON_DOWNLOADS: 'never' }
    })
    expect(locked.stderr).toBe('')
    expect(locked.code).toBe(0)
    const lock = readFileSync(join(dir, 'uv.lock'), 'utf8')
    expect(lock).toContain('name = "acme-widgets"')
    for (const form of secretForms(TOKEN)) expect(lock).not.toContain(form)
  }
  return dir
}

async function build(builder: BuilderName, context: string, tag: string): Promise<ActionRunResult> {
  return runBundledAction('docker-build-auth', {
    inputs: {
      context,
      tags: tag,
      builder,
      // docker's RUN steps reach the index on 127.0.0.1 only on the host network.
      ...(builder === 'docker' ? { network: 'host', load: 'true' } : {})
    },
    env: {
      ...(builder === 'docker' ? engine.env : podman.env),
      ...TEMP_WORKSPACE_ENV,
      // What a codeartifact-login step earlier in the job leaves.
      CODEARTIFACT_AUTH_TOKEN: TOKEN,
      CODEARTIFACT_INDEX_URL: stack.indexUrl,
      CODEARTIFACT_REGISTRY_URL: stack.uploadUrl
    },
    timeoutMs: 600_000
  })
}

function runImage(builder: BuilderName, tag: string): Promise<RunResult> {
  // No network: the program needs nothing but what the image holds.
  return builder === 'docker' ? engine.run(['run', '--rm', '--network', 'none', tag]) : runPodmanImage(podman, tag)
}

function savedImageFindings(builder: BuilderName, tag: string) {
  return builder === 'docker'
    ? searchDockerSavedImage(engine, tag, secretForms(TOKEN))
    : searchSavedImage(podman, tag, secretForms(TOKEN))
}

describe.each([
  ['Dockerfile.pip', 'pip, one stage'],
  ['Dockerfile.uv', 'uv pip install, one stage'],
  ['Dockerfile.multistage', 'pip into a venv, two stages'],
  ['Dockerfile.uv-sync', 'uv sync --frozen from uv.lock, two stages']
])('examples/docker/%s (%s)', (dockerfile) => {
  const results = new Map<BuilderName, ActionRunResult>()
  const tag = (builder: BuilderName) => `localhost/acme/${dockerfile.toLowerCase().replace(/\W/g, '-')}:${builder}`

  beforeAll(async () => {
    const context = await contextFor(dockerfile)
    stack.index.clearLog()
    // Both builders at once: their work is mostly waiting on disk and the index.
    await Promise.all(
      BUILDERS.map(async (builder) => results.set(builder, await build(builder, context, tag(builder))))
    )
  }, 600_000)

  it.each(BUILDERS)('builds with %s, fetching the private wheel through the secret', (builder) => {
    const result = results.get(builder) as ActionRunResult
    expect({ errors: result.errors, exitCode: result.exitCode }).toEqual({ errors: [], exitCode: 0 })
    expect(result.warnings).toEqual([])
    const wheelFetches = stack.index.log.filter(
      (entry) => entry.user === 'aws' && entry.status === 200 && entry.method === 'GET' && entry.path.endsWith(WHEEL)
    )
    // One download per builder, with the token from the secret (uv asks HEAD first, pip does not).
    expect(wheelFetches).toHaveLength(BUILDERS.length)
  })

  it.each(BUILDERS)('the %s image’s program imports acme-widgets and prints its widgets', async (builder) => {
    const ran = await runImage(builder, tag(builder))
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: '' })
    expect(ran.stdout).toBe(PROGRAM_OUTPUT)
  })

  it.each(BUILDERS)(
    'no file of the saved %s image holds the token',
    async (builder) => {
      const { findings, files } = await savedImageFindings(builder, tag(builder))
      expect(findings).toEqual([])
      expect(files.some((file) => /acme_widgets\/__init__\.py$/.test(file))).toBe(true)
    },
    120_000
  )
})
