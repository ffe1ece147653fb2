import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
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
import { type Stack, startStack } from '../../../test/stack/stack.ts'
import {
  type Podman,
  type Registry,
  searchSavedImage,
  searchTree,
  secretForms,
  setupPodman,
  startRegistry
} from '../../../test/harness/containers.ts'
import { RUNNER_CREDENTIALS, credentialsIn } from '../../../test/harness/child-env.ts'
import { buildWheel } from '../../../test/stack/tools.ts'

// Real builds with podman, against the local stack: GitHub OIDC -> STS -> CodeArtifact token
// -> the secret file -> a RUN step that reads it and fetches the private wheel from pypiserver
// -> push to a real registry (htpasswd) -> pull back. Then the leak checks with the known
// token: argv, every log line, every file of the saved image, and the disk after the post step.

const TOKEN = 'ca-token.KNOWN+build/secret=0123456789'
const FIXTURES = join(ROOT, 'test', 'fixtures', 'docker')
const WHEEL = 'acme_widgets-0.1.0-py3-none-any.whl'
const PUSHER = { user: 'pusher', password: 'push-s3cret' }
const REAL_PODMAN =
  (process.env['PATH'] ?? '')
    .split(':')
    .map((dir) => join(dir, 'podman'))
    .find((path) => existsSync(path)) ?? 'podman'

let stack: Stack
let podman: Podman
let registry: Registry
/** moto's ECR answers GetAuthorizationToken with `AWS:<account>-auth-token`. */
let ecrPassword: string
/** Temp dirs this file made (contexts, the wheel), removed at the end. */
const scratch: string[] = []

async function buildExampleWheel(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'widgets-wheel-'))
  scratch.push(out)
  await buildWheel(join(ROOT, 'examples', 'acme-widgets'), out)
  return join(out, WHEEL)
}

beforeAll(async () => {
  const [started, wheel, configured] = await Promise.all([
    startStack({ token: TOKEN }),
    buildExampleWheel(),
    setupPodman()
  ])
  stack = started
  podman = configured
  // The index serves whatever is in pypiserver's packages directory.
  await copyFile(wheel, join(stack.pypiserver.packagesDir, WHEEL))
  ecrPassword = `${stack.domainOwner}-auth-token`
  registry = await startRegistry([PUSHER, { user: 'AWS', password: ecrPassword }])
  await podman.allowInsecureRegistries([registry.host])
}, 120_000)
afterAll(async () => {
  await Promise.allSettled([
    stack?.stop(),
    registry?.stop(),
    ...scratch.map((dir) => rm(dir, { recursive: true, force: true }))
  ])
  await podman?.cleanup()
})

/** A fresh copy of a fixture; the nonce changes the layer before the RUN step, so it runs again. */
function contextOf(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), `context-${fixture}-`))
  scratch.push(dir)
  cpSync(join(FIXTURES, fixture), dir, { recursive: true })
  if (existsSync(join(dir, 'requirements.txt')))
    writeFileSync(join(dir, 'requirements.txt'), `acme-widgets\n# build ${Date.now()}-${Math.random()}\n`)
  return dir
}

function codeArtifactInputs(extra: Record<string, string>): Record<string, string> {
  return {
    'aws-region': stack.region,
    'role-to-assume': stack.roleArn,
    domain: stack.domain,
    repository: stack.repository,
    ...extra
  }
}

/** A podman shim that also records, as the builder starts, the modes of the secret file and its directory. */
function inspectingShim(job: JobFiles): string {
  const statFile = join(job.dir, 'secret-stat')
  writeFileSync(
    join(job.shimDir, 'podman'),
    [
      '#!/bin/sh',
      `printf '%s\\n' "podman $*" >> '${job.argvLog}'`,
      `{ printf '%s\\000' "podman $*"; env -0; } > "$(mktemp '${job.childEnvDir}/call.XXXXXX')"`,
      'if [ "$1" = build ]; then',
      '  for arg in "$@"; do',
      `    case "$arg" in id=*,src=*) src="\${arg#*,src=}"; stat -c '%a' "$(dirname "$src")" "$src" > '${statFile}'; dirname "$src" >> '${statFile}' ;; esac`,
      '  done',
      'fi',
      `exec '${REAL_PODMAN}' "$@"`,
      ''
    ].join('\n')
  )
  chmodSync(join(job.shimDir, 'podman'), 0o755)
  return statFile
}

