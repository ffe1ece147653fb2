// Uploads with a maintained uploader (twine, or `uv publish`), credentials in its environment
// only. Transient failures (5xx, 429, network) are retried with jittered back-off until the
// deadline; after every failure the index is read again, so files that made it before the
// failure count as uploaded and only the rest are sent again. That is also what lets a re-run
// after a partial upload finish the release.
import { ActionError } from '@release/shared/errors'
import { runCommand } from '@release/shared/exec'
import { RetryDeadlineError, withRetry } from '@release/shared/retry'
import * as log from '@release/shared/workflow-commands'
import type { IndexCredentials } from '@release/shared/python/simple-index'
import { UploadFailure, classifyUpload, classifyUploaderOutput, uploaderEnv } from '@release/shared/python/uploader'
import type { Dist } from './dists.ts'
import { type IndexReader, assertUploadable, compareWithIndex } from './existing.ts'
import type { Uploader } from './inputs.ts'
import type { Command, Toolchain } from '@release/shared/python/toolchain'

function uploaderCommand(uploader: Uploader, toolchain: Toolchain, uploadUrl: string, files: readonly Dist[]): Command {
  const paths = files.map((dist) => dist.path)
  if (uploader === 'uv') {
    // uv would try trusted publishing on its own on GitHub Actions; the action decides that.
    return {
      command: toolchain.uv as string,
      args: ['publish', '--no-progress', '--trusted-publishing', 'never', '--publish-url', uploadUrl, ...paths]
    }
  }
  const twine = toolchain.twine as Command
  return {
    command: twine.command,
    args: [...twine.args, '--no-color', 'upload', '--non-interactive', '--disable-progress-bar', ...paths]
  }
}

export function explainFailure(failure: UploadFailure, uploadUrl: string, version: string): ActionError {
  const status = failure.status
  // twine --non-interactive ("Credential not found for password.") and uv ("Missing credentials
  // for: <url>") when the target has no password: nothing else is passed on (uploaderEnv).
  if (/Credential not found for (username|password)|Missing credentials for/.test(failure.output)) {
    return new ActionError(
      `The upload to ${uploadUrl} has no credentials: \`password\` is empty, and credentials other steps left for other indexes are never used.`,
      {
        hint: 'set `password` (and `username` unless it is __token__) for this index, or use `trusted-publishing: true`'
      }
    )
  }
  // twine prints the status on one line and the index's reason ("File already exists") on the next.
  if (status === 409 || (status === 400 && /already exists?|file exists/i.test(failure.output))) {
    // The index has the name but did not list it a moment ago (another upload racing this one,
    // or a listing that lags): either way this version's file cannot be replaced.
    return new ActionError(
      `The index refused ${failure.file ?? 'a file'}: it already has a file of that name (HTTP ${status}), which its simple index did not list with a matching sha256.`,
      {
        hint: `bump the version (${version} is taken); if another job is publishing the same release right now, let it finish and re-run this one`
      }
    )
  }
  if (status === 401 || status === 403) {
    return new ActionError(`The index refused the upload to ${uploadUrl} (HTTP ${status}): ${failure.message}`, {
      hint: 'the credentials are wrong, expired or may not publish: for CodeArtifact the role needs codeartifact:PublishPackageVersion (and a fresh token); for PyPI the token must be scoped to this project or the trusted publisher must match this workflow'
    })
  }
  if (status === 404 || status === 405) {
    return new ActionError(`The upload URL ${uploadUrl} does not take uploads (HTTP ${status}).`, {
      hint: 'use the repository upload endpoint: CodeArtifact`s registry URL (not the /simple/ URL), https://upload.pypi.org/legacy/ for PyPI'
    })
  }
  if (status === 413) {
    return new ActionError(`The index refused a file as too large (HTTP 413): ${failure.message}`, {
      hint: "ask the index's administrators to raise the limit, or shrink the distribution"
    })
  }
  return new ActionError(`The upload to ${uploadUrl} failed: ${failure.message}`, {
    hint: 'see the uploader output above'
  })
}

export interface UploadOptions {
  uploader: Uploader
  toolchain: Toolchain
  uploadUrl: string
  credentials: IndexCredentials | undefined
  reader: IndexReader
  version: string
  deadlineMs: number
  /** How long one attempt may run; undefined: uploadTimeoutMs() of what it sends. */
  attemptTimeoutMs?: number
  /** Called as files reach the index, so a run that fails later still reports them. */
  onUploaded?: (dists: readonly Dist[]) => void
}

