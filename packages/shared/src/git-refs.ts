// What a tag or branch name may be here. git's own rules (git check-ref-format) allow far more
// than is safe: `v$(id)` or `v1;rm -rf x` are valid tags, and a tag name travels into step
// outputs that workflows paste into shell scripts (`echo ${{ steps.bump.outputs.tag }}`), into
// release titles and URLs. So names are held to git's rules and to a conservative character set
// that no shell, YAML or URL gives a meaning to.

/** The characters a ref name may use: letters, digits and . _ - + / */
const SAFE_CHARACTER = /[A-Za-z0-9._+/-]/

/** Why `name` cannot be a ref name here, or undefined when it can. */
export function refNameProblem(name: string): string | undefined {
  if (!name) return 'is empty'
  const unsafe = [...name].find((character) => !SAFE_CHARACTER.test(character))
  if (unsafe !== undefined) {
    const shown = /^[\x21-\x7e]$/.test(unsafe)
      ? `"${unsafe}"`
      : `U+${unsafe.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`
    return `contains ${shown}, which tag and branch names may not use here`
  }
  // git check-ref-format's rules for what remains.
  if (name.includes('..') || name.includes('//')) return 'contains ".." or "//"'
  if (/^[-/.]|[/.]$|\.lock$|\.lock\/|\/\./.test(name))
    return 'starts or ends with "-", "/" or ".", has a part starting with ".", or ends with ".lock"'
  return undefined
}
