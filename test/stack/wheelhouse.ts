// A local wheelhouse (a --find-links directory) made from .venv's installed distributions, for
// offline installs of the pinned tools: pip with --no-index --find-links, uv with UV_FIND_LINKS
// and UV_OFFLINE. There is no internet here and no pip cache to download from, so each
// distribution (and its dependency closure, from its metadata and markers) is repacked into a
// wheel from the files its RECORD lists. Entry-point scripts are left out: installers
// regenerate them from entry_points.txt.
import { execFile } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { VENV_BIN } from './service-process.ts'

const REPACK = `
import sys, os, zipfile, importlib.metadata as md
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
out, roots = sys.argv[1], sys.argv[2:]
dists = {}
for d in md.distributions():
    dists.setdefault(canonicalize_name(d.metadata['Name']), d)
todo, seen = list(roots), set()
while todo:
    name = canonicalize_name(todo.pop())
    if name in seen: continue
    seen.add(name)
    for r in dists[name].requires or []:
        req = Requirement(r)
        if req.marker and not req.marker.evaluate({'extra': ''}): continue
        todo.append(req.name)
for name in sorted(seen):
    d = dists[name]
    info = d._path
    tags = [l.split(':', 1)[1].strip() for l in (info / 'WHEEL').read_text().splitlines() if l.startswith('Tag:')]
    tag = '-'.join('.'.join(dict.fromkeys(t.split('-')[i] for t in tags)) for i in range(3))
    stem = d.metadata['Name'].replace('-', '_').replace('.', '_')
    with zipfile.ZipFile(os.path.join(out, f"{stem}-{d.version}-{tag}.whl"), 'w', zipfile.ZIP_DEFLATED) as z:
        for f in d.files or []:
            s = str(f)
            if s.startswith('..') or '__pycache__' in s or s.endswith('.pyc'): continue
            if '.dist-info/' in s and s.rsplit('/', 1)[-1] in ('INSTALLER', 'REQUESTED', 'direct_url.json'): continue
            z.write(info.parent / f, s)
print(len(seen))
`

/** Fills `dir` with wheels of `roots` and everything they depend on; returns how many. Asynchronous (safe while a stack runs). */
export async function makeWheelhouse(dir: string, roots: readonly string[]): Promise<number> {
  await mkdir(dir, { recursive: true })
  return new Promise((resolve, reject) => {
    execFile(join(VENV_BIN, 'python'), ['-c', REPACK, dir, ...roots], (error, stdout, stderr) => {
      if (error) reject(new Error(`making the wheelhouse failed: ${stderr || error.message}`))
      else resolve(Number(stdout.trim()))
    })
  })
}
