// The README's main job: a whole release of the example library through the actions' bundles,
// run as a runner runs them, against a local stack this script starts and stops itself
// (GitHub OIDC fixture, STS behind a trust-policy gate, CodeArtifact fixture, pypiserver):
//
//   codeartifact-login -> bump-version (commit + tag + push to a bare origin)
//   -> publish-python (build, check, tag gate, upload, verify install) -> install it fresh
//
//   npm run release:local          (bash scripts/main-job.sh installs what is missing first)
import { cpSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type ActionRunResult,
  ROOT,
  VENV_BIN,
  baseEnv,
  newJob,
  runBundledAction
} from '../test/harness/action-runner.ts'
import { runOrThrow } from '../test/harness/process.ts'
import { startStack } from '../test/stack/stack.ts'

const workDir = mkdtempSync(join(tmpdir(), 'local-release-'))
const project = join(workDir, 'acme-widgets')
const origin = join(workDir, 'origin.git')
const job = newJob()
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com'
}

function step(title: string): void {
  console.log(`\n=== ${title}`)
}

/** Shows the action's log as the runner would (masks and debug lines left out) and stops on failure. */
function check(name: string, result: ActionRunResult): ActionRunResult {
  const lines = result.stdout
    .split('\n')
    .filter((line) => line && !line.startsWith('::add-mask::') && !line.startsWith('::debug::'))
  console.log(lines.map((line) => `  | ${line}`).join('\n'))
  if (result.exitCode !== 0) throw new Error(`${name} failed: ${result.errors.join(' / ')}`)
  return result
}

function run(command: string, args: string[], env: Record<string, string> = {}, cwd?: string): Promise<string> {
  return runOrThrow(command, args, { env: { ...baseEnv(), ...GIT_IDENTITY, ...env }, cwd })
}

step('Starting the local stack (OIDC fixture, STS, CodeArtifact fixture, pypiserver)')
const stack = await startStack()
let failed = false
try {
  console.log(
    `  index ${stack.indexUrl} (domain ${stack.domain}, repository ${stack.repository}), started in ${stack.startupMs} ms`
  )

  step('A repository for acme-widgets 0.1.0 with a bare origin')
  cpSync(join(ROOT, 'examples', 'acme-widgets'), project, {
    recursive: true,
    filter: (path) => !/(dist|__pycache__|\.egg-info)$/.test(path)
  })
  await run('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', origin])
  await run('git', ['init', '--quiet', '--initial-branch', 'main'], {}, project)
  await run('git', ['add', '.'], {}, project)
  await run('git', ['commit', '--quiet', '-m', 'acme-widgets 0.1.0'], {}, project)
  await run('git', ['remote', 'add', 'origin', `file://${origin}`], {}, project)
  await run('git', ['push', '--quiet', '--set-upstream', 'origin', 'main'], {}, project)
  console.log(`  ${project} -> ${origin}`)

  step('codeartifact-login: GitHub OIDC -> STS role -> CodeArtifact token -> pip, uv, twine')
  const login = check(
    'codeartifact-login',
    await runBundledAction('codeartifact-login', {
      job,
      inputs: {
        'aws-region': stack.region,
        'role-to-assume': stack.roleArn,
        domain: stack.domain,
        repository: stack.repository
      },
      env: stack.env
    })
  )
  // What GITHUB_ENV carries to every later step of the job.
  const jobEnv = { ...stack.env, ...login.exportedEnv }

  step('bump-version: 0.1.0 -> patch, in every version source; commit, tag, push')
  const bump = check(
    'bump-version',
    await runBundledAction('bump-version', {
      job,
      cwd: project,
      inputs: { bump: 'patch' },
      env: { ...jobEnv, GITHUB_REF: 'refs/heads/main' }
    })
  )
  const { version, tag } = bump.outputs as { version: string; tag: string }

  step(`publish-python: build, twine check, gate against ${tag}, upload to CodeArtifact, verify it installs`)
  check(
    'publish-python',
    await runBundledAction('publish-python', {
      job,
      cwd: project,
      inputs: {
        'aws-region': stack.region,
        'role-to-assume': stack.roleArn,
        domain: stack.domain,
        repository: stack.repository,
        python: join(VENV_BIN, 'python'),
        // Offline here: the backend comes from .venv instead of an isolated environment.
        'build-isolation': 'false',
        verify: 'install'
      },
      env: { ...jobEnv, GITHUB_REF: `refs/tags/${tag}`, GITHUB_REF_NAME: tag }
    })
  )

  step('Install the release into a fresh venv with uv, using only the job environment')
  const venv = join(workDir, 'consumer-venv')
  await run(join(VENV_BIN, 'python'), ['-m', 'venv', '--without-pip', venv])
  await run(
    join(VENV_BIN, 'uv'),
    ['pip', 'install', '--quiet', '--python', join(venv, 'bin', 'python'), `acme-widgets==${version}`],
    login.exportedEnv
  )
  const imported = await run(join(venv, 'bin', 'python'), [
    '-c',
    'import acme_widgets; print(acme_widgets.__version__, acme_widgets.assemble("sprocket", 2))'
  ])
  console.log(`  import acme_widgets -> ${imported.trim()}`)

  step(`Released acme-widgets ${version}`)
  console.log(`  origin:        git --git-dir ${origin} log --oneline --decorate`)
  console.log(
    (await run('git', ['--git-dir', origin, 'log', '--oneline', '--decorate'])).replace(/^/gm, '                 ')
  )
  console.log(`  index files:   ${readdirSync(stack.pypiserver.packagesDir).join(', ')}`)
  console.log(`  job summaries: ${job.summary}`)
  console.log(`  step outputs:  ${job.output}`)
  console.log(`  work dir:      ${workDir}`)
} catch (error) {
  failed = true
  console.error(`\nLocal release failed: ${(error as Error).message}`)
} finally {
  await stack.stop()
}
process.exit(failed ? 1 : 0)
