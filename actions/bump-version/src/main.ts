import { ActionError, describeError } from '@release/shared/errors'
import { inputDirectory } from '@release/shared/paths'
import { checkCredentialTransport } from '@release/shared/transport'
import { type GitRepo, findWorkTreeRoot, gitRepo, readCheckout, remoteUrl, tokenAuthEnv } from '@release/shared/git'
import { writeJobSummary } from '@release/shared/summary'
import { describeSource, renderVersionEdits } from '@release/shared/version-sources/index'
import * as log from '@release/shared/workflow-commands'
import {
  type Bump,
  type Context,
  applyBump,
  checkRefs,
  describeMember,
  planVersion,
  remoteTagLookup,
  repoPath,
  tagsOf,
  templateValues,
  versionEdits
} from './bump.ts'
import type { Inputs } from './inputs.ts'
import { type PushOutcome, pushWithRetry } from './push.ts'
import { renderTemplate } from './plan.ts'

function sourceLines(ctx: Context, bump: Bump): string[] {
  return bump.members.flatMap((member) => {
    const of = bump.members.length > 1 ? `${member.name || repoPath(ctx, member.dir)}: ` : ''
    if (bump.mode === 'tag-only') return [`${of}The version comes from git tags: ${member.previousFrom}`]
    return [
      ...member.sources.map((source) => `${of}${describeSource(source)} = ${source.raw}`),
      ...member.followers.map((source) => `${of}${describeSource(source)} = ${source.raw} (follows the version)`)
    ]
  })
}

/**
 * Marks a promise that is started ahead of its use as handled, so a failure before it is
 * awaited is no unhandled rejection; awaiting it still throws.
 */
function startEarly<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
}

/**
 * Hands the token to git's calls to an http(s) remote (other remotes authenticate their own
 * way); never over plain http beyond loopback unless the workflow allows it.
 */
async function authenticate(repo: GitRepo, token: string, allowInsecureHttp: boolean): Promise<void> {
  const url = await remoteUrl(repo)
  const auth = url === undefined ? undefined : tokenAuthEnv(url, token)
  if (url !== undefined && auth) {
    checkCredentialTransport('token', url, allowInsecureHttp)
    Object.assign(repo.remoteEnv, auth)
  } else
    log.info(
      `Input \`token\` is ignored: the remote \`${repo.remote}\` is not an http(s) URL, so git authenticates to it another way.`
    )
}

function checkClean(dirty: string[], allowDirty: boolean): void {
  if (dirty.length === 0 || allowDirty) return
  const listed = dirty.slice(0, 10).join(', ') + (dirty.length > 10 ? `, and ${dirty.length - 10} more` : '')
  throw new ActionError(`The working tree has uncommitted changes: ${listed}.`, {
    hint: 'commit or stash them before bumping (only the version files go into the bump commit), or set `allow-dirty: true`'
  })
}

/**
 * Reads the checkout and the version, and plans the bump. The checkout (one git status) is read
 * while the version files are read in-process, and the remote's tag is looked up meanwhile.
 */
