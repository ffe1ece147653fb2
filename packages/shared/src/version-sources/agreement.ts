// All version sources must say the same thing before any of them is bumped: a bump that starts
// from `__init__.py` = 1.3.0 while pyproject.toml says 1.2.0 would bake the disagreement into
// a release. Equal means equal as normalized PEP 440 text, so `1.0.0-dev0` agrees with
// `1.0.0.dev0` (both are rewritten canonically) but `1.0` does not agree with `1.0.0`.
import { ActionError } from '../errors.ts'
import { normalizeVersion } from '../pep440.ts'
import type { VersionSource } from './types.ts'

export function describeSource(source: VersionSource): string {
  return `${source.file}:${source.line} ${source.label}`
}

/** The normalized version every source holds, or an ActionError naming each file and its version. */
export function agreedVersion(sources: readonly VersionSource[]): string {
  if (sources.length === 0) throw new ActionError('No version sources to compare.')
  const normalized = sources.map((source) => {
    try {
      return normalizeVersion(source.raw)
    } catch (error) {
      throw new ActionError(
        `${describeSource(source)} holds "${source.raw}", which is not a PEP 440 version: ${(error as Error).message}.`,
        {
          hint: 'write a version such as 1.2.3, 1.2.3rc1 or 1.2.3.dev1 there'
        }
      )
    }
  })
  if (new Set(normalized).size > 1) {
    const lines = sources.map(
      (source, i) =>
        `  ${describeSource(source)} = ${source.raw}${source.raw === normalized[i] ? '' : ` (${normalized[i]})`}`
    )
    throw new ActionError(`Version sources disagree:\n${lines.join('\n')}\n`, {
      hint: 'set them all to the same version in a commit, then run again'
    })
  }
  return normalized[0]
}
