import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

// `npx --package=github:<owner>/actions codeartifact-login` installs this repository as npm
// packs it: the `bin` must name the committed CLI bundle, the packed files must carry that
// bundle with every chunk it loads, and the bundle must run as a command (hashbang, mode).

const root = new URL('../..', import.meta.url).pathname
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>
  scripts: Record<string, string>
  dependencies?: Record<string, string>
}

it('gives npm nothing to install or run when npx fetches the repository from git', () => {
  // npm prepares a git dependency (a full `npm install` of its devDependencies, install scripts
  // and all, in the user's shell with their AWS variables) when its manifest has any of these
  // scripts (pacote's git fetcher); and it installs `dependencies`, which the bundle does not need.
  const preparing = ['build', 'prepare', 'prepack', 'preinstall', 'install', 'postinstall']
  expect(Object.keys(manifest.scripts).filter((name) => preparing.includes(name))).toEqual([])
  expect(manifest.dependencies ?? {}).toEqual({})
})

it('packs the CLI bundle that package.json names as the codeartifact-login command', () => {
  const cli = manifest.bin['codeartifact-login'] as string
  expect(cli).toBe('actions/codeartifact-login/dist/cli/index.js')
  expect(readFileSync(join(root, cli), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/)
  expect(statSync(join(root, cli)).mode & 0o111).not.toBe(0)

  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' })) as [
    { files: Array<{ path: string }> }
  ]
  const packed = pack.files.map((file) => file.path)
  // The whole bundle (the entry, the AWS SDK chunks it imports at run time, its package.json).
  const bundle = readdirSync(join(root, 'actions/codeartifact-login/dist/cli')).map(
    (file) => `actions/codeartifact-login/dist/cli/${file}`
  )
  expect(packed).toEqual(expect.arrayContaining(bundle))
  // And little else: npx fetches and unpacks what is packed (npm always adds these three).
  expect(packed.filter((path) => !path.startsWith('actions/codeartifact-login/dist/')).sort()).toEqual([
    'LICENSE',
    'README.md',
    'package.json'
  ])
})