async function readVersion(inputs: Inputs, repo: GitRepo, projectDir: string): Promise<{ ctx: Context; bump: Bump }> {
  const checkoutRead = startEarly(readCheckout(repo))
  // Before git first talks to the remote (tag-only mode fetches tags while planning).
  if (inputs.token) await authenticate(repo, inputs.token, inputs.allowInsecureHttp)
  // The repository root, found in-process; git's answer differs only in layouts it had to be
  // asked about (linked worktrees, GIT_DIR), and then the plan is redone against it.
  const guessedTopLevel = findWorkTreeRoot(projectDir) ?? projectDir
  const draftContext = { inputs, repo, projectDir, topLevel: guessedTopLevel }
  const draft = await planVersion(draftContext).catch(async (error) => {
    // Outside a repository, the checkout's failure (with its fix) is the one to report.
    await checkoutRead
    throw error
  })
  const remoteTagRead = remoteTagLookup(draftContext, draft)
  if (remoteTagRead) startEarly(remoteTagRead)
  const head = await checkoutRead
  checkClean(head.dirty, inputs.allowDirty)
  const ctx: Context = {
    inputs,
    repo,
    projectDir,
    topLevel: head.topLevel,
    commonDir: head.commonDir,
    checkedOut: head.branch,
    branch: inputs.branch ?? head.branch,
    identity: { name: inputs.gitUserName, email: inputs.gitUserEmail }
  }
  const bump = head.topLevel === guessedTopLevel ? draft : await planVersion(ctx)
  bump.baseSha = head.sha
  await checkRefs(ctx, bump, remoteTagRead)
  if (inputs.push && !inputs.dryRun && !ctx.branch && (inputs.commit || bump.mode === 'tag-only')) {
    throw new ActionError(
      `HEAD is detached (at ${head.sha.slice(0, 12)}), so there is no branch to push the bump to.`,
      {
        hint: 'check out a branch (actions/checkout with `ref: main`), or name it in the `branch` input'
      }
    )
  }
  for (const line of sourceLines(ctx, bump)) log.info(line)
  for (const note of bump.notes) log.info(`Note: ${note}`)
  for (const member of bump.members) log.info(describeMember(member))
  return { ctx, bump }
}

export async function run(inputs: Inputs): Promise<void> {
  const projectDir = inputDirectory(
    'working-directory',
    inputs.workingDirectory,
    'the path of the Python project, relative to the workspace'
  )
  const repo = gitRepo(projectDir)
  const { ctx, bump } = await log.group('Read the version', () => readVersion(inputs, repo, projectDir))
  if (bump.remoteMoved) {
    log.info(
      `Note: ${repo.remote}/${ctx.branch} has moved past this checkout; a real run would bump on top of it, from the version there.`
    )
  }

  if (inputs.dryRun) {
    if (bump.mode === 'files') {
      const rendered = renderVersionEdits(versionEdits(bump))
      bump.changed = [...rendered].filter(([, edit]) => edit.after !== edit.before).map(([path]) => path)
    }
    log.info(
      `Dry run: would change ${bump.changed.map((path) => repoPath(ctx, path)).join(', ') || 'no files'}; nothing was written, committed, tagged or pushed.`
    )
    if (inputs.dispatchWorkflow)
      log.info(`Dry run: would then start ${inputs.dispatchWorkflow} on ${dispatchRef(ctx, bump)}.`)
    await finish(ctx, bump, { pushed: false, attempts: 0, dryRun: true })
    return
  }

  await log.group(bump.mode === 'files' ? 'Write, commit and tag' : 'Tag', () => applyBump(ctx, bump))

  const { outcome, bump: final } =
    inputs.push && (bump.commitSha !== undefined || tagsOf(bump).length > 0)
      ? await log.group(`Push to ${repo.remote}`, () => pushWithRetry(ctx, bump))
      : { outcome: { pushed: false, attempts: 0 }, bump }
  // Outputs and the summary are written whether or not the dispatch works: the bump is pushed
  // either way, and later steps (or a re-run of the dispatch alone) need to know it.
  const dispatched = await startDispatch(ctx, final, outcome)
  await finish(ctx, final, { ...outcome, dryRun: false, dispatched })
  if (dispatched?.error) {
    const tags = tagsOf(final)
    const pushedWhat = tags.length > 0 ? `tag ${tags.join(', ')}` : `${ctx.repo.remote}/${ctx.branch}`
    throw new ActionError(`The bump is pushed (${pushedWhat}), but ${describeError(dispatched.error)}`)
  }
}

/** The new tag; with several (or none), the branch, where every new tag points at its tip. */
function dispatchRef(ctx: Context, bump: Bump): string {
  const tags = tagsOf(bump)
  return tags.length === 1 ? `refs/tags/${tags[0]}` : `refs/heads/${ctx.branch}`
}

interface DispatchOutcome {
  workflow: string
  ref: string
  /** Where the workflow's runs are listed, once started. */
  url?: string
  error?: unknown
}

