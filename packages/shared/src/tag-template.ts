// Tag templates shared by bump-version (which makes the tags) and publish-python (which reads
// the version, and in a monorepo the package, back out of one): `v{version}`, `shared-v{version}`,
// `{name}-v{version}` with `{name}` the project name as its files and index spell it.
import { normalizeVersion } from './pep440.ts'
import { escapeRegExp } from './version-sources/plain-file.ts'

/** The glob `git tag --list` takes for a template (of project `name`): `v{version}` gives `v*`. */
export function tagGlob(template: string, name = ''): string {
  return template.replace('{version}', '*').replace('{name}', name)
}

/** The PEP 440 version inside a tag made from `template` (of project `name`), or undefined for other tags. */
export function versionFromTag(template: string, tag: string, name = ''): string | undefined {
  const [before, after] = template.replace('{name}', name).split('{version}').map(escapeRegExp)
  const match = new RegExp(`^${before}(.+)${after}$`).exec(tag)
  if (!match) return undefined
  try {
    return normalizeVersion(match[1])
  } catch {
    return undefined
  }
}
