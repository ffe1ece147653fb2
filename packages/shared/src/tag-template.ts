// Tag templates shared by bump-version (which makes the tags) and publish-python (which reads
// the version, and in a monorepo the package, back out of one): `v{version}`, `shared-v{version}`,
// `{name}-v{version}` with `{name}` the project name as its files and index spell it.
import { refNameProblem } from './git-refs.ts'
import { normalizeVersion } from './pep440.ts'
import { escapeRegExp } from './version-sources/plain-file.ts'

/**
 * What is wrong with a tag template, with the fix, or undefined: `{version}` exactly once,
 * `{name}` at most once, no other placeholder, and a valid tag name around them.
 */
export function tagTemplateProblem(template: string): { problem: string; fix: string } | undefined {
  if (template.split('{version}').length !== 2)
    return {
      problem: `"${template}" must contain {version} exactly once`,
      fix: 'use e.g. v{version} or shared-v{version}'
    }
  const unknown = template.match(/\{[^{}]*\}/g)?.find((placeholder) => !['{version}', '{name}'].includes(placeholder))
  if (unknown || template.split('{name}').length > 2)
    return {
      problem: `"${template}" ${unknown ? `has the unknown placeholder ${unknown}` : 'contains {name} more than once'}`,
      fix: 'use {version} once and, for several packages, {name} once: e.g. {name}-v{version}'
    }
  const problem = refNameProblem(template.replace('{version}', '1.0.0').replace('{name}', 'pkg'))
  if (problem)
    return {
      problem: `"${template}" ${problem}`,
      fix: 'use letters, digits, ".", "-", "_", "+" and "/" around {version}, e.g. v{version} or shared-v{version}'
    }
  return undefined
}

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

/**
 * Whether `text` matches a git/fnmatch glob (`*`, `?`, `[...]`, `[!...]`), as `git describe
 * --match` applies it to tag names. Written here: the patterns are short and only these four
 * forms occur in `git_describe_command`.
 */
export function globMatches(glob: string, text: string): boolean {
  let pattern = ''
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string
    if (char === '*') pattern += '.*'
    else if (char === '?') pattern += '.'
    else if (char === '[') {
      const end = glob.indexOf(']', i + 2)
      if (end === -1) {
        pattern += '\\['
        continue
      }
      const body = glob.slice(i + 1, end)
      pattern += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`
      i = end
    } else pattern += escapeRegExp(char)
  }
  return new RegExp(`^${pattern}$`).test(text)
}
