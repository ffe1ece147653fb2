// The whole local stand-in for AWS + GitHub, wired the way a workflow run sees it:
//
//   OIDC fixture --jwt--> STS gate (trust policy) --> moto (STS, ECR, S3)
//   CodeArtifact fixture (SigV4 against moto's sessions) --endpoint--> fault proxy --> pypiserver
//
// Usage in a test file:
//   let stack: Stack
//   beforeAll(async () => { stack = await startStack() })
//   afterAll(() => stack?.stop())
// and hand `stack.env` to the child process under test.
import { randomBytes } from 'node:crypto'
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts'
import { startCodeArtifactFixture } from './codeartifact-fixture.ts'
import type { CodeArtifactFixture, Operation } from './codeartifact-fixture.ts'
import { startFaultProxy } from './fault-proxy.ts'
import type { FaultProxy } from './fault-proxy.ts'
import { startMoto } from './moto.ts'
import type { MotoServer } from './moto.ts'
import { startOidcFixture } from './oidc-fixture.ts'
import type { OidcFixture, OidcFixtureOptions } from './oidc-fixture.ts'
import { startPypiServer } from './pypiserver.ts'
import type { PypiServer, PypiUser } from './pypiserver.ts'
import { DEFAULT_TRUST_POLICY, startStsGate } from './sts-gate.ts'
import type { StsGate, TrustPolicy } from './sts-gate.ts'

export interface StackOptions {
  /** Default us-east-1. */
  region?: string
  /** Default acme. */
  domain?: string
  /** Default 111122223333. */
  domainOwner?: string
  /** Default python-internal. */
  repository?: string
  /** Default arn:aws:iam::111122223333:role/gh-publish. */
  roleArn?: string
  /** The CodeArtifact token (= pypiserver password of user `aws`); random when omitted. */
  token?: string
  /** More pypiserver users, for the "any PyPI index" path. Default: uploader / s3cret. */
  users?: PypiUser[]
  /** Trust policy of roleArn (and of any other role). Default: aud sts.amazonaws.com, sub repo:acme/widgets:*. */
  trustPolicy?: TrustPolicy
  /** CodeArtifact operations the role may not call. */
  denyOperations?: Array<Operation | 'GetServiceBearerToken'>
  oidc?: OidcFixtureOptions
  /** Keep the index's packages in this directory across stacks (local runs); default a temp one. */
  packagesDir?: string
  /**
   * More repositories (promotion targets), each with a pypiserver of its own behind its own
   * fault proxy; `domain` defaults to the stack's (another name makes a second domain of the
   * same owner, as a prod domain beside a dev one).
   */
  extraRepositories?: Array<{ name: string; domain?: string }>
}

/** One more repository of the stack, served by a pypiserver of its own. */
export interface StackRepository {
  readonly domain: string
  readonly name: string
  readonly repositoryEndpoint: string
  readonly indexUrl: string
  readonly uploadUrl: string
  readonly pypiserver: PypiServer
  readonly index: FaultProxy
}

// Type aliases, not interfaces: they stay assignable to Record<string, string> (env objects).
export type StackEnv = {
  AWS_ENDPOINT_URL_STS: string
  AWS_ENDPOINT_URL_CODEARTIFACT: string
  AWS_ENDPOINT_URL_ECR: string
  AWS_ENDPOINT_URL_S3: string
  AWS_ENDPOINT_URL_LAMBDA: string
  ACTIONS_ID_TOKEN_REQUEST_URL: string
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: string
  AWS_EC2_METADATA_DISABLED: 'true'
}

export type AmbientCredentials = {
  AWS_ACCESS_KEY_ID: string
  AWS_SECRET_ACCESS_KEY: string
  AWS_SESSION_TOKEN: string
}

