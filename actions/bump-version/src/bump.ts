// One bump, planned from the files (or tags) and applied locally: everything before the push.
// The push loop re-runs both after the remote moves, so they take the state from disk each time.
import { readFileSync, writeFileSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { ActionError, InputError } from '@release/shared/errors'
import {
  type GitIdentity,
  type GitRepo,
  commitPaths,
  createTag,
  deleteLocalTag,
  fetchTags,
  hasPersistedCredentials,
  isAncestor,
  listTags,
  localTag,
  lsRemote,
  readRefFromFiles,
  revParse
} from '@release/shared/git'
import {
  type Discovery,
  type ExtraFile,
  agreedVersion,
  discoverVersionSources,
  type VersionSource,
  writeVersions
} from '@release/shared/version-sources/index'
import { inputDirectory } from '@release/shared/paths'
import { readProjectName, requireProjectName } from '@release/shared/python/project-name'
import * as log from '@release/shared/workflow-commands'
import { versionTheBackendBuilds } from './backend-check.ts'
import { DEFAULT_COMMIT_MESSAGE, type Inputs } from './inputs.ts'
import { globMatches, tagGlob } from '@release/shared/tag-template'
import { type Templates, latestTaggedVersion, renderTemplate, tagName, targetVersion } from './plan.ts'

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

/** One project's part of a bump. */
export interface Member {
  /** The project directory (absolute). */
  dir: string
  /** The project name (PEP 503); empty when no file states it (then `{name}` is refused). */
  name: string
  previous?: string
  /** Where the previous version was read, for messages. */
  previousFrom: string
  version: string
  /** Undefined when `tag: false`. */
  tag?: string
  /** The template of its tags: `tag-template`, or the form a VCS provider reads (see planMember). */
  tagTemplate: string
  sources: VersionSource[]
  /** Written with the sources, not compared with them: the project's entry in uv.lock. */
  followers: VersionSource[]
}

/** One bump (of one project, or of several in one commit) as planned and, once applied, as made locally. */
export interface Bump {
  /** `files`: edit, commit, tag. `tag-only`: the version lives in tags (setuptools-scm and friends). */
  mode: 'files' | 'tag-only'
  /** One per project; several only in `files` mode. */
  members: Member[]
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

/** Every tag the bump makes, in the order of `packages`. */
export function tagsOf(bump: Bump): string[] {
  return bump.members.flatMap((member) => (member.tag ? [member.tag] : []))
}

/** `name 1.2.3 -> 1.2.4, tag name-v1.2.4`, for the log. */
export function describeMember(member: Member): string {
  const of = member.name ? `${member.name} ` : ''
  return `${of}${member.previous ?? '(none)'} -> ${member.version}${member.tag ? `, tag ${member.tag}` : ''}`
}

/** Each source with the version the bump writes into it. */
export function versionEdits(bump: Bump): { source: VersionSource; version: string }[] {
  return bump.members.flatMap((member) =>
    [...member.sources, ...member.followers].map((source) => ({ source, version: member.version }))
  )
}

export function repoPath(ctx: Pick<Context, 'topLevel'>, path: string): string {
  return relative(ctx.topLevel, path).split(sep).join('/')
}

/** What planning needs before HEAD is known: the first plan runs beside the first git reads. */
export type PlanContext = Pick<Context, 'inputs' | 'repo' | 'projectDir' | 'topLevel'>

/** The projects to bump: `packages` under working-directory, or working-directory itself. */
function memberDirs(ctx: PlanContext): string[] {
  if (ctx.inputs.packages.length === 0) return [ctx.projectDir]
  return ctx.inputs.packages.map((dir) =>
    inputDirectory('packages', resolve(ctx.projectDir, dir), 'project directories relative to `working-directory`')
  )
}

/**
 * The `files` entries of one project. They are relative to working-directory, which is the
 * project's own directory unless `packages` names several: then each entry belongs to the
 * package whose directory holds it.
 */
function filesOf(ctx: PlanContext, dir: string, dirs: readonly string[]): ExtraFile[] {
  if (ctx.inputs.packages.length === 0) return ctx.inputs.files
  const owner = (path: string): string | undefined =>
    dirs.find((candidate) => resolve(ctx.projectDir, path).startsWith(`${candidate}${sep}`))
  const stray = ctx.inputs.files.find((file) => owner(file.path) === undefined)
  if (stray)
    throw new InputError(
      'files',
      `${stray.path} is in none of the directories in \`packages\``,
      'with several packages, write each entry relative to `working-directory`, inside the package whose version it holds (e.g. `packages/orb-models/meta.json`)'
    )
  return ctx.inputs.files
    .filter((file) => owner(file.path) === dir)
    .map((file) => ({ ...file, path: relative(dir, resolve(ctx.projectDir, file.path)) }))
}

/** The project's name (PEP 503): for `{name}`, which needs it, and for outputs and logs, which make do without. */
function memberName(ctx: PlanContext, dir: string): string {
  const templates = [ctx.inputs.tagTemplate, ctx.inputs.tagMessage, ctx.inputs.commitMessage]
  return templates.some((template) => template.includes('{name}'))
    ? requireProjectName(dir, repoPath(ctx, dir) || '.', 'for {name}')
    : (readProjectName(dir) ?? '')
}

/** Reads the current version (files, or tags) of every project and works out the new ones and the tags. */
export async function planVersion(ctx: PlanContext): Promise<Bump> {
  const dirs = memberDirs(ctx)
  const discovered = dirs.map((dir) => ({
    dir,
    discovery: discoverVersionSources(dir, { files: filesOf(ctx, dir, dirs), root: ctx.topLevel })
  }))
  const scm = discovered.find(({ discovery }) => discovery.sources.length === 0)
  if (scm && discovered.length > 1) {
    throw new InputError(
      'packages',
      `names ${discovered.length} projects, but the version of ${repoPath(ctx, scm.dir) || '.'} comes from git tags, so its bump is a tag of its own`,
      'bump projects whose version lives in tags one per step (`working-directory`), and list only projects with version files in `packages`'
    )
  }
  const mode = scm ? 'tag-only' : 'files'
  const planned = await Promise.all(discovered.map(({ dir, discovery }) => planMember(ctx, dir, discovery)))
  const names = planned.map((plan) => plan.member.name).filter(Boolean)
  const twice = names.find((name, index) => names.indexOf(name) !== index)
  if (twice) throw new InputError('packages', `names the project ${twice} twice`, 'list each project directory once')
  return {
    mode,
    members: planned.map((plan) => plan.member),
    baseSha: '',
    changed: [],
    remoteMoved: false,
    notes: planned.flatMap((plan) => plan.notes)
  }
}

async function planMember(
  ctx: PlanContext,
  dir: string,
  discovery: Discovery
): Promise<{ member: Member; notes: string[] }> {
  const { inputs } = ctx
  const name = memberName(ctx, dir)
  const tagOnly = discovery.sources.length === 0
  const notes = [...discovery.notes]
  let template = inputs.tagTemplate
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
    template = scmTagTemplate(inputs, name, discovery, notes)
    // The tags are the versions; a checkout (actions/checkout fetches none by default) may lack
    // the latest ones, and bumping from a stale list would reuse a released version.
    if (inputs.push && !inputs.dryRun) await fetchTags(ctx.repo)
    const tags = await listTags(ctx.repo, tagGlob(template, name), 'HEAD')
    const latest = latestTaggedVersion(template, tags, name)
    previous = latest?.version
    previousFrom = latest
      ? `tag ${latest.tag}, ${discovery.scm}`
      : `no tag matching ${template.replace('{name}', name)} is reachable from HEAD (${discovery.scm})`
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
  const member: Member = {
    dir,
    name,
    previous,
    previousFrom,
    version,
    tag: inputs.tag ? tagName(template, version, name) : undefined,
    tagTemplate: template,
    sources: discovery.sources,
    followers: tagOnly ? [] : discovery.followers
  }
  return { member, notes }
}

/**
 * The remote tag lookup for a planned bump, or undefined when the remote is not asked up front.
 * Only a dry run asks, to report what a real run would meet. A real run lets its atomic push be
 * the check: the push refuses a tag the remote already has (and a branch that moved) with no
 * window between check and push, and a bump saves a round trip to the remote. In tag-only mode
 * the remote's tags were fetched anyway, so the local check covers them.
 */
export function remoteTagLookup(ctx: PlanContext, bump: Bump): Promise<Map<string, string>> | undefined {
  const tags = tagsOf(bump)
  if (!ctx.inputs.push || tags.length === 0 || !ctx.inputs.dryRun) return undefined
  return lsRemote(
    ctx.repo,
    tags.map((tag) => `refs/tags/${tag}`)
  )
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
  remoteTagsRead: Promise<Map<string, string>> | undefined
): Promise<void> {
  const tags = tagsOf(bump)
  if (tags.length === 0) return
  const { repo } = ctx
  const [locals, remoteTags] = await Promise.all([
    Promise.all(tags.map((tag) => localTag(repo, tag, ctx.commonDir))),
    remoteTagsRead
  ])
  const onRemote = tags.find((tag) => remoteTags?.has(`refs/tags/${tag}`))
  if (onRemote) {
    const remoteTag = remoteTags?.get(`refs/tags/${onRemote}`) as string
    // Only now is the remote branch worth a look: has it commits this checkout lacks?
    const branchRef = `refs/heads/${ctx.branch}`
    const remoteBranch =
      ctx.branch && bump.mode === 'files' ? (await lsRemote(repo, [branchRef])).get(branchRef) : undefined
    bump.remoteMoved =
      remoteBranch !== undefined &&
      remoteBranch !== bump.baseSha &&
      !(await isAncestor(repo, remoteBranch, bump.baseSha, { unknownIsFalse: true }))
    if (!bump.remoteMoved) {
      throw new ActionError(`Tag ${onRemote} already exists on ${repo.remote} (${remoteTag.slice(0, 12)}).`, {
        hint: 'bump to another version (e.g. a different `bump` kind or `version`), or delete the tag if it was pushed by mistake'
      })
    }
  }
  const index = locals.findIndex(Boolean)
  if (index !== -1) {
    const tag = tags[index]
    throw new ActionError(`Tag ${tag} already exists in this checkout (${(locals[index] as string).slice(0, 12)}).`, {
      hint: `delete it (\`git tag -d ${tag}\`) if it is left over, or bump to another version`
    })
  }
}

/**
 * What `{old}`, `{new}`, `{version}`, `{tag}` and `{name}` stand for: one project's values, or
 * for a bump of several (commit message, dispatch inputs) each project's, comma-separated.
 */
export function templateValues(bump: Bump | Member): Templates {
  const members = 'members' in bump ? bump.members : [bump]
  const join = (pick: (member: Member) => string): string => members.map(pick).join(', ')
  return {
    old: join((member) => member.previous ?? ''),
    new: join((member) => member.version),
    tag: join((member) => member.tag ?? ''),
    name: join((member) => member.name)
  }
}

/** The commit message; the default one names each project when there are several. */
function commitMessage(ctx: Context, bump: Bump): string {
  if (bump.members.length > 1 && ctx.inputs.commitMessage === DEFAULT_COMMIT_MESSAGE)
    return `Bump versions: ${bump.members.map((member) => `${member.name || repoPath(ctx, member.dir)} ${member.previous ?? '(none)'} → ${member.version}`).join(', ')}`
  return renderTemplate(ctx.inputs.commitMessage, templateValues(bump))
}

/** Writes the files, commits and tags: everything local. */
export async function applyBump(ctx: Context, bump: Bump): Promise<void> {
  const { inputs } = ctx
  if (bump.mode === 'files') {
    const edits = versionEdits(bump)
    const originals = new Map(edits.map(({ source }) => [source.path, readFileSync(source.path)]))
    bump.changed = writeVersions(edits)
    for (const member of bump.members)
      for (const path of bump.changed.filter((changed) =>
        member.sources.concat(member.followers).some((source) => source.path === changed)
      ))
        log.info(`Wrote ${member.version} to ${repoPath(ctx, path)}`)
    const asked = bump.members.filter(needsTheBackend)
    if (asked.length > 0 && (await backendWanted(ctx))) {
      const undo = async (): Promise<void> => {
        for (const path of bump.changed) writeFileSync(path, originals.get(path) as Buffer)
        bump.changed = []
      }
      for (const member of asked) await checkTheBackend(ctx, bump, member, undo)
    }
    if (inputs.commit) {
      await commitPaths(
        ctx.repo,
        bump.changed.map((path) => relative(ctx.projectDir, path)),
        commitMessage(ctx, bump),
        ctx.identity
      )
    }
  }
  const tagged = bump.members.filter((member) => member.tag !== undefined)
  if (tagged.length > 0) {
    ;[, bump.commitSha] = await Promise.all([
      Promise.all(
        tagged.map((member) =>
          createTag(
            ctx.repo,
            member.tag as string,
            ctx.identity,
            inputs.annotatedTag ? renderTemplate(inputs.tagMessage, templateValues(member)) : undefined
          )
        )
      ),
      headSha(ctx)
    ])
    // In tag-only mode the tag is the version: the backend can be asked only once it exists.
    if (bump.mode === 'tag-only' && (await backendWanted(ctx))) {
      const [member] = bump.members
      await checkTheBackend(ctx, bump, member, () => deleteLocalTag(ctx.repo, member.tag as string))
    }
  } else if (inputs.commit) {
    bump.commitSha = await headSha(ctx)
  }
}

/**
 * Whether to ask the build backend. It is third-party code running as this user, so it could
 * read any credential of the step (`/proc/<pid>/environ`, git's config): `check-build: auto`
 * asks only when none is in reach, and says why not otherwise.
 */
async function backendWanted(ctx: Context): Promise<boolean> {
  const { inputs } = ctx
  if (inputs.checkBuild !== 'auto') return inputs.checkBuild === 'true'
  const reason = inputs.push
    ? 'this step pushes'
    : inputs.token
      ? '`token` is set'
      : inputs.githubToken
        ? '`github-token` is set'
        : (await hasPersistedCredentials(ctx.repo))
          ? 'the checkout keeps credentials (actions/checkout without `persist-credentials: false`)'
          : undefined
  if (reason)
    log.info(
      `Note: the build backend was not asked which version it builds: ${reason}, and \`check-build: auto\` keeps third-party code away from credentials (bump-and-release asks it in a job without any; \`check-build: true\` asks anyway)`
    )
  return reason === undefined
}

/**
 * A static `[project].version` in the project's pyproject.toml is what every backend builds
 * (PEP 621 forbids changing it), so asking costs time and proves nothing.
 */
function needsTheBackend(member: Member): boolean {
  return !member.sources.some(
    (source) => source.label === '[project].version' && source.path === join(member.dir, 'pyproject.toml')
  )
}

/** Refuses the bump, after `undo`, when the backend would build another version of `member`. */
async function checkTheBackend(ctx: Context, bump: Bump, member: Member, undo: () => Promise<void>): Promise<void> {
  const built = await versionTheBackendBuilds(ctx.repo, member.dir, ctx.inputs.python).catch(async (error) => {
    await undo()
    throw error
  })
  if (built.version === member.version) return
  await undo()
  const which = bump.members.length > 1 ? ` of ${member.name || repoPath(ctx, member.dir)}` : ''
  throw new ActionError(
    bump.mode === 'files'
      ? `The build backend would build ${built.version}${which}, not ${member.version}: the version it builds comes from somewhere this bump did not edit.`
      : `The build backend would build ${built.version} from tag ${member.tag}, not ${member.version}.`,
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
 * never produces. The default template gives way to that form (with a note); a template the
 * workflow chose that disagrees is refused.
 */
function scmTagTemplate(
  inputs: Inputs,
  name: string,
  discovery: { scm?: string; scmTagMatch?: string },
  notes: string[]
): string {
  const match = discovery.scmTagMatch
  // A tag of the template (any version will do) that the provider's glob takes is fine:
  // `--match v[0-9]*` reads v1.2.3.
  if (!match || globMatches(match, tagName(inputs.tagTemplate, '1.0.0', name))) return inputs.tagTemplate
  const derived = /^[^*?[\]]*\*$/.test(match) ? `${match.slice(0, -1)}{version}` : undefined
  if (derived && !inputs.tagTemplateGiven) {
    notes.push(
      `tags of the form ${derived}: the ones git_describe_command of ${discovery.scm} reads (--match ${match})`
    )
    return derived
  }
  throw new InputError(
    'tag-template',
    `is "${inputs.tagTemplate}", but the version comes from tags matching "${match}" (git_describe_command of ${discovery.scm})`,
    derived ? `set \`tag-template: ${derived}\`` : `set \`tag-template\` to the form of the tags "${match}" matches`
  )
}
