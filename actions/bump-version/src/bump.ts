// One bump, planned from the files (or tags) and applied locally: everything before the push.
// The push loop re-runs both after the remote moves, so they take the state from disk each time.
import { readFileSync, writeFileSync } from 'node:fs'
import { relative, sep } from 'node:path'
import { ActionError, InputError } from '@release/shared/errors'
import {
  type GitIdentity,
  type GitRepo,
  commitPaths,
  createTag,
  deleteLocalTag,
  fetchTags,
  isAncestor,
  listTags,
  localTag,
  lsRemote,
  readRefFromFiles,
  revParse
} from '@release/shared/git'
import {
  agreedVersion,
  discoverVersionSources,
  type VersionSource,
  writeVersion
} from '@release/shared/version-sources/index'
import * as log from '@release/shared/workflow-commands'
import { versionTheBackendBuilds } from './backend-check.ts'
import type { Inputs } from './inputs.ts'
import { type Templates, latestTaggedVersion, renderTemplate, tagGlob, tagName, targetVersion } from './plan.ts'

export interface Context {
  inputs: Inputs
  repo: GitRepo
  projectDir: string
  topLevel: string
  /** The shared .git directory, for reading refs without starting git. */
  commonDir?: string
  /** The branch checked out (HEAD is a symbolic ref to it); undefined when detached. */
  checkedOut?: string
  /** Where the commit and tag go; undefined only when nothing is pushed. */
  branch?: string
  identity: GitIdentity
}

/** One bump as planned and, once applied, as made locally. */
export interface Bump {
  /** `files`: edit, commit, tag. `tag-only`: the version lives in tags (setuptools-scm and friends). */
  mode: 'files' | 'tag-only'
  previous?: string
  /** Where the previous version was read, for messages. */
  previousFrom: string
  version: string
  /** Undefined when `tag: false`. */
  tag?: string
  sources: VersionSource[]
  /** Written with the sources, not compared with them: the project's entry in uv.lock. */
  followers: VersionSource[]
  /** HEAD before the bump commit. */
  baseSha: string
  /** Absolute paths edited (or, in a dry run, that would be). */
  changed: string[]
  /** The bump commit, or the tagged commit in tag-only mode; undefined when nothing was committed. */
  commitSha?: string
  /** The remote branch has commits this checkout lacks (known only when the remote was asked: dry runs). */
  remoteMoved: boolean
  notes: string[]
}

export function repoPath(ctx: Context, path: string): string {
  return relative(ctx.topLevel, path).split(sep).join('/')
}

/** What planning needs before HEAD is known: the first plan runs beside the first git reads. */
export type PlanContext = Pick<Context, 'inputs' | 'repo' | 'projectDir' | 'topLevel'>

/** Reads the current version (files, or tags) and works out the new one and the tag. */
export async function planVersion(ctx: PlanContext): Promise<Bump> {
  const { inputs } = ctx
  const discovery = discoverVersionSources(ctx.projectDir, { files: inputs.files, root: ctx.topLevel })
  const tagOnly = discovery.sources.length === 0
  let previous: string | undefined
  let previousFrom: string
  if (tagOnly) {
    if (!inputs.tag) {
      throw new InputError(
        'tag',
        `is false, but this project's version comes from git tags (${discovery.scm}), so the bump is the tag`,
        'set `tag: true`'
      )
    }
    checkTagTemplateMatchesScm(inputs.tagTemplate, discovery)
    // The tags are the versions; a checkout (actions/checkout fetches none by default) may lack
    // the latest ones, and bumping from a stale list would reuse a released version.
    if (inputs.push && !inputs.dryRun) await fetchTags(ctx.repo)
    const tags = await listTags(ctx.repo, tagGlob(inputs.tagTemplate), 'HEAD')
    const latest = latestTaggedVersion(inputs.tagTemplate, tags)
    previous = latest?.version
    previousFrom = latest
      ? `tag ${latest.tag}, ${discovery.scm}`
      : `no tag matching ${inputs.tagTemplate} is reachable from HEAD (${discovery.scm})`
  } else {
    if (inputs.tag && !inputs.commit) {
      throw new InputError(
        'tag',
        'is true while `commit` is false, so the tag would point at a commit without the new version',
        'set `tag: false` to only edit the files, or `commit: true`'
      )
    }
    previous = agreedVersion(discovery.sources)
    previousFrom = discovery.sources.length === 1 ? discovery.sources[0].file : `${discovery.sources.length} sources`
  }
  const version = targetVersion(previous, inputs, previousFrom)
  return {
    mode: tagOnly ? 'tag-only' : 'files',
    previous,
    previousFrom,
    version,
    tag: inputs.tag ? tagName(inputs.tagTemplate, version) : undefined,
    sources: discovery.sources,
    followers: tagOnly ? [] : discovery.followers,
    baseSha: '',
    changed: [],
    remoteMoved: false,
    notes: discovery.notes
  }
}

