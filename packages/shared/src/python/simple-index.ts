// A read-only client for the "simple repository API" every Python index serves: PEP 503 HTML
// pages (`<a href="...#sha256=...">file</a>`) and their PEP 691 JSON form, negotiated with the
// Accept header so either kind of server answers. It tells which files of a project the index
// holds and their SHA-256, which is all an idempotent upload needs. Requests retry 5xx, 429 and
// network errors (classified by retry.ts) up to a deadline.
import { createHash } from 'node:crypto'
import { ActionError } from '../errors.ts'
import { type RetryOptions, retryAfterMs, withRetry } from '../retry.ts'
import { registerSecret } from '../secrets.ts'
import { normalizeProjectName } from './dist-files.ts'
import { proxiedFetch } from '../proxy.ts'

export interface IndexCredentials {
  username: string
  password: string
}

export interface IndexFile {
  filename: string
  /** Absolute download URL, fragment removed. */
  url: string
  /** Lower-case hex, when the index publishes it. */
  sha256?: string
}

export interface SimpleIndexOptions {
  /** Sent only to the index's own origin, never to a host it redirects or links to. */
  credentials?: IndexCredentials
  /** Retry budget for one listing (or download), from its first attempt. */
  deadlineMs?: number
  /** Per request. */
  timeoutMs?: number
  onRetry?: RetryOptions['onRetry']
  /** 1 = no retries (a quick look, e.g. after a failed upload). */
  attempts?: number
}

/** An index answer worth retrying (5xx, 429); classifyError reads `status` and `retryAfterMs`. */
export class IndexHttpError extends Error {
  readonly status: number
  readonly retryAfterMs?: number
  constructor(url: string, status: number, statusText: string, retryAfterMs?: number) {
    super(`HTTP ${status}${statusText ? ` ${statusText}` : ''} from ${url}`)
    this.name = 'IndexHttpError'
    this.status = status
    this.retryAfterMs = retryAfterMs
  }
}

const ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1'
const MAX_REDIRECTS = 5

