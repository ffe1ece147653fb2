import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  TEMP_WORKSPACE_ENV,
  ROOT,
  firstUnmaskedUse,
  newJob,
  runBundledAction
} from '../../../test/harness/action-runner.ts'
import type { ActionRunResult, JobFiles } from '../../../test/harness/action-runner.ts'
import { RUNNER_CREDENTIALS, credentialsIn } from '../../../test/harness/child-env.ts'
import {
  type Registry,
  importBusyboxBase,
  searchTree,
  secretForms,
  startRegistry
} from '../../../test/harness/containers.ts'
import { type DockerEngine, searchDockerSavedImage, startDockerEngine } from '../../../test/harness/docker-engine.ts'
import { type Stack, startStack } from '../../../test/stack/stack.ts'
import { buildWheel } from '../../../test/stack/tools.ts'

// The same real builds as build.integration.test.ts, on a real Docker engine with `builder:
// docker`: `docker buildx build` (the docker driver: BuildKit inside dockerd) as on GitHub's
// ubuntu runners. GitHub OIDC -> STS -> CodeArtifact token -> the secret file -> a RUN step that
// fetches the private wheel from pypiserver -> push to a real registry (htpasswd) -> pull back.
// Then the leak checks with the known token: argv, logs, every file of `docker save`, `docker
// history`, and every file of the engine (images, BuildKit's cache, buildx's state) and the
// runner after the post step.

const TOKEN = 'ca-token.KNOWN+build/secret=0123456789'
const FIXTURES = join(ROOT, 'test', 'fixtures', 'docker')
const WHEEL = 'acme_widgets-0.1.0-py3-none-any.whl'
const PUSHER = { user: 'pusher', password: 'push-s3cret' }

let stack: Stack
let engine: DockerEngine
let registry: Registry
/** moto's ECR answers GetAuthorizationToken with `AWS:<account>-auth-token`. */
let ecrPassword: string
const scratch: string[] = []

async function buildExampleWheel(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'widgets-wheel-'))
  scratch.push(out)
  await buildWheel(join(ROOT, 'examples', 'acme-widgets'), out)
  return join(out, WHEEL)
}

beforeAll(async () => {
  const [started, wheel, dockerd] = await Promise.all([
    startStack({ token: TOKEN }),
    buildExampleWheel(),
    startDockerEngine()
  ])
  stack = started
  engine = dockerd
  const importDir = await mkdtemp(join(tmpdir(), 'busybox-base-'))
  scratch.push(importDir)
  await importBusyboxBase((args) => engine.run(args), importDir)
  await copyFile(wheel, join(stack.pypiserver.packagesDir, WHEEL))
  ecrPassword = `${stack.domainOwner}-auth-token`
  // docker treats registries on 127.0.0.0/8 as insecure (plain HTTP) without configuration.
  registry = await startRegistry([PUSHER, { user: 'AWS', password: ecrPassword }])
}, 120_000)
afterAll(async () => {
  await Promise.allSettled([
    stack?.stop(),
    registry?.stop(),
    engine?.stop(),
    ...scratch.map((dir) => rm(dir, { recursive: true, force: true }))
  ])
}, 60_000)

/** A fresh copy of a fixture; the nonce changes the layer before the RUN step, so it runs again. */
function contextOf(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), `context-${fixture}-`))
  scratch.push(dir)
  cpSync(join(FIXTURES, fixture), dir, { recursive: true })
  if (existsSync(join(dir, 'requirements.txt')))
    writeFileSync(join(dir, 'requirements.txt'), `acme-widgets\n# build ${Date.now()}-${Math.random()}\n`)
  return dir
}

function dockerInputs(extra: Record<string, string>): Record<string, string> {
  return {
    builder: 'docker',
    // The stack listens on 127.0.0.1 only; the default bridge network cannot reach it.
    network: 'host',
    'aws-region': stack.region,
    'role-to-assume': stack.roleArn,
    domain: stack.domain,
    repository: stack.repository,
    ...extra
  }
}

function argvText(result: ActionRunResult): string {
  return JSON.stringify(result.spawned) + '\n' + result.childArgv.join('\n')
}

