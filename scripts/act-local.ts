// One command to run a workflow under act against the local stand-ins, as the README's
// "Try it locally with act" describes:
//
//   node_modules/.bin/node scripts/act-local.ts <workflow.yml> [options]
//
// It makes (once) a consumer repository from the example library and workflows, or uses yours
// (--repo), starts the local stack (GitHub OIDC, STS with a trust policy, CodeArtifact, the
// index, PyPI trusted publishing, the GitHub releases API; a registry and podman with --images),
// resolves pyrelease/actions@v1 to a lean copy of this checkout and the third-party actions to
// offline stand-ins, runs act, prints where everything is, and stops the stack. The index's
// packages stay in .act-local/index between runs unless --fresh-index.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ROOT } from '../test/harness/action-runner.ts'
import { type Podman, type Registry, setupPodman, startRegistry } from '../test/harness/containers.ts'
import { publishedActionsCopy, runAct } from '../test/e2e/act.ts'
import { startGitHubReleasesFixture } from '../test/stack/github-releases-fixture.ts'
import { startStack } from '../test/stack/stack.ts'
import { type TrustedPublishingFixture, startTrustedPublishingFor } from '../test/stack/trusted-publishing-fixture.ts'
import { makeWheelhouse } from '../test/stack/wheelhouse.ts'

const USAGE = `usage: node_modules/.bin/node scripts/act-local.ts <workflow.yml> [options]
  --event push|workflow_dispatch|pull_request   default: workflow_dispatch with --input, else push
  --ref REF               refs/tags/v0.1.0 or refs/heads/main (default); a missing tag is made at HEAD
  --input NAME=VALUE      a workflow_dispatch input (repeatable)
  --var NAME=VALUE        a repository variable (repeatable; CodeArtifact ones are preset)
  --secret NAME=VALUE     a secret (repeatable)
  --claim NAME=VALUE      a claim of the GitHub OIDC token (repository, ref, sub, job_workflow_ref, environment, ...)
  --trust-sub PATTERN     the role's trust policy condition on sub (default repo:acme/widgets:*)
  --repo DIR              the consumer repository (default .act-local/consumer, made from examples/)
  --images                also start a registry and podman (build-service-image)
  --refuse-uploads        the index refuses every upload (403): a publish that fails after the push
  --fresh-index           start from an empty index (default: keep .act-local/index)`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    event: { type: 'string' },
    ref: { type: 'string', default: 'refs/heads/main' },
    input: { type: 'string', multiple: true, default: [] },
    var: { type: 'string', multiple: true, default: [] },
    secret: { type: 'string', multiple: true, default: [] },
    claim: { type: 'string', multiple: true, default: [] },
    'trust-sub': { type: 'string', default: 'repo:acme/widgets:*' },
    repo: { type: 'string' },
    images: { type: 'boolean', default: false },
    'refuse-uploads': { type: 'boolean', default: false },
    'fresh-index': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  }
})
const workflow = positionals[0]
if (values.help || !workflow) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(values.help ? 0 : 2)
}

function pairs(list: string[], option: string): Record<string, string> {
  return Object.fromEntries(
    list.map((pair) => {
      const equals = pair.indexOf('=')
      if (equals <= 0) throw new Error(`--${option} takes NAME=VALUE, not "${pair}"`)
      return [pair.slice(0, equals), pair.slice(equals + 1)]
    })
  )
}

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Dev',
      GIT_AUTHOR_EMAIL: 'dev@example.com',
      GIT_COMMITTER_NAME: 'Dev',
      GIT_COMMITTER_EMAIL: 'dev@example.com'
    }
  }).trim()

/** The example library with the example workflows, committed and pushed to a bare origin beside it. */
function exampleConsumer(home: string): string {
  const consumer = join(home, 'consumer')
  if (existsSync(join(consumer, '.git'))) return refreshWorkflows(consumer)
  const origin = join(home, 'origin.git')
  cpSync(join(ROOT, 'examples', 'acme-widgets'), consumer, {
    recursive: true,
    filter: (path) => !/(dist|__pycache__|\.egg-info)$/.test(path)
  })
  cpSync(join(ROOT, 'examples', 'workflows'), join(consumer, '.github', 'workflows'), { recursive: true })
  cpSync(join(ROOT, 'test', 'fixtures', 'docker', 'service'), join(consumer, 'service'), { recursive: true })
  git(home, 'init', '--quiet', '--bare', '--initial-branch', 'main', origin)
  git(consumer, 'init', '--quiet', '--initial-branch', 'main')
  git(consumer, 'add', '.')
  git(consumer, 'commit', '--quiet', '-m', 'acme-widgets 0.1.0')
  git(consumer, 'remote', 'add', 'origin', `file://${origin}`)
  git(consumer, 'push', '--quiet', '--set-upstream', 'origin', 'main')
  return consumer
}

/** An earlier run's consumer gets this checkout's example workflows, so edits to them are what runs. */
function refreshWorkflows(consumer: string): string {
  git(consumer, 'pull', '--quiet', '--ff-only', 'origin', 'main')
  cpSync(join(ROOT, 'examples', 'workflows'), join(consumer, '.github', 'workflows'), { recursive: true })
  if (git(consumer, 'status', '--porcelain', '--', '.github/workflows')) {
    git(consumer, 'add', '--', '.github/workflows')
    git(consumer, 'commit', '--quiet', '-m', 'Example workflows from pyrelease/actions')
    git(consumer, 'push', '--quiet', 'origin', 'main')
    process.stdout.write(`refreshed the example workflows in ${consumer}\n`)
  }
  return consumer
}

