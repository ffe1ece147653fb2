import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sdistFingerprint } from '../src/python/sdist-contents.ts'

// Sdists written by Python's tarfile, as setuptools and build write them, varied in what a
// rebuild of the same commit varies: member times and order, owners, modes, the gzip header,
// pax or GNU headers for long names.
const WRITE_SDIST = `
import gzip, io, sys, tarfile, json
spec = json.loads(sys.argv[2])
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=getattr(tarfile, spec["format"])) as tar:
    for name, content in spec["files"]:
        data = content.encode()
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = spec["mtime"]
        info.uid = spec["uid"]
        info.mode = spec["mode"]
        tar.addfile(info, io.BytesIO(data))
with open(sys.argv[1], "wb") as out:
    out.write(gzip.compress(raw.getvalue(), mtime=spec["mtime"]))
`

const LONG = `acme-1.0/src/acme/${'deep/'.repeat(30)}module.py`
const FILES: Array<[string, string]> = [
  ['acme-1.0/PKG-INFO', 'Metadata-Version: 2.1\nName: acme\nVersion: 1.0\n'],
  ['acme-1.0/src/acme/__init__.py', '__version__ = "1.0"\n'],
  [LONG, 'x = 1\n']
]

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sdist-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function sdist(
  name: string,
  spec: Partial<{ format: string; files: Array<[string, string]>; mtime: number; uid: number; mode: number }>
): Buffer {
  const path = join(dir, name)
  const full = { format: 'PAX_FORMAT', files: FILES, mtime: 1_700_000_000, uid: 1000, mode: 0o644, ...spec }
  execFileSync('python3', ['-c', WRITE_SDIST, path, JSON.stringify(full)])
  return readFileSync(path)
}

describe('sdistFingerprint', () => {
  it('is the same for rebuilds that differ in times, order, owners, modes, gzip header and header format', () => {
    const first = sdist('a.tar.gz', {})
    const rebuilt = [
      sdist('b.tar.gz', { mtime: 1_800_000_000 }),
      sdist('c.tar.gz', { files: [...FILES].reverse() }),
      sdist('d.tar.gz', { uid: 0, mode: 0o664 }),
      sdist('e.tar.gz', { format: 'GNU_FORMAT' })
    ]
    for (const other of rebuilt) {
      expect(other.equals(first)).toBe(false)
      expect(sdistFingerprint(other)).toBe(sdistFingerprint(first))
    }
    expect(sdistFingerprint(first)).toContain(LONG)
  })

  it('differs when a file’s content, a file name or the file list differs', () => {
    const base = sdistFingerprint(sdist('f.tar.gz', {}))
    const changed: Array<Array<[string, string]>> = [
      FILES.map(([name, content]) => [name, name.endsWith('__init__.py') ? '__version__ = "1.1"\n' : content]),
      FILES.map(([name, content]) => [name.replace('PKG-INFO', 'PKG-INFO2'), content]),
      FILES.slice(1)
    ]
    changed.forEach((files, i) => expect(sdistFingerprint(sdist(`g${i}.tar.gz`, { files }))).not.toBe(base))
  })

  it('throws on what is not a gzipped tar', () => {
    expect(() => sdistFingerprint(Buffer.from('not gzip'))).toThrow()
  })
})
