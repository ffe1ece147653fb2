// Monorepos whose packages are released independently, each under its own tags
// (`tag-template: {name}-v{version}`): which packages this run publishes and the version each is
// gated against (the package the tag in GITHUB_REF names, or else every package with a tag on
// the checked-out commit), and the order they go in (dependencies first, so each install check
// finds what its release needs already on the index).
import { ActionError } from '@release/shared/errors'
import { gitRepo, tagsPointingAt } from '@release/shared/git'
import { distMetadata, requiredProjects } from '@release/shared/python/core-metadata'
import { tagGlob, versionFromTag } from '@release/shared/tag-template'
import * as log from '@release/shared/workflow-commands'
import type { Dist } from './dists.ts'
import type { ExpectedVersion } from './gate.ts'

/**
 * The version each named project is released as, from the ref: a tag names one project (the
 * first of `names` the template renders it from); on a branch, every project with a tag on HEAD.
 */
export async function taggedReleases(
  template: string,
  names: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env
): Promise<Map<string, ExpectedVersion>> {
  const ref = env['GITHUB_REF'] ?? ''
  const known = names.join(', ')
  if (ref.startsWith('refs/tags/')) {
    const tag = ref.slice('refs/tags/'.length)
    for (const name of names) {
      const version = versionFromTag(template, tag, name)
      if (version !== undefined) return new Map([[name, { version, source: `tag ${tag}` }]])
    }
    throw new ActionError(`The tag ${tag} names none of the packages (${known}) by \`tag-template\` "${template}".`, {
      hint: 'tag each package release as the template says (e.g. orb-common-v1.2.3 for `{name}-v{version}`), list the package in `packages`, or fix `tag-template`'
    })
  }
  const repo = gitRepo(cwd)
  const found = new Map<string, ExpectedVersion>()
  for (const name of names) {
    const versions = (await tagsPointingAt(repo, 'HEAD', tagGlob(template, name)))
      .map((tag) => ({ tag, version: versionFromTag(template, tag, name) }))
      .filter((tagged) => tagged.version !== undefined)
    if (versions.length > 1)
      throw new ActionError(
        `HEAD carries ${versions.length} release tags of ${name} (${versions.map((tagged) => tagged.tag).join(', ')}), so its version is ambiguous.`,
        { hint: 'delete the tag made by mistake, or run on the tag to publish (GITHUB_REF)' }
      )
    if (versions[0]) found.set(name, { version: versions[0].version as string, source: `tag ${versions[0].tag}` })
  }
  if (found.size === 0) {
    throw new ActionError(
      `No tag of ${known} (\`tag-template\` "${template}") points at HEAD (${ref || 'no GITHUB_REF'}), so no package is released here.`,
      {
        hint: 'push the tags with the commit (bump-version with `packages` does), check out with the tags (actions/checkout `fetch-depth: 0`), or run on a tag'
      }
    )
  }
  return found
}

/**
 * The projects of `groups` with each one's dependencies among them before it; otherwise in the
 * order given. A cycle cannot be published in order and fails with the projects in it.
 */
export async function dependencyOrder(groups: ReadonlyMap<string, readonly Dist[]>): Promise<string[]> {
  const projects = [...groups.keys()]
  const requires = new Map<string, string[]>()
  for (const [project, dists] of groups) {
    // The wheel's METADATA is what installers read; an sdist's PKG-INFO when there is no wheel.
    const source = dists.find((dist) => dist.kind === 'wheel') ?? dists[0]
    const metadata = source ? await distMetadata(source.path).catch(() => undefined) : undefined
    if (source && metadata === undefined)
      log.warning(
        `${source.file}: its core metadata could not be read, so ${project} is ordered as if it required none of the others`
      )
    requires.set(
      project,
      (metadata ? requiredProjects(metadata) : []).filter((name) => name !== project && groups.has(name))
    )
  }
  const ordered: string[] = []
  while (ordered.length < projects.length) {
    const next = projects.find(
      (project) => !ordered.includes(project) && (requires.get(project) ?? []).every((dep) => ordered.includes(dep))
    )
    if (next === undefined) {
      const stuck = projects.filter((project) => !ordered.includes(project))
      throw new ActionError(`The packages ${stuck.join(', ')} depend on each other in a cycle, so none can go first.`, {
        hint: 'publish them in separate runs with the cycle broken, or remove the dependency one of them does not need'
      })
    }
    ordered.push(next)
  }
  return ordered
}