async function startDispatch(ctx: Context, bump: Bump, outcome: PushOutcome): Promise<DispatchOutcome | undefined> {
  const { dispatchWorkflow: workflow, githubToken } = ctx.inputs
  if (!workflow || !githubToken) return undefined
  const ref = dispatchRef(ctx, bump)
  if (!outcome.pushed) {
    log.warning(`Nothing was pushed, so ${workflow} was not started.`)
    return undefined
  }
  const values = templateValues(bump)
  const inputs = Object.fromEntries(
    Object.entries(ctx.inputs.dispatchInputs).map(([name, value]) => [name, renderTemplate(value, values)])
  )
  return log.group(`Start ${workflow} on ${ref}`, async () => {
    try {
      const { dispatchWorkflow } = await import('./dispatch.ts')
      const url = await dispatchWorkflow({
        workflow,
        ref,
        inputs,
        token: githubToken,
        allowInsecureHttp: ctx.inputs.allowInsecureHttp
      })
      log.info(`Started ${workflow} on ${ref}: ${url}`)
      return { workflow, ref, url }
    } catch (error) {
      return { workflow, ref, error }
    }
  })
}

async function finish(
  ctx: Context,
  bump: Bump,
  outcome: PushOutcome & { dryRun: boolean; dispatched?: DispatchOutcome }
): Promise<void> {
  const changed = bump.changed.map((path) => repoPath(ctx, path)).sort()
  // One project: its versions and tag. Several: those three are empty (one value would be a
  // guess); `versions` and `tags` hold each project's.
  const single = bump.members.length === 1 ? bump.members[0] : undefined
  log.setOutput('previous-version', single?.previous ?? '')
  log.setOutput('version', single?.version ?? '')
  log.setOutput('tag', single?.tag ?? '')
  log.setOutput(
    'versions',
    JSON.stringify(
      Object.fromEntries(
        bump.members.map((member) => [member.name || repoPath(ctx, member.dir) || '.', member.version])
      )
    )
  )
  log.setOutput('tags', tagsOf(bump).join('\n'))
  log.setOutput('commit-sha', bump.commitSha ?? '')
  log.setOutput('changed-files', changed.join('\n'))

  const where = ctx.branch ? `${ctx.repo.remote}/${ctx.branch}` : ctx.repo.remote
  const redone = outcome.attempts > 1 ? ` (attempt ${outcome.attempts}: redone on top of commits pushed meanwhile)` : ''
  const pushed = outcome.dryRun
    ? 'no (dry run)'
    : outcome.pushed
      ? `yes, to \`${where}\`${redone}`
      : 'no (`push: false`)'
  const commit =
    bump.mode === 'tag-only'
      ? `${bump.commitSha ?? ''} (tagged; no commit needed)`
      : (bump.commitSha ?? (outcome.dryRun ? '(dry run)' : 'none (`commit: false`)'))
  await writeJobSummary(outcome.dryRun ? 'Version bump (dry run)' : 'Version bump', [
    {
      table: {
        header: ['', ''],
        rows: [
          ...bump.members.flatMap((member) => {
            const of = bump.members.length > 1 ? ` (${member.name || repoPath(ctx, member.dir)})` : ''
            return [
              [`Version${of}`, `${member.previous ?? '(none)'} → **${member.version}**`],
              [`Tag${of}`, member.tag ? `\`${member.tag}\`` : 'none (`tag: false`)']
            ]
          }),
          ['Commit', commit],
          ['Pushed', pushed],
          ...(outcome.dispatched
            ? [
                [
                  'Started',
                  outcome.dispatched.error
                    ? `no: starting \`${outcome.dispatched.workflow}\` failed`
                    : `[\`${outcome.dispatched.workflow}\`](${outcome.dispatched.url}) on \`${outcome.dispatched.ref}\``
                ]
              ]
            : [])
        ]
      }
    },
    bump.mode === 'files'
      ? { heading: 'Files', list: changed.map((file) => `\`${file}\``) }
      : { text: `The version comes from git tags (${bump.members[0].previousFrom}); no file was edited.` }
  ])
}
