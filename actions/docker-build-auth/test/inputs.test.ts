import { jest } from '@jest/globals'
import { registeredSecrets, resetSecretsForTests } from '@release/shared'
import { analyseDockerfile } from '@release/shared/container/dockerfile'
import { buildFailureHint, unusedCredentials } from '../src/dockerfile-check.ts'
import { getInputs } from '../src/inputs.ts'
import { restoreEnvAfterEach, setInputs as setHarnessInputs } from '../../../test/harness/inputs.ts'

restoreEnvAfterEach()
const setInputs = (inputs: Record<string, string>): void => setHarnessInputs(inputs, ['AWS_'])
beforeEach(() => {
  resetSecretsForTests()
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(() => {
  jest.restoreAllMocks()
})

describe('getInputs', () => {
  it('defaults: context ., secret mode, the environment as the credential source, no AWS inputs read', () => {
    setInputs({})
    expect(getInputs()).toEqual({
      context: '.',
      file: './Dockerfile',
      tags: [],
      buildArgs: [],
      target: undefined,
      platforms: [],
      labels: [],
      push: false,
      load: false,
      index: { kind: 'environment' },
      secretId: 'pip_index_url',
      mode: 'secret',
      buildArgName: 'PIP_INDEX_URL',
      builder: 'auto',
      ecrLogin: false,
      ecrRegistries: [],
      credentials: undefined,
      network: undefined,
      provenance: undefined,
      sbom: undefined,
      cacheFrom: [],
      cacheTo: [],
      noCache: false,
      pull: false,
      secrets: [],
      secretFiles: []
    })
  })

  it('reads the build options: caches by line (values keep their commas), secrets masked at once', () => {
    setInputs({
      network: 'host',
      provenance: 'mode=min',
      sbom: 'true',
      'cache-from': 'type=gha\ntype=registry,ref=ghcr.io/acme/api:cache',
      'cache-to': 'type=gha,mode=max',
      'no-cache': 'true',
      pull: 'true',
      secrets: 'npm_token=s3cret=with=equals\ngh_token=ghp_x',
      'secret-files': 'netrc=.netrc'
    })
    const inputs = getInputs()
    expect(inputs).toMatchObject({
      network: 'host',
      provenance: 'mode=min',
      sbom: 'true',
      cacheFrom: ['type=gha', 'type=registry,ref=ghcr.io/acme/api:cache'],
      cacheTo: ['type=gha,mode=max'],
      noCache: true,
      pull: true,
      secrets: [
        { id: 'npm_token', value: 's3cret=with=equals' },
        { id: 'gh_token', value: 'ghp_x' }
      ],
      secretFiles: [{ id: 'netrc', path: '.netrc' }]
    })
    expect(registeredSecrets()).toEqual(expect.arrayContaining(['s3cret=with=equals', 'ghp_x']))
  })

  it.each<[Record<string, string>, string]>([
    [{ network: 'bridge' }, 'Input `network`: "bridge" is not accepted; use one of default, host, none.'],
    [{ provenance: 'max' }, 'Input `provenance`: "max" is not accepted; use one of true, false, mode=min, mode=max.'],
    [
      { mode: 'build-arg', provenance: 'mode=max' },
      'Input `provenance`: is mode=max while `mode: build-arg` passes the index token as a build argument, which the provenance attestation records; set `provenance: false`, or use the default `mode: secret`.'
    ],
    [
      { mode: 'build-arg', 'cache-to': 'type=gha' },
      'Input `cache-to`: is set while `mode: build-arg` passes the index token as a build argument, which the exported cache would keep; use the default `mode: secret`, or leave `cache-to` empty.'
    ],
    [{ sbom: 'yes' }, 'Input `sbom`: "yes" is not accepted; use true or false.'],
    [
      { secrets: 'just-a-value-no-id' },
      'Input `secrets`: a line is not `id=value`; write one id=value per line, the id being letters, digits, `_`, `.` and `-`, e.g. pip_index_url.'
    ],
    [
      { secrets: 'pip_index_url=x' },
      "Input `secrets`: the id pip_index_url is used twice (or is `secret-id`'s); give each build secret its own id."
    ],
    [
      { secrets: 'a=1', 'secret-files': 'a=f' },
      'Input `secret-files`: the id a is also in `secrets`; give each build secret its own id.'
    ]
  ])('refuses %j in one line', (inputs, message) => {
    setInputs(inputs)
    expect(() => getInputs()).toThrow(message)
  })

  it('reads lists: tags by comma or line, build args and labels by line (values keep their commas)', () => {
    setInputs({
      context: 'services/api/',
      tags: 'ghcr.io/acme/api:1, ghcr.io/acme/api:latest\nghcr.io/acme/api:1',
      'build-args': 'APP_ENV=prod,eu\n# a comment\nGREETING=a=b',
      labels: 'org.opencontainers.image.title=API, with a comma',
      platforms: 'linux/arm64/v8'
    })
    const inputs = getInputs()
    expect(inputs.file).toBe('services/api/Dockerfile')
    expect(inputs.tags).toEqual(['ghcr.io/acme/api:1', 'ghcr.io/acme/api:latest'])
    expect(inputs.buildArgs).toEqual(['APP_ENV=prod,eu', 'GREETING=a=b'])
    expect(inputs.labels).toEqual(['org.opencontainers.image.title=API, with a comma'])
    expect(inputs.platforms).toEqual(['linux/arm64/v8'])
  })

  it('CodeArtifact credentials read the shared AWS inputs', () => {
    setInputs({
      domain: 'acme',
      repository: 'python-internal',
      'aws-region': 'eu-west-1',
      'role-to-assume': 'arn:aws:iam::111122223333:role/build'
    })
    const inputs = getInputs()
    expect(inputs.index).toEqual({
      kind: 'codeartifact',
      repository: { domain: 'acme', domainOwner: undefined, repository: 'python-internal', durationSeconds: 43200 }
    })
    expect(inputs.credentials).toMatchObject({
      region: 'eu-west-1',
      roleToAssume: 'arn:aws:iam::111122223333:role/build'
    })
  })

  it('ecr-login alone also needs a region', () => {
    setInputs({ 'ecr-login': 'true' })
    expect(() => getInputs()).toThrow(
      'Input `aws-region`: is empty and AWS_REGION is not set; set `aws-region`, e.g. us-east-1.'
    )
  })

  it('masks an index password, and a password inside index-url, as soon as they are read', () => {
    setInputs({ 'index-url': 'https://u:p%40ss@pypi.example.com/simple/', 'index-password': 'tok3n' })
    expect(() => getInputs()).toThrow('Input `index-username`: is empty while `index-password` is set')
    expect(registeredSecrets()).toEqual(
      expect.arrayContaining(['tok3n', 'p@ss', 'https://u:p%40ss@pypi.example.com/simple/'])
    )
  })

  it.each<[Record<string, string>, string]>([
    [{ builder: 'kaniko' }, 'Input `builder`: "kaniko" is not accepted; use one of auto, docker, podman.'],
    [{ mode: 'env' }, 'Input `mode`: "env" is not accepted; use one of secret, build-arg.'],
    [{ push: 'true' }, 'Input `push`: is true but `tags` is empty; set `tags` to the image names to push.'],
    [
      { tags: 'Acme/API:1' },
      'Input `tags`: "Acme/API:1" is not a valid tag; use an image reference such as ghcr.io/acme/service:1.2.0'
    ],
    [{ 'build-args': 'NO_VALUE' }, 'Input `build-args`: "NO_VALUE" is not a `NAME=value` line'],
    [
      { 'secret-id': 'pip index' },
      'Input `secret-id`: "pip index" is not valid; expected letters, digits, `_`, `.` and `-`, e.g. pip_index_url.'
    ],
    [
      { platforms: 'amd64' },
      'Input `platforms`: "amd64" is not a platform; use os/arch[/variant], e.g. linux/amd64, linux/arm64.'
    ],
    [
      { 'index-url': 'ftp://pypi.example.com/simple/' },
      'Input `index-url`: uses ftp:; use an http(s) simple index URL.'
    ],
    [
      { 'index-url': 'https://pypi.example.com/simple/', domain: 'acme', repository: 'r1' },
      'Input `index-url`: is set together with `domain`'
    ],
    [{ 'index-password': 'x' }, 'Input `index-password`: is set without `index-url`']
  ])('rejects %j in one line', (inputs, message) => {
    setInputs(inputs)
    expect(() => getInputs()).toThrow(message)
  })
})

describe('what the Dockerfile does with the credentials', () => {
  const inputs = {
    mode: 'secret' as const,
    secretId: 'pip_index_url',
    buildArgName: 'PIP_INDEX_URL',
    file: 'Dockerfile'
  }

  it('says nothing when the secret is mounted', () => {
    const info = analyseDockerfile('FROM x\nRUN --mount=type=secret,id=pip_index_url pip install a\n')
    expect(unusedCredentials(info, inputs)).toBeUndefined()
    expect(buildFailureHint(info, inputs, 'podman')).toBe('the build output above names the step that failed')
  })

  it('names the ids the Dockerfile does mount when they differ', () => {
    const info = analyseDockerfile('FROM x\nRUN --mount=type=secret,id=pypi pip install a\n')
    expect(unusedCredentials(info, inputs)).toMatch(
      /never mounts the secret `pip_index_url`, so the build did not use the index credentials \(it mounts `pypi`: set `secret-id` to match\)/
    )
    expect(buildFailureHint(info, inputs, 'docker')).toMatch(
      /^the Dockerfile never mounts the secret `pip_index_url`, so no step could fetch private packages/
    )
  })

  it('build-arg mode looks for the ARG', () => {
    const info = analyseDockerfile('FROM x\nARG PIP_INDEX_URL\nRUN pip install a\n')
    expect(unusedCredentials(info, { ...inputs, mode: 'build-arg' })).toBeUndefined()
    expect(unusedCredentials(analyseDockerfile('FROM x\n'), { ...inputs, mode: 'build-arg' })).toMatch(
      /never declares `ARG PIP_INDEX_URL`/
    )
  })

  it('explains env-style mounts only for podman', () => {
    const info = analyseDockerfile('FROM x\nRUN --mount=type=secret,id=pip_index_url,env=PIP_INDEX_URL pip install a\n')
    expect(buildFailureHint(info, inputs, 'podman')).toMatch(/^podman does not support `env=` on secret mounts/)
    expect(buildFailureHint(info, inputs, 'docker')).toBe('the build output above names the step that failed')
    expect(
      buildFailureHint(
        info,
        inputs,
        'docker',
        "dockerfile parse error line 4: unexpected key 'env' in 'env=PIP_INDEX_URL'"
      )
    ).toMatch(/^this builder's Dockerfile frontend is older than 1\.10, which added `env=` on secret mounts/)
  })

  it.each([
    [
      'ERROR: Attestation is not supported for the docker driver.',
      /^this builder \(buildx's docker driver\) writes no attestations: leave `provenance` empty or `false`/
    ],
    [
      'ERROR: multiple outputs currently unsupported by the current BuildKit daemon, please upgrade to version v0.13+',
      /^this BuildKit \(before 0\.13\) takes one output: drop `load: true` when pushing/
    ]
  ])('reads what the builder refused: %s', (output, hint) => {
    const info = analyseDockerfile('FROM x\nRUN --mount=type=secret,id=pip_index_url pip install a\n')
    expect(buildFailureHint(info, inputs, 'docker', output)).toMatch(hint)
  })
})

describe('review fixes', () => {
  it('refuses `.` and `..` as secret ids (they are file names under /run/secrets)', () => {
    setInputs({ 'secret-id': '..' })
    expect(() => getInputs()).toThrow(/^Input `secret-id`: "\.\." is not valid/)
  })

  it('refuses ecr-registry without ecr-login', () => {
    setInputs({ 'ecr-registry': 'ecr.internal.example.com' })
    expect(() => getInputs()).toThrow(
      'Input `ecr-registry`: is set but `ecr-login` is false; set `ecr-login: true` (the hosts are where the ECR token logs in).'
    )
  })

  it('masks a token given as the user name of index-url, and names the input for bad encoding', () => {
    setInputs({ 'index-url': 'https://tok3n-as-user@pypi.example.com/simple/' })
    getInputs()
    expect(registeredSecrets()).toContain('tok3n-as-user')
    setInputs({ 'index-url': 'https://user:%E0%A4%A@pypi.example.com/simple/' })
    expect(() => getInputs()).toThrow(/^Input `index-url`: has malformed percent-encoding/)
  })

  it.each([
    [{ 'index-url': 'http://pypi.internal/simple/', 'index-username': 'aws', 'index-password': 'pw' }],
    [{ 'index-url': 'http://aws:pw@pypi.internal/simple/' }],
    [{ 'index-url': 'http://token-as-user@pypi.internal/simple/' }]
  ])('refuses credentials for a plain-http index beyond loopback: %j', (inputs) => {
    setInputs(inputs)
    expect(() => getInputs()).toThrow(
      'Input `index-url`: would send credentials over plain http to pypi.internal; use an https:// URL (or, only on a network you trust end to end, set `allow-insecure-http: true`).'
    )
  })

  it.each<Record<string, string>>([
    { 'index-url': 'http://127.0.0.1:8080/simple/', 'index-username': 'aws', 'index-password': 'pw' },
    {
      'index-url': 'http://pypi.internal/simple/',
      'index-username': 'aws',
      'index-password': 'pw',
      'allow-insecure-http': 'true'
    },
    { 'index-url': 'http://pypi.internal/simple/' }
  ])('accepts %j (loopback, the opt-in, or nothing to send)', (inputs) => {
    setInputs(inputs)
    expect(getInputs().index.kind).toBe('index-url')
  })
})
