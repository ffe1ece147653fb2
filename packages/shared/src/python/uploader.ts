// The maintained uploaders (twine, `uv publish`) as every action that uploads runs them: their
// environment (this target's URL and credentials, and nothing an earlier step left), and what a
// failed run's output says (HTTP status, network trouble, which file) for the retry decision.
import { stripAnsi } from '../exec.ts'
import { type Classification, classifyError } from '../retry.ts'
import type { IndexCredentials } from './simple-index.ts'

export type Uploader = 'twine' | 'uv'

/** A failed uploader run, classified from its output. */
export class UploadFailure extends Error {
  readonly status?: number
  readonly network: boolean
  /** Some files reached the index before the failure: worth another attempt for the rest. */
  readonly progressed: boolean
  /** The file being uploaded when it failed, when the output says. */
  readonly file?: string
  /** The uploader's whole output (ANSI stripped): the reason can sit on another line than the status. */
  readonly output: string
  constructor(
    message: string,
    options: { status?: number; network?: boolean; progressed?: boolean; file?: string; output?: string }
  ) {
    super(message)
    this.name = 'UploadFailure'
    this.status = options.status
    this.network = options.network ?? false
    this.progressed = options.progressed ?? false
    this.file = options.file
    this.output = options.output ?? message
  }
}

const NETWORK_PATTERNS = [
  /ConnectionError/,
  /Connection (aborted|reset|refused)/i,
  /RemoteDisconnected/,
  /ChunkedEncodingError/,
  /ReadTimeout|ConnectTimeout|timed out/i,
  /Max retries exceeded/,
  /error sending request/,
  /connection closed/i,
  /broken pipe/i
]

/** The status (or network trouble) behind a failed twine / uv publish run, and its key line. */
export function classifyUploaderOutput(output: string): UploadFailure {
  const text = stripAnsi(output)
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
  // twine: `HTTPError: 503 Service Unavailable from <url>` (+ the reason on the next lines);
  // uv: `Server returned status code 503 Service Unavailable` / `Upload failed with status code 503`.
  const status = /HTTPError: (\d{3})|status code (\d{3})/.exec(text)
  const code = status ? Number(status[1] ?? status[2]) : undefined
  const key =
    lines.find((line) => /HTTPError: \d{3}|status code \d{3}/.test(line)) ??
    [...lines].reverse().find((line) => NETWORK_PATTERNS.some((pattern) => pattern.test(line))) ??
    [...lines].reverse().find((line) => /error/i.test(line)) ??
    lines.at(-1) ??
    'no output'
  const message = key.replace(/^(ERROR|error:|cause:)\s*/, '').replace(/\s+from\s*$/, '')
  // twine: `Uploading <name>` before each file; uv: ``Failed to publish `<path>` to``.
  const file = (
    /Failed to publish `([^`]+)`/.exec(text)?.[1] ?? [...text.matchAll(/^Uploading (\S+)\s*$/gm)].at(-1)?.[1]
  )
    ?.split(/[\\/]/)
    .pop()
  if (code !== undefined) return new UploadFailure(message, { status: code, file, output: text })
  return new UploadFailure(message, {
    network: NETWORK_PATTERNS.some((pattern) => pattern.test(text)),
    file,
    output: text
  })
}

export function classifyUpload(error: unknown): Classification {
  if (error instanceof UploadFailure) {
    if (error.network) return { retryable: true, reason: 'network error' }
    if (error.progressed)
      return {
        retryable: true,
        reason: `${error.status === undefined ? 'failed' : `HTTP ${error.status}`} after some files were uploaded`
      }
    if (error.status === 429 || (error.status !== undefined && error.status >= 500))
      return { retryable: true, reason: `HTTP ${error.status}` }
    return { retryable: false, reason: error.status === undefined ? 'upload failed' : `HTTP ${error.status}` }
  }
  return classifyError(error)
}

// Every variable twine or uv would take a target or credentials from is set here, to this
// target's values or to undefined (which removes it from the child's environment): otherwise
// an earlier codeartifact-login's TWINE_PASSWORD / UV_PUBLISH_PASSWORD would reach a
// `repository-url` on another host whenever this target has no password of its own.
export function uploaderEnv(
  uploader: Uploader,
  uploadUrl: string,
  credentials: IndexCredentials | undefined
): Record<string, string | undefined> {
  const cleared = {
    TWINE_USERNAME: undefined,
    TWINE_PASSWORD: undefined,
    TWINE_REPOSITORY_URL: undefined,
    TWINE_REPOSITORY: undefined,
    UV_PUBLISH_URL: undefined,
    UV_PUBLISH_USERNAME: undefined,
    UV_PUBLISH_PASSWORD: undefined,
    UV_PUBLISH_TOKEN: undefined
  }
  if (uploader === 'uv') {
    // The URL travels in argv (--publish-url); the variable is cleared all the same.
    return {
      ...cleared,
      UV_PUBLISH_USERNAME: credentials?.username,
      UV_PUBLISH_PASSWORD: credentials?.password,
      NO_COLOR: '1'
    }
  }
  return {
    ...cleared,
    TWINE_REPOSITORY_URL: uploadUrl,
    TWINE_USERNAME: credentials?.username,
    TWINE_PASSWORD: credentials?.password,
    TWINE_NON_INTERACTIVE: '1',
    // No keyring lookups on a runner (they can hang on a locked Secret Service).
    PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
    COLUMNS: '200'
  }
}
