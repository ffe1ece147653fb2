import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ActionRunOptions, ROOT, newJob, runBundledAction } from '../../../test/harness/action-runner.ts'
import { type Podman, setupPodman } from '../../../test/harness/containers.ts'

// The failure paths and warnings, each one line, run through the bundled action with a real
// podman. None of these builds reaches an index, so there is no stack: the credentials come
// from `index-url` with a known token, which must still never show up anywhere.

const TOKEN = 'idx-token/KNOWN+value=42'
const INDEX = 'http://127.0.0.1:9/pypi/python-internal/simple/'
const FIXTURES = join(ROOT, 'test', 'fixtures', 'docker')
const REAL_PODMAN =
  (process.env['PATH'] ?? '')
    .split(':')
    .map((dir) => join(dir, 'podman'))
    .find((path) => existsSync(path)) ?? 'podman'

let podman: Podman
const scratch: string[] = []
beforeAll(async () => {
  podman = await setupPodman()
}, 60_000)
afterAll(async () => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
  await podman?.cleanup()
})

function indexInputs(fixture: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    context: join(FIXTURES, fixture),
    'index-url': INDEX,
    'index-username': 'aws',
    'index-password': TOKEN,
    ...extra
  }
}

function runAction(inputs: Record<string, string>, options: Omit<ActionRunOptions, 'inputs'> = {}) {
  return runBundledAction('docker-build-auth', {
    inputs,
    recordArgvOf: ['podman'],
    ...options,
    env: { ...podman.env, ...options.env }
  })
}

function secretDirs(runnerTemp: string): string[] {
  return readdirSync(runnerTemp).filter((name) => name.startsWith('docker-build-auth-'))
}

function expectTokenNowhere(result: Awaited<ReturnType<typeof runAction>>): void {
  const everything = [
    result.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n'),
    result.stderr,
    JSON.stringify(result.spawned),
    result.childArgv.join('\n'),
    ...Object.values(result.files)
  ]
  for (const text of everything) {
    expect(text).not.toContain(TOKEN)
    expect(text).not.toContain(encodeURIComponent(TOKEN))
  }
}

it('fails in one line when the Dockerfile is missing, before any credentials or build', async () => {
  // From the workspace, as the runner starts actions: the relative path is looked up there.
  const result = await runAction(indexInputs('service', { file: 'no/such/Dockerfile' }), { cwd: ROOT })
  expect(result.exitCode).toBe(1)
  expect(result.errors).toEqual([
    'Dockerfile not found: `no/such/Dockerfile`. Fix: set `file` to the Dockerfile’s path relative to the workspace (the default is `<context>/Dockerfile`)'
  ])
  expect(result.spawned.filter((argv) => argv.includes('build'))).toEqual([])
  expect(secretDirs(result.job.runnerTemp)).toEqual([])
  expectTokenNowhere(result)
})

it('fails in one line for an unknown builder, without starting anything', async () => {
  const result = await runAction(indexInputs('service', { builder: 'kaniko' }))
  expect(result.exitCode).toBe(1)
  expect(result.errors).toEqual(['Input `builder`: "kaniko" is not accepted; use one of auto, docker, podman.'])
  expect(result.spawned).toEqual([])
})

it('fails in one line when no credentials were given and no codeartifact-login ran', async () => {
  const result = await runAction({ context: join(FIXTURES, 'service') })
  expect(result.exitCode).toBe(1)
  expect(result.errors).toHaveLength(1)
  expect(result.errors[0]).toMatch(
    /^No index credentials: `domain` and `index-url` are empty and no codeartifact-login step ran before this one\. Fix: set `domain`/
  )
  expect(secretDirs(result.job.runnerTemp)).toEqual([])
})

