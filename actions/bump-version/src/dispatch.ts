// Starting another workflow on the new tag. GitHub starts no workflow for a tag pushed with the
// job's GITHUB_TOKEN, except through workflow_dispatch and repository_dispatch; so a bump pushed
// with the default credentials can still start its publish workflow by dispatching it on the tag
// (the job needs `permissions: actions: write`). Loaded only when `dispatch-workflow` is set: the
// GitHub client is most of this action's bundle.
import { ActionError, describeError } from '@release/shared/errors'
import { type Classification, RetryDeadlineError, classifyError, logRetry, withRetry } from '@release/shared/retry'
import { checkCredentialTransport } from '@release/shared/transport'

export interface Dispatch {
  /** The workflow's file name (e.g. publish.yml) or numeric id. */
  workflow: string
  /** Fully qualified, e.g. refs/tags/v1.4.0. */
  ref: string
  inputs: Record<string, string>
  token: string
  /** Send the token to a plain-http GITHUB_API_URL beyond loopback (GitHub Enterprise on http). */
  allowInsecureHttp?: boolean
}

/** The HTTP status GitHub answered with (of the last attempt, when retries ran out). */
function statusOf(error: unknown): number | undefined {
  const last = error instanceof RetryDeadlineError ? error.cause : error
  return (last as { status?: number } | undefined)?.status
}

/**
 * Only what GitHub certainly did not act on is tried again: a dispatch creates a run, so repeating
 * one that went through would start the release twice. That is throttling, "unavailable", a
 * connection that never opened, and a tag the API cannot see yet (it was pushed a moment ago).
 */
export function classifyDispatchError(error: unknown): Classification {
  const status = statusOf(error)
  const message = describeError(error)
  if (status === 429 || status === 503) return classifyError(error)
  if (status === 422 && /No ref found/i.test(message))
    return { retryable: true, reason: 'the tag is not visible to the API yet' }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(message)) return { retryable: true, reason: 'no connection' }
  return { retryable: false, reason: message }
}

function failureHint(status: number | undefined, message: string, runs: string): string {
  if (status === 403) return 'give the job `permissions: actions: write` (or pass a `github-token` that has it)'
  if (status === 404)
    return 'name a workflow file under .github/workflows of this repository (e.g. publish.yml), or its id'
  if (status === 422 && /workflow_dispatch/i.test(message))
    return 'add `on: workflow_dispatch` to that workflow, on the default branch and at the tag'
  if (status === 422 && /No ref found/i.test(message))
    return 'the tag is pushed but GitHub did not see it in time; start the workflow again with `gh workflow run` on the tag'
  if (status === 422)
    return 'make `dispatch-inputs` match the inputs the workflow declares under `on: workflow_dispatch`'
  // An answer that never came (5xx, or stopped at the deadline) may still have started a run.
  if ((status !== undefined && status >= 500) || (status === undefined && /abort|no answer/i.test(message)))
    return `GitHub may have started it anyway: look at ${runs} before starting it again with \`gh workflow run\``
  return 'start it again with `gh workflow run` on the tag once GitHub answers'
}

/** Dispatches the workflow on `ref` in GITHUB_REPOSITORY; returns where its runs are listed. */
export async function dispatchWorkflow(dispatch: Dispatch, options: { deadlineMs?: number } = {}): Promise<string> {
  const { context, getOctokit } = await import('@actions/github')
  const repository = process.env['GITHUB_REPOSITORY'] ?? ''
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) {
    throw new ActionError(
      `starting ${dispatch.workflow} is not possible: GITHUB_REPOSITORY is "${repository}", not owner/name.`,
      { hint: 'run on a GitHub runner (or set GITHUB_REPOSITORY when running locally)' }
    )
  }
  // Where getOctokit sends the token, read as it reads it.
  const apiUrl = process.env['GITHUB_API_URL'] || 'https://api.github.com'
  checkCredentialTransport('github-token', apiUrl, dispatch.allowInsecureHttp ?? false)
  const { owner, repo } = context.repo
  const runs = `${context.serverUrl}/${owner}/${repo}/actions/workflows/${encodeURIComponent(dispatch.workflow)}`
  const octokit = getOctokit(dispatch.token)
  try {
    await withRetry(
      (_attempt, signal) =>
        octokit.rest.actions.createWorkflowDispatch({
          owner,
          repo,
          workflow_id: dispatch.workflow,
          ref: dispatch.ref,
          inputs: dispatch.inputs,
          // A request GitHub never answers ends with the deadline.
          request: { signal }
        }),
      {
        label: `dispatching ${dispatch.workflow}`,
        deadlineMs: options.deadlineMs ?? 60_000,
        classify: classifyDispatchError,
        onRetry: logRetry
      }
    )
  } catch (error) {
    const message = describeError(error)
    throw new ActionError(`starting ${dispatch.workflow} on ${dispatch.ref} failed: ${message}`, {
      hint: failureHint(statusOf(error), message, runs)
    })
  }
  return runs
}
