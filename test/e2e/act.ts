import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { ROOT, VENV_BIN } from '../harness/action-runner.ts'
import { run } from '../harness/process.ts'

// Runs a consumer repository's workflow with act in host mode (no containers), the way the
// README tells a team to try its release on a laptop: this repository stands in for
// `pyrelease/actions@v1` through --local-repository, so `uses:` lines resolve exactly as they
// would for an outside repository, and the local stack stands in for GitHub OIDC and AWS.

export const ACT = join(ROOT, '.tools', 'bin', 'act')
export const OWNER_REPO = 'pyrelease/actions'

const STUBS: Record<string, string> = {
  'actions/setup-python': join(ROOT, 'test', 'e2e', 'stubs', 'setup-python'),
  'actions/checkout': join(ROOT, 'test', 'e2e', 'stubs', 'checkout'),
  'actions/upload-artifact': join(ROOT, 'test', 'e2e', 'stubs', 'upload-artifact'),
  'actions/download-artifact': join(ROOT, 'test', 'e2e', 'stubs', 'download-artifact')
}

/**
 * `--local-repository` mappings that replace actions/checkout, setup-python, upload-artifact and download-artifact with the
 * offline stand-ins in test/e2e/stubs, for every ref the workflows pin them to (a commit SHA,
 * so the mapping follows the pins as Dependabot moves them).
 */
export function stubbedActions(): string[] {
  const refs = new Set<string>()
  for (const dir of [join(ROOT, '.github', 'workflows'), join(ROOT, 'examples', 'workflows')]) {
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.yml'))) {
      for (const [, action, ref] of readFileSync(join(dir, file), 'utf8').matchAll(
        /uses:\s*(actions\/[\w-]+)@([\w.-]+)/g
      )) {
        if (action && ref && STUBS[action]) refs.add(`${action}@${ref}`)
      }
    }
  }
  return [...refs].sort().map((ref) => `${ref}=${STUBS[ref.slice(0, ref.indexOf('@'))]}`)
}

/**
 * What a consumer downloads for `pyrelease/actions@v1`: each action's action.yml and committed
 * bundle, and the reusable workflows. A lean copy also keeps act from reading node_modules.
 */
export function publishedActionsCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyrelease-actions-'))
  for (const action of readdirSync(join(ROOT, 'actions'))) {
    const source = join(ROOT, 'actions', action)
    if (!existsSync(join(source, 'action.yml'))) continue
    cpSync(join(source, 'action.yml'), join(dir, 'actions', action, 'action.yml'))
    cpSync(join(source, 'dist'), join(dir, 'actions', action, 'dist'), { recursive: true })
  }
  cpSync(join(ROOT, '.github', 'workflows'), join(dir, '.github', 'workflows'), { recursive: true })
  return dir
}

export interface ActRun {
  /** The consumer repository (a git work tree). */
  repo: string
  event: 'push' | 'workflow_dispatch' | 'pull_request'
  /** The event payload (ref, inputs, ...). */
  payload: Record<string, unknown>
  workflow: string
  vars?: Record<string, string>
  secrets?: Record<string, string>
  /** Environment for every step (the stack's endpoints and OIDC variables go here). */
  env?: Record<string, string>
  timeoutMs?: number
  /** The folder that stands in for pyrelease/actions@v1 (publishedActionsCopy()). */
  actionsDir: string
}

export interface ActResult {
  exitCode: number
  output: string
  /** Where the upload-artifact stand-in kept the run's artifacts: <dir>/<run id>/<name>. */
  artifactsDir: string
}

function dotenv(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join('\n')
}

export async function runAct(run_: ActRun): Promise<ActResult> {
  const dir = mkdtempSync(join(tmpdir(), 'act-run-'))
  const files = {
    event: join(dir, 'event.json'),
    env: join(dir, 'env'),
    vars: join(dir, 'vars'),
    secrets: join(dir, 'secrets')
  }
  writeFileSync(files.event, JSON.stringify(run_.payload))
  writeFileSync(
    files.env,
    dotenv({
      PYTHON_STUB_BIN: VENV_BIN,
      CHECKOUT_STUB_SOURCE: run_.repo,
      ARTIFACT_STUB_DIR: join(dir, 'artifacts'),
      AWS_EC2_METADATA_DISABLED: 'true',
      // act in host mode runs each step on a pty and, when the step fails, returns its status
      // before it has copied what the step printed last (pkg/container/host_environment.go
      // returns on cmd.Run()'s error ahead of `<-logctx.Done()`, then closes the pty), so a step
      // that fails at once sometimes loses its error line. A failing step's bash or node waits
      // 0.3 s before exiting; passing steps are not slowed.
      BASH_ENV: join(ROOT, 'test', 'e2e', 'stubs', 'flush-on-failure', 'bash-env.sh'),
      NODE_OPTIONS: `--require ${join(ROOT, 'test', 'e2e', 'stubs', 'flush-on-failure', 'node-preload.cjs')}`,
      ...run_.env
    })
  )
  writeFileSync(files.vars, dotenv(run_.vars ?? {}))
  writeFileSync(files.secrets, dotenv(run_.secrets ?? {}), { mode: 0o600 })
  const args = [
    run_.event,
    '--workflows',
    join(run_.repo, '.github', 'workflows', run_.workflow),
    '--eventpath',
    files.event,
    '--platform',
    'ubuntu-latest=-self-hosted',
    '--local-repository',
    `${OWNER_REPO}@v1=${run_.actionsDir}`,
    ...stubbedActions().flatMap((mapping) => ['--local-repository', mapping]),
    '--cache-server-addr',
    '127.0.0.1',
    '--artifact-server-addr',
    '127.0.0.1',
    '--env-file',
    files.env,
    '--var-file',
    files.vars,
    '--secret-file',
    files.secrets,
    '--no-recurse'
  ]
  const result = await run(ACT, args, {
    cwd: run_.repo,
    env: {
      HOME: process.env['HOME'] ?? dir,
      // Node 24 first: act runs JavaScript actions with the `node` it finds on PATH.
      PATH: [join(ROOT, 'node_modules', '.bin'), VENV_BIN, process.env['PATH'] ?? '/usr/bin:/bin'].join(delimiter),
      TMPDIR: process.env['TMPDIR'] ?? '/tmp'
    },
    timeoutMs: run_.timeoutMs ?? 300_000
  })
  const exitCode = result.code
  const output = result.stdout + result.stderr
  return { exitCode, output, artifactsDir: join(dir, 'artifacts') }
}