/**
 * The remote tag lookup for a planned bump, or undefined when the remote is not asked up front.
 * Only a dry run asks, to report what a real run would meet. A real run lets its atomic push be
 * the check: the push refuses a tag the remote already has (and a branch that moved) with no
 * window between check and push, and a bump saves a round trip to the remote. In tag-only mode
 * the remote's tags were fetched anyway, so the local check covers them.
 */
export function remoteTagLookup(ctx: PlanContext, bump: Bump): Promise<string | undefined> | undefined {
  if (!ctx.inputs.push || !bump.tag || !ctx.inputs.dryRun) return undefined
  const ref = `refs/tags/${bump.tag}`
  return lsRemote(ctx.repo, [ref]).then((refs) => refs.get(ref))
}

/** planVersion and checkRefs in one go, for a bump redone after the remote moved. */
export async function planBump(ctx: Context, baseSha: string): Promise<Bump> {
  const bump = await planVersion(ctx)
  bump.baseSha = baseSha
  await checkRefs(ctx, bump, remoteTagLookup(ctx, bump))
  return bump
}

/**
 * Refuses a tag that exists here, or (when the remote was asked) on the remote. A remote tag
 * that this checkout computed again because it is behind the remote is no conflict but a race
 * (remoteMoved): a real run redoes the bump on top of the remote and is refused there if the tag
 * still exists.
 */
export async function checkRefs(
  ctx: Context,
  bump: Bump,
  remoteTagRead: Promise<string | undefined> | undefined
): Promise<void> {
  if (!bump.tag) return
  const { repo } = ctx
  const tag = bump.tag
  const [local, remoteTag] = await Promise.all([localTag(repo, tag, ctx.commonDir), remoteTagRead])
  if (remoteTag) {
    // Only now is the remote branch worth a look: has it commits this checkout lacks?
    const branchRef = `refs/heads/${ctx.branch}`
    const remoteBranch =
      ctx.branch && bump.mode === 'files' ? (await lsRemote(repo, [branchRef])).get(branchRef) : undefined
    bump.remoteMoved =
      remoteBranch !== undefined &&
      remoteBranch !== bump.baseSha &&
      !(await isAncestor(repo, remoteBranch, bump.baseSha, { unknownIsFalse: true }))
    if (!bump.remoteMoved) {
      throw new ActionError(`Tag ${tag} already exists on ${repo.remote} (${remoteTag.slice(0, 12)}).`, {
        hint: 'bump to another version (e.g. a different `bump` kind or `version`), or delete the tag if it was pushed by mistake'
      })
    }
  }
  if (local) {
    throw new ActionError(`Tag ${tag} already exists in this checkout (${local.slice(0, 12)}).`, {
      hint: `delete it (\`git tag -d ${tag}\`) if it is left over, or bump to another version`
    })
  }
}

/** What `{old}`, `{new}`, `{version}` and `{tag}` stand for in this bump's templates. */
export function templateValues(bump: Bump): Templates {
  return { old: bump.previous ?? '', new: bump.version, tag: bump.tag ?? '' }
}

