// The GitHub side of a retirement, through the REST API with the workflow's token (no git
// credentials, no checkout): the release of the version's tag marked as retired, and the tag
// deleted when asked. Both are idempotent, so a re-run after a failure here finishes the job
// (the CodeArtifact status is already set and is left alone).
import { ActionError } from '@release/shared/errors'
import { retryAfterMs, withRetry } from '@release/shared/retry'
import { checkCredentialTransport } from '@release/shared/transport'
import * as log from '@release/shared/workflow-commands'
import { proxiedFetch } from '@release/shared/proxy'

export interface GitHubTarget {
  token: string
  /** owner/name */
  repository: string
  apiUrl: string
  deadlineMs: number
}

/** Put at the top of a retired release's notes; its presence makes a re-run skip the edit. */
export const RETIRED_MARKER = '> [!CAUTION]\n> **Retired:**'

class GitHubHttpError extends Error {
  readonly status: number
  readonly retryAfterMs?: number
  constructor(method: string, path: string, status: number, message: string, retryAfter?: number) {
    super(`${method} ${path}: HTTP ${status} ${message}`)
    this.status = status
    this.retryAfterMs = retryAfter
  }
}

export function gitHubTarget(token: string, deadlineMs: number): GitHubTarget {
  const repository = process.env['GITHUB_REPOSITORY'] ?? ''
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository))
    throw new ActionError(`GITHUB_REPOSITORY is "${repository}", not owner/name.`, {
      hint: 'run on a GitHub runner (or set GITHUB_REPOSITORY when running locally)'
    })
  const apiUrl = (process.env['GITHUB_API_URL'] || 'https://api.github.com').replace(/\/$/, '')
  checkCredentialTransport('github-token', apiUrl, false)
  return { token, repository, apiUrl, deadlineMs }
}

async function call(target: GitHubTarget, method: string, path: string, body?: unknown): Promise<unknown> {
  return withRetry(
    async (_attempt, signal) => {
      const response = await proxiedFetch(`${target.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${target.token}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          ...(body === undefined ? {} : { 'content-type': 'application/json' })
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal
      })
      const text = await response.text()
      if (!response.ok) {
        const message = (() => {
          try {
            return String((JSON.parse(text) as { message?: string }).message ?? '')
          } catch {
            return text.slice(0, 200)
          }
        })()
        throw new GitHubHttpError(
          method,
          path,
          response.status,
          message,
          retryAfterMs(response.headers.get('retry-after'))
        )
      }
      return text ? (JSON.parse(text) as unknown) : undefined
    },
    { label: `GitHub ${method} ${path}`, deadlineMs: target.deadlineMs }
  )
}

function refused(error: unknown, what: string): never {
  if (error instanceof GitHubHttpError && (error.status === 401 || error.status === 403))
    throw new ActionError(`GitHub refused to ${what}: ${error.message}.`, {
      hint: 'pass `github-token: ${{ github.token }}` and give the job `permissions: contents: write`'
    })
  throw error
}

/** Marks the tag's release as retired (notes prefixed, pre-release so it is not "Latest"); false when there is none. */
export async function markRelease(
  target: GitHubTarget,
  tag: string,
  note: string
): Promise<'marked' | 'already' | 'none'> {
  const path = `/repos/${target.repository}/releases/tags/${encodeURIComponent(tag)}`
  const release = (await call(target, 'GET', path).catch((error: unknown) => {
    if (error instanceof GitHubHttpError && error.status === 404) return undefined
    return refused(error, `read the release of ${tag}`)
  })) as { id: number; body?: string | null } | undefined
  if (!release) {
    log.info(`No GitHub release for ${tag}: nothing to mark`)
    return 'none'
  }
  if ((release.body ?? '').startsWith(RETIRED_MARKER)) {
    log.info(`The release of ${tag} is already marked retired`)
    return 'already'
  }
  await call(target, 'PATCH', `/repos/${target.repository}/releases/${release.id}`, {
    body: `${RETIRED_MARKER} ${note}\n\n${release.body ?? ''}`,
    prerelease: true,
    make_latest: 'false'
  }).catch((error: unknown) => refused(error, `edit the release of ${tag}`))
  log.info(`Marked the release of ${tag} as retired (pre-release, notes prefixed)`)
  return 'marked'
}

/** Deletes the tag; false when it was already gone. */
export async function deleteTag(target: GitHubTarget, tag: string): Promise<boolean> {
  try {
    await call(target, 'DELETE', `/repos/${target.repository}/git/refs/tags/${encodeURIComponent(tag)}`)
    log.info(`Deleted the tag ${tag}`)
    return true
  } catch (error) {
    // GitHub answers 422 "Reference does not exist" for a tag that is gone; a 404 means the token
    // cannot see the repository (or it is another one), which must not pass for "deleted".
    if (error instanceof GitHubHttpError && error.status === 422) {
      log.info(`The tag ${tag} does not exist (already deleted)`)
      return false
    }
    return refused(error, `delete the tag ${tag}`)
  }
}
