// Bundles every action's src/index.ts with ncc into actions/<name>/dist/, the files runners
// execute directly. Actions with a post step run the same bundle twice (see runAction in
// packages/shared), so one entry per action is enough.
//
// Fast by design (`time npm run bundle`: about 10 s on 2 cores; 36-70 s when ncc type-checked):
// - ncc only transpiles (--transpile-only); `npm run typecheck` checks the whole project once.
//   ncc reads the tsconfig.json nearest to its entry, so each action is entered through a
//   one-line file in .build/, beside a tsconfig.json that extends tsconfig.build.json (which
//   keeps the output ESM; see there).
// - ncc runs and chunk minifications share one slot per core, a chunk's minification starting
//   as soon as its action is bundled.
// - A chunk several actions share (the AWS SDK's) is minified once, and results are kept in
//   .build/terser/ under the hash of their input, the terser version and the options, so a
//   rebuild after a change to src/ minifies only what changed.
//
// `--out-root DIR` builds into DIR/<name>/dist instead, so the dist check can compare a fresh
// build with the committed bundles without touching them.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker, isMainThread, parentPort } from 'node:worker_threads'
import { minify } from 'terser'

const TERSER_OPTIONS = { module: true, compress: true, mangle: true }

if (!isMainThread) {
  // A minification worker: minifies one chunk per message. Workers live for the whole build,
  // since terser runs at half speed until the JIT has warmed up.
  parentPort.on('message', async ({ source, target }) => {
    const { code } = await minify(readFileSync(source, 'utf8'), TERSER_OPTIONS)
    writeFileSync(target, code)
    parentPort.postMessage(target)
  })
} else {
  await build(process.argv.slice(2))
}

/** One slot per core, taken in the order asked for. */
function slots(count) {
  let free = count
  const waiting = []
  return async function inSlot(task) {
    if (free > 0) free--
    else await new Promise((resolve) => waiting.push(resolve))
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else free++
    }
  }
}

function runNcc(root, entry, dist) {
  const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
  const argv = [ncc, 'build', entry, '-o', dist, '--transpile-only', '--minify', '--license', 'licenses.txt', '--quiet']
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: 'inherit' })
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ncc failed for ${entry} (exit ${code})`))))
  })
}

/** Minifies files in long-lived worker threads, started when first needed. */
function minifiers(count) {
  const idle = []
  const all = []
  return {
    async minify(source, target) {
      let worker = idle.pop()
      if (!worker) {
        if (all.length >= count) throw new Error('more minifications than slots')
        worker = new Worker(fileURLToPath(import.meta.url))
        all.push(worker)
      }
      await new Promise((resolve, reject) => {
        const fail = (error) => reject(new Error(`minifying ${source} failed: ${error.message}`))
        worker.once('error', fail)
        worker.once('message', () => {
          worker.off('error', fail)
          resolve()
        })
        worker.postMessage({ source, target })
      })
      idle.push(worker)
    },
    close: () => Promise.all(all.map((worker) => worker.terminate()))
  }
}

async function build(args) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const buildDir = join(root, '.build')
  const terserCache = join(buildDir, 'terser')
  const terserVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'terser', 'package.json'), 'utf8')).version
  const outRootIndex = args.indexOf('--out-root')
  const outRoot = outRootIndex >= 0 ? args.splice(outRootIndex, 2)[1] : undefined
  const names = readdirSync(join(root, 'actions'))
    .sort()
    .filter(
      (name) => (args.length === 0 || args.includes(name)) && existsSync(join(root, 'actions', name, 'src', 'index.ts'))
    )

  mkdirSync(terserCache, { recursive: true })
  writeFileSync(join(buildDir, 'tsconfig.json'), '{ "extends": "../tsconfig.build.json" }\n')
  const cores = availableParallelism()
  const inSlot = slots(cores)
  const workers = minifiers(cores)
  const minified = new Map() // cache path -> promise of the minification

  // ncc minifies the entry file only; the chunks it splits off at dynamic imports (the AWS SDK,
  // loaded after the inputs are parsed) would ship at full size without this pass.
  async function minifyChunk(path) {
    const key = createHash('sha256')
      .update(`${terserVersion}\0${JSON.stringify(TERSER_OPTIONS)}\0`)
      .update(readFileSync(path))
      .digest('hex')
    const cached = join(terserCache, `${key}.js`)
    if (!minified.has(cached)) {
      minified.set(
        cached,
        existsSync(cached)
          ? Promise.resolve()
          : inSlot(async () => {
              // Written aside and renamed, so an interrupted build leaves no half file in the cache.
              const partial = `${cached}.${process.pid}`
              await workers.minify(path, partial)
              renameSync(partial, cached)
            })
      )
    }
    await minified.get(cached)
    writeFileSync(path, readFileSync(cached))
  }

  /** One ncc bundle of `source` into `dist`, its split-off chunks minified. */
  async function bundle(label, source, dist, { executable = false } = {}) {
    const entry = join(buildDir, `${label.replace(/\//g, '-')}.ts`)
    // A hashbang on the entry makes ncc start the bundle with one, so it runs as a command.
    writeFileSync(entry, `${executable ? '#!/usr/bin/env node\n' : ''}import '../${source}'\n`)
    rmSync(dist, { recursive: true, force: true })
    await inSlot(() => runNcc(root, entry, dist))
    const chunks = readdirSync(dist).filter((file) => /^\d+\.index\.js$/.test(file))
    await Promise.all(chunks.map((file) => minifyChunk(join(dist, file))))
    // Runners execute dist/index.js as ESM only when the nearest package.json says so.
    writeFileSync(join(dist, 'package.json'), '{ "type": "module" }\n')
    if (executable) chmodSync(join(dist, 'index.js'), 0o755)
    console.log(`built ${label}`)
  }

  async function buildAction(name) {
    const dist = outRoot ? join(outRoot, name, 'dist') : join(root, 'actions', name, 'dist')
    await bundle(`actions/${name}/dist`, `actions/${name}/src/index.ts`, dist)
    // An action with a command-line form (codeartifact-login's developer CLI) ships it in
    // dist/cli/, committed with the action's bundle, so `npx` and a checkout can run it as is.
    if (existsSync(join(root, 'actions', name, 'src', 'cli', 'index.ts')))
      await bundle(`actions/${name}/dist/cli`, `actions/${name}/src/cli/index.ts`, join(dist, 'cli'), {
        executable: true
      })
  }

  // publish-python, the largest, first, so it does not start last.
  const order = [...names].sort((a, b) => Number(b === 'publish-python') - Number(a === 'publish-python'))
  try {
    await Promise.all(order.map(buildAction))
  } finally {
    await workers.close()
  }
}