const home = join(ROOT, '.act-local')
mkdirSync(home, { recursive: true })
const consumer = values.repo ? resolve(values.repo) : exampleConsumer(home)
const ref = values.ref as string
// The checkout stand-in copies this clone; bring it up to what an earlier run pushed, as
// actions/checkout would check out origin's branch.
if (!values.repo && ref.startsWith('refs/heads/'))
  git(consumer, 'pull', '--quiet', '--ff-only', 'origin', ref.slice('refs/heads/'.length))
const tag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined
if (tag && !git(consumer, 'tag', '--list', tag)) {
  // Tags are made only in the generated consumer: a repository of yours is not written to.
  if (values.repo) {
    process.stderr.write(`${consumer} has no tag ${tag}: create it (git tag ${tag}) or pass another --ref\n`)
    process.exit(2)
  }
  git(consumer, 'tag', tag)
  process.stdout.write(`made the tag ${tag} at HEAD of ${consumer}\n`)
}
// act copies the working tree for a plain actions/checkout, where GitHub checks out the pushed
// tag: so the generated consumer is put at the tag for the run, and back on main after it.
const atTag = Boolean(tag && !values.repo)
if (atTag) git(consumer, 'checkout', '--quiet', '--detach', `refs/tags/${tag}`)
const inputs = pairs(values.input as string[], 'input')
const event = (values.event ?? (Object.keys(inputs).length > 0 ? 'workflow_dispatch' : 'push')) as
  'push' | 'workflow_dispatch' | 'pull_request'

const indexDir = join(home, 'index')
if (values['fresh-index']) rmSync(indexDir, { recursive: true, force: true })
const claims = pairs(values.claim as string[], 'claim')
const stack = await startStack({
  packagesDir: indexDir,
  trustPolicy: { conditions: { aud: 'sts.amazonaws.com', sub: values['trust-sub'] as string } },
  oidc: { ref, claims }
})
let github: Awaited<ReturnType<typeof startGitHubReleasesFixture>> | undefined
let trusted: TrustedPublishingFixture | undefined
let podman: Podman | undefined
let registry: Registry | undefined
let actionsDir: string | undefined
// Everything started from here on is stopped in the finally, whatever fails on the way.
try {
  if (values['refuse-uploads'])
    stack.index.addFault({ method: 'POST', status: 403, body: 'Forbidden', persistent: true })
  const GITHUB_TOKEN = 'ghs_actLocalWorkflowToken000000000001'
  github = await startGitHubReleasesFixture(GITHUB_TOKEN)
  trusted = await startTrustedPublishingFor(stack, [{ repository: claims['repository'] ?? 'acme/widgets' }])
  const registryPassword = `${stack.domainOwner}-auth-token`
  if (values.images) {
    podman = await setupPodman()
    registry = await startRegistry([{ user: 'AWS', password: registryPassword }])
    await podman.allowInsecureRegistries([registry.host])
  }
  const wheelhouse = join(home, 'wheelhouse')
  if (!existsSync(wheelhouse)) await makeWheelhouse(wheelhouse, ['hatchling'])

  actionsDir = publishedActionsCopy()
  const result = await runAct({
    repo: consumer,
    event,
    payload:
      event === 'workflow_dispatch' ? { ref, inputs } : { ref, ref_name: tag ?? ref.replace(/^refs\/heads\//, '') },
    workflow,
    actionsDir,
    vars: {
      AWS_REGION: stack.region,
      CODEARTIFACT_PUBLISH_ROLE: stack.roleArn,
      CODEARTIFACT_DOMAIN: stack.domain,
      CODEARTIFACT_REPOSITORY: stack.repository,
      IMAGE_BUILD_ROLE: stack.roleArn,
      ...(registry
        ? { IMAGE_REPOSITORY: `${registry.host}/acme/service`, ECR_REGISTRY: registry.host, IMAGE_CONTEXT: 'service' }
        : {}),
      PYPI_UPLOAD_URL: `${trusted.url}/pypi/${stack.repository}/`,
      CREATE_RELEASE: 'true',
      ...pairs(values.var as string[], 'var')
    },
    secrets: { GITHUB_TOKEN, ...pairs(values.secret as string[], 'secret') },
    env: {
      ...stack.env,
      ...(podman?.env ?? {}),
      UV_FIND_LINKS: wheelhouse,
      UV_OFFLINE: '1',
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: claims['repository'] ?? 'acme/widgets'
    }
  })
  process.stdout.write(result.output)
  writeFileSync(
    join(home, 'releases.json'),
    JSON.stringify(
      github.releases.map(({ assets, ...r }) => ({ ...r, assets: assets.map((a) => a.name) })),
      null,
      2
    )
  )
  process.stdout.write(
    [
      '',
      `act exited with ${result.exitCode} (${workflow}, ${event} on ${ref})`,
      `consumer repository: ${consumer} (origin: ${git(consumer, 'remote', 'get-url', 'origin')})`,
      `index packages (kept between runs): ${indexDir}`,
      `  the stack stops now; while it ran it served ${stack.indexUrl} (user aws)`,
      `artifacts of the run: ${result.artifactsDir}`,
      `GitHub releases created: ${join(home, 'releases.json')}`,
      ...(registry ? [`registry (stopped now): ${registry.host}, user AWS`] : []),
      `OIDC claims: ${JSON.stringify({ ref, ...claims })}; STS trust policy sub: ${values['trust-sub']}`,
      ''
    ].join('\n')
  )
  process.exitCode = result.exitCode
} finally {
  await Promise.allSettled([github?.stop(), trusted?.stop(), stack.stop(), registry?.stop()])
  await podman?.cleanup()
  if (actionsDir) rmSync(actionsDir, { recursive: true, force: true })
  if (atTag) git(consumer, 'checkout', '--quiet', 'main')
}