/** The index URL with exactly one trailing slash, so relative project URLs resolve under it. */
export function indexBase(indexUrl: string): string {
  return indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`
}

export function projectPageUrl(indexUrl: string, project: string): string {
  return new URL(`${normalizeProjectName(project)}/`, indexBase(indexUrl)).toString()
}

function authorization(credentials: IndexCredentials | undefined): string | undefined {
  if (!credentials) return undefined
  const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')
  registerSecret(basic)
  return `Basic ${basic}`
}

/**
 * GET with credentials for the index's origin only, following redirects by hand so that a
 * redirect to another host never carries them. Returns undefined for "not on this index": 404,
 * 410, or a redirect off the index's origin (pypiserver sends unknown projects to pypi.org).
 */
async function get(
  url: string,
  origin: string,
  options: SimpleIndexOptions,
  accept?: string
): Promise<Response | undefined> {
  const auth = authorization(options.credentials)
  let current = url
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const sameOrigin = new URL(current).origin === origin
    const headers: Record<string, string> = {}
    if (accept) headers['accept'] = accept
    if (auth && sameOrigin) headers['authorization'] = auth
    const response = await proxiedFetch(current, {
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000)
    }).catch((error: unknown) => {
      throw networkError(current, error)
    })
    if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
      await response.body?.cancel()
      const next = new URL(response.headers.get('location') as string, current).toString()
      if (new URL(next).origin !== origin) return undefined
      current = next
      continue
    }
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel()
      return undefined
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel()
      throw new ActionError(`The index refused to list ${current} (HTTP ${response.status}).`, {
        hint: options.credentials
          ? 'the credentials were rejected or lack read access to the repository; check the token (it may have expired) and its permissions'
          : 'the index needs credentials: give `username` and `password` (or run codeartifact-login earlier in the job)'
      })
    }
    if (!response.ok) {
      await response.body?.cancel()
      if (response.status === 429 || response.status >= 500) {
        throw new IndexHttpError(
          current,
          response.status,
          response.statusText,
          retryAfterMs(response.headers.get('retry-after'))
        )
      }
      throw new ActionError(`The index answered HTTP ${response.status} ${response.statusText} for ${current}.`, {
        hint: 'check that the index URL points at a simple API root (it ends in /simple/)'
      })
    }
    return response
  }
  throw new ActionError(`More than ${MAX_REDIRECTS} redirects from ${url}.`)
}

/**
 * fetch rejects with a bare "fetch failed"; name the socket-level reason instead. The original
 * stays the cause, where classifyError finds its code (ECONNRESET, UND_ERR_SOCKET, ...).
 */
function networkError(url: string, error: unknown): Error {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  const reason = cause?.code
    ? `${cause.code}${cause.message ? `: ${cause.message}` : ''}`
    : (error as Error).name === 'TimeoutError'
      ? 'timed out'
      : (error as Error).message
  return new Error(`GET ${url} failed (${reason})`, { cause: error })
}

function retried<T>(label: string, options: SimpleIndexOptions, operation: () => Promise<T>): Promise<T> {
  if (options.attempts === 1) return operation()
  return withRetry(operation, { label, deadlineMs: options.deadlineMs ?? 60_000, onRetry: options.onRetry })
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code =
        entity[1] === 'x' || entity[1] === 'X'
          ? Number.parseInt(entity.slice(2), 16)
          : Number.parseInt(entity.slice(1), 10)
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole
    }
    return ENTITIES[entity.toLowerCase()] ?? whole
  })
}

function fileFromUrl(href: string, base: string, text?: string): IndexFile {
  const url = new URL(href, base)
  const fragment = new URLSearchParams(url.hash.slice(1))
  url.hash = ''
  const sha256 = fragment.get('sha256')?.toLowerCase()
  const lastSegment = decodeURIComponent(url.pathname.split('/').pop() ?? '')
  return { filename: text || lastSegment, url: url.toString(), ...(sha256 ? { sha256 } : {}) }
}

/** The files on a PEP 503 project page; the anchor text is the file name, the fragment may carry its hash. */
export function parseSimpleHtml(html: string, pageUrl: string): IndexFile[] {
  const base = /<base\s[^>]*href\s*=\s*["']([^"']+)["']/i.exec(html)?.[1]
  const resolveBase = base ? new URL(decodeEntities(base), pageUrl).toString() : pageUrl
  const files: IndexFile[] = []
  for (const anchor of html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi)) {
    const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(anchor[1] ?? '')
    const value = href?.[1] ?? href?.[2] ?? href?.[3]
    if (!value) continue
    const text = decodeEntities((anchor[2] ?? '').replace(/<[^>]*>/g, '')).trim()
    files.push(fileFromUrl(decodeEntities(value), resolveBase, text))
  }
  return files
}

interface Pep691Page {
  files?: Array<{ filename?: string; url?: string; hashes?: Record<string, string> }>
}

/** The files of a PEP 691 JSON project page. */
export function parseSimpleJson(page: Pep691Page, pageUrl: string): IndexFile[] {
  const files: IndexFile[] = []
  for (const entry of page.files ?? []) {
    if (!entry.url) continue
    const file = fileFromUrl(entry.url, pageUrl, entry.filename)
    const sha256 = entry.hashes?.['sha256']?.toLowerCase()
    files.push(sha256 ? { ...file, sha256 } : file)
  }
  return files
}

/**
 * The files the index holds for `project`; undefined when the index does not know the project.
 * Hashes are included where the index publishes them (see fileSha256 for the others).
 */
export async function listProjectFiles(
  indexUrl: string,
  project: string,
  options: SimpleIndexOptions = {}
): Promise<IndexFile[] | undefined> {
  const url = projectPageUrl(indexUrl, project)
  const origin = new URL(url).origin
  return retried(`Reading ${url}`, options, async () => {
    const response = await get(url, origin, options, ACCEPT)
    if (!response) return undefined
    const type = response.headers.get('content-type') ?? ''
    if (type.includes('application/vnd.pypi.simple.v1+json'))
      return parseSimpleJson((await response.json()) as Pep691Page, response.url || url)
    return parseSimpleHtml(await response.text(), response.url || url)
  })
}

/** Downloads a file and hashes it, for indexes that list files without hashes. */
export async function fileSha256(file: IndexFile, indexUrl: string, options: SimpleIndexOptions = {}): Promise<string> {
  return createHash('sha256')
    .update(await downloadFile(file, indexUrl, options))
    .digest('hex')
}

/** A file the index lists, downloaded whole (with the index's credentials on its own origin). */
export async function downloadFile(
  file: IndexFile,
  indexUrl: string,
  options: SimpleIndexOptions = {}
): Promise<Buffer> {
  const origin = new URL(indexBase(indexUrl)).origin
  return retried(`Downloading ${file.filename}`, options, async () => {
    const response = await get(file.url, origin, options)
    if (!response?.body) throw new ActionError(`The index lists ${file.filename} but does not serve it (${file.url}).`)
    const chunks: Buffer[] = []
    for await (const chunk of response.body) chunks.push(Buffer.from(chunk))
    return Buffer.concat(chunks)
  })
}