function expectMaskedBeforePrinted(stdout: string, forms: readonly string[]): void {
  for (const form of forms)
    expect({ form, printedAt: firstUnmaskedUse(stdout, form).firstPrintedAt }).toEqual({ form, printedAt: -1 })
}

describe('builder: docker (buildx on dockerd), secret mode, pushed to a registry', () => {
  let job: JobFiles
  let result: ActionRunResult
  const image = () => `${registry.host}/acme/service`

  beforeAll(async () => {
    const login = await engine.run(['login', '--username', PUSHER.user, '--password-stdin', registry.host], {
      input: PUSHER.password
    })
    expect(login.stderr).not.toMatch(/error/i)
    expect(login.code).toBe(0)
    stack.index.clearLog()
    job = newJob()
    result = await runBundledAction('docker-build-auth', {
      job,
      inputs: dockerInputs({
        context: contextOf('service'),
        tags: `${image()}:1.0.0\n${image()}:latest`,
        // No `load`: the docker driver keeps what it builds in dockerd's image store anyway, and
        // dockerd 20.10's BuildKit (v0.8) refuses two outputs (push and load) in one build.
        push: 'true'
      }),
      env: { ...RUNNER_CREDENTIALS, ...stack.env, ...engine.env, ...TEMP_WORKSPACE_ENV },
      recordArgvOf: ['docker']
    })
  }, 180_000)

  it('builds with docker buildx: the RUN step read the mounted secret and fetched the private wheel with it', () => {
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/Builder: docker buildx v0\.38\.2/)
    expect(result.stdout).toContain(`installed ${WHEEL}`)
    const fetched = stack.index.log
      .filter((entry) => entry.user === 'aws' && entry.status === 200)
      .map((entry) => entry.path)
    expect(fetched).toEqual([
      `/pypi/${stack.repository}/simple/acme-widgets/`,
      `/pypi/${stack.repository}/packages/${WHEEL}`
    ])
    const build = result.spawned.find((argv) => argv[1] === 'buildx' && argv[2] === 'build') as string[]
    expect(build).toBeDefined()
    expect(build[build.indexOf('--secret') + 1]).toMatch(
      /^id=pip_index_url,src=.*\/docker-build-auth-[^/]+\/pip_index_url$/
    )
  })

  it('sets image-id and the pushed digest from buildx’s metadata file', () => {
    expect(result.outputs['image-id']).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(result.outputs['digest']).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(result.outputs['tags']).toBe(`${image()}:1.0.0\n${image()}:latest`)
    const metadata = JSON.parse(result.outputs['metadata'] as string) as Record<string, unknown>
    expect(metadata['containerimage.digest']).toBe(result.outputs['digest'])
  })

  it('started docker with no credential in its environment and never put the token in argv', () => {
    expect(result.childEnvs.length).toBeGreaterThan(0)
    for (const { command, env } of result.childEnvs)
      expect({ command, found: credentialsIn(env, [TOKEN, ...Object.values(RUNNER_CREDENTIALS)]) }).toEqual({
        command,
        found: []
      })
    expect(result.childArgv.some((line) => line.startsWith('docker buildx build '))).toBe(true)
    for (const form of secretForms(TOKEN)) expect(argvText(result)).not.toContain(form)
  })

  it('never printed the token in a log line (buildx’s plain progress included), the runner files or the summary', () => {
    expectMaskedBeforePrinted(result.stdout, secretForms(TOKEN))
    for (const text of [result.stderr, ...Object.values(result.files)])
      for (const form of secretForms(TOKEN)) expect(text).not.toContain(form)
  })

  it('left no trace of the token in any file of `docker save` (every layer, config, manifest) or in `docker history`', async () => {
    const { findings, files } = await searchDockerSavedImage(engine, `${image()}:1.0.0`, secretForms(TOKEN))
    expect(findings).toEqual([])
    // The scan did look inside the layers: the fetched wheel is one of their files.
    expect(files.some((file) => file.endsWith(`app/wheels/${WHEEL}`))).toBe(true)
    const history = await engine.run(['history', '--no-trunc', `${image()}:1.0.0`])
    const inspect = await engine.run(['image', 'inspect', `${image()}:1.0.0`])
    expect(history.code).toBe(0)
    // BuildKit records the RUN step's command (without its mount flags), never the secret's content.
    expect(history.stdout).toContain('index="$(cat /run/secrets/pip_index_url)"')
    for (const form of secretForms(TOKEN)) expect(history.stdout + inspect.stdout).not.toContain(form)
  })

  it('pushed to the registry: the image pulls back with the digest the action reported', async () => {
    const tag = `${image()}:1.0.0`
    expect((await engine.run(['rmi', '--force', tag, `${image()}:latest`])).code).toBe(0)
    const pulled = await engine.run(['pull', '--quiet', tag])
    expect({ code: pulled.code, stderr: pulled.stderr }).toEqual({ code: 0, stderr: '' })
    const inspect = await engine.run(['image', 'inspect', tag])
    const [pulledImage] = JSON.parse(inspect.stdout) as Array<{ Id: string; RepoDigests: string[] }>
    expect(pulledImage?.Id).toBe(result.outputs['image-id'])
    expect(pulledImage?.RepoDigests).toContain(`${image()}@${result.outputs['digest']}`)
  })

  it('after the post step, no file of the runner or the engine holds the token: BuildKit’s cache, layers, buildx state', async () => {
    const post = await runBundledAction('docker-build-auth', {
      job,
      post: true,
      env: { ...stack.env, ...engine.env, ...TEMP_WORKSPACE_ENV }
    })
    expect(post.errors).toEqual([])
    expect(post.exitCode).toBe(0)
    // The data root holds the image store, the overlay2 layers and BuildKit's cache
    // (data/buildkit): the secret mount's content must be in none of them.
    await engine.makeReadable()
    expect(existsSync(join(engine.dataRoot, 'buildkit'))).toBe(true)
    const findings = [
      ...(await searchTree(job.dir, secretForms(TOKEN))),
      ...(await searchTree(engine.dir, secretForms(TOKEN))),
      ...(await searchTree('/var/tmp', secretForms(TOKEN)))
    ]
    expect(findings).toEqual([])
    expect(await readdir(job.runnerTemp)).toEqual([])
  }, 120_000)
})

