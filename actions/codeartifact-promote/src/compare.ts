// The one question promotion keeps asking: which of the source's files does the destination's
// simple index serve with the same bytes, which not at all, and which with other bytes.
import type { VersionAsset } from '@release/shared/aws/package-versions'
import type { IndexFile } from '@release/shared/python/simple-index'

export interface Comparison {
  identical: VersionAsset[]
  missing: VersionAsset[]
  conflicting: Array<{ asset: VersionAsset; served: string }>
}

/** `served` is the destination's listing of the project (undefined: it does not know the project). */
export function compareAssets(assets: readonly VersionAsset[], served: readonly IndexFile[] | undefined): Comparison {
  const byName = new Map((served ?? []).map((file) => [file.filename, file]))
  const comparison: Comparison = { identical: [], missing: [], conflicting: [] }
  for (const asset of assets) {
    const file = byName.get(asset.name)
    if (!file) comparison.missing.push(asset)
    else if (file.sha256 === asset.sha256) comparison.identical.push(asset)
    // An index that lists no hash cannot prove the bytes equal: treated as a conflict to check by hand.
    else comparison.conflicting.push({ asset, served: file.sha256 ?? 'no sha256 listed' })
  }
  return comparison
}

export function names(assets: readonly VersionAsset[]): string {
  return assets.length > 0 ? assets.map((asset) => asset.name).join(', ') : 'none'
}
