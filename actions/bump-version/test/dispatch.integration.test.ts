import { readFileSync } from 'node:fs'
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import { commandLines } from '../../../test/harness/action-runner.ts'
import { closeServer, listen, readBody } from '../../../test/stack/http-util.ts'
import { bump, failureOf, git, sandboxMaker, succeeded } from './helpers.ts'
import { startSilentServer } from '../../../test/harness/silent-server.ts'
import { dispatchWorkflow } from '../src/dispatch.ts'
import { describeError } from '@release/shared/errors'

// `dispatch-workflow`: after the push, the bundle starts the publish workflow through the GitHub
// REST API (POST /repos/{owner}/{repo}/actions/workflows/{id}/dispatches), here a local stand-in
// that records each request and answers as GitHub does (204, or an error body with a status).

const PROJECT = {
  'pyproject.toml':
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "pkg"\nversion = "1.2.3"\n'
}
const TOKEN = 'ghs_jobTokenForTheApi0123456789abcdefXYZ'

interface ApiRequest {
  method: string
  path: string
  authorization?: string
  body: unknown
}

interface FakeApi {
  url: string
  requests: ApiRequest[]
  /** Status and body for the next requests, in order; 204 once they run out. */
  answers: { status: number; body?: unknown }[]
  close(): Promise<void>
}

async function fakeGitHubApi(): Promise<FakeApi> {
  const requests: ApiRequest[] = []
  const answers: FakeApi['answers'] = []
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const text = (await readBody(req)).toString()
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers['authorization'],
      body: text ? JSON.parse(text) : undefined
    })
    const answer = answers.shift() ?? { status: 204 }
    if (answer.body === undefined) res.writeHead(answer.status).end()
    else res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body))
  })
  const { url } = await listen(server)
  return { url, requests, answers, close: () => closeServer(server) }
}

let api: FakeApi
beforeAll(async () => {
  api = await fakeGitHubApi()
})
afterAll(async () => {
  await api.close()
})
beforeEach(() => {
  api.requests.length = 0
  api.answers.length = 0
})

const newBox = sandboxMaker(PROJECT)

function githubEnv(): Record<string, string> {
  return { GITHUB_API_URL: api.url, GITHUB_SERVER_URL: 'https://github.example', GITHUB_REPOSITORY: 'acme/widgets' }
}

const DISPATCH = { bump: 'patch', 'dispatch-workflow': 'publish.yml', 'github-token': TOKEN }

