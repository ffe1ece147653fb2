// The `version` + `tag-prefix` inputs of the actions that act on a released version
// (codeartifact-promote, codeartifact-retire): the input, else the tag in GITHUB_REF without
// the prefix. Light (no toolkit), since inputs.ts calls it before anything else loads.
import { ActionError, InputError } from './errors.ts'
import { refNameProblem } from './git-refs.ts'
import { getOptionalString, getVerbatimString } from './inputs.ts'
import { normalizeVersion, normalizeVersionInput } from './pep440.ts'

export interface ReleasedVersion {
  version: string
  /** Where it came from, for log lines. */
  versionSource: string
  /** The release tag: the one in GITHUB_REF, or `tag-prefix` + the version. */
  tag: string
}

/** `tag-prefix`: an explicit empty value means something (tags are bare versions), so it is kept. */
export function getTagPrefix(): string {
  const prefix = getVerbatimString('tag-prefix', 'v')
  const problem = prefix ? refNameProblem(`${prefix}1.0.0`) : undefined
  if (problem)
    throw new InputError(
      'tag-prefix',
      `"${prefix}" cannot start a tag: it ${problem}`,
      'use the text before the version in your tags, e.g. v or shared-v'
    )
  return prefix
}

/** `version`, else the tag in GITHUB_REF without `tag-prefix`. */
export function getReleasedVersion(): ReleasedVersion {
  const raw = getOptionalString('version')
  const prefix = getTagPrefix()
  if (raw !== undefined) {
    const version = normalizeVersionInput(
      'version',
      raw,
      'use a version such as 1.4.0, or leave it empty to use the tag'
    )
    return { version, versionSource: 'input `version`', tag: `${prefix}${version}` }
  }
  const ref = process.env['GITHUB_REF'] ?? ''
  if (!ref.startsWith('refs/tags/'))
    throw new InputError(
      'version',
      `is empty and the run is not for a tag (GITHUB_REF is "${ref}")`,
      'set `version`, or run the step on a tag'
    )
  const tag = ref.slice('refs/tags/'.length)
  if (!tag.startsWith(prefix))
    throw new ActionError(`The tag ${tag} does not start with \`tag-prefix\` "${prefix}".`, {
      hint: 'set `tag-prefix` to the text before the version in your tags (empty for bare versions), or set `version`'
    })
  try {
    return { version: normalizeVersion(tag.slice(prefix.length)), versionSource: `tag ${tag}`, tag }
  } catch {
    throw new ActionError(`The tag ${tag} does not name a PEP 440 version after \`tag-prefix\` "${prefix}".`, {
      hint: 'set `version`, or `tag-prefix` to the text before the version'
    })
  }
}
