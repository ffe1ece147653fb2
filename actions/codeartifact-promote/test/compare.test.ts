import { compareAssets } from '../src/compare.ts'

// What decides whether a promotion has anything left to do, and whether it must stop: a file
// counts as promoted only when the destination lists it with the source's sha256.

const asset = (name: string, sha256: string) => ({ name, size: 1, sha256 })

describe('compareAssets', () => {
  it('sorts the source files into identical, missing and conflicting', () => {
    const comparison = compareAssets(
      [asset('a-1.0-py3-none-any.whl', 'aa'), asset('a-1.0.tar.gz', 'bb'), asset('a-1.0-cp312.whl', 'cc')],
      [
        { filename: 'a-1.0-py3-none-any.whl', url: 'u1', sha256: 'aa' },
        { filename: 'a-1.0.tar.gz', url: 'u2', sha256: 'ff' },
        { filename: 'a-0.9.tar.gz', url: 'u3', sha256: 'dd' }
      ]
    )
    expect(comparison.identical.map((a) => a.name)).toEqual(['a-1.0-py3-none-any.whl'])
    expect(comparison.missing.map((a) => a.name)).toEqual(['a-1.0-cp312.whl'])
    expect(comparison.conflicting).toEqual([{ asset: asset('a-1.0.tar.gz', 'bb'), served: 'ff' }])
  })

  it('an index that lists a file without a hash cannot prove it identical: a conflict, not a skip', () => {
    const comparison = compareAssets([asset('a-1.0.tar.gz', 'bb')], [{ filename: 'a-1.0.tar.gz', url: 'u' }])
    expect(comparison.identical).toEqual([])
    expect(comparison.conflicting[0]?.served).toBe('no sha256 listed')
  })

  it('a destination that does not know the project is missing everything', () => {
    expect(compareAssets([asset('a-1.0.tar.gz', 'bb')], undefined).missing).toHaveLength(1)
  })
})
