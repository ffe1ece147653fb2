import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
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

it('runs as `npx --package=git+file://<this repository>` with nothing else installed', () => {
  // The way a laptop runs it (github: specs are fetched the same way, over https), from the
  // committed HEAD, with an empty npm cache: the command works and npm installed the package alone.
  const cache = mkdtempSync(join(tmpdir(), 'npx-cache-'))
  const cwd = mkdtempSync(join(tmpdir(), 'npx-cwd-'))
  try {
    const stdout = execFileSync(
      'npm',
      ['exec', '--yes', `--package=git+file://${root}`, '--', 'codeartifact-login', '--unset', '--tools', 'twine'],
      { cwd, encoding: 'utf8', env: { ...process.env, npm_config_cache: cache, npm_config_update_notifier: 'false' } }
    )
    expect(stdout.trim().split('\n')).toEqual([
      'unset TWINE_REPOSITORY_URL',
      'unset TWINE_USERNAME',
      'unset TWINE_PASSWORD',
      'unset CODEARTIFACT_AUTH_TOKEN',
      'unset CODEARTIFACT_REGISTRY_URL',
      'unset CODEARTIFACT_INDEX_URL',
      'unset CODEARTIFACT_TOKEN_EXPIRATION'
    ])
    const installs = readdirSync(join(cache, '_npx'))
    expect(installs).toHaveLength(1)
    expect(
      readdirSync(join(cache, '_npx', installs[0] as string, 'node_modules')).filter((n) => !n.startsWith('.'))
    ).toEqual(['python-release-actions'])
  } finally {
    rmSync(cache, { recursive: true, force: true })
    rmSync(cwd, { recursive: true, force: true })
  }
}, 120_000)
