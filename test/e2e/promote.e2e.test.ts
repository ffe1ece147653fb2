import { cpSync, mkdtempSync, readdirSync } from 'node:fs'
import { copyFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, VENV_BIN } from '../harness/action-runner.ts'
import { runOrThrow } from '../harness/process.ts'
import { type Stack, type StackRepository, startStack } from '../stack/stack.ts'
import { type ActResult, publishedActionsCopy, runAct } from './act.ts'

// The promote example (examples/workflows/promote.yml -> .github/workflows/promote.yml ->
// codeartifact-promote) run by act in host mode against the stack: a dev repository holding a
// release of the example library, a production repository in the same domain and one in a
// second domain. act does not enforce environment protection rules (required reviewers): on
// GitHub the job waits for approval; here it runs at once. What is checked is where the files
// land, byte for byte, and that the workflow's own install check ran.

let stack: Stack
let consumer: string
let actionsDir: string
let sameDomain: StackRepository
let otherDomain: StackRepository
const VERSION = '0.1.0'

function sh(command: string, args: string[], cwd?: string): Promise<string> {
  return runOrThrow(command, args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Dev',
      GIT_AUTHOR_EMAIL: 'd@example.com',
      GIT_COMMITTER_NAME: 'Dev',
      GIT_COMMITTER_EMAIL: 'd@example.com'
    }
  })
}

function hashes(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((file) => file.includes(`-${VERSION}`))
      .sort()
      .map((file) => [
        file,
        createHash('sha256')
          .update(readFileSync(join(dir, file)))
          .digest('hex')
      ])
  )
}

async function promote(vars: Record<string, string>): Promise<ActResult> {
  const result = await runAct({
    repo: consumer,
    event: 'workflow_dispatch',
    payload: { ref: 'refs/heads/main', inputs: { version: VERSION } },
    workflow: 'promote.yml',
    actionsDir,
    vars: {
      AWS_REGION: stack.region,
      CODEARTIFACT_PROMOTE_ROLE: stack.roleArn,
      CODEARTIFACT_DOMAIN: stack.domain,
      CODEARTIFACT_REPOSITORY: stack.repository,
      PACKAGE_NAME: 'acme-widgets',
      CODEARTIFACT_PROD_DOMAIN: '',
      CODEARTIFACT_PROD_REPOSITORY: 'python-prod',
      ...vars
    },
    env: { ...stack.env, GITHUB_REPOSITORY: 'acme/widgets' }
  })
  if (result.exitCode !== 0) console.log(result.output.slice(-6000))
  return result
}

beforeAll(async () => {
  stack = await startStack({
    extraRepositories: [{ name: 'python-prod' }, { name: 'python-prod', domain: 'acme-prod' }]
  })
  sameDomain = stack.repositories.get('acme/python-prod') as StackRepository
  otherDomain = stack.repositories.get('acme-prod/python-prod') as StackRepository
  actionsDir = publishedActionsCopy()
  const dir = mkdtempSync(join(tmpdir(), 'e2e-promote-'))
  consumer = join(dir, 'widgets')
  cpSync(join(ROOT, 'examples', 'acme-widgets'), consumer, {
    recursive: true,
    filter: (path) => !/(dist|__pycache__|\.egg-info)$/.test(path)
  })
  cpSync(join(ROOT, 'examples', 'workflows', 'promote.yml'), join(consumer, '.github', 'workflows', 'promote.yml'))
  await sh('git', ['init', '--quiet', '--initial-branch', 'main'], consumer)
  await sh('git', ['add', '.'], consumer)
  await sh('git', ['commit', '--quiet', '-m', 'acme-widgets 0.1.0'], consumer)
  // The release in the dev repository, as publish-on-tag would have left it.
  const dist = join(dir, 'dist')
  await sh(join(VENV_BIN, 'uv'), [
    'build',
    '-q',
    '--no-build-isolation',
    '--python',
    join(VENV_BIN, 'python'),
    '--out-dir',
    dist,
    consumer
  ])
  for (const file of readdirSync(dist)) await copyFile(join(dist, file), join(stack.pypiserver.packagesDir, file))
}, 120_000)
afterAll(() => stack?.stop())

it('promote.yml copies the release to production in the same domain and installs it from there', async () => {
  const result = await promote({})
  expect(result.exitCode).toBe(0)
  const source = hashes(stack.pypiserver.packagesDir)
  expect(Object.keys(source)).toHaveLength(2)
  expect(hashes(sameDomain.pypiserver.packagesDir)).toEqual(source)
  expect(stack.codeartifact.log.some((e) => e.operation === 'CopyPackageVersions' && e.status === 200)).toBe(true)
  expect(result.output).toContain('acme-widgets==0.1.0 installed from acme/python-prod in a fresh virtual environment')
}, 300_000)

it('promote.yml with a production domain downloads and uploads, and a re-run changes nothing', async () => {
  const result = await promote({ CODEARTIFACT_PROD_DOMAIN: 'acme-prod' })
  expect(result.exitCode).toBe(0)
  expect(hashes(otherDomain.pypiserver.packagesDir)).toEqual(hashes(stack.pypiserver.packagesDir))
  expect(stack.codeartifact.log.filter((e) => e.operation === 'GetPackageVersionAsset')).toHaveLength(2)
  expect(result.output).toContain('acme-widgets==0.1.0 installed from acme-prod/python-prod')

  const uploads = otherDomain.index.log.filter((e) => e.method === 'POST').length
  const again = await promote({ CODEARTIFACT_PROD_DOMAIN: 'acme-prod' })
  expect(again.exitCode).toBe(0)
  expect(again.output).toContain('Already on acme-prod/python-prod with the same sha256')
  expect(otherDomain.index.log.filter((e) => e.method === 'POST').length).toBe(uploads)
}, 600_000)