describe('docker buildx detection', () => {
  // A stand-in `docker` on PATH: answers `buildx version` like the plugin (or fails like a
  // CLI without it) and, for `buildx build`, records its argv and the secret file it was given,
  // then writes the files buildx writes. Real buildx needs a daemon this machine does not have.
  function fakeDocker(withBuildx: boolean, withDaemon = true): string {
    const bin = mkdtempSync(join(tmpdir(), 'fake-docker-'))
    scratch.push(bin)
    const script = [
      '#!/bin/sh',
      `printf '%s\\n' "$*" >> '${bin}/argv.log'`,
      withBuildx
        ? '[ "$1 $2" = "buildx version" ] && { echo "github.com/docker/buildx v0.24.0 d0e5e86"; exit 0; }'
        : '[ "$1" = "buildx" ] && { echo "docker: unknown command: docker buildx" >&2; exit 1; }',
      withDaemon
        ? '[ "$1" = "version" ] && { echo "20.10.24+dfsg1"; exit 0; }'
        : '[ "$1" = "version" ] && { echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1; }',
      'while [ $# -gt 0 ]; do',
      '  case "$1" in',
      `    --secret) id="\${2%%,*}"; id="\${id#id=}"; src="\${2#*src=}"; stat -c '%a' "$src" > "${bin}/secret-mode-$id"; cp "$src" "${bin}/secret-copy-$id"; shift ;;`,
      '    --iidfile) echo "sha256:1111111111111111111111111111111111111111111111111111111111111111" > "$2"; shift ;;',
      `    --metadata-file) printf '{"containerimage.config.digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","containerimage.digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222","image.name":"registry.example.com/acme/service:1"}' > "$2"; shift ;;`,
      '  esac',
      '  shift',
      'done',
      'exit 0',
      ''
    ].join('\n')
    writeFileSync(join(bin, 'docker'), script)
    chmodSync(join(bin, 'docker'), 0o755)
    return bin
  }

  it('`auto` prefers docker buildx, with the secret as a 0600 file and the exact argv', async () => {
    const bin = fakeDocker(true)
    const context = join(FIXTURES, 'service')
    const result = await runAction(
      indexInputs('service', {
        tags: 'registry.example.com/acme/service:1',
        push: 'true',
        'build-args': 'APP_ENV=prod,eu\nEMPTY='
      }),
      {
        env: { PATH: `${bin}:${process.env['PATH']}` }
      }
    )
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    // @actions/exec resolves the command to its path on PATH.
    const build = result.spawned.find(
      (argv) => argv[0] === join(bin, 'docker') && argv[1] === 'buildx' && argv[2] === 'build'
    ) as string[]
    const dir = /src=(.*)\/pip_index_url$/.exec(build[build.indexOf('--secret') + 1] as string)?.[1] as string
    expect(dir.startsWith(join(result.job.runnerTemp, 'docker-build-auth-'))).toBe(true)
    expect(build).toEqual([
      join(bin, 'docker'),
      'buildx',
      'build',
      '--file',
      `${context}/Dockerfile`,
      '--tag',
      'registry.example.com/acme/service:1',
      '--build-arg',
      'APP_ENV=prod,eu',
      '--build-arg',
      'EMPTY=',
      '--secret',
      `id=pip_index_url,src=${dir}/pip_index_url`,
      '--iidfile',
      `${dir}/image-id`,
      '--metadata-file',
      `${dir}/metadata.json`,
      '--push',
      context
    ])
    expect(readFileSync(join(bin, 'secret-mode-pip_index_url'), 'utf8').trim()).toBe('600')
    expect(readFileSync(join(bin, 'secret-copy-pip_index_url'), 'utf8')).toBe(
      `http://aws:${encodeURIComponent(TOKEN)}@127.0.0.1:9/pypi/python-internal/simple/`
    )
    expect(result.outputs['digest']).toBe('sha256:2222222222222222222222222222222222222222222222222222222222222222')
    expect(JSON.parse(result.outputs['metadata'] as string)).toMatchObject({
      'image.name': 'registry.example.com/acme/service:1'
    })
    expect(existsSync(dir)).toBe(false)
    expectTokenNowhere(result)
  })

  it('`auto` with buildx installed but no Docker daemon builds with podman, and says why', async () => {
    const bin = fakeDocker(true, false)
    const result = await runAction(indexInputs('no-mount', { tags: 'localhost/auto-podman:test' }), {
      env: { PATH: `${bin}:${process.env['PATH']}` }
    })
    expect(result.errors).toEqual([])
    expect(result.stdout).toMatch(
      /^Builder: podman version \S+ \(auto: docker buildx is installed, but no Docker daemon answers\)$/m
    )
    expect(result.spawned.some((argv) => argv[1] === 'buildx' && argv[2] === 'build')).toBe(false)
  })

  it('the build options reach buildx exactly: network, caches, pull, provenance, SBOM, and more secrets as 0600 files', async () => {
    const bin = fakeDocker(true)
    const context = join(FIXTURES, 'service')
    // A file an earlier step wrote to RUNNER_TEMP (secret-files may come from there).
    const job = newJob()
    const netrc = join(job.runnerTemp, 'netrc')
    writeFileSync(netrc, 'machine example.com\n')
    const extraValue = 'npm-token.KNOWN/extra=42'
    const result = await runAction(
      indexInputs('service', {
        tags: 'registry.example.com/acme/service:2',
        network: 'host',
        'cache-from': 'type=registry,ref=registry.example.com/acme/service:cache',
        'cache-to': 'type=registry,ref=registry.example.com/acme/service:cache,mode=max',
        'no-cache': 'true',
        pull: 'true',
        provenance: 'mode=max',
        sbom: 'true',
        secrets: `npm_token=${extraValue}`,
        'secret-files': `netrc=${netrc}`
      }),
      { job, env: { PATH: `${bin}:${process.env['PATH']}` } }
    )
    expect(result.errors).toEqual([])
    const build = result.spawned.find((argv) => argv[1] === 'buildx' && argv[2] === 'build') as string[]
    const dir = /src=(.*)\/pip_index_url$/.exec(build[build.indexOf('--secret') + 1] as string)?.[1] as string
    expect(build.slice(1)).toEqual([
      'buildx',
      'build',
      '--file',
      `${context}/Dockerfile`,
      '--tag',
      'registry.example.com/acme/service:2',
      '--secret',
      `id=pip_index_url,src=${dir}/pip_index_url`,
      '--secret',
      `id=npm_token,src=${dir}/npm_token`,
      '--secret',
      `id=netrc,src=${netrc}`,
      '--network',
      'host',
      '--cache-from',
      'type=registry,ref=registry.example.com/acme/service:cache',
      '--cache-to',
      'type=registry,ref=registry.example.com/acme/service:cache,mode=max',
      '--no-cache',
      '--iidfile',
      `${dir}/image-id`,
      '--allow',
      'network.host',
      '--pull',
      '--provenance=mode=max',
      '--sbom=true',
      '--metadata-file',
      `${dir}/metadata.json`,
      context
    ])
    expect(readFileSync(join(bin, 'secret-mode-npm_token'), 'utf8').trim()).toBe('600')
    expect(readFileSync(join(bin, 'secret-copy-npm_token'), 'utf8')).toBe(extraValue)
    expect(readFileSync(join(bin, 'secret-copy-netrc'), 'utf8')).toBe('machine example.com\n')
    // The extra secret is masked (registered before anything else is printed) and its file
    // gone, like the index's.
    expect(result.stdout.split('\n').findIndex((line) => line.includes(extraValue))).toBe(
      result.stdout.split('\n').indexOf(`::add-mask::${extraValue}`)
    )
    expect(
      result.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n')
    ).not.toContain(extraValue)
    expect(existsSync(dir)).toBe(false)
    expectTokenNowhere(result)
  })

  it("buildx alone gets the runner's cache token, and only for a type=gha cache", async () => {
    const bin = fakeDocker(true)
    const runner = { ACTIONS_RUNTIME_TOKEN: 'runtime-token-KNOWN-0123', ACTIONS_CACHE_URL: 'https://cache.example/' }
    const buildEnv = async (cache: string): Promise<Record<string, string>> => {
      const result = await runAction(indexInputs('service', { 'cache-to': cache }), {
        env: { PATH: `${bin}:${process.env['PATH']}`, ...runner }
      })
      expect(result.errors).toEqual([])
      return (result.spawnedEnvs.find(({ argv }) => argv[1] === 'buildx' && argv[2] === 'build')?.env ?? {}) as Record<
        string,
        string
      >
    }
    expect(await buildEnv('type=gha,mode=max')).toMatchObject(runner)
    const registryCache = await buildEnv('type=registry,ref=registry.example.com/acme/service:cache')
    expect(registryCache['ACTIONS_RUNTIME_TOKEN']).toBeUndefined()
    expect(registryCache['ACTIONS_CACHE_URL']).toBeUndefined()
  })

  it('mode: build-arg turns provenance off on buildx, and says why', async () => {
    const bin = fakeDocker(true)
    const result = await runAction(indexInputs('build-arg', { mode: 'build-arg' }), {
      env: { PATH: `${bin}:${process.env['PATH']}` }
    })
    const build = result.spawned.find((argv) => argv[1] === 'buildx' && argv[2] === 'build') as string[]
    expect(build).toContain('--provenance=false')
    expect(result.stdout).toContain(
      'mode: build-arg: provenance is off (`--provenance=false`), since the attestation would record the token'
    )
  })

  it('`builder: docker` without the buildx plugin fails in one line', async () => {
    const bin = fakeDocker(false)
    const result = await runAction(indexInputs('service', { builder: 'docker' }), {
      env: { PATH: `${bin}:${process.env['PATH']}` }
    })
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual([
      '`builder: docker` needs docker with the buildx plugin, and `docker buildx version` did not answer. Fix: run docker/setup-buildx-action before this step, or set `builder: podman`'
    ])
    // `auto` on the same PATH falls back to podman: covered by every podman build in this file.
  })
})

