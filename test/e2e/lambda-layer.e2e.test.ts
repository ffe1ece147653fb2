import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetLayerVersionCommand, LambdaClient, ListLayerVersionsCommand } from '@aws-sdk/client-lambda'
import { ROOT, VENV_BIN } from '../harness/action-runner.ts'
import { runOrThrow } from '../harness/process.ts'
import { type Stack, startStack } from '../stack/stack.ts'
import { makeWheel } from '../../actions/lambda-layer/test/helpers.ts'
import { type ActResult, publishedActionsCopy, runAct } from './act.ts'

// The consumer example examples/workflows/lambda-layer.yml run end to end with act in host
// mode: the reusable lambda-layer.yml logs in to the stack's CodeArtifact with the OIDC
// fixture, builds the layer of lambda/requirements.txt (the example library and an aarch64
// platform wheel), uploads the zip as an artifact and publishes it to moto's Lambda; a second
// run publishes nothing.

let stack: Stack
let consumer: string
let actionsDir: string
let lambda: LambdaClient
const dirs: string[] = []
const LAYER = 'acme-deps'

function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

function sh(command: string, args: string[], cwd?: string): Promise<string> {
  return runOrThrow(command, args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Dev',
      GIT_AUTHOR_EMAIL: 'dev@example.com',
      GIT_COMMITTER_NAME: 'Dev',
      GIT_COMMITTER_EMAIL: 'dev@example.com'
    }
  })
}

async function act(): Promise<ActResult> {
  const result = await runAct({
    repo: consumer,
    event: 'workflow_dispatch',
    payload: { ref: 'refs/heads/main', inputs: {} },
    workflow: 'lambda-layer.yml',
    actionsDir,
    vars: {
      AWS_REGION: stack.region,
      LAMBDA_LAYER_ROLE: stack.roleArn,
      CODEARTIFACT_DOMAIN: stack.domain,
      CODEARTIFACT_REPOSITORY: stack.repository,
      LAMBDA_LAYER_NAME: LAYER
    },
    env: { ...stack.env, GITHUB_REPOSITORY: 'acme/widgets' }
  })
  if (result.exitCode !== 0) console.log(result.output.slice(-6000))
  return result
}

beforeAll(async () => {
  stack = await startStack()
  actionsDir = publishedActionsCopy()
  dirs.push(actionsDir)
  const wheels = temp('e2e-layer-wheels-')
  await sh(join(VENV_BIN, 'uv'), [
    'build',
    '-q',
    '--wheel',
    '--no-build-isolation',
    '--python',
    join(VENV_BIN, 'python'),
    '--out-dir',
    wheels,
    join(ROOT, 'examples', 'acme-widgets')
  ])
  await makeWheel(wheels, {
    name: 'acme-native',
    version: '1.0.0',
    tag: 'cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64',
    files: { 'acme_native/__init__.py': 'ARCH = "aarch64"\n' }
  })
  for (const file of readdirSync(wheels)) cpSync(join(wheels, file), join(stack.pypiserver.packagesDir, file))

  consumer = join(temp('e2e-layer-consumer-'), 'functions')
  mkdirSync(join(consumer, 'lambda'), { recursive: true })
  writeFileSync(join(consumer, 'lambda', 'requirements.txt'), 'acme-widgets==0.1.0\nacme-native==1.0.0\n')
  mkdirSync(join(consumer, '.github', 'workflows'), { recursive: true })
  cpSync(
    join(ROOT, 'examples', 'workflows', 'lambda-layer.yml'),
    join(consumer, '.github', 'workflows', 'lambda-layer.yml')
  )
  await sh('git', ['init', '--quiet', '--initial-branch', 'main'], consumer)
  await sh('git', ['add', '.'], consumer)
  await sh('git', ['commit', '--quiet', '-m', 'layer'], consumer)

  const ambient = await stack.ambientCredentials()
  lambda = new LambdaClient({
    region: stack.region,
    endpoint: stack.env.AWS_ENDPOINT_URL_LAMBDA,
    credentials: {
      accessKeyId: ambient.AWS_ACCESS_KEY_ID,
      secretAccessKey: ambient.AWS_SECRET_ACCESS_KEY,
      sessionToken: ambient.AWS_SESSION_TOKEN
    }
  })
}, 300_000)

afterAll(async () => {
  lambda?.destroy()
  await stack?.stop()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

it('builds the layer, uploads the zip as an artifact and publishes it; a re-run publishes nothing', async () => {
  const first = await act()
  expect(first.exitCode).toBe(0)
  expect(first.output).not.toContain(stack.token)
  const [runId] = readdirSync(first.artifactsDir)
  const artifact = join(first.artifactsDir, runId as string, 'lambda-layer')
  expect(readdirSync(artifact)).toEqual(['lambda-layer.zip'])
  const zip = readFileSync(join(artifact, 'lambda-layer.zip'))
  const version = await lambda.send(new GetLayerVersionCommand({ LayerName: LAYER, VersionNumber: 1 }))
  expect(version.Content?.CodeSha256).toBe(createHash('sha256').update(zip).digest('base64'))
  expect(version.CompatibleRuntimes).toEqual(['python3.12'])
  expect(version.CompatibleArchitectures).toEqual(['arm64'])

  const second = await act()
  expect(second.exitCode).toBe(0)
  expect(second.output).toContain('already holds this zip')
  const listed = await lambda.send(new ListLayerVersionsCommand({ LayerName: LAYER }))
  expect(listed.LayerVersions?.map((item) => item.Version)).toEqual([1])
}, 600_000)
