// The CodeArtifact control plane (REST-JSON, API version 2018-09-22) for the three calls the
// actions make - neither moto nor free LocalStack has CodeArtifact. Shapes follow the AWS API
// reference and what @aws-sdk/client-codeartifact serializes:
//   POST /v1/authorization-token?domain=&domain-owner=&duration=       GetAuthorizationToken
//   GET  /v1/repository/endpoint?domain=&domain-owner=&repository=&format=  GetRepositoryEndpoint
//   POST /v1/package/versions?domain=&domain-owner=&repository=&format=&package=  ListPackageVersions
// and the promotion and retirement calls (see package-store.ts for what each status does to
// what pypiserver serves):
//   GET  /v1/package/version?...&version=                      DescribePackageVersion
//   POST /v1/package/version/assets?...&version=               ListPackageVersionAssets
//   GET  /v1/package/version/asset?...&version=&asset=         GetPackageVersionAsset (the bytes)
//   POST /v1/package/versions/copy?domain=&source-repository=&destination-repository=&...  CopyPackageVersions
//   POST /v1/package/versions/update_status?...                UpdatePackageVersionsStatus
//   POST /v1/package/versions/dispose?...                      DisposePackageVersions
// Repositories may sit in several domains of the same owner (a dev and a prod domain).
// Every call must be SigV4-signed with session credentials moto issued. The token handed out
// is fixed per fixture start and is also pypiserver's `aws` password, so every token works.
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { randomBytes } from 'node:crypto'
import { closeServer, listen, readBody, sendJson } from './http-util.ts'
import type { SessionCredentials } from './moto.ts'
import { readFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import {
  type PackageStore,
  VERSION_STATUSES,
  type VersionRecord,
  type VersionStatus,
  packageStore
} from './package-store.ts'
import { normalizeName } from './pypi-packages.ts'
import { verifySigV4 } from './sigv4-verify.ts'

export type Operation =
  | 'GetAuthorizationToken'
  | 'GetRepositoryEndpoint'
  | 'ListPackageVersions'
  | 'DescribePackageVersion'
  | 'ListPackageVersionAssets'
  | 'GetPackageVersionAsset'
  | 'CopyPackageVersions'
  | 'UpdatePackageVersionsStatus'
  | 'DisposePackageVersions'

export interface CodeArtifactRepository {
  name: string
  /** Default: the fixture's `domain`. */
  domain?: string
  /** pypi endpoint with trailing slash; the simple index is `${endpoint}simple/`. */
  endpoint: string
  /** The pypiserver packages directory behind this repository. */
  packagesDir: string
  /** Where versions that are not Published keep their files, out of pypiserver's sight; default `${packagesDir}.held`. */
  heldDir?: string
}

export interface CodeArtifactFixtureOptions {
  domain: string
  domainOwner: string
  region: string
  repositories: CodeArtifactRepository[]
  /** The token every GetAuthorizationToken returns; random (base64url) when omitted. */
  token?: string
  /** Session credentials by access key id (moto's assumed roles). */
  credentials: () => Promise<Map<string, SessionCredentials>>
  /** Operations the caller's IAM policy lacks; `GetServiceBearerToken` denies the sts half of GetAuthorizationToken. */
  denyOperations?: Iterable<Operation | 'GetServiceBearerToken'>
}

export interface CodeArtifactFault {
  status: number
  /** Default by status: 429 ThrottlingException, 503 ServiceUnavailableException, other 5xx InternalServerException. */
  errorType?: string
  message?: string
  /** Sent as Retry-After (CodeArtifact's ThrottlingException.retryAfterSeconds). */
  retryAfterSeconds?: number
  /** Close the connection without an answer instead. */
  drop?: boolean
  /** Stays until clearFaults(). */
  persistent?: boolean
}

export interface CodeArtifactLogEntry {
  operation: Operation | 'Unknown'
  method: string
  query: Record<string, string>
  signedOk: boolean
  /** Error type of a refused signature, e.g. InvalidSignatureException. */
  authError?: string
  /** Assumed-role ARN of a correctly signed caller. */
  caller?: string
  /** The SignedHeaders list of the Authorization header (names only, never values). */
  signedHeaders?: string[]
  status: number
  fault: boolean
}

export interface CodeArtifactFixture {
  readonly url: string
  readonly token: string
  readonly domain: string
  readonly domainOwner: string
  readonly region: string
  readonly log: CodeArtifactLogEntry[]
  /** Live set: add or delete operations to change the caller's permissions mid-test. */
  readonly denyOperations: Set<string>
  /** Faults for one operation (or '*' for any), consumed one per request in order. */
  injectFaults(operation: Operation | '*', faults: CodeArtifactFault[]): void
  /**
   * Runs once, inside the next status change (UpdatePackageVersionsStatus or
   * DisposePackageVersions), before the versions are read: another run changing a status in
   * between, for the `expectedStatus` race guard.
   */
  beforeNextStatusChange(hook: (change: StatusChange) => Promise<void>): void
  clearFaults(): void
  clearLog(): void
  stop(): Promise<void>
}

export interface StatusChange {
  name: string
  versions: string[]
  /** Sets a version's status in the repository being changed, as another caller would. */
  setStatus(version: string, status: VersionStatus): Promise<void>
}

class ApiError extends Error {
  readonly status: number
  readonly errorType: string
  readonly extra: Record<string, string>
  constructor(status: number, errorType: string, message: string, extra: Record<string, string> = {}) {
    super(message)
    this.status = status
    this.errorType = errorType
    this.extra = extra
  }
}

const ROUTES: Record<string, Operation> = {
  'POST /v1/authorization-token': 'GetAuthorizationToken',
  'GET /v1/repository/endpoint': 'GetRepositoryEndpoint',
  'POST /v1/package/versions': 'ListPackageVersions',
  'GET /v1/package/version': 'DescribePackageVersion',
  'POST /v1/package/version/assets': 'ListPackageVersionAssets',
  'GET /v1/package/version/asset': 'GetPackageVersionAsset',
  'POST /v1/package/versions/copy': 'CopyPackageVersions',
  'POST /v1/package/versions/update_status': 'UpdatePackageVersionsStatus',
  'POST /v1/package/versions/dispose': 'DisposePackageVersions'
}
const FORMATS = ['npm', 'pypi', 'maven', 'nuget', 'generic', 'ruby', 'swift', 'cargo']
const DEFAULT_ERROR_TYPE: Record<number, string> = {
  400: 'ValidationException',
  402: 'ServiceQuotaExceededException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  409: 'ConflictException',
  429: 'ThrottlingException',
  503: 'ServiceUnavailableException'
}

export async function startCodeArtifactFixture(options: CodeArtifactFixtureOptions): Promise<CodeArtifactFixture> {
  const token = options.token ?? randomBytes(96).toString('base64url')
  const repositories = new Map(options.repositories.map((r) => [`${r.domain ?? options.domain}/${r.name}`, r]))
  const domains = new Set([options.domain, ...options.repositories.map((r) => r.domain ?? options.domain)])
  const stores = new Map(
    options.repositories.map((r) => [r, packageStore(r.packagesDir, r.heldDir ?? `${r.packagesDir}.held`)])
  )
  const storeOf = (repository: CodeArtifactRepository): PackageStore => stores.get(repository) as PackageStore
  const denyOperations = new Set<string>(options.denyOperations ?? [])
  let statusChangeHook: ((change: StatusChange) => Promise<void>) | undefined
  const log: CodeArtifactLogEntry[] = []
  const faults = new Map<string, CodeArtifactFault[]>()
  let known = new Map<string, SessionCredentials>()

  const lookup = async (accessKeyId: string, refresh: boolean): Promise<SessionCredentials | undefined> => {
    if (refresh) known = await options.credentials()
    return known.get(accessKeyId)
  }

  const takeFault = (operation: Operation): CodeArtifactFault | undefined => {
    for (const key of [operation, '*']) {
      const queue = faults.get(key)
      const fault = queue?.[0]
      if (queue && fault) {
        if (!fault.persistent) queue.shift()
        return fault
      }
    }
    return undefined
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((error) => {
      if (res.headersSent) res.destroy()
      else sendError(res, new ApiError(500, 'InternalServerException', (error as Error).message))
    })
  })

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://fixture')
    const query = Object.fromEntries(url.searchParams)
    const operation = ROUTES[`${req.method} ${url.pathname}`]
    const entry: CodeArtifactLogEntry = {
      operation: operation ?? 'Unknown',
      method: req.method ?? '',
      query,
      signedOk: false,
      signedHeaders: /SignedHeaders=([^,\s]+)/.exec(req.headers.authorization ?? '')?.[1]?.split(';'),
      status: 0,
      fault: false
    }
    log.push(entry)
    res.on('finish', () => {
      entry.status = res.statusCode
    })
    if (!operation) {
      return sendError(
        res,
        new ApiError(
          404,
          'UnknownOperationException',
          `The stack's CodeArtifact fixture does not implement ${req.method} ${url.pathname}`
        )
      )
    }
    const verdict = await verifySigV4(
      { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
      { region: options.region, service: 'codeartifact', lookup }
    )
    if (!verdict.ok) {
      entry.authError = verdict.errorType
      return sendError(res, new ApiError(verdict.status, verdict.errorType, verdict.message))
    }
    entry.signedOk = true
    entry.caller = verdict.caller.arn
    const fault = takeFault(operation)
    if (fault) {
      entry.fault = true
      if (fault.drop) return void req.socket.destroy()
      const errorType = fault.errorType ?? DEFAULT_ERROR_TYPE[fault.status] ?? 'InternalServerException'
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) }
      return sendError(
        res,
        new ApiError(fault.status, errorType, fault.message ?? defaultFaultMessage(fault.status)),
        headers
      )
    }
    try {
      const result = await HANDLERS[operation](url.searchParams, verdict.caller, body)
      if (result instanceof Asset) return result.send(res)
      sendJson(res, 200, result)
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      sendError(res, error)
    }
  }

  // Validation, then IAM, then the owner, then existence - the order AWS evaluates them in.
  const authorize = (
    operation: Operation,
    params: URLSearchParams,
    caller: SessionCredentials,
    needsRepository: boolean | string,
    packageName?: string
  ): { owner: string; repository?: CodeArtifactRepository } => {
    const domain = required(params, 'domain')
    if (!/^[a-z][a-z0-9-]{0,48}[a-z0-9]$/.test(domain))
      throw fieldError(
        'domain',
        domain,
        'Member must satisfy regular expression pattern: [a-z][a-z0-9\\-]{0,48}[a-z0-9]'
      )
    const givenOwner = params.get('domain-owner')
    if (givenOwner !== null && !/^[0-9]{12}$/.test(givenOwner))
      throw fieldError('domainOwner', givenOwner, 'Member must satisfy regular expression pattern: [0-9]{12}')
    // CopyPackageVersions names its repositories `source-repository` and `destination-repository`.
    const repoName = needsRepository
      ? required(params, typeof needsRepository === 'string' ? needsRepository : 'repository')
      : undefined
    const owner = givenOwner ?? caller.accountId
    // The resource IAM evaluates: the domain, the repository, or the package (no namespace for pypi).
    const arnBase = `arn:aws:codeartifact:${options.region}:${owner}`
    const resourceArn =
      repoName === undefined
        ? `${arnBase}:domain/${domain}`
        : packageName === undefined
          ? `${arnBase}:repository/${domain}/${repoName}`
          : `${arnBase}:package/${domain}/${repoName}/${params.get('format')}//${packageName}`
    if (denyOperations.has(operation)) throw accessDenied(caller, `codeartifact:${operation}`, resourceArn)
    if (operation === 'GetAuthorizationToken' && denyOperations.has('GetServiceBearerToken')) {
      throw accessDenied(caller, 'sts:GetServiceBearerToken', caller.arn)
    }
    if (owner !== options.domainOwner) {
      if (givenOwner !== null) throw accessDenied(caller, `codeartifact:${operation}`, resourceArn)
      throw new ApiError(
        404,
        'ResourceNotFoundException',
        `Domain not found. Domain '${domain}' in account '${owner}'`,
        { resourceId: domain, resourceType: 'domain' }
      )
    }
    if (!domains.has(domain)) {
      throw new ApiError(
        404,
        'ResourceNotFoundException',
        `Domain not found. Domain '${domain}' in account '${owner}'`,
        { resourceId: domain, resourceType: 'domain' }
      )
    }
    if (repoName === undefined) return { owner }
    const repository = repositories.get(`${domain}/${repoName}`)
    if (!repository) {
      throw new ApiError(
        404,
        'ResourceNotFoundException',
        `Repository not found. Repository '${repoName}' in domain '${domain}'`,
        { resourceId: repoName, resourceType: 'repository' }
      )
    }
    return { owner, repository }
  }

  const HANDLERS: Record<
    Operation,
    (params: URLSearchParams, caller: SessionCredentials, body: Buffer) => Promise<unknown>
  > = {
    async GetAuthorizationToken(params, caller) {
      const durationText = params.get('duration')
      const duration = durationText === null ? 43200 : Number(durationText)
      if (!Number.isInteger(duration) || (duration !== 0 && (duration < 900 || duration > 43200))) {
        throw fieldError('durationSeconds', durationText ?? '', 'Member must be 0 or between 900 and 43200')
      }
      authorize('GetAuthorizationToken', params, caller, false)
      // 0 means "as long as the caller's session"; moto sessions last an hour.
      const seconds = duration === 0 ? 3600 : duration
      return { authorizationToken: token, expiration: Math.floor(Date.now() / 1000) + seconds }
    },
    async GetRepositoryEndpoint(params, caller) {
      const format = requiredFormat(params)
      const endpointType = params.get('endpointType')
      if (endpointType !== null && !['ipv4', 'dualstack'].includes(endpointType)) {
        throw fieldError('endpointType', endpointType, 'Member must satisfy enum value set: [dualstack, ipv4]')
      }
      const { repository } = authorize('GetRepositoryEndpoint', params, caller, true)
      return { repositoryEndpoint: repository!.endpoint.replace('/pypi/', `/${format}/`) }
    },
    async ListPackageVersions(params, caller) {
      const format = requiredFormat(params)
      const name = normalizeName(required(params, 'package'))
      const { repository } = authorize('ListPackageVersions', params, caller, true, name)
      const all = format === 'pypi' ? await storeOf(repository!).versions(name) : []
      if (all.length === 0) throw packageNotFound(name, repository!)
      const status = params.get('status')
      if (status !== null && !VERSION_STATUSES.includes(status as VersionStatus) && status !== 'Deleted')
        throw fieldError(
          'status',
          status,
          `Member must satisfy enum value set: [${VERSION_STATUSES.join(', ')}, Deleted]`
        )
      const matching = status === null ? all : all.filter((v) => v.status === status)
      const maxResults = Number(params.get('max-results') ?? 50)
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
        throw fieldError('maxResults', String(params.get('max-results')), 'Member must have value between 1 and 1000')
      }
      const start = params.has('next-token')
        ? Number(Buffer.from(params.get('next-token') ?? '', 'base64url').toString()) || 0
        : 0
      const page = matching.slice(start, start + maxResults)
      const next =
        start + maxResults < matching.length ? Buffer.from(String(start + maxResults)).toString('base64url') : undefined
      return {
        defaultDisplayVersion: all.find((v) => v.status === 'Published')?.version,
        format,
        package: name,
        versions: page.map((v) => ({
          version: v.version,
          revision: v.revision,
          status: v.status,
          origin: { domainEntryPoint: { repositoryName: repository!.name }, originType: 'INTERNAL' }
        })),
        ...(next ? { nextToken: next } : {})
      }
    },
    async DescribePackageVersion(params, caller) {
      const { repository, name, record } = await findVersion('DescribePackageVersion', params, caller)
      return {
        packageVersion: {
          format: 'pypi',
          packageName: name,
          displayName: name,
          version: record.version,
          revision: record.revision,
          status: record.status,
          publishedTime: record.publishedMs / 1000,
          origin: { domainEntryPoint: { repositoryName: repository.name }, originType: 'INTERNAL' }
        }
      }
    },
    async ListPackageVersionAssets(params, caller) {
      const { name, record } = await findVersion('ListPackageVersionAssets', params, caller)
      // The reference: assets of a Disposed version cannot be listed.
      if (record.status === 'Disposed') throw versionNotFound(name, record.version)
      const assets = await Promise.all(
        record.files.map(async (file) => {
          const bytes = await readFile(file)
          const hash = (algorithm: string): string => createHash(algorithm).update(bytes).digest('hex')
          return {
            name: file.split('/').pop(),
            size: bytes.length,
            hashes: { MD5: hash('md5'), 'SHA-1': hash('sha1'), 'SHA-256': hash('sha256'), 'SHA-512': hash('sha512') }
          }
        })
      )
      return { format: 'pypi', package: name, version: record.version, versionRevision: record.revision, assets }
    },
    async GetPackageVersionAsset(params, caller) {
      const { name, record } = await findVersion('GetPackageVersionAsset', params, caller)
      const asset = required(params, 'asset')
      const file = record.files.find((f) => f.split('/').pop() === asset)
      if (record.status === 'Disposed' || !file) {
        throw new ApiError(
          404,
          'ResourceNotFoundException',
          `Asset not found. Asset '${asset}' in package version '${name} ${record.version}'`,
          {
            resourceId: asset,
            resourceType: 'asset'
          }
        )
      }
      return new Asset(await readFile(file), asset, record.version, record.revision)
    },
    async CopyPackageVersions(params, caller, body) {
      requiredFormat(params)
      const name = normalizeName(required(params, 'package'))
      const request = parseBody(body)
      const versions = versionList(request)
      // The reference: ReadFromRepository on the source, CopyPackageVersions on the destination.
      const source = authorizeAs('ReadFromRepository', 'CopyPackageVersions', params, caller, 'source-repository', name)
      const destination = authorize('CopyPackageVersions', params, caller, 'destination-repository', name).repository!
      if (source === destination)
        throw new ApiError(400, 'ValidationException', 'The source and destination repositories must be different.')
      const sourceStore = storeOf(source)
      const destinationStore = storeOf(destination)
      const known = await sourceStore.versions(name)
      if (known.length === 0) throw packageNotFound(name, source)
      const successfulVersions: Record<string, unknown> = {}
      const failedVersions: Record<string, unknown> = {}
      for (const version of versions) {
        const record = known.find((v) => v.version === version)
        const existing = await destinationStore.version(name, version)
        if (!record) {
          failedVersions[version] = failure(
            'NOT_FOUND',
            `Package version '${name} ${version}' not found in '${source.name}'`
          )
        } else if (record.status === 'Disposed' || record.status === 'Archived') {
          failedVersions[version] = failure('NOT_ALLOWED', `Package version '${name} ${version}' is ${record.status}`)
        } else if (existing && !request['allowOverwrite']) {
          failedVersions[version] = failure(
            'ALREADY_EXISTS',
            `Package version '${name} ${version}' already exists in '${destination.name}'`
          )
        } else {
          if (existing) await destinationStore.setStatus(name, version, 'Disposed')
          await destinationStore.addFiles(name, version, record.files)
          const copied = (await destinationStore.version(name, version)) as VersionRecord
          successfulVersions[version] = { revision: copied.revision, status: copied.status }
        }
      }
      return { successfulVersions, failedVersions }
    },
    async UpdatePackageVersionsStatus(params, caller, body) {
      const request = parseBody(body)
      const target = request['targetStatus']
      // The reference: this call cannot dispose (DisposePackageVersions does) nor delete.
      if (typeof target !== 'string' || !['Published', 'Unlisted', 'Archived'].includes(target))
        throw fieldError(
          'targetStatus',
          String(target),
          'Member must satisfy enum value set: [Published, Unlisted, Archived]'
        )
      return changeStatus('UpdatePackageVersionsStatus', params, caller, request, target as VersionStatus)
    },
    async DisposePackageVersions(params, caller, body) {
      return changeStatus('DisposePackageVersions', params, caller, parseBody(body), 'Disposed')
    }
  }

  /** authorize, for a call that needs another permission on one of its resources. */
  const authorizeAs = (
    permission: string,
    operation: Operation,
    params: URLSearchParams,
    caller: SessionCredentials,
    repositoryParam: string,
    name: string
  ): CodeArtifactRepository => {
    if (denyOperations.has(permission)) {
      const domain = params.get('domain')
      const arn = `arn:aws:codeartifact:${options.region}:${params.get('domain-owner') ?? caller.accountId}:repository/${domain}/${params.get(repositoryParam)}`
      throw accessDenied(caller, `codeartifact:${permission}`, arn)
    }
    return authorize(operation, params, caller, repositoryParam, name).repository!
  }

  const findVersion = async (
    operation: Operation,
    params: URLSearchParams,
    caller: SessionCredentials
  ): Promise<{ repository: CodeArtifactRepository; name: string; record: VersionRecord }> => {
    requiredFormat(params)
    const name = normalizeName(required(params, 'package'))
    const version = required(params, 'version')
    const repository = authorize(operation, params, caller, true, name).repository!
    const all = await storeOf(repository).versions(name)
    if (all.length === 0) throw packageNotFound(name, repository)
    const record = all.find((v) => v.version === version)
    if (!record) throw versionNotFound(name, version)
    return { repository, name, record }
  }

  // Both status calls: the reference's shape ({successfulVersions, failedVersions}); a version
  // whose status is not `expectedStatus` fails with MISMATCHED_STATUS and is left alone.
  const changeStatus = async (
    operation: Operation,
    params: URLSearchParams,
    caller: SessionCredentials,
    request: Record<string, unknown>,
    target: VersionStatus
  ): Promise<unknown> => {
    requiredFormat(params)
    const name = normalizeName(required(params, 'package'))
    const versions = versionList(request)
    const expected = request['expectedStatus']
    if (expected !== undefined && !VERSION_STATUSES.includes(expected as VersionStatus))
      throw fieldError(
        'expectedStatus',
        String(expected),
        `Member must satisfy enum value set: [${VERSION_STATUSES.join(', ')}]`
      )
    const repository = authorize(operation, params, caller, true, name).repository!
    const store = storeOf(repository)
    const hook = statusChangeHook
    statusChangeHook = undefined
    if (hook) await hook({ name, versions, setStatus: (version, status) => store.setStatus(name, version, status) })
    const all = await store.versions(name)
    if (all.length === 0) throw packageNotFound(name, repository)
    const successfulVersions: Record<string, unknown> = {}
    const failedVersions: Record<string, unknown> = {}
    for (const version of versions) {
      const record = all.find((v) => v.version === version)
      if (!record) {
        failedVersions[version] = failure('NOT_FOUND', `Package version '${name} ${version}' not found`)
      } else if (expected !== undefined && record.status !== expected) {
        failedVersions[version] = failure(
          'MISMATCHED_STATUS',
          `Package version '${name} ${version}' has status ${record.status}, expected ${String(expected)}`
        )
      } else if (record.status === 'Disposed' && target !== 'Disposed') {
        // A disposed version has no files left to publish, list or archive.
        failedVersions[version] = failure('NOT_ALLOWED', `Package version '${name} ${version}' is Disposed`)
      } else {
        if (record.status !== target) await store.setStatus(name, version, target)
        const after = await store.version(name, version)
        successfulVersions[version] = { revision: after?.revision ?? record.revision, status: target }
      }
    }
    return { successfulVersions, failedVersions }
  }

  const { url } = await listen(server)
  return {
    url,
    token,
    domain: options.domain,
    domainOwner: options.domainOwner,
    region: options.region,
    log,
    denyOperations,
    injectFaults(operation, more) {
      faults.set(operation, [...(faults.get(operation) ?? []), ...more])
    },
    clearFaults() {
      faults.clear()
    },
    beforeNextStatusChange(hook) {
      statusChangeHook = hook
    },
    clearLog() {
      log.length = 0
    },
    stop: () => closeServer(server)
  }
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name)
  if (value === null || value === '')
    throw new ApiError(
      400,
      'ValidationException',
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
      { reason: 'FIELD_VALIDATION_FAILED' }
    )
  return value
}