describe('builder: docker, ecr-login: moto’s ECR token, on stdin, for a registry that accepts it', () => {
  let job: JobFiles
  let result: ActionRunResult
  const tag = () => `${registry.host}/acme/service:ecr`
  const configFile = () => join(engine.configDir, 'config.json')

  beforeAll(async () => {
    // Only the ECR login may let the push through.
    await engine.run(['logout', registry.host])
    expect(readFileSync(configFile(), 'utf8')).not.toContain(registry.host)
    job = newJob()
    result = await runBundledAction('docker-build-auth', {
      job,
      inputs: dockerInputs({
        context: contextOf('service'),
        tags: tag(),
        push: 'true',
        'ecr-login': 'true',
        'ecr-registry': registry.host,
        // What ECR users set (no "unknown/unknown" attestation manifests); buildx accepts it here.
        provenance: 'false'
      }),
      env: { ...stack.env, ...engine.env, ...TEMP_WORKSPACE_ENV },
      recordArgvOf: ['docker']
    })
  }, 180_000)

  it('logs in with the password on stdin, then buildx pushes with that login', () => {
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.childArgv).toContain(`docker login --username AWS --password-stdin ${registry.host}`)
    expect(result.outputs['digest']).toMatch(/^sha256:[0-9a-f]{64}$/)
    const forms = [...secretForms(ecrPassword, 'AWS'), ...secretForms(TOKEN)]
    for (const form of forms) expect(argvText(result)).not.toContain(form)
    expectMaskedBeforePrinted(result.stdout, forms)
    expect(result.files.state).not.toContain(ecrPassword)
  })

  it('the post step logs out, so the ECR password leaves DOCKER_CONFIG', async () => {
    // docker login stores user:password base64-encoded in config.json (no credential helper).
    expect(readFileSync(configFile(), 'utf8')).toContain(Buffer.from(`AWS:${ecrPassword}`).toString('base64'))
    const post = await runBundledAction('docker-build-auth', {
      job,
      post: true,
      env: { ...stack.env, ...engine.env, ...TEMP_WORKSPACE_ENV }
    })
    expect(post.errors).toEqual([])
    expect(post.warnings).toEqual([])
    expect(post.stdout).toContain(`Logged out of ${registry.host}`)
    expect(readFileSync(configFile(), 'utf8')).not.toContain(registry.host)
    expect(await searchTree(engine.configDir, secretForms(ecrPassword, 'AWS'))).toEqual([])
  })
})