it('warns when the Dockerfile never mounts the secret, and the build still succeeds', async () => {
  const result = await runAction(indexInputs('no-mount', { tags: 'localhost/no-mount:test' }))
  expect(result.errors).toEqual([])
  expect(result.exitCode).toBe(0)
  expect(result.warnings).toEqual([
    `The Dockerfile \`${join(FIXTURES, 'no-mount')}/Dockerfile\` never mounts the secret \`pip_index_url\`, so the build did not use the index credentials. Mount it in the RUN steps that install private packages: \`RUN --mount=type=secret,id=pip_index_url PIP_INDEX_URL="$(cat /run/secrets/pip_index_url)" pip install ...\`.`
  ])
  expect(result.outputs['image-id']).toMatch(/^(sha256:)?[0-9a-f]{64}$/)
  expect(secretDirs(result.job.runnerTemp)).toEqual([])
  expectTokenNowhere(result)
}, 60_000)

it('reports a failed build in one line, streams the builder output, and removes the secret file', async () => {
  const result = await runAction(indexInputs('fails'))
  expect(result.exitCode).toBe(1)
  expect(result.errors).toHaveLength(1)
  expect(result.errors[0]).toMatch(
    /^The image build failed after \d+\.\d s: Error: building at STEP "RUN --mount=type=secret,id=pip_index_url .*": (while running runtime: )?exit status 1 Fix: the build output above names the step that failed$/
  )
  // podman's own output reached the log as it ran.
  expect(result.stdout).toContain('ERROR: No matching distribution found for acme-missing')
  expect(secretDirs(result.job.runnerTemp)).toEqual([])
  expectTokenNowhere(result)

  const post = await runBundledAction('docker-build-auth', { job: result.job, post: true, env: podman.env })
  expect(post.exitCode).toBe(0)
  expect(post.stdout).toContain('The secret file was already removed when the build finished.')
}, 60_000)