/**
 * The automatic limit for one upload attempt: two minutes, plus 20 s per MB (50 kB/s, slow for
 * any runner). twine sets no timeout on its connections, so without one a connection the network
 * dropped silently holds the job until the job's own timeout (six hours by default).
 */
export function uploadTimeoutMs(dists: readonly Dist[]): number {
  const bytes = dists.reduce((sum, dist) => sum + dist.size, 0)
  return 120_000 + Math.ceil((bytes / 1_000_000) * 20_000)
}

/** Uploads `dists` in order; returns those that reached the index. */
export async function uploadDists(dists: readonly Dist[], options: UploadOptions): Promise<Dist[]> {
  let remaining = [...dists]
  const uploaded: Dist[] = []
  const started = Date.now()
  try {
    await withRetry(
      async (attempt) => {
        const { command, args } = uploaderCommand(options.uploader, options.toolchain, options.uploadUrl, remaining)
        log.info(
          `${attempt > 1 ? `Attempt ${attempt}: ` : ''}uploading ${remaining.map((dist) => dist.file).join(', ')}`
        )
        const timeoutMs = options.attemptTimeoutMs ?? uploadTimeoutMs(remaining)
        const result = await runCommand(command, args, {
          ignoreReturnCode: true,
          timeoutMs,
          env: uploaderEnv(options.uploader, options.uploadUrl, options.credentials)
        })
        if (result.exitCode === 0) {
          uploaded.push(...remaining)
          options.onUploaded?.(remaining)
          remaining = []
          return
        }
        const failure = result.timedOut
          ? new UploadFailure(
              `the uploader was stopped after ${Math.round(timeoutMs / 1000)} s without finishing (upload-timeout-seconds)`,
              { network: true, output: `${result.stdout}\n${result.stderr}` }
            )
          : classifyUploaderOutput(`${result.stdout}\n${result.stderr}`)
        // Which files made it before the failure? One quick look; if the index cannot say,
        // everything left is sent again (an identical re-upload is then recognised next time).
        const comparison = await compareWithIndex(remaining, { ...options.reader, attempts: 1 }).catch(() => undefined)
        if (comparison) {
          assertUploadable({ ...comparison, identical: [] }, 'skip-identical', options.version, options.reader.indexUrl)
          if (comparison.identical.length > 0) {
            uploaded.push(...comparison.identical)
            options.onUploaded?.(comparison.identical)
            remaining = comparison.missing
            log.info(
              `Already on the index after the failure: ${comparison.identical.map((dist) => dist.file).join(', ')}`
            )
            if (remaining.length === 0) return
            // Progress was made: an "already exists" answer for those files is no reason to stop.
            throw new UploadFailure(failure.message, {
              status: failure.status,
              network: failure.network,
              progressed: true,
              file: failure.file,
              output: failure.output
            })
          }
        }
        throw failure
      },
      {
        label: `Upload to ${options.uploadUrl}`,
        deadlineMs: options.deadlineMs,
        initialDelayMs: 1_000,
        classify: classifyUpload,
        onRetry: ({ attempt, delayMs, reason }) =>
          log.info(
            `Upload attempt ${attempt} failed (${reason}); ${remaining.length} file${remaining.length === 1 ? '' : 's'} left, retrying in ${(delayMs / 1000).toFixed(1)} s`
          )
      }
    )
  } catch (error) {
    if (error instanceof RetryDeadlineError) {
      const last = error.cause instanceof Error ? error.cause.message : String(error.cause)
      const names = (list: readonly Dist[]): string =>
        list.length > 0 ? list.map((dist) => dist.file).join(', ') : 'nothing'
      throw new ActionError(
        `The upload to ${options.uploadUrl} still failed after ${error.attempts} attempts in ${((Date.now() - started) / 1000).toFixed(1)} s (last: ${last}); uploaded ${names(uploaded)}; not uploaded ${names(remaining)}.`,
        {
          hint: 'the index looks unavailable; re-run the job when it is back: files already uploaded are recognised by their sha256 and skipped (existing: skip-identical)'
        }
      )
    }
    if (error instanceof UploadFailure) throw explainFailure(error, options.uploadUrl, options.version)
    throw error
  }
  return uploaded
}