describe('builder: docker, mode: build-arg (legacy)', () => {
  it('the same scans find the token that a build-arg puts into the image: they are not blind on docker', async () => {
    const tag = 'localhost/acme/legacy:docker'
    const result = await runBundledAction('docker-build-auth', {
      inputs: dockerInputs({ context: contextOf('build-arg'), mode: 'build-arg', tags: tag, load: 'true' }),
      env: { ...stack.env, ...engine.env, ...TEMP_WORKSPACE_ENV },
      recordArgvOf: ['docker']
    })
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    for (const form of secretForms(TOKEN)) expect(argvText(result)).not.toContain(form)
    const { findings } = await searchDockerSavedImage(engine, tag, [TOKEN, encodeURIComponent(TOKEN)])
    expect(findings.length).toBeGreaterThan(0)
    const history = await engine.run(['history', '--no-trunc', tag])
    expect(history.stdout).toContain(encodeURIComponent(TOKEN))
    // And the disk scan that finds nothing after the secret-mode builds sees the engine's files.
    await engine.makeReadable()
    expect((await searchTree(engine.dataRoot, [encodeURIComponent(TOKEN)])).length).toBeGreaterThan(0)
  }, 180_000)
})

describe('builder: docker, what BuildKit 0.8 inside dockerd 20.10 refuses: the build fails at once with its reason', () => {
  async function failedBuild(extra: Record<string, string>): Promise<ActionRunResult> {
    stack.index.clearLog()
    const result = await runBundledAction('docker-build-auth', {
      inputs: dockerInputs({ tags: 'localhost/acme/refused:docker', ...extra }),
      env: { ...stack.env, ...engine.env, ...TEMP_WORKSPACE_ENV },
      recordArgvOf: ['docker']
    })
    expect(result.exitCode).toBe(1)
    expect(result.errors).toHaveLength(1)
    // Nothing ran: no RUN step fetched from the index, and the secret file is gone.
    expect(stack.index.log.filter((entry) => entry.status === 200)).toEqual([])
    expect(await readdir(result.job.runnerTemp)).toEqual([])
    for (const form of secretForms(TOKEN)) expect(argvText(result)).not.toContain(form)
    expectMaskedBeforePrinted(result.stdout, secretForms(TOKEN))
    return result
  }

  it('provenance: the docker driver cannot write attestations (containerd image store or another driver needed)', async () => {
    const result = await failedBuild({ context: contextOf('service'), provenance: 'mode=max' })
    expect(result.errors[0]).toMatch(
      /^The image build failed after [\d.]+ s: .*Attestation is not supported for the docker driver.* Fix: this builder \(buildx's docker driver\) writes no attestations/
    )
  }, 120_000)

  it('a secret mount with `env=` (Dockerfile frontend 1.10+) is a parse error of its built-in frontend', async () => {
    const result = await failedBuild({ context: contextOf('env-mount') })
    expect(result.errors[0]).toMatch(
      /dockerfile parse error line 4: unexpected key 'env' in 'env=PIP_INDEX_URL'.* Fix: this builder's Dockerfile frontend is older than 1\.10/
    )
  }, 120_000)

  it('push and load together: two outputs, which BuildKit before 0.13 does not take', async () => {
    const result = await failedBuild({
      context: contextOf('service'),
      tags: `${registry.host}/acme/service:both`,
      push: 'true',
      load: 'true'
    })
    expect(result.errors[0]).toMatch(
      /multiple outputs currently unsupported by the current BuildKit daemon.* Fix: this BuildKit \(before 0\.13\) takes one output: drop `load: true` when pushing/
    )
  }, 120_000)
})
