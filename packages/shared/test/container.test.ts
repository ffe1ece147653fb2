import { jest } from '@jest/globals'
import {
  type BuildSpec,
  buildArgs,
  loginArgs,
  logoutArgs,
  pushArgs,
  unsupportedReason
} from '../src/container/build-argv.ts'
import { analyseDockerfile, mountsOf } from '../src/container/dockerfile.ts'
import { decodeEcrToken } from '../src/container/ecr.ts'
import { ecrLoginRegistries, parseEcrRegistry, parseImageRef } from '../src/container/image-ref.ts'
import { ActionError } from '../src/errors.ts'
import { registeredSecrets, resetSecretsForTests } from '../src/secrets.ts'

beforeEach(() => {
  resetSecretsForTests()
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(() => jest.restoreAllMocks())

const base: BuildSpec = {
  context: '.',
  file: './Dockerfile',
  tags: [],
  buildArgs: [],
  labels: [],
  platforms: [],
  secrets: [],
  iidFile: '/tmp/d/image-id',
  push: false,
  load: false
}

describe('buildArgs', () => {
  it.each<[string, 'docker' | 'podman', Partial<BuildSpec>, string[]]>([
    ['podman, minimal', 'podman', {}, ['build', '--file', './Dockerfile', '--iidfile', '/tmp/d/image-id', '.']],
    [
      'podman, everything; push and load are not build flags',
      'podman',
      {
        context: 'svc',
        file: 'svc/Dockerfile.prod',
        tags: ['ghcr.io/acme/svc:1', 'ghcr.io/acme/svc:latest'],
        buildArgs: ['APP_ENV=prod,eu', 'EMPTY='],
        envBuildArgs: ['PIP_INDEX_URL'],
        labels: ['org.opencontainers.image.source=https://github.com/acme/svc'],
        target: 'runtime',
        platforms: ['linux/arm64'],
        secrets: [{ id: 'pip_index_url', src: '/runner/tmp/docker-build-auth-x/pip_index_url' }],
        push: true,
        load: true
      },
      [
        'build',
        '--file',
        'svc/Dockerfile.prod',
        '--tag',
        'ghcr.io/acme/svc:1',
        '--tag',
        'ghcr.io/acme/svc:latest',
        '--build-arg',
        'APP_ENV=prod,eu',
        '--build-arg',
        'EMPTY=',
        '--build-arg',
        'PIP_INDEX_URL',
        '--label',
        'org.opencontainers.image.source=https://github.com/acme/svc',
        '--target',
        'runtime',
        '--platform',
        'linux/arm64',
        '--secret',
        'id=pip_index_url,src=/runner/tmp/docker-build-auth-x/pip_index_url',
        '--iidfile',
        '/tmp/d/image-id',
        'svc'
      ]
    ],
    [
      'docker buildx, pushed, with metadata file and several platforms',
      'docker',
      {
        tags: ['111122223333.dkr.ecr.us-east-1.amazonaws.com/svc:1'],
        platforms: ['linux/amd64', 'linux/arm64'],
        secrets: [{ id: 'pip_index_url', src: '/t/pip_index_url' }],
        metadataFile: '/tmp/d/metadata.json',
        push: true
      },
      [
        'buildx',
        'build',
        '--file',
        './Dockerfile',
        '--tag',
        '111122223333.dkr.ecr.us-east-1.amazonaws.com/svc:1',
        '--platform',
        'linux/amd64,linux/arm64',
        '--secret',
        'id=pip_index_url,src=/t/pip_index_url',
        '--iidfile',
        '/tmp/d/image-id',
        '--metadata-file',
        '/tmp/d/metadata.json',
        '--push',
        '.'
      ]
    ],
    [
      'podman: network, caches as repositories, no-cache and pull=always; no attestation flags',
      'podman',
      {
        network: 'host',
        cacheFrom: ['ghcr.io/acme/svc-cache'],
        cacheTo: ['ghcr.io/acme/svc-cache'],
        noCache: true,
        pull: true,
        provenance: 'false'
      },
      [
        'build',
        '--file',
        './Dockerfile',
        '--network',
        'host',
        '--cache-from',
        'ghcr.io/acme/svc-cache',
        '--cache-to',
        'ghcr.io/acme/svc-cache',
        '--no-cache',
        '--iidfile',
        '/tmp/d/image-id',
        '--pull=always',
        '.'
      ]
    ],
    [
      'docker buildx, network none needs no entitlement',
      'docker',
      { network: 'none', sbom: 'false' },
      [
        'buildx',
        'build',
        '--file',
        './Dockerfile',
        '--network',
        'none',
        '--iidfile',
        '/tmp/d/image-id',
        '--sbom=false',
        '.'
      ]
    ],
    [
      'docker buildx, loaded',
      'docker',
      { load: true },
      ['buildx', 'build', '--file', './Dockerfile', '--iidfile', '/tmp/d/image-id', '--load', '.']
    ]
  ])('%s', (_name, kind, spec, expected) => {
    expect(buildArgs(kind, { ...base, ...spec })).toEqual(expected)
  })

  it.each<[string, Partial<BuildSpec>, string]>([
    ['provenance', { provenance: 'mode=max' }, 'podman writes no provenance or SBOM attestations'],
    ['sbom', { sbom: 'true' }, 'podman writes no provenance or SBOM attestations'],
    ['a BuildKit cache form', { cacheTo: ['type=registry,ref=x'] }, 'podman takes image repositories']
  ])('podman refuses %s', (_name, spec, reason) => {
    expect(unsupportedReason('podman', { ...base, ...spec })).toContain(reason)
    expect(unsupportedReason('docker', { ...base, ...spec })).toBeUndefined()
  })

  it('puts the legacy build arg in argv by name only', () => {
    const argv = buildArgs('podman', { ...base, envBuildArgs: ['PIP_INDEX_URL'] })
    expect(argv.slice(argv.indexOf('--build-arg'), argv.indexOf('--build-arg') + 2)).toEqual([
      '--build-arg',
      'PIP_INDEX_URL'
    ])
  })

  it('push, login and logout argv; the password is never an argument', () => {
    expect(pushArgs('127.0.0.1:5000/svc:1', '/tmp/d/digest-0')).toEqual([
      'push',
      '--digestfile',
      '/tmp/d/digest-0',
      '127.0.0.1:5000/svc:1'
    ])
    expect(loginArgs('111122223333.dkr.ecr.us-east-1.amazonaws.com', 'AWS')).toEqual([
      'login',
      '--username',
      'AWS',
      '--password-stdin',
      '111122223333.dkr.ecr.us-east-1.amazonaws.com'
    ])
    expect(logoutArgs('ghcr.io')).toEqual(['logout', 'ghcr.io'])
  })

  it.each<['docker' | 'podman', Pick<BuildSpec, 'platforms' | 'tags' | 'push'>, RegExp | undefined]>([
    [
      'podman',
      { platforms: ['linux/amd64', 'linux/arm64'], tags: [], push: false },
      /podman builds several platforms only into a manifest list/
    ],
    ['docker', { platforms: ['linux/amd64', 'linux/arm64'], tags: [], push: false }, undefined],
    ['podman', { platforms: ['linux/arm64'], tags: ['a:1'], push: true }, undefined],
    ['docker', { platforms: [], tags: [], push: true }, /needs at least one entry in `tags`/]
  ])('unsupportedReason(%s, %j)', (kind, spec, expected) => {
    const reason = unsupportedReason(kind, spec)
    if (expected) expect(reason).toMatch(expected)
    else expect(reason).toBeUndefined()
  })
})

describe('analyseDockerfile', () => {
  it('finds secret mounts across continuations, comments and option orders', () => {
    const info = analyseDockerfile(
      [
        '# syntax=docker/dockerfile:1',
        'FROM python:3.12-slim AS build',
        'ARG APP_ENV=prod BUILD_NO',
        'RUN --mount=type=cache,target=/root/.cache/pip \\',
        '    # a comment inside the instruction',
        '    --mount=type=secret,id=pip_index_url \\',
        '',
        '    PIP_INDEX_URL="$(cat /run/secrets/pip_index_url)" pip install -r requirements.txt',
        'run --mount=target=/run/secrets/uv_index,type=secret uv sync',
        'RUN --mount=type=secret,id=pip_index_url,env=PIP_INDEX_URL pip install acme-widgets',
        'RUN echo --mount=type=secret,id=not_a_flag',
        'RUN --network=none --mount=type=secret,required=true,id=other true'
      ].join('\n')
    )
    expect(info.secretMounts).toEqual([
      { id: 'pip_index_url', target: undefined, env: undefined, line: 4 },
      { id: 'uv_index', target: '/run/secrets/uv_index', env: undefined, line: 9 },
      { id: 'pip_index_url', target: undefined, env: 'PIP_INDEX_URL', line: 10 },
      { id: 'other', target: undefined, env: undefined, line: 12 }
    ])
    expect(info.args).toEqual(['APP_ENV', 'BUILD_NO'])
    expect(info.instructions.map((instruction) => instruction.keyword)).toEqual([
      'FROM',
      'ARG',
      'RUN',
      'RUN',
      'RUN',
      'RUN',
      'RUN'
    ])
    expect(mountsOf(info, 'pip_index_url').map((mount) => mount.line)).toEqual([4, 10])
    expect(mountsOf(info, 'nope')).toEqual([])
  })

  it('honours the escape directive', () => {
    const info = analyseDockerfile(
      ['# escape=`', 'FROM scratch', 'RUN --mount=type=secret,id=s `', '    type C:\\run\\secrets\\s'].join('\r\n')
    )
    expect(info.secretMounts).toEqual([{ id: 's', target: undefined, env: undefined, line: 3 }])
  })

  it('finds nothing in a Dockerfile without mounts or ARGs', () => {
    expect(analyseDockerfile('FROM scratch\nCOPY . /app\n')).toEqual({
      secretMounts: [],
      args: [],
      instructions: [
        { keyword: 'FROM', line: 1 },
        { keyword: 'COPY', line: 2 }
      ]
    })
  })
})

describe('image references', () => {
  it.each([
    ['service', { registry: undefined, path: 'service', tag: undefined }],
    ['acme/service:1.2.0', { registry: undefined, path: 'acme/service', tag: '1.2.0' }],
    ['localhost/service', { registry: 'localhost', path: 'service', tag: undefined }],
    ['127.0.0.1:5000/acme/service:latest', { registry: '127.0.0.1:5000', path: 'acme/service', tag: 'latest' }],
    [
      '111122223333.dkr.ecr.us-east-1.amazonaws.com/team/svc:v1',
      { registry: '111122223333.dkr.ecr.us-east-1.amazonaws.com', path: 'team/svc', tag: 'v1' }
    ]
  ])('parses %s', (reference, expected) => {
    expect(parseImageRef(reference)).toEqual(expected)
  })

  it.each(['', 'Service:1', 'acme/service@sha256:abc', 'ghcr.io/acme/service:', 'ghcr.io/acme//svc', 'a:b:c'])(
    'rejects %j',
    (reference) => {
      expect(parseImageRef(reference)).toBeUndefined()
    }
  )

  it.each([
    ['111122223333.dkr.ecr.us-east-1.amazonaws.com', { accountId: '111122223333', region: 'us-east-1' }],
    ['111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com', { accountId: '111122223333', region: 'us-gov-west-1' }],
    ['111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn', { accountId: '111122223333', region: 'cn-north-1' }],
    ['111122223333.dkr-ecr.eu-west-1.on.aws', { accountId: '111122223333', region: 'eu-west-1' }],
    ['public.ecr.aws', undefined],
    ['ghcr.io', undefined]
  ])('parseEcrRegistry(%s)', (host, expected) => {
    expect(parseEcrRegistry(host)).toEqual(expected)
  })

  it('logs in to the ECR registries the tags name, else to every registry they name', () => {
    const ecr = '111122223333.dkr.ecr.us-east-1.amazonaws.com'
    expect(ecrLoginRegistries([`${ecr}/a:1`, `${ecr}/a:latest`, 'ghcr.io/acme/a:1', 'plain:1'])).toEqual([ecr])
    // A registry outside ECR never gets the AWS token unless it is listed explicitly.
    expect(ecrLoginRegistries(['registry.internal.example.com/a:1', 'plain:1'])).toEqual([])
    expect(ecrLoginRegistries(['registry.internal.example.com/a:1'], ['ecr.internal.example.com'])).toEqual([
      'ecr.internal.example.com'
    ])
    expect(ecrLoginRegistries(['plain:1'])).toEqual([])
  })
})

describe('decodeEcrToken', () => {
  it('splits base64(user:password)', () => {
    expect(decodeEcrToken(Buffer.from('AWS:eyJwYXlsb2FkIjoi:x=').toString('base64'))).toEqual({
      username: 'AWS',
      password: 'eyJwYXlsb2FkIjoi:x='
    })
    expect(registeredSecrets()).toEqual([])
  })

  it('refuses a token that is not user:password', () => {
    expect(() => decodeEcrToken(Buffer.from('no-colon').toString('base64'))).toThrow(ActionError)
  })
})
