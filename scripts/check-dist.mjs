// Fails when the committed actions/*/dist bundles differ from a fresh build of the sources:
// runners execute dist/ directly, so a bundle that lags its sources ships old behaviour.
// Builds into a temp dir (scripts/build.mjs --out-root) and compares file by file.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const outRoot = mkdtempSync(join(tmpdir(), 'check-dist-'))
try {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--out-root', outRoot], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit']
  })
  const stale = []
  for (const name of readdirSync(join(root, 'actions')).sort()) {
    if (!existsSync(join(root, 'actions', name, 'src', 'index.ts'))) continue
    const fresh = join(outRoot, name, 'dist')
    const committed = join(root, 'actions', name, 'dist')
    for (const file of differingFiles(fresh, committed)) stale.push(`actions/${name}/dist/${file}`)
  }
  if (stale.length > 0) {
    console.log(
      `::error::${stale.length} bundle file(s) do not match their sources (${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', ...' : ''}): run \`npm run bundle\` and commit dist/`
    )
    process.exitCode = 1
  } else {
    console.log('dist/ matches a fresh build of every action')
  }
} finally {
  rmSync(outRoot, { recursive: true, force: true })
}

/** Paths under the two directories (subdirectories such as dist/cli/ included) whose bytes differ. */
function differingFiles(a, b, prefix = '') {
  const list = (dir) => (existsSync(dir) ? readdirSync(dir) : [])
  const differing = []
  for (const name of [...new Set([...list(a), ...list(b)])].sort()) {
    const [x, y] = [join(a, name), join(b, name)]
    const isDir = (path) => existsSync(path) && statSync(path).isDirectory()
    if (isDir(x) || isDir(y)) differing.push(...differingFiles(x, y, `${prefix}${name}/`))
    else if (!existsSync(x) || !existsSync(y) || !readFileSync(x).equals(readFileSync(y))) differing.push(prefix + name)
  }
  return differing
}
