// Starting another workflow on the new tag. GitHub starts no workflow for a tag pushed with the
// job's GITHUB_TOKEN, except through workflow_dispatch and repository_dispatch; so a bump pushed
// with the default credentials can still start its publish workflow by dispatching it on the tag
// (the job needs `permissions: actions: write`). Loaded only when `dispatch-workflow` is set: the
// GitHub client is most of this action's bundle.
import { ActionError, describeError } from '@release/shared/errors'
import { logRetry, withRetry } from '@release/shared/retry'

export interface Dispatch {
  /** The workflow's file name (e.g. publish.yml) or numeric id. */
  workflow: string
  /** Fully qualified, e.g. refs/tags/v1.4.0. */
  ref: string
  inputs: Record<string, string>
  token: string
}

function failureHint(status: number | undefined, message: string): string {
  if (status === 403) return 'give the job `permissions: actions: write` (or pass a `github-token` that has it)'
  if (status === 404) return 'name a workflow file under .github/workflows of this repository (e.g. publish.yml), or its id'
  if (status === 422 && /workflow_dispatch/i.test(message)) return 'add `on: workflow_dispatch` to that workflow, on the default branch and at the tag'
  if (status === 422) return 'make `dispatch-inputs` match the inputs the workflow declares under `on: workflow_dispatch`'
  return 'see the message; the bump itself is pushed, so re-running only the dispatch (e.g. `gh workflow run`) completes the release'
}

/** Dispatches the workflow on `ref` in GITHUB_REPOSITORY; returns where its runs are listed. */
export async function dispatchWorkflow(dispatch: Dispatch, options: { deadlineMs?: number } = {}): Promise<string> {
  const { context, getOctokit } = await import('@actions/github')
  const repository = process.env['GITHUB_REPOSITORY'] ?? ''
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) {
    throw new ActionError(`starting ${dispatch.workflow} is not possible: GITHUB_REPOSITORY is "${repository}", not owner/name.`, { hint: 'run on a GitHub runner (or set GITHUB_REPOSITORY when running locally)' })
  }
  const { owner, repo } = context.repo
  const octokit = getOctokit(dispatch.token)
  try {
    await withRetry(
      () => octokit.rest.actions.createWorkflowDispatch({ owner, repo, workflow_id: dispatch.workflow, ref: dispatch.ref, inputs: dispatch.inputs }),
      { label: `dispatching ${dispatch.workflow}`, deadlineMs: options.deadlineMs ?? 60_000, onRetry: logRetry }
    )
  } catch (error) {
    const status = (error as { status?: number }).status
    const message = describeError(error)
    throw new ActionError(`starting ${dispatch.workflow} on ${dispatch.ref} failed: ${message}`, { hint: failureHint(status, message) })
  }
  return `${context.serverUrl}/${owner}/${repo}/actions/workflows/${encodeURIComponent(dispatch.workflow)}`
}