function requiredFormat(params: URLSearchParams): string {
  const format = required(params, 'format')
  if (!FORMATS.includes(format))
    throw fieldError('format', format, `Member must satisfy enum value set: [${FORMATS.join(', ')}]`)
  return format
}

function fieldError(field: string, value: string, constraint: string): ApiError {
  return new ApiError(
    400,
    'ValidationException',
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`,
    {
      reason: 'FIELD_VALIDATION_FAILED'
    }
  )
}

function accessDenied(caller: SessionCredentials, action: string, resource: string): ApiError {
  return new ApiError(
    403,
    'AccessDeniedException',
    `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`
  )
}

function defaultFaultMessage(status: number): string {
  if (status === 429) return 'Rate exceeded'
  if (status === 503) return 'Service Unavailable'
  return 'Internal Server Error'
}

function sendError(res: ServerResponse, error: ApiError, headers: Record<string, string> = {}): void {
  // REST-JSON errors: the type in x-amzn-ErrorType, the shape's members in the body.
  sendJson(
    res,
    error.status,
    { message: error.message, ...error.extra },
    { 'x-amzn-ErrorType': error.errorType, ...headers }
  )
}

/** An asset's bytes (GetPackageVersionAsset answers with the file, its metadata in headers). */
class Asset {
  readonly bytes: Buffer
  readonly name: string
  readonly version: string
  readonly revision: string
  constructor(bytes: Buffer, name: string, version: string, revision: string) {
    this.bytes = bytes
    this.name = name
    this.version = version
    this.revision = revision
  }
  send(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': this.bytes.length,
      'x-assetname': this.name,
      'x-packageversion': this.version,
      'x-packageversionrevision': this.revision
    })
    res.end(this.bytes)
  }
}

function parseBody(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}')
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>
  } catch {
    // answered below, as AWS answers a body it cannot read
  }
  throw new ApiError(400, 'SerializationException', 'The request body is not a JSON object')
}

/** `versions` (or the keys of `versionRevisions`): the reference wants exactly one of them. */
function versionList(request: Record<string, unknown>): string[] {
  const versions = request['versions']
  const revisions = request['versionRevisions']
  if ((versions === undefined) === (revisions === undefined))
    throw new ApiError(400, 'ValidationException', 'Exactly one of versions or versionRevisions must be specified')
  const list = Array.isArray(versions) ? versions : Object.keys((revisions as Record<string, string>) ?? {})
  if (list.length < 1 || list.length > 100 || !list.every((v) => typeof v === 'string'))
    throw fieldError('versions', JSON.stringify(list), 'Member must have length between 1 and 100')
  return list as string[]
}

function failure(errorCode: string, errorMessage: string): { errorCode: string; errorMessage: string } {
  return { errorCode, errorMessage }
}

function packageNotFound(name: string, repository: CodeArtifactRepository): ApiError {
  return new ApiError(
    404,
    'ResourceNotFoundException',
    `Package not found. Package '${name}' in repository '${repository.name}'`,
    { resourceId: name, resourceType: 'package' }
  )
}

function versionNotFound(name: string, version: string): ApiError {
  return new ApiError(
    404,
    'ResourceNotFoundException',
    `Package version not found. Package version '${version}' of package '${name}'`,
    { resourceId: version, resourceType: 'package-version' }
  )
}
