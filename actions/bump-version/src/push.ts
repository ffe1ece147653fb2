// Pushing the bump without races. The commit and its tag go in one `git push --atomic`, so the
// remote gets both or neither. When another run got there first the push is rejected; then,
// rather than force-pushing or rebasing, the unpushed bump is dropped, the branch is moved to
// the new remote tip (`reset --keep`, which refuses to overwrite local edits), and the version
// is read and bumped again from there: the second of two racing runs produces the next version.
// Every way out says what the remote has, and takes the unpushed bump back out of the checkout
// (or says why it could not), so a re-run starts clean.
import { ActionError, describeError } from '@release/shared/errors'
import {
  type GitRepo,
  type PushResult,
  deleteLocalTag,
  fetchBranch,
  isAncestor,
  localTag,
  lsRemote,
  pushAtomic,
  resetKeep,
  revParse,
  stallLimits,
  tagsPointingAt
} from '@release/shared/git'
import { compareVersions } from '@release/shared/pep440'
import * as log from '@release/shared/workflow-commands'
import { type Bump, type Context, applyBump, describeMember, planBump, tagsOf } from './bump.ts'
import { tagGlob, versionFromTag } from '@release/shared/tag-template'

export interface PushOutcome {
  pushed: boolean
  /** Push attempts made; more than one means the remote moved and the bump was redone. */
  attempts: number
}

function short(sha: string | undefined): string {
  return sha ? sha.slice(0, 12) : '(none)'
}

/**
 * Takes back a bump that did not reach the remote (its tag, and its commit with `reset --keep`),
 * so a re-run or a later step starts from a clean checkout, and says where that left things.
 */
async function undoBump(ctx: Context, bump: Bump, original: string): Promise<string> {
  try {
    for (const tag of tagsOf(bump)) await deleteLocalTag(ctx.repo, tag)
    if (bump.mode === 'files' && bump.commitSha && bump.commitSha !== bump.baseSha)
      await resetKeep(ctx.repo, bump.baseSha)
  } catch (error) {
    const left = [
      bump.mode === 'files' && bump.commitSha ? `the bump commit ${short(bump.commitSha)}` : '',
      tagsOf(bump).length > 0 ? `the tags ${tagsOf(bump).join(', ')}` : ''
    ].filter(Boolean)
    return `undoing the bump failed (${describeError(error)}), so ${left.join(' and ')} may still be in this checkout`
  }
  return bump.baseSha === original
    ? 'the bump was undone: this checkout is as it was'
    : `the bump was undone: this checkout is at ${ctx.repo.remote}/${ctx.branch} (${short(bump.baseSha)}), which it had to catch up with`
}

function rejections(result: PushResult): string {
  return result.refs
    .filter((ref) => ref.status !== 'ok' && !(ref.status === 'up-to-date' && !ref.summary.includes('identical')))
    .map((ref) => `${ref.ref} ${ref.summary}`)
    .join('; ')
}

/** What the remote holds for our branch and tags, to tell a half-known outcome apart. */
async function remoteState(
  ctx: Context,
  branch: string,
  tags: readonly string[]
): Promise<{ branchSha?: string; tagShas: Map<string, string | undefined> } | undefined> {
  try {
    const refs = await lsRemote(ctx.repo, [`refs/heads/${branch}`, ...tags.map((tag) => `refs/tags/${tag}`)])
    return {
      branchSha: refs.get(`refs/heads/${branch}`),
      tagShas: new Map(tags.map((tag) => [tag, refs.get(`refs/tags/${tag}`)]))
    }
  } catch {
    return undefined
  }
}

/** git never got to send anything: the remote did not let it in. */
function authFailure(result: PushResult): boolean {
  return /\b40[13]\b|Authentication failed|could not read Username|Permission to .* denied|terminal prompts disabled/i.test(
    `${rejections(result)} ${result.error ?? ''}`
  )
}

function failureHint(result: PushResult, repo: GitRepo): string {
  if (result.refs.some((ref) => ref.status === 'remote-rejected')) {
    return 'the remote refused the update (a branch protection rule, ruleset or hook); let the pushing identity bypass it (e.g. a GitHub App token in `token`), or bump through a pull request'
  }
  if (authFailure(result)) {
    return 'give the job `permissions: contents: write`, or pass a `token` that may push to the repository'
  }
  if (
    /Operation too slow|timed out|Could not resolve host|Connection refused|Connection reset|Failed to connect/i.test(
      result.error ?? ''
    )
  ) {
    const { bytesPerSecond, seconds } = stallLimits(repo)
    return `the remote could not be reached or stopped answering (git gives up on a transfer below ${bytesPerSecond} bytes/s for ${seconds} s; GIT_HTTP_LOW_SPEED_LIMIT and GIT_HTTP_LOW_SPEED_TIME change that); run the job again once it answers`
  }
  return 'see the git output above'
}

