// The CodeArtifact control plane (REST-JSON, API version 2018-09-22) for the three calls the
// actions make - neither moto nor free LocalStack has CodeArtifact. Shapes follow the AWS API
// reference and what @aws-sdk/client-codeartifact serializes:
//   POST /v1/authorization-token?domain=&domain-owner=&duration=       GetAuthorizationToken
//   GET  /v1/repository/endpoint?domain=&domain-owner=&repository=&format=  GetRepositoryEndpoint
//   POST /v1/package/versions?domain=&domain-owner=&repository=&format=&package=  ListPackageVersions
// Every call must be SigV4-signed with session credentials moto issued. The token handed out
// is fixed per fixture start and is also pypiserver's `aws` password, so every token works.
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { randomBytes } from 'node:crypto'
import { closeServer, listen, readBody, sendJson } from './http-util.ts'
import type { SessionCredentials } from './moto.ts'
import { normalizeName, publishedVersions } from './pypi-packages.ts'
import { verifySigV4 } from './sigv4-verify.ts'

export type Operation = 'GetAuthorizationToken' | 'GetRepositoryEndpoint' | 'ListPackageVersions'

export interface CodeArtifactRepository {
  name: string
  /** pypi endpoint with trailing slash; the simple index is `${endpoint}simple/`. */
  endpoint: string
  /** The pypiserver packages directory behind this repository. */
  packagesDir: string
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
  clearFaults(): void
  clearLog(): void
  stop(): Promise<void>
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
  'POST /v1/package/versions': 'ListPackageVersions'
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
  const repositories = new Map(options.repositories.map((r) => [r.name, r]))
  const denyOperations = new Set<string>(options.denyOperations ?? [])
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
      const result = await HANDLERS[operation](url.searchParams, verdict.caller)
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
    needsRepository: boolean,
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
    const repoName = needsRepository ? required(params, 'repository') : undefined
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
    if (domain !== options.domain) {
      throw new ApiError(
        404,
        'ResourceNotFoundException',
        `Domain not found. Domain '${domain}' in account '${owner}'`,
        { resourceId: domain, resourceType: 'domain' }
      )
    }
    if (repoName === undefined) return { owner }
    const repository = repositories.get(repoName)
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

  const HANDLERS: Record<Operation, (params: URLSearchParams, caller: SessionCredentials) => Promise<unknown>> = {
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
      const all = format === 'pypi' ? await publishedVersions(repository!.packagesDir, name) : []
      if (all.length === 0) {
        throw new ApiError(
          404,
          'ResourceNotFoundException',
          `Package not found. Package '${name}' in repository '${repository!.name}'`,
          { resourceId: name, resourceType: 'package' }
        )
      }
      const status = params.get('status')
      const matching = status === null || status === 'Published' ? all : []
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
        defaultDisplayVersion: all[0]?.version,
        format,
        package: name,
        versions: page.map((v) => ({
          version: v.version,
          revision: v.revision,
          status: 'Published',
          origin: { domainEntryPoint: { repositoryName: repository!.name }, originType: 'INTERNAL' }
        })),
        ...(next ? { nextToken: next } : {})
      }
    }
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
