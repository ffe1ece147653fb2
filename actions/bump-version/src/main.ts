import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { ActionError, InputError, describeError } from '@release/shared/errors'
import { findWorkTreeRoot, gitRepo, readCheckout, remoteUrl, tokenAuthEnv } from '@release/shared/git'
import { writeJobSummary } from '@release/shared/summary'
import { describeSource, renderVersionEdits } from '@release/shared/version-sources/index'
import * as log from '@release/shared/workflow-commands'
import {
  type Bump,
  type Context,
  applyBump,
  checkRefs,
  planVersion,
  remoteTagLookup,
  repoPath,
  templateValues
} from './bump.ts'
import type { Inputs } from './inputs.ts'
import { type PushOutcome, pushWithRetry } from './push.ts'
import { renderTemplate } from './plan.ts'

function checkWorkingDirectory(path: string): void {
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new InputError(
      'working-directory',
      `"${path}" is not a directory`,
      'use the path of the Python project, relative to the workspace'
    )
  }
}

function sourceLines(bump: Bump): string[] {
  if (bump.mode === 'tag-only') return [`The version comes from git tags: ${bump.previousFrom}`]
  return bump.sources.map((source) => `${describeSource(source)} = ${source.raw}`)
}

export async function run(inputs: Inputs): Promise<void> {
  const projectDir = resolve(inputs.workingDirectory)
  checkWorkingDirectory(projectDir)
  const repo = gitRepo(projectDir)
  const identity = { name: inputs.gitUserName, email: inputs.gitUserEmail }

  const read = await log.group('Read the version', async () => {
    // The checkout is read (one git status) while the version files are read in-process. Its
    // failure is awaited first, so that outside a repository its message (with the fix) is the one
    // reported.
    const checkoutRead = readCheckout(repo)
    checkoutRead.catch(() => undefined)
    // A token must be in place before git first talks to the remote (tag-only mode fetches tags
    // while planning); the status above is local.
    if (inputs.token) {
      const url = await remoteUrl(repo)
      const auth = url === undefined ? undefined : tokenAuthEnv(url, inputs.token)
      if (auth) Object.assign(repo.env, auth)
      else
        log.info(
          `Input \`token\` is ignored: the remote \`${repo.remote}\` is not an https URL, so git authenticates to it another way.`
        )
    }
    const planContext = { inputs, repo, projectDir, topLevel: findWorkTreeRoot(projectDir) ?? projectDir }
    const draft = await planVersion(planContext).catch(async (error) => {
      await checkoutRead
      throw error
    })
    const remoteTagRead = remoteTagLookup(planContext, draft)
    remoteTagRead?.catch(() => undefined)
    const head = await checkoutRead
    if (head.dirty.length > 0 && !inputs.allowDirty) {
      const { dirty } = head
      const listed = dirty.slice(0, 10).join(', ') + (dirty.length > 10 ? `, and ${dirty.length - 10} more` : '')
      throw new ActionError(`The working tree has uncommitted changes: ${listed}.`, {
        hint: 'commit or stash them before bumping (only the version files go into the bump commit), or set `allow-dirty: true`'
      })
    }
    const branch = inputs.branch ?? head.branch
    const context: Context = {
      inputs,
      repo,
      projectDir,
      topLevel: head.topLevel,
      commonDir: head.commonDir,
      checkedOut: head.branch,
      branch,
      identity
    }
    // `files` are checked against the repository root; the in-process guess is git's answer but in
    // layouts git had to be asked about.
    const planned = head.topLevel === planContext.topLevel ? draft : await planVersion(context)
    planned.baseSha = head.sha
    await checkRefs(context, planned, remoteTagRead)
    if (inputs.push && !inputs.dryRun && !branch && (inputs.commit || planned.mode === 'tag-only')) {
      throw new ActionError(
        `HEAD is detached (at ${head.sha.slice(0, 12)}), so there is no branch to push the bump to.`,
        {
          hint: 'check out a branch (actions/checkout with `ref: main`), or name it in the `branch` input'
        }
      )
    }
    for (const line of sourceLines(planned)) log.info(line)
    for (const note of planned.notes) log.info(`Note: ${note}`)
    log.info(`${planned.previous ?? '(none)'} -> ${planned.version}${planned.tag ? `, tag ${planned.tag}` : ''}`)
    return { ctx: context, bump: planned }
  })
  const { ctx, bump } = read
  if (bump.remoteMoved) {
    log.info(
      `Note: ${repo.remote}/${ctx.branch} has moved past this checkout; a real run would bump on top of it, from the version there.`
    )
  }

  if (inputs.dryRun) {
    if (bump.mode === 'files') {
      const rendered = renderVersionEdits(bump.sources, bump.version)
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

  let outcome: PushOutcome = { pushed: false, attempts: 0 }
  let final = bump
  if (inputs.push && (bump.commitSha !== undefined || bump.tag !== undefined)) {
    ;({ outcome, bump: final } = await log.group(`Push to ${repo.remote}`, () => pushWithRetry(ctx, bump)))
  }
  // Outputs and the summary are written whether or not the dispatch works: the bump is pushed
  // either way, and later steps (or a re-run of the dispatch alone) need to know it.
  const dispatched = await startDispatch(ctx, final, outcome)
  await finish(ctx, final, { ...outcome, dryRun: false, dispatched })
  if (dispatched?.error) {
    const pushedWhat = final.tag ? `tag ${final.tag}` : `${ctx.repo.remote}/${ctx.branch}`
    throw new ActionError(`The bump is pushed (${pushedWhat}), but ${describeError(dispatched.error)}`)
  }
}

function dispatchRef(ctx: Context, bump: Bump): string {
  return bump.tag ? `refs/tags/${bump.tag}` : `refs/heads/${ctx.branch}`
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
      const url = await dispatchWorkflow({ workflow, ref, inputs, token: githubToken })
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
  log.setOutput('previous-version', bump.previous ?? '')
  log.setOutput('version', bump.version)
  log.setOutput('tag', bump.tag ?? '')
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
          ['Version', `${bump.previous ?? '(none)'} → **${bump.version}**`],
          ['Tag', bump.tag ? `\`${bump.tag}\`` : 'none (`tag: false`)'],
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
      : { text: `The version comes from git tags (${bump.previousFrom}); no file was edited.` }
  ])
}