function secretDirs(job: JobFiles): string[] {
  return readdirSync(job.runnerTemp).filter((name) => name.startsWith('docker-build-auth-'))
}

function argvText(result: ActionRunResult): string {
  return JSON.stringify(result.spawned) + '\n' + result.childArgv.join('\n')
}

function expectMaskedBeforePrinted(stdout: string, forms: readonly string[]): void {
  for (const form of forms)
    expect({ form, printedAt: firstUnmaskedUse(stdout, form).firstPrintedAt }).toEqual({ form, printedAt: -1 })
}

describe('secret mode: CodeArtifact through GitHub OIDC, pushed to a registry', () => {
  let job: JobFiles
  let result: ActionRunResult
  let statFile: string
  const image = () => `${registry.host}/acme/service`

  beforeAll(async () => {
    const login = await podman.run(['login', '--username', PUSHER.user, '--password-stdin', registry.host], {
      input: PUSHER.password
    })
    expect(login.code).toBe(0)
    stack.index.clearLog()
    job = newJob()
    statFile = inspectingShim(job)
    result = await runBundledAction('docker-build-auth', {
      job,
      inputs: codeArtifactInputs({
        context: contextOf('service'),
        tags: `${image()}:1.0.0\n${image()}:latest`,
        push: 'true',
        labels: 'org.opencontainers.image.source=https://github.com/acme/service'
      }),
      env: { ...RUNNER_CREDENTIALS, ...stack.env, ...podman.env, ...TEMP_WORKSPACE_ENV },
      recordArgvOf: ['podman']
    })
  }, 120_000)

  it('builds: the RUN step read the mounted secret and fetched the private wheel with it', () => {
    expect(result.errors).toEqual([])
    expect(result.warnings).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain(`installed ${WHEEL}`)
    // The requests came from inside the build, authenticated as CodeArtifact's user `aws`.
    const fetched = stack.index.log
      .filter((entry) => entry.user === 'aws' && entry.status === 200)
      .map((entry) => entry.path)
    expect(fetched).toEqual([
      `/pypi/${stack.repository}/simple/acme-widgets/`,
      `/pypi/${stack.repository}/packages/${WHEEL}`
    ])
    expect(stack.oidc.requestCount).toBeGreaterThan(0)
  })

  it('sets image-id, digest, tags and metadata', () => {
    const imageId = result.outputs['image-id'] as string
    const digest = result.outputs['digest'] as string
    expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(result.outputs['tags']).toBe(`${image()}:1.0.0\n${image()}:latest`)
    expect(JSON.parse(result.outputs['metadata'] as string)).toEqual({
      'containerimage.config.digest': imageId,
      'containerimage.digest': digest,
      'image.name': `${image()}:1.0.0,${image()}:latest`
    })
  })

  it('passed the secret as a 0600 file in a private 0700 directory under RUNNER_TEMP, removed after the build', () => {
    const [dirMode, fileMode, dir] = readFileSync(statFile, 'utf8').trim().split('\n')
    expect({ dirMode, fileMode }).toEqual({ dirMode: '700', fileMode: '600' })
    expect(dir?.startsWith(join(job.runnerTemp, 'docker-build-auth-'))).toBe(true)
    const build = result.spawned.find((argv) => argv[1] === 'build') as string[]
    expect(build.slice(build.indexOf('--secret'), build.indexOf('--secret') + 2)).toEqual([
      '--secret',
      `id=pip_index_url,src=${dir}/pip_index_url`
    ])
    expect(secretDirs(job)).toEqual([])
  })

  it('started the builder with no credential in its environment: no inputs, no OIDC request token, no AWS or GitHub token', () => {
    expect(result.childEnvs.length).toBeGreaterThan(0)
    for (const { command, env } of result.childEnvs) {
      expect({ command, found: credentialsIn(env, [TOKEN, ...Object.values(RUNNER_CREDENTIALS)]) }).toEqual({
        command,
        found: []
      })
    }
  })

  it('never put the token in the builder’s argv', () => {
    expect(result.childArgv.some((line) => line.startsWith('podman build '))).toBe(true)
    for (const form of secretForms(TOKEN)) expect(argvText(result)).not.toContain(form)
  })

  it('never printed the token in a log line, the runner files or the summary', () => {
    expectMaskedBeforePrinted(result.stdout, secretForms(TOKEN))
    for (const text of [result.stderr, ...Object.values(result.files)])
      for (const form of secretForms(TOKEN)) expect(text).not.toContain(form)
  })

  it('left no trace of the token in any file of the saved image: layers, config, history', async () => {
    const { findings, files } = await searchSavedImage(podman, `${image()}:1.0.0`, secretForms(TOKEN))
    expect(findings).toEqual([])
    // The scan did look inside the layers: the fetched wheel is one of their files.
    expect(files.some((file) => file.endsWith(`!app/wheels/${WHEEL}`))).toBe(true)
    const history = await podman.run(['history', '--no-trunc', `${image()}:1.0.0`])
    const inspect = await podman.run(['image', 'inspect', `${image()}:1.0.0`])
    expect(history.stdout).toContain('--mount=type=secret,id=pip_index_url')
    for (const form of secretForms(TOKEN)) expect(history.stdout + inspect.stdout).not.toContain(form)
  })

  it('writes a job summary with the image, tags, digest and the secret id to mount', () => {
    expect(result.summary).toContain('## Image build')
    expect(result.summary).toContain(`\`${image()}:1.0.0\`<br>\`${image()}:latest\``)
    expect(result.summary).toContain(`\`${result.outputs['digest']}\` (pushed)`)
    expect(result.summary).toContain('BuildKit secret `pip_index_url`, mounted at line 7')
    expect(result.summary).toContain(
      'RUN --mount=type=secret,id=pip_index_url PIP_INDEX_URL="$(cat /run/secrets/pip_index_url)" pip install ...'
    )
  })

  it('pushed to the registry: the image pulls back with the same id and digest', async () => {
    expect((await podman.run(['rmi', '--force', `${image()}:1.0.0`, `${image()}:latest`])).code).toBe(0)
    const pulled = await podman.run(['pull', '--quiet', `${image()}:1.0.0`])
    expect(pulled.stderr).toBe('')
    expect(pulled.code).toBe(0)
    const inspect = await podman.run(['image', 'inspect', '--format', '{{.Id}} {{.Digest}}', `${image()}:1.0.0`])
    const [id, digest] = inspect.stdout.trim().split(' ')
    // podman prints the id without the `sha256:` its --iidfile writes.
    expect(`sha256:${id}`).toBe(result.outputs['image-id'])
    expect(digest).toBe(result.outputs['digest'])
  })

  it('after the post step, no file on disk holds the token', async () => {
    const post = await runBundledAction('docker-build-auth', {
      job,
      post: true,
      env: { ...stack.env, ...podman.env, ...TEMP_WORKSPACE_ENV }
    })
    expect(post.errors).toEqual([])
    expect(post.exitCode).toBe(0)
    // The runner's files and temp dir, podman's storage, run state and temp dir, and /var/tmp.
    const findings = [
      ...(await searchTree(job.dir, secretForms(TOKEN))),
      ...(await searchTree(podman.dir, secretForms(TOKEN))),
      ...(await searchTree('/var/tmp', secretForms(TOKEN)))
    ]
    expect(findings).toEqual([])
    expect(await readdir(job.runnerTemp)).toEqual([])
  })
})

