import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Runners execute actions/<name>/dist directly, so a bundle that lags its sources ships old
// behaviour. Rebuild everything into a temp dir and compare file by file.
const root = new URL('../..', import.meta.url).pathname
const actions = readdirSync(join(root, 'actions')).filter((name) => readdirSync(join(root, 'actions', name)).includes('src'))

describe('committed dist/ bundles', () => {
  const outRoot = mkdtempSync(join(tmpdir(), 'check-dist-'))
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--out-root', outRoot], { cwd: root, stdio: 'pipe' })
  }, 300_000)
  afterAll(() => rmSync(outRoot, { recursive: true, force: true }))

  it.each(actions)('actions/%s/dist matches a fresh build (run `npm run build` and commit dist/)', (name) => {
    const fresh = join(outRoot, name, 'dist')
    const committed = join(root, 'actions', name, 'dist')
    expect(readdirSync(committed).sort()).toEqual(readdirSync(fresh).sort())
    for (const file of readdirSync(fresh)) {
      const same = readFileSync(join(fresh, file)).equals(readFileSync(join(committed, file)))
      expect({ file, same }).toEqual({ file, same: true })
    }
  })
})