/** Pushes the bump, redoing it on top of the remote when the remote moved, up to `push-attempts` times. */
export async function pushWithRetry(ctx: Context, first: Bump): Promise<{ outcome: PushOutcome; bump: Bump }> {
  const branch = ctx.branch as string
  const remote = ctx.repo.remote
  const maxAttempts = ctx.inputs.pushAttempts
  let bump = first
  let includeBranch = true

  for (let attempt = 1; ; attempt++) {
    const tags = tagsOf(bump)
    const refspecs = [...(includeBranch ? [`HEAD:refs/heads/${branch}`] : []), ...tags.map((tag) => `refs/tags/${tag}`)]
    const result = await pushAtomic(ctx.repo, refspecs)
    // "Up to date" for a ref we meant to create means the remote already had that exact object:
    // another run made a byte-identical bump (same tree, parent, identity and second). That is
    // their release, not ours, so it counts as a race and the bump moves on to the next version.
    const identical = result.refs.filter(
      (ref) => ref.status === 'up-to-date' && (bump.mode === 'files' || ref.ref.startsWith('refs/tags/'))
    )
    if (result.ok && identical.length === 0) {
      log.info(
        `Pushed ${refspecs.map((spec) => spec.split(':').pop()).join(' and ')} to ${remote} (attempt ${attempt} of ${maxAttempts}).`
      )
      return { outcome: { pushed: true, attempts: attempt }, bump }
    }
    if (result.ok) {
      result.raced = true
      for (const ref of identical) ref.summary = '[up to date] (an identical bump from another run)'
    }

    if (!result.raced) {
      // Not a race: auth, network, a hook. An atomic push lands whole or not at all, but a
      // dropped connection can hide which; ask the remote rather than guess.
      const [state, ourTags] = await Promise.all([
        remoteState(ctx, branch, tags),
        Promise.all(tags.map((tag) => localTag(ctx.repo, tag, ctx.commonDir)))
      ])
      const branchLanded = !includeBranch || (state?.branchSha !== undefined && state.branchSha === bump.commitSha)
      // A tag of that name may be another run's (in tag-only mode the branch "landed" long ago, so
      // the tag decides). ls-remote and rev-parse both name the object the ref points at (the tag
      // object of an annotated tag), so only the same object id means ours got there.
      const tagLanded = (tag: string, index: number): boolean =>
        state?.tagShas.get(tag) !== undefined && state.tagShas.get(tag) === ourTags[index]
      const tagsLanded = tags.every(tagLanded)
      if (state && branchLanded && tagsLanded && (includeBranch || tags.length > 0)) {
        log.warning(
          `git reported a failed push, but ${remote} has the bump (${branch} at ${short(state.branchSha)}${tags.length ? `, tag ${tags.join(', ')}` : ''}); treating it as pushed.`
        )
        return { outcome: { pushed: true, attempts: attempt }, bump }
      }
      const remoteTags = tags
        .map((tag, index) => {
          const sha = state?.tagShas.get(tag)
          return sha
            ? `a tag ${tag} at ${short(sha)}${tagLanded(tag, index) ? '' : ' (not this run’s)'}`
            : `no tag ${tag}`
        })
        .join(', ')
      const onRemote = state
        ? `${remote} has ${branch} at ${short(state.branchSha)}${branchLanded ? '' : ' (not the bump commit)'}${tags.length ? ` and ${remoteTags}` : ''}, so nothing was pushed`
        : authFailure(result)
          ? `${remote} did not let git in, so nothing was pushed`
          : `What reached ${remote} could not be checked (the push is atomic: the commit and tag landed together or not at all), so the bump is left in this checkout`
      const undone = state || authFailure(result) ? `; ${await undoBump(ctx, bump, first.baseSha)}` : ''
      throw new ActionError(`Push to ${remote} failed: ${rejections(result) || result.error}. ${onRemote}${undone}.`, {
        hint: failureHint(result, ctx.repo)
      })
    }

    const gaveUp = async (): Promise<ActionError> =>
      new ActionError(
        `Gave up after ${attempt} push attempt${attempt === 1 ? '' : 's'}: ${remote}/${branch} kept moving (last: ${rejections(result)}). Nothing was pushed, and ${await undoBump(ctx, bump, first.baseSha)}.`,
        { hint: 'run the bumps one at a time (a workflow `concurrency:` group), or raise `push-attempts`' }
      )
    log.info(`Rejected: ${rejections(result)}.`)

    if (bump.mode === 'tag-only') {
      // Fetched tags must not clash with ours, which never left (atomic push).
      if (attempt >= maxAttempts) throw await gaveUp()
      for (const tag of tags) await deleteLocalTag(ctx.repo, tag)
      const remoteTip = await fetchBranch(ctx.repo, branch, { tags: true })
      const head = await revParse(ctx.repo, 'HEAD')
      if (await isAncestor(ctx.repo, head, remoteTip)) includeBranch = false
      else if (!(await isAncestor(ctx.repo, remoteTip, head)))
        throw diverged(ctx, remoteTip, 'the unpushed tag was removed: this checkout is as it was')
      const released = await releasedMeanwhile(ctx, bump, head)
      if (released) {
        throw new ActionError(
          `HEAD is already released as ${released}: another run tagged ${short(head)} on ${remote} meanwhile. Nothing was pushed, and the unpushed tag was removed: this checkout is as it was.`,
          {
            hint: 'run the bumps one at a time (a workflow `concurrency:` group)'
          }
        )
      }
      log.info(`Tagging again from the remote's tags (attempt ${attempt + 1} of ${maxAttempts}).`)
      bump = await redo(ctx, remoteTip, () => planBump(ctx, bump.baseSha))
      await redo(ctx, remoteTip, () => applyBump(ctx, bump))
      continue
    }

    const remoteTip = await fetchBranch(ctx.repo, branch)
    if (await isAncestor(ctx.repo, remoteTip, bump.baseSha)) {
      // The branch brought nothing new: what the push ran into is the tag, or a concurrent push
      // that lost a lock race and changed nothing.
      const remoteTags = tags.length
        ? await lsRemote(
            ctx.repo,
            tags.map((tag) => `refs/tags/${tag}`)
          )
        : new Map()
      const taken = tags.find((tag) => remoteTags.has(`refs/tags/${tag}`))
      if (taken) {
        throw new ActionError(
          `Tag ${taken} already exists on ${remote} (${short(remoteTags.get(`refs/tags/${taken}`))}). Nothing was pushed, and ${await undoBump(ctx, bump, first.baseSha)}.`,
          {
            hint: 'bump to another version (e.g. a different `bump` kind or `version`), or delete the tag if it was pushed by mistake'
          }
        )
      }
      if (attempt >= maxAttempts) throw await gaveUp()
      log.info(`${remote}/${branch} has not moved; pushing again (attempt ${attempt + 1} of ${maxAttempts}).`)
      continue
    }
    if (attempt >= maxAttempts) throw await gaveUp()
    log.info(
      `Another push got there first; bumping again on top of ${remote}/${branch} (attempt ${attempt + 1} of ${maxAttempts}).`
    )
    bump = await moveOnto(ctx, bump, remoteTip, first.baseSha)
    await redo(ctx, remoteTip, () => applyBump(ctx, bump))
  }
}