describe('secret mode with the credentials a codeartifact-login step left in the environment', () => {
  it('builds without any credential input', async () => {
    stack.index.clearLog()
    const result = await runBundledAction('docker-build-auth', {
      inputs: { context: contextOf('service') },
      env: {
        ...podman.env,
        ...TEMP_WORKSPACE_ENV,
        CODEARTIFACT_AUTH_TOKEN: TOKEN,
        CODEARTIFACT_INDEX_URL: stack.indexUrl,
        CODEARTIFACT_REGISTRY_URL: stack.uploadUrl
      },
      recordArgvOf: ['podman']
    })
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain(
      'credentials from the codeartifact-login step earlier in this job (CODEARTIFACT_AUTH_TOKEN)'
    )
    expect(stack.index.log.filter((entry) => entry.user === 'aws' && entry.status === 200)).toHaveLength(2)
    for (const form of secretForms(TOKEN)) expect(argvText(result)).not.toContain(form)
    expectMaskedBeforePrinted(result.stdout, secretForms(TOKEN))
  }, 60_000)
})

describe('ecr-login: moto’s ECR token, on stdin, for a registry that accepts it', () => {
  let job: JobFiles
  let result: ActionRunResult
  const tag = () => `${registry.host}/acme/service:ecr`

  beforeAll(async () => {
    // Only the ECR login may let the push through.
    await podman.run(['logout', '--all'])
    job = newJob()
    result = await runBundledAction('docker-build-auth', {
      job,
      inputs: codeArtifactInputs({
        context: contextOf('service'),
        tags: tag(),
        push: 'true',
        'ecr-login': 'true',
        'ecr-registry': registry.host
      }),
      env: { ...stack.env, ...podman.env, ...TEMP_WORKSPACE_ENV },
      recordArgvOf: ['podman']
    })
  }, 120_000)

  it('logs in with the password on stdin, then pushes', () => {
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.childArgv).toContain(`podman login --username AWS --password-stdin ${registry.host}`)
    expect(result.outputs['digest']).toMatch(/^sha256:[0-9a-f]{64}$/)
    const forms = [...secretForms(ecrPassword, 'AWS'), ...secretForms(TOKEN)]
    for (const form of forms) expect(argvText(result)).not.toContain(form)
    expectMaskedBeforePrinted(result.stdout, forms)
    expect(result.files.state).not.toContain(ecrPassword)
  })

  it('the post step logs out, so the ECR password leaves the auth file', async () => {
    expect(readFileSync(podman.authFile, 'utf8')).toContain(registry.host)
    const post = await runBundledAction('docker-build-auth', {
      job,
      post: true,
      env: { ...stack.env, ...podman.env, ...TEMP_WORKSPACE_ENV }
    })
    expect(post.errors).toEqual([])
    expect(post.warnings).toEqual([])
    expect(post.stdout).toContain(`Logged out of ${registry.host}`)
    const auth = readFileSync(podman.authFile, 'utf8')
    expect(auth).not.toContain(registry.host)
    for (const form of secretForms(ecrPassword, 'AWS')) expect(auth).not.toContain(form)
  })
})

