// The version gate: every distribution carries one version, it is a public version (indexes
// refuse `+local` labels, and only at upload time), and it equals the version the release is
// for: `expected-version`, or the tag in GITHUB_REF without `tag-prefix`. Versions compare as
// PEP 440 says, so the tag `v1.0.0-rc.1` matches a build of `1.0.0rc1` and `v1.0` matches 1.0.0.
import { ActionError } from '@release/shared/errors'
import { compareVersions, isLocal, normalizeVersion, parseVersion, publicVersion } from '@release/shared/pep440'
import type { Dist } from './dists.ts'

export interface ExpectedVersion {
  /** Normalized. */
  version: string
  /** Where it came from, for messages: "tag v1.2.0" or "input `expected-version`". */
  source: string
}

/** The version this release is for, or undefined when neither the input nor a tag says. */
export function expectedVersion(
  input: string | undefined,
  tagPrefix: string,
  env: NodeJS.ProcessEnv = process.env
): ExpectedVersion | undefined {
  if (input) return { version: input, source: 'input `expected-version`' }
  const ref = env['GITHUB_REF'] ?? ''
  if (!ref.startsWith('refs/tags/')) return undefined
  const tag = ref.slice('refs/tags/'.length)
  if (!tag.startsWith(tagPrefix)) {
    throw new ActionError(
      `The tag ${tag} does not start with \`tag-prefix\` "${tagPrefix}", so the version it stands for is unknown.`,
      {
        hint: 'set `tag-prefix` to the text before the version in your tags (e.g. `shared-v` for shared-v1.2.0, empty for 1.2.0), or set `expected-version`'
      }
    )
  }
  const text = tag.slice(tagPrefix.length)
  try {
    return { version: normalizeVersion(text), source: `tag ${tag}` }
  } catch {
    throw new ActionError(
      `The tag ${tag} does not name a PEP 440 version ("${text}" after \`tag-prefix\` "${tagPrefix}").`,
      {
        hint: 'tag releases like v1.2.0 or v1.2.0rc1 (with the matching `tag-prefix`), or set `expected-version`'
      }
    )
  }
}

function list(dists: readonly Dist[]): string {
  const names = dists.map((dist) => dist.file)
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`
}

/** Applies the gate; returns the normalized version every distribution carries. */
export function gateVersion(
  dists: readonly Dist[],
  expected: ExpectedVersion | undefined,
  allowLocal: boolean
): string {
  const byVersion = new Map<string, Dist[]>()
  for (const dist of dists) {
    let version: string
    try {
      version = normalizeVersion(dist.version)
    } catch {
      throw new ActionError(
        `${dist.file} carries "${dist.version}", which is not a PEP 440 version; indexes refuse it.`,
        {
          hint: 'give the project a PEP 440 version such as 1.2.0'
        }
      )
    }
    byVersion.set(version, [...(byVersion.get(version) ?? []), dist])
  }
  if (byVersion.size > 1) {
    const parts = [...byVersion]
      .sort(([a], [b]) => compareVersions(a, b))
      .map(([version, group]) => `${version} (${list(group)})`)
    throw new ActionError(`The distributions carry more than one version: ${parts.join('; ')}.`, {
      hint: 'publish one version per run: leave `clean: true` so stale files in dist/ are removed before building, or empty `packages-dir` of older builds; give every package in `packages` the same version'
    })
  }
  const [version, group] = [...byVersion][0] as [string, Dist[]]
  if (isLocal(version) && !allowLocal) {
    const parsed = parseVersion(version)
    throw new ActionError(
      `The version ${version} is a local version (+${parsed.local?.join('.')}), which public indexes refuse at upload (${list(group)}).`,
      {
        hint: `build from the tagged commit, or drop the local label: for setuptools-scm set \`local_scheme = "no-local-version"\` under [tool.setuptools_scm] (for hatch-vcs under [tool.hatch.version.raw-options]); set \`allow-local-version: true\` only for an index that accepts ${publicVersion(version)}+local`
      }
    )
  }
  if (expected && compareVersions(version, expected.version) !== 0) {
    throw new ActionError(
      `The built version ${version} does not match ${expected.version} from ${expected.source} (${list(group)}).`,
      {
        hint: `set the project's version to ${expected.version} and tag that commit, or tag the commit as the version it carries; with setuptools-scm, build the tagged commit with its tags fetched (actions/checkout \`fetch-depth: 0\`)`
      }
    )
  }
  return version
}
