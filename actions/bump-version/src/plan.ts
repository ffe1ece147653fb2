// The pure part of a bump: from what the sources (or tags) say and the inputs, the new version,
// the tag name and the messages. No git, no files: table-driven tests cover it directly.
import { ActionError, InputError } from '@release/shared/errors'
import { versionFromTag } from '@release/shared/tag-template'
import { type BumpSpec, VersionError, bumpKindOf, bumpVersion, compareVersions } from '@release/shared/pep440'
import { refNameProblem } from '@release/shared/git-refs'

export interface Templates {
  old: string
  new: string
  tag: string
  /** The project name (PEP 503), or the names of several, comma-separated. */
  name: string
}

/** Fills `{old}`, `{new}`, `{version}` (= new), `{tag}` and `{name}`. */
export function renderTemplate(template: string, values: Templates): string {
  return template.replace(/\{(old|new|version|tag|name)\}/g, (_, name: string) =>
    name === 'version' ? values.new : values[name as keyof Templates]
  )
}

/** What to ask for instead of a refused combination of bump kinds. */
function bumpHint(specs: readonly BumpSpec[]): string {
  const kinds = specs.map(bumpKindOf)
  if (kinds.includes('stable'))
    return '`stable` only finishes a pre-release (1.3.0rc2 -> 1.3.0), alone; for a final release use `patch`, `minor` or `major`'
  if (kinds.every((kind) => ['alpha', 'beta', 'rc', 'dev'].includes(kind)))
    return 'add a release kind (e.g. `minor, rc`), or set `version`'
  return 'choose other bump kinds, or set `version`'
}

/** The tag for `version` (of project `name`); refused, before anything is written, when it is no safe ref name. */
export function tagName(template: string, version: string, name = ''): string {
  const tag = template.replace('{version}', version).replace('{name}', name)
  const problem = refNameProblem(tag)
  if (problem)
    throw new ActionError(`The tag "${tag}" for version ${version} ${problem}.`, {
      hint: 'choose a version without an epoch (`N!`), or set `tag: false`'
    })
  return tag
}

/** The highest version among `tags` made from `template`, with the tag that holds it. */
export function latestTaggedVersion(
  template: string,
  tags: readonly string[],
  name = ''
): { version: string; tag: string } | undefined {
  let best: { version: string; tag: string } | undefined
  for (const tag of tags) {
    const version = versionFromTag(template, tag, name)
    if (version !== undefined && (best === undefined || compareVersions(version, best.version) > 0))
      best = { version, tag }
  }
  return best
}

export interface TargetRequest {
  bump: readonly BumpSpec[]
  version?: string
}

/**
 * The version to move to: `bump` applied as `uv version --bump` does, or the explicit `version`,
 * which must be above the current one. `current` is undefined only for a first tag.
 */
export function targetVersion(current: string | undefined, request: TargetRequest, currentFrom: string): string {
  if (request.version !== undefined) {
    if (current !== undefined && compareVersions(request.version, current) <= 0) {
      const problem =
        compareVersions(request.version, current) === 0
          ? `${request.version} is already the current version`
          : `${request.version} is lower than the current version ${current}`
      throw new InputError(
        'version',
        `${problem} (${currentFrom}); versions only go forward`,
        `use a version above ${current}`
      )
    }
    return request.version
  }
  if (current === undefined) {
    throw new InputError(
      'bump',
      `there is no version to bump: ${currentFrom}`,
      'set `version` for the first release, e.g. 0.1.0'
    )
  }
  try {
    return bumpVersion(current, request.bump)
  } catch (error) {
    if (!(error instanceof VersionError)) throw error
    throw new InputError(
      'bump',
      `"${request.bump.join(', ')}" cannot bump ${current}: ${error.message}`,
      bumpHint(request.bump)
    )
  }
}
