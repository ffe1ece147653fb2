// The README's main job: a release of the example library through the actions, against a
// local stack this script starts itself (GitHub OIDC fixture, STS, CodeArtifact fixture,
// pypiserver). Each step runs an action's committed bundle exactly as a runner would.
//
//   npm run release:local          (after scripts/install.sh; scripts/main-job.sh does both)
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ActionRunResult, ROOT, VENV_BIN, baseEnv, newJob, runBundledAction } from '../test/harness/action-runner.ts'
import { startStack } from '../test/stack/stack.ts'

const workDir = mkdtempSync(join(tmpdir(), 'local-release-'))
const job = newJob()

function step(title: string): void {
  console.log(`\n=== ${title}`)
}

function check(name: string, result: ActionRunResult): ActionRunResult {
  const lines = result.stdout.split('\n').filter((line) => line && !line.startsWith('::add-mask::') && !line.startsWith('::debug::'))
  console.log(lines.map((line) => `  | ${line}`).join('\n'))
  if (result.exitCode !== 0) throw new Error(`${name} failed: ${result.errors.join(' / ')}`)
  return result
}

async function run(command: string, args: string[], env: Record<string, string>, cwd?: string): Promise<string> {
  const child = spawn(command, args, { env: { ...baseEnv(), ...env }, cwd })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${output}`)
  return output
}

step('Starting the local stack (OIDC fixture, STS, CodeArtifact fixture, pypiserver)')
const stack = await startStack()
let failed = false
try {
  console.log(`  index: ${stack.indexUrl} (domain ${stack.domain}, repository ${stack.repository}); started in ${stack.startupMs} ms`)
  const project = join(workDir, 'acme-widgets')
  cpSync(join(ROOT, 'examples', 'acme-widgets'), project, { recursive: true })

  step('codeartifact-login: GitHub OIDC -> STS role -> CodeArtifact token -> pip, uv, twine')
  const login = check(
    'codeartifact-login',
    await runBundledAction('codeartifact-login', {
      job,
      inputs: { 'aws-region': stack.region, 'role-to-assume': stack.roleArn, domain: stack.domain, repository: stack.repository },
      env: stack.env
    })
  )
  const jobEnv = login.exportedEnv

  step('Build and upload acme-widgets with the configured twine')
  const dist = join(workDir, 'dist')
  await run(join(VENV_BIN, 'python'), ['-m', 'build', '--no-isolation', '--outdir', dist, project], {})
  await run(join(VENV_BIN, 'twine'), ['upload', '--non-interactive', ...readdirSync(dist).map((file) => join(dist, file))], jobEnv)
  console.log(`  uploaded ${readdirSync(dist).join(', ')}`)

  step('Install the release into a fresh venv from the private index, using only the job env')
  const venv = join(workDir, 'consumer-venv')
  await run(join(VENV_BIN, 'python'), ['-m', 'venv', '--without-pip', venv], {})
  await run(join(VENV_BIN, 'uv'), ['pip', 'install', '--python', join(venv, 'bin', 'python'), 'acme-widgets'], jobEnv)
  const imported = await run(join(venv, 'bin', 'python'), ['-c', 'import acme_widgets; print(acme_widgets.__version__, acme_widgets.assemble("sprocket", 2))'], {})
  console.log(`  import acme_widgets -> ${imported.trim()}`)

  step('Done')
  console.log(`  job summary:   ${job.summary}`)
  console.log(`  job env:       ${job.env}`)
  console.log(`  step outputs:  ${job.output}`)
  console.log(`  work dir:      ${workDir} (project copy, dist/, consumer venv)`)
} catch (error) {
  failed = true
  console.error(`\nLocal release failed: ${(error as Error).message}`)
} finally {
  await stack.stop()
}
process.exit(failed ? 1 : 0)