it('explains that podman has no env-style secret mounts when such a build fails', async () => {
  const result = await runAction(indexInputs('env-mount'))
  expect(result.exitCode).toBe(1)
  expect(result.errors).toHaveLength(1)
  expect(result.errors[0]).toMatch(
    /^The image build failed after .*secret should have syntax id=id.* Fix: podman does not support `env=` on secret mounts/
  )
  expect(secretDirs(result.job.runnerTemp)).toEqual([])
}, 60_000)

it('the post step removes the secret file when the main step was killed mid-build', async () => {
  // A podman stand-in that kills the action (its parent) the moment the build starts, the
  // way a cancelled or timed-out job ends a step.
  const job = newJob()
  writeFileSync(
    join(job.shimDir, 'podman'),
    `#!/bin/sh\nprintf '%s\\n' "podman $*" >> '${job.argvLog}'\n[ "$1" = build ] && kill -9 $PPID && exit 1\nexec ${REAL_PODMAN} "$@"\n`
  )
  chmodSync(join(job.shimDir, 'podman'), 0o755)
  const result = await runAction(indexInputs('service'), { job })
  expect(result.exitCode).not.toBe(0)
  const [dir] = secretDirs(job.runnerTemp)
  expect(dir).toBeDefined()
  const left = join(job.runnerTemp, dir as string)
  expect(statSync(left).mode & 0o777).toBe(0o700)
  expect(statSync(join(left, 'pip_index_url')).mode & 0o777).toBe(0o600)

  const post = await runBundledAction('docker-build-auth', { job, post: true, env: podman.env })
  expect(post.exitCode).toBe(0)
  expect(post.stdout).toContain(`Removed the secret file's directory ${left}: the main step did not finish.`)
  expect(existsSync(left)).toBe(false)
}, 60_000)

it('refuses a Dockerfile or context outside the workspace before reading it', async () => {
  for (const [inputs, input] of [
    [{ file: '../../../../../../../etc/passwd' }, 'file'],
    [{ context: '/etc' }, 'context']
  ] as const) {
    const result = await runAction({ ...indexInputs('service'), ...inputs }, { cwd: ROOT })
    expect(result.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Input \`${input}\`: ".*" resolves to /etc(/passwd)?, outside the workspace ${ROOT.replace(/\/$/, '')}; use a path inside the workspace \\(symlinks included\\)\\.$`
        )
      )
    ])
    expect(result.spawned.filter((argv) => argv.includes('build'))).toEqual([])
  }
})

it('refuses a build-arg that holds the index password, naming build-args, before any build', async () => {
  const result = await runAction(
    indexInputs('service', { 'build-args': `VERSION=1.0\nPIP_INDEX_URL=https://aws:${TOKEN}@x/` })
  )
  expect(result.errors).toEqual([
    'Input `build-args`: PIP_INDEX_URL holds a secret, which a build-arg would write into the image history; pass index credentials through the secret this action mounts (`RUN --mount=type=secret,id=<secret-id>`), never as a build-arg.'
  ])
  expect(result.spawned.filter((argv) => argv.includes('build'))).toEqual([])
  expectTokenNowhere(result)
})