describe('mode: build-arg (legacy)', () => {
  let result: ActionRunResult

  beforeAll(async () => {
    stack.index.clearLog()
    result = await runBundledAction('docker-build-auth', {
      inputs: codeArtifactInputs({
        context: contextOf('build-arg'),
        mode: 'build-arg',
        tags: 'localhost/acme/legacy:test'
      }),
      env: { ...stack.env, ...podman.env, ...TEMP_WORKSPACE_ENV },
      recordArgvOf: ['podman']
    })
  }, 120_000)

  it('builds with the URL from the environment and warns that the token lands in the image history', () => {
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.warnings).toHaveLength(1)
    expect(result.warnings[0]).toMatch(
      /^mode: build-arg passes the index URL with its token as `--build-arg PIP_INDEX_URL`: .* records it in the image history/
    )
    expect(stack.index.log.filter((entry) => entry.user === 'aws' && entry.status === 200)).toHaveLength(1)
    const build = result.spawned.find((argv) => argv[1] === 'build') as string[]
    // The name only: docker and podman read the value from their environment.
    expect(build.slice(build.indexOf('--build-arg'), build.indexOf('--build-arg') + 2)).toEqual([
      '--build-arg',
      'PIP_INDEX_URL'
    ])
    for (const form of secretForms(TOKEN)) expect(argvText(result)).not.toContain(form)
  })

  it('and the warning is true: the same scan finds the token in the saved image', async () => {
    const { findings } = await searchSavedImage(podman, 'localhost/acme/legacy:test', [
      TOKEN,
      encodeURIComponent(TOKEN)
    ])
    expect(findings.length).toBeGreaterThan(0)
  })
})