export interface Stack {
  /** Variables for a child process: AWS endpoints, the OIDC request URL and token, no IMDS. */
  readonly env: StackEnv
  /** The CodeArtifact authorization token; also the pypiserver password of user `aws`. */
  readonly token: string
  readonly domain: string
  readonly domainOwner: string
  readonly repository: string
  readonly region: string
  readonly roleArn: string
  /** GetRepositoryEndpoint's answer: `http://127.0.0.1:P/pypi/<repository>/`. */
  readonly repositoryEndpoint: string
  /** The simple index, no credentials: `${repositoryEndpoint}simple/`. */
  readonly indexUrl: string
  /** Where twine uploads, no credentials: the repository endpoint. */
  readonly uploadUrl: string
  /** Extra pypiserver users (besides `aws`). */
  readonly users: PypiUser[]
  readonly pypiserver: PypiServer
  readonly moto: MotoServer
  readonly codeartifact: CodeArtifactFixture
  readonly oidc: OidcFixture
  /** The fault proxy in front of pypiserver that every index URL points at. */
  readonly index: FaultProxy
  readonly stsGate: StsGate
  /** The extraRepositories, by `${domain}/${name}`. */
  readonly repositories: ReadonlyMap<string, StackRepository>
  /** How long startStack took. */
  readonly startupMs: number
  /** Session credentials from moto via sts:AssumeRole, as if configured before the action ran. */
  ambientCredentials(): Promise<AmbientCredentials>
  /** Stops every server and process and removes temp files; safe to call twice. */
  stop(): Promise<void>
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const started = Date.now()
  const region = options.region ?? 'us-east-1'
  const domain = options.domain ?? 'acme'
  const domainOwner = options.domainOwner ?? '111122223333'
  const repository = options.repository ?? 'python-internal'
  const roleArn = options.roleArn ?? `arn:aws:iam::${domainOwner}:role/gh-publish`
  const users = options.users ?? [{ user: 'uploader', password: 's3cret' }]
  // Real tokens are long base64url strings too; one value serves CodeArtifact and pypiserver.
  const token = options.token ?? randomBytes(96).toString('base64url')
  const stoppers: Array<() => Promise<void>> = []
  const stopAll = async (): Promise<void> => {
    // All at once: each part stops on its own, and a failing one must not keep others alive.
    const results = await Promise.allSettled(stoppers.splice(0).map((stop) => stop()))
    const failed = results.find((r) => r.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
  }
  const track = async <T extends { stop(): Promise<void> }>(starting: Promise<T>): Promise<T> => {
    const part = await starting
    stoppers.push(() => part.stop())
    return part
  }

  try {
    // The Python servers take ~0.5-1.5 s to import; everything else starts while they do.
    const [moto, pypiserver, oidc] = await Promise.all([
      track(startMoto()),
      track(startPypiServer({ users: [{ user: 'aws', password: token }, ...users], packagesDir: options.packagesDir })),
      track(startOidcFixture(options.oidc))
    ])
    const pathPrefix = `/pypi/${repository}`
    const [index, stsGate] = await Promise.all([
      track(startFaultProxy({ target: pypiserver.url, pathPrefix })),
      track(
        startStsGate({
          target: moto.url,
          publicKey: oidc.publicKey,
          issuer: oidc.issuer,
          defaultPolicy: options.trustPolicy ?? DEFAULT_TRUST_POLICY
        })
      )
    ])
    const repositoryEndpoint = `${index.url}${pathPrefix}/`
    // Each extra repository is a pypiserver of its own: one pypiserver serves one directory
    // under one URL, and a repository's index must list only its own files.
    const extras = await Promise.all(
      (options.extraRepositories ?? []).map(async (extra): Promise<StackRepository> => {
        const server = await track(startPypiServer({ users: [{ user: 'aws', password: token }, ...users] }))
        const prefix = `/pypi/${extra.name}`
        const proxy = await track(startFaultProxy({ target: server.url, pathPrefix: prefix }))
        const endpoint = `${proxy.url}${prefix}/`
        return {
          domain: extra.domain ?? domain,
          name: extra.name,
          repositoryEndpoint: endpoint,
          indexUrl: `${endpoint}simple/`,
          uploadUrl: endpoint,
          pypiserver: server,
          index: proxy
        }
      })
    )
    const codeartifact = await track(
      startCodeArtifactFixture({
        domain,
        domainOwner,
        region,
        token,
        repositories: [
          { name: repository, endpoint: repositoryEndpoint, packagesDir: pypiserver.packagesDir },
          ...extras.map((r) => ({
            name: r.name,
            domain: r.domain,
            endpoint: r.repositoryEndpoint,
            packagesDir: r.pypiserver.packagesDir
          }))
        ],
        credentials: () => moto.sessionCredentials(),
        denyOperations: options.denyOperations
      })
    )
    let stopped: Promise<void> | undefined
    return {
      env: {
        AWS_ENDPOINT_URL_STS: stsGate.url,
        AWS_ENDPOINT_URL_CODEARTIFACT: codeartifact.url,
        AWS_ENDPOINT_URL_ECR: moto.url,
        // moto serves S3 too (publish-python's s3-archive); path-style, as the endpoint is an IP.
        AWS_ENDPOINT_URL_S3: moto.url,
        // and Lambda layers (lambda-layer's PublishLayerVersion; layers need no Docker in moto).
        AWS_ENDPOINT_URL_LAMBDA: moto.url,
        ...oidc.env,
        AWS_EC2_METADATA_DISABLED: 'true'
      },
      token,
      domain,
      domainOwner,
      repository,
      region,
      roleArn,
      repositoryEndpoint,
      indexUrl: `${repositoryEndpoint}simple/`,
      uploadUrl: repositoryEndpoint,
      users,
      pypiserver,
      moto,
      codeartifact,
      oidc,
      index,
      stsGate,
      repositories: new Map(extras.map((r) => [`${r.domain}/${r.name}`, r])),
      startupMs: Date.now() - started,
      ambientCredentials: () => assumeRole(moto.url, region, roleArn),
      stop() {
        stopped ??= stopAll()
        return stopped
      }
    }
  } catch (error) {
    await stopAll().catch(() => {})
    throw error
  }
}

async function assumeRole(motoUrl: string, region: string, roleArn: string): Promise<AmbientCredentials> {
  // Straight to moto (the gate only guards the web-identity path); moto takes any signer.
  const sts = new STSClient({
    region,
    endpoint: motoUrl,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'stack-bootstrap' }
  })
  try {
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'ambient' }))
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('moto returned no credentials')
    return {
      AWS_ACCESS_KEY_ID: c.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
      AWS_SESSION_TOKEN: c.SessionToken
    }
  } finally {
    sts.destroy()
  }
}