/** Writes the files, commits and tags: everything local. */
export async function applyBump(ctx: Context, bump: Bump): Promise<void> {
  const { inputs } = ctx
  const values = templateValues(bump)
  if (bump.mode === 'files') {
    const edited = [...bump.sources, ...bump.followers]
    const originals = new Map(edited.map((source) => [source.path, readFileSync(source.path)]))
    bump.changed = writeVersion(edited, bump.version)
    for (const path of bump.changed) log.info(`Wrote ${bump.version} to ${repoPath(ctx, path)}`)
    if (needsTheBackend(bump)) {
      if (inputs.checkBuild)
        await checkTheBackend(ctx, bump, async () => {
          for (const path of bump.changed) writeFileSync(path, originals.get(path) as Buffer)
          bump.changed = []
        })
      else if (inputs.push)
        log.info(
          'Note: the build backend was not asked which version it builds (`check-build: auto` keeps third-party code out of a step that can push); bump-and-release asks it in a job without credentials'
        )
    }
    if (inputs.commit) {
      await commitPaths(
        ctx.repo,
        bump.changed.map((path) => relative(ctx.projectDir, path)),
        renderTemplate(inputs.commitMessage, values),
        ctx.identity
      )
    }
  }
  if (bump.tag) {
    const message = inputs.annotatedTag ? renderTemplate(inputs.tagMessage, values) : undefined
    ;[, bump.commitSha] = await Promise.all([createTag(ctx.repo, bump.tag, ctx.identity, message), headSha(ctx)])
    // In tag-only mode the tag is the version: the backend can be asked only once it exists.
    if (bump.mode === 'tag-only' && inputs.checkBuild) {
      const tag = bump.tag
      await checkTheBackend(ctx, bump, () => deleteLocalTag(ctx.repo, tag))
    }
  } else if (inputs.commit) {
    bump.commitSha = await headSha(ctx)
  }
}

/**
 * A static `[project].version` in the project's pyproject.toml is what every backend builds
 * (PEP 621 forbids changing it), so asking costs time and proves nothing.
 */
function needsTheBackend(bump: Bump): boolean {
  return !bump.sources.some((source) => source.label === '[project].version' && source.file === 'pyproject.toml')
}

/** Refuses the bump, after `undo`, when the backend would build another version. */
async function checkTheBackend(ctx: Context, bump: Bump, undo: () => Promise<void>): Promise<void> {
  const built = await versionTheBackendBuilds(ctx.repo, ctx.projectDir, ctx.inputs.python).catch(async (error) => {
    await undo()
    throw error
  })
  if (built.version === bump.version) return
  await undo()
  throw new ActionError(
    bump.mode === 'files'
      ? `The build backend would build ${built.version}, not ${bump.version}: the version it builds comes from somewhere this bump did not edit.`
      : `The build backend would build ${built.version} from tag ${bump.tag}, not ${bump.version}.`,
    {
      hint:
        bump.mode === 'files'
          ? 'name the file that holds it in `files` (`path`, or `path: text with {version}`), or make the build read the version from a file listed above; nothing was committed, tagged or pushed'
          : 'check the version scheme of the tag-based version (a dirty tree or a `local_scheme` adds a local part) and that `tag-template` matches the tags it reads; the tag was deleted and nothing was pushed'
    }
  )
}

/** HEAD's commit: a commit always leaves its branch as a loose ref, so read it, else ask git. */
async function headSha(ctx: Context): Promise<string> {
  const fromFiles =
    ctx.checkedOut && ctx.commonDir ? readRefFromFiles(ctx.commonDir, `refs/heads/${ctx.checkedOut}`) : null
  return fromFiles ?? revParse(ctx.repo, 'HEAD')
}

/**
 * A provider told to read only some tags (`git_describe_command --match hatch-v*`) builds the
 * version from those: a bump that read or made other tags would release a version the build
 * never produces.
 */
function checkTagTemplateMatchesScm(tagTemplate: string, discovery: { scm?: string; scmTagMatch?: string }): void {
  const match = discovery.scmTagMatch
  if (!match || tagGlob(tagTemplate) === match) return
  const template = /^[^*?[\]]*\*$/.test(match) ? `${match.slice(0, -1)}{version}` : undefined
  throw new InputError(
    'tag-template',
    `is "${tagTemplate}", but the version comes from tags matching "${match}" (git_describe_command of ${discovery.scm})`,
    template ? `set \`tag-template: ${template}\`` : `set \`tag-template\` to the form of the tags "${match}" matches`
  )
}
