// Trusted publishing (PyPI's OIDC token exchange, also served by TestPyPI and other Warehouse
// deployments): the index names the audience it wants at `/_/oidc/audience`, the job asks
// GitHub for an OIDC token with that audience, and `/_/oidc/mint-token` swaps it for a
// short-lived upload token (user `__token__`). Both endpoints live at the origin of the upload
// URL, as twine and pypa/gh-action-pypi-publish look for them. Everything here is fetch, so the
// exchange needs neither the toolkit nor Python; each token is masked the moment it exists.
import { ActionError } from '../errors.ts'
import { jwtClaims, requestGitHubIdToken } from '../github-oidc.ts'
import { retryAfterMs, withRetry } from '../retry.ts'
import { registerSecret } from '../secrets.ts'
import { IndexHttpError } from './simple-index.ts'
import { proxiedFetch } from '../proxy.ts'

export const TRUSTED_PUBLISHING_USERNAME = '__token__'

export interface MintedToken {
  token: string
  /** Seconds since the epoch, when the index says. */
  expires?: number
  /** The GitHub token's claims that decide whether a trusted publisher matches (not secret). */
  claims: Record<string, unknown>
}

export interface TrustedPublishingOptions {
  deadlineMs?: number
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void
}

async function request(
  url: string,
  init: RequestInit,
  label: string,
  options: TrustedPublishingOptions
): Promise<Response> {
  return withRetry(
    async (_attempt, deadline) => {
      // Each request ends after 30 s, and with the retry deadline if that comes first.
      const signal = AbortSignal.any([deadline, AbortSignal.timeout(30_000)])
      const response = await proxiedFetch(url, { ...init, redirect: 'error', signal })
      if (response.status === 429 || response.status >= 500) {
        await response.body?.cancel()
        throw new IndexHttpError(
          url,
          response.status,
          response.statusText,
          retryAfterMs(response.headers.get('retry-after'))
        )
      }
      return response
    },
    { label, deadlineMs: options.deadlineMs ?? 60_000, onRetry: options.onRetry }
  )
}

async function readJson(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    return (await response.json()) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/** The audience the index wants in the GitHub token (`pypi` on PyPI, `testpypi` on TestPyPI). */
export async function trustedPublishingAudience(
  uploadUrl: string,
  options: TrustedPublishingOptions = {}
): Promise<string> {
  const url = new URL('/_/oidc/audience', uploadUrl).toString()
  const response = await request(
    url,
    { headers: { accept: 'application/json' } },
    'Trusted publishing audience',
    options
  )
  const body = await readJson(response)
  if (!response.ok || typeof body?.['audience'] !== 'string') {
    throw new ActionError(
      `The index at ${new URL(uploadUrl).origin} does not offer trusted publishing (GET ${url}: HTTP ${response.status}).`,
      {
        hint: 'trusted publishing works with PyPI and TestPyPI; for other indexes set `password` (or use the CodeArtifact inputs)'
      }
    )
  }
  return body['audience'] as string
}

function describeClaims(claims: Record<string, unknown>): string {
  const shown = ['repository', 'job_workflow_ref', 'environment', 'ref'].filter((name) => claims[name] !== undefined)
  return shown.map((name) => `${name} "${String(claims[name])}"`).join(', ') || 'no readable claims'
}

/**
 * The repository whose workflow the job runs, when it is not the repository the run is for: a
 * job of a reusable workflow called from another repository. PyPI matches trusted publishers on
 * `job_workflow_ref`, which then names the reusable workflow's repository, so it refuses the
 * token (pypi/warehouse#11096); undefined when the job is the caller's own.
 */
export function foreignWorkflowRepository(claims: Record<string, unknown>): string | undefined {
  const { repository, job_workflow_ref: ref } = claims
  if (typeof repository !== 'string' || typeof ref !== 'string') return undefined
  const workflowRepository = ref.split('/.github/workflows/')[0] ?? ''
  return workflowRepository.toLowerCase() === repository.toLowerCase() ? undefined : workflowRepository
}

/** The whole exchange: audience, GitHub token, minted upload token (masked). */
export async function mintTrustedPublishingToken(
  uploadUrl: string,
  options: TrustedPublishingOptions = {}
): Promise<MintedToken> {
  const audience = await trustedPublishingAudience(uploadUrl, options)
  const idToken = await requestGitHubIdToken(audience)
  const claims = jwtClaims(idToken)
  const foreign = foreignWorkflowRepository(claims)
  if (foreign) {
    throw new ActionError(
      `Trusted publishing cannot work from this job: it runs a workflow of ${foreign} for ${String(claims['repository'])}, and the index matches trusted publishers on that workflow (job_workflow_ref), so it would refuse the token (pypi/warehouse#11096).`,
      {
        hint: `build and test with the reusable build-python.yml (it leaves the files in the python-dists artifact), then publish from a job of ${String(claims['repository'])}'s own workflow with publish-python, \`packages-dir\` and \`trusted-publishing: true\` (README, "Trusted publishing")`
      }
    )
  }
  const url = new URL('/_/oidc/mint-token', uploadUrl).toString()
  const response = await request(
    url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ token: idToken })
    },
    'Trusted publishing token exchange',
    options
  )
  const body = await readJson(response)
  const token = body?.['token']
  if (!response.ok || typeof token !== 'string' || !token) {
    const errors = Array.isArray(body?.['errors'])
      ? (body['errors'] as Array<{ code?: string; description?: string }>)
      : []
    const reasons =
      errors.map((e) => `${e.code ?? 'error'}: ${e.description ?? ''}`.trim()).join('; ') || `HTTP ${response.status}`
    throw new ActionError(`The index refused the trusted publishing exchange: ${reasons}.`, {
      hint: `add a trusted publisher for this project on the index that matches this workflow (the GitHub token has ${describeClaims(claims)})`
    })
  }
  registerSecret(token)
  const expires = typeof body?.['expires'] === 'number' ? (body['expires'] as number) : undefined
  return { token, expires, claims }
}