describe('dispatch-workflow', () => {
  it('starts the workflow on the pushed tag with the rendered inputs, with the token only in the Authorization header', async () => {
    const box = await newBox()
    const result = succeeded(
      await bump(
        box.work,
        { ...DISPATCH, 'dispatch-inputs': 'version={new}\nreason=bump from {old} ({tag})' },
        githubEnv()
      )
    )

    expect(await git(box.origin, 'rev-parse', 'refs/tags/v1.2.4^{commit}')).toBe(result.outputs['commit-sha'])
    expect(api.requests).toEqual([
      {
        method: 'POST',
        path: '/repos/acme/widgets/actions/workflows/publish.yml/dispatches',
        authorization: `token ${TOKEN}`,
        body: { ref: 'refs/tags/v1.2.4', inputs: { version: '1.2.4', reason: 'bump from 1.2.3 (v1.2.4)' } }
      }
    ])
    expect(result.stdout).toContain(
      'Started publish.yml on refs/tags/v1.2.4: https://github.example/acme/widgets/actions/workflows/publish.yml'
    )
    expect(result.files.summary).toContain(
      '| Started | [`publish.yml`](https://github.example/acme/widgets/actions/workflows/publish.yml) on `refs/tags/v1.2.4` |'
    )
    // Masked before anything else is printed, and nowhere else.
    expect(commandLines(result.stdout, 'add-mask')[0]).toBe(TOKEN)
    expect(
      result.stdout.split('\n').filter((line) => line.includes(TOKEN) && !line.startsWith('::add-mask::'))
    ).toEqual([])
    expect(JSON.stringify(result.files)).not.toContain(TOKEN)
    expect(result.spawned.map((args) => args.join(' ')).join('\n')).not.toContain(TOKEN)
  })

  it('retries what GitHub certainly did not act on (unavailable, a tag it cannot see yet) and then starts the workflow', async () => {
    const box = await newBox()
    api.answers.push(
      { status: 503, body: { message: 'Service Unavailable' } },
      { status: 422, body: { message: 'No ref found for: refs/tags/v1.2.4' } }
    )
    const result = succeeded(await bump(box.work, DISPATCH, githubEnv()))
    expect(api.requests.length).toBe(3)
    expect(result.stdout).toMatch(/retrying after HttpError \(HTTP 503\) \(attempt 1,/)
    expect(result.stdout).toMatch(/retrying after the tag is not visible to the API yet \(attempt 2,/)
  })

  it('does not repeat a dispatch GitHub may have acted on (a 502): one request, and a fix line that says to look first', async () => {
    const box = await newBox()
    api.answers.push({ status: 502, body: { message: 'Bad Gateway' } })
    const result = await bump(box.work, DISPATCH, githubEnv())
    expect(api.requests.length).toBe(1)
    expect(failureOf(result)).toMatch(
      /^The bump is pushed \(tag v1\.2\.4\), but starting publish\.yml on refs\/tags\/v1\.2\.4 failed: Bad Gateway.* Fix: GitHub may have started it anyway: look at https:\/\/github\.example\/acme\/widgets\/actions\/workflows\/publish\.yml before starting it again with `gh workflow run`$/
    )
  })

  it('fails in one line saying the bump is pushed when the job may not dispatch, with the outputs set', async () => {
    const box = await newBox()
    api.answers.push({ status: 403, body: { message: 'Resource not accessible by integration' } })
    const result = await bump(box.work, DISPATCH, githubEnv())
    expect(failureOf(result)).toMatch(
      /^The bump is pushed \(tag v1\.2\.4\), but starting publish\.yml on refs\/tags\/v1\.2\.4 failed: Resource not accessible by integration.* Fix: give the job `permissions: actions: write` \(or pass a `github-token` that has it\)$/
    )
    expect(result.outputs['version']).toBe('1.2.4')
    expect(await git(box.origin, 'rev-parse', 'refs/tags/v1.2.4^{commit}')).toBe(result.outputs['commit-sha'])
    expect(result.files.summary).toContain('| Started | no: starting `publish.yml` failed |')
  })

  it('names the missing workflow_dispatch trigger', async () => {
    const box = await newBox()
    api.answers.push({ status: 422, body: { message: "Workflow does not have 'workflow_dispatch' trigger" } })
    expect(failureOf(await bump(box.work, DISPATCH, githubEnv()))).toMatch(
      /failed: Workflow does not have 'workflow_dispatch' trigger.* Fix: add `on: workflow_dispatch` to that workflow/
    )
  })

  it('dispatches on the branch when there is no tag, and only says what it would do in a dry run', async () => {
    const box = await newBox()
    succeeded(await bump(box.work, { ...DISPATCH, tag: 'false' }, githubEnv()))
    expect(api.requests.map((request) => (request.body as { ref: string }).ref)).toEqual(['refs/heads/main'])

    api.requests.length = 0
    const dry = succeeded(await bump(box.work, { ...DISPATCH, 'dry-run': 'true' }, githubEnv()))
    expect(dry.stdout).toContain('Dry run: would then start publish.yml on refs/tags/v1.2.5.')
    expect(api.requests).toEqual([])
  })

  it.each([
    [
      { 'dispatch-workflow': 'publish.yml', push: 'false' },
      'Input `dispatch-workflow`: is set while `push` is false, so there would be nothing on GitHub to start it on; set `push: true`, or leave `dispatch-workflow` empty.'
    ],
    [
      { 'dispatch-workflow': 'publish.yml', 'github-token': '' },
      'Input `github-token`: is empty, and `dispatch-workflow` needs a token for the GitHub API; pass `github-token: ${{ github.token }}` (with `permissions: actions: write`) or another token that may start workflows.'
    ],
    [
      { 'dispatch-inputs': 'version={new}' },
      'Input `dispatch-inputs`: is set without `dispatch-workflow`; name the workflow to start in `dispatch-workflow`, e.g. publish.yml.'
    ],
    [
      { ...DISPATCH, 'dispatch-inputs': 'just text' },
      'Input `dispatch-inputs`: "just text" is not `name=value`; write one `name=value` per line, e.g. `version={new}`.'
    ],
    [
      { ...DISPATCH, 'dispatch-inputs': 'v={nope}' },
      'Input `dispatch-inputs`: the placeholder {nope} is not known; use {old}, {new}, {version}, {tag}, {name}.'
    ]
  ])('refuses %j before touching anything', async (inputs, message) => {
    const box = await newBox()
    const before = await git(box.work, 'rev-parse', 'HEAD')
    const result = await bump(box.work, { bump: 'patch', ...inputs }, githubEnv())
    expect(failureOf(result)).toBe(message)
    expect(await git(box.work, 'rev-parse', 'HEAD')).toBe(before)
    expect(readFileSync(`${box.work}/pyproject.toml`, 'utf8')).toContain('version = "1.2.3"')
    expect(api.requests).toEqual([])
  })
})

describe('a GitHub API that never answers, or answers over plain http', () => {
  const saved = { ...process.env }
  afterEach(() => {
    process.env = { ...saved }
  })

  it('ends the dispatch at its deadline, saying GitHub may have started it anyway', async () => {
    const silent = await startSilentServer()
    try {
      Object.assign(process.env, { ...githubEnv(), GITHUB_API_URL: silent.url })
      const started = Date.now()
      const failure = await dispatchWorkflow(
        { workflow: 'publish.yml', ref: 'refs/tags/v1.2.4', inputs: {}, token: TOKEN },
        { deadlineMs: 1_500 }
      ).catch((error: unknown) => describeError(error))
      expect(Date.now() - started).toBeLessThan(8_000)
      expect(silent.connections).toBeGreaterThan(0)
      expect(failure).toMatch(
        /^starting publish\.yml on refs\/tags\/v1\.2\.4 failed: .* Fix: GitHub may have started it anyway: look at https:\/\/github\.example\/acme\/widgets\/actions\/workflows\/publish\.yml before starting it again/
      )
    } finally {
      await silent.close()
    }
  })

  it('refuses to send the token to a plain-http API beyond loopback', async () => {
    Object.assign(process.env, { ...githubEnv(), GITHUB_API_URL: 'http://ghe.example.internal/api/v3' })
    await expect(
      dispatchWorkflow({ workflow: 'publish.yml', ref: 'refs/tags/v1.2.4', inputs: {}, token: TOKEN })
    ).rejects.toThrow(
      'Input `github-token`: would send credentials over plain http to ghe.example.internal; use an https:// URL'
    )
  })
})
