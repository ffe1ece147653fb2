// Bundles every action's src/index.ts with ncc into actions/<name>/dist/, the files runners
// execute directly. Actions with a post step run the same bundle twice (see runAction in
// packages/shared), so one entry per action is enough.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { minify } from 'terser'

const root = new URL('..', import.meta.url).pathname
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
// `--out-root DIR` builds into DIR/<name>/dist instead, so the check-dist test can compare a
// fresh build with the committed bundles without touching them.
const args = process.argv.slice(2)
const outRootIndex = args.indexOf('--out-root')
const outRoot = outRootIndex >= 0 ? args.splice(outRootIndex, 2)[1] : undefined
const only = args

// ncc minifies the entry file only; the chunks it splits off at dynamic imports (the AWS SDK,
// loaded after the inputs are parsed) would ship at full size without this pass.
async function minifyChunks(dist) {
  for (const file of readdirSync(dist)) {
    if (!/^\d+\.index\.js$/.test(file)) continue
    const path = join(dist, file)
    const result = await minify(readFileSync(path, 'utf8'), { module: true, compress: true, mangle: true })
    writeFileSync(path, result.code)
  }
}

for (const name of readdirSync(join(root, 'actions')).sort()) {
  if (only.length > 0 && !only.includes(name)) continue
  const actionDir = join(root, 'actions', name)
  if (!existsSync(join(actionDir, 'src', 'index.ts'))) continue
  const dist = outRoot ? join(outRoot, name, 'dist') : join(actionDir, 'dist')
  rmSync(dist, { recursive: true, force: true })
  execFileSync(
    process.execPath,
    [ncc, 'build', join(actionDir, 'src', 'index.ts'), '-o', dist, '--minify', '--license', 'licenses.txt', '--quiet'],
    { cwd: root, stdio: 'inherit' }
  )
  await minifyChunks(dist)
  // Runners execute dist/index.js as ESM only when the nearest package.json says so.
  writeFileSync(join(dist, 'package.json'), '{ "type": "module" }\n')
  console.log(`built actions/${name}/dist`)
}