/**
 * A release tag on `head` that appeared after this bump was planned: tagging the same commit
 * with the next version would release the same code twice. Only tags above the version the bump
 * started from count, so an older tag on this commit (an rc promoted to final) is no clash.
 */
async function releasedMeanwhile(ctx: Context, bump: Bump, head: string): Promise<string | undefined> {
  // Tag-only bumps have one member (planVersion refuses more).
  const [{ name, previous, tagTemplate: template }] = bump.members
  for (const tag of await tagsPointingAt(ctx.repo, head, tagGlob(template, name))) {
    const version = versionFromTag(template, tag, name)
    if (version !== undefined && (previous === undefined || compareVersions(version, previous) > 0)) return tag
  }
  return undefined
}

/** Runs a step of a redone bump; a failure says the remote moved and that nothing was pushed. */
async function redo<T>(ctx: Context, remoteTip: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (error) {
    const at = `${ctx.repo.remote}/${ctx.branch}`
    throw new ActionError(
      `${at} moved during the bump, and bumping again on top of it failed: ${describeError(error)} Nothing was pushed; this checkout is at ${at} (${short(remoteTip)}).`
    )
  }
}

/**
 * Moves the checkout to `remoteTip` and plans the bump again from there. Only allowed when every
 * commit here before the bump is on the remote: the one commit left behind is our own bump, which
 * the remote refused (or already holds, byte-identical, from another run), so nothing is lost.
 * `reset --keep` refuses rather than overwrite local edits.
 */
async function moveOnto(ctx: Context, bump: Bump, remoteTip: string, original: string): Promise<Bump> {
  if (!(await isAncestor(ctx.repo, bump.baseSha, remoteTip)))
    throw diverged(ctx, remoteTip, await undoBump(ctx, bump, original))
  // Our tags never left (atomic push); the next attempt tags afresh.
  for (const tag of tagsOf(bump)) await deleteLocalTag(ctx.repo, tag)
  await resetKeep(ctx.repo, remoteTip)
  const next = await redo(ctx, remoteTip, () => planBump(ctx, remoteTip))
  log.info(`${ctx.branch} is now at ${short(remoteTip)}: ${next.members.map(describeMember).join('; ')}`)
  return next
}

function diverged(ctx: Context, remoteTip: string, undone: string): ActionError {
  const branch = ctx.branch as string
  return new ActionError(
    `${ctx.repo.remote}/${branch} (${short(remoteTip)}) and this checkout have diverged: commits here before the bump are not on the remote. Nothing was pushed, and ${undone}.`,
    {
      hint: `merge or rebase onto ${ctx.repo.remote}/${branch} and push those commits first; this action never force-pushes or rebases`
    }
  )
}
