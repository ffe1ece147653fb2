// GitHub's REST API for releases, on loopback, shaped like api.github.com so the reusable
// workflows' release job runs against it under act (GITHUB_API_URL points here):
//   GET  /repos/{owner}/{repo}/releases/tags/{tag}          -> 200 release | 404
//   POST /repos/{owner}/{repo}/releases                     -> 201 release | 422 already_exists
//   POST /uploads/repos/{owner}/{repo}/releases/{id}/assets?name=<file>  -> 201 asset | 422 already_exists
//   PATCH /repos/{owner}/{repo}/releases/{id}               -> 200 release (name, body, prerelease, make_latest)
//   DELETE /repos/{owner}/{repo}/git/refs/tags/{tag}        -> 204 | 422 "Reference does not exist"
// Every request must carry `Authorization: Bearer <token>` (or `token <token>`), as GitHub wants.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import { closeServer, listen, readBody, sendJson } from './http-util.ts'

export interface FixtureRelease {
  id: number
  repository: string
  tag_name: string
  name: string
  body: string
  prerelease: boolean
  draft: boolean
  assets: Array<{ name: string; size: number; content: Buffer }>
}

export interface GitHubReleasesFixture {
  readonly url: string
  readonly releases: FixtureRelease[]
  /** Every request, as `METHOD path` (for asserting what the job asked). */
  readonly log: string[]
  /** Tags that exist, as `owner/repo:tag`; DELETE of a git ref removes one. */
  readonly tags: Set<string>
  stop(): Promise<void>
}

function publicView(release: FixtureRelease, url: string): Record<string, unknown> {
  return {
    id: release.id,
    tag_name: release.tag_name,
    name: release.name,
    body: release.body,
    prerelease: release.prerelease,
    draft: release.draft,
    html_url: `https://github.example/${release.repository}/releases/tag/${release.tag_name}`,
    upload_url: `${url}/uploads/repos/${release.repository}/releases/${release.id}/assets{?name,label}`,
    assets: release.assets.map((asset) => ({ name: asset.name, size: asset.size }))
  }
}

export async function startGitHubReleasesFixture(token: string): Promise<GitHubReleasesFixture> {
  const releases: FixtureRelease[] = []
  const log: string[] = []
  const tags = new Set<string>()
  let url = ''
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://fixture').pathname
    const query = new URL(req.url ?? '/', 'http://fixture').searchParams
    log.push(`${req.method} ${req.url}`)
    const body = await readBody(req, 64 * 1024 * 1024)
    if (req.headers['authorization'] !== `Bearer ${token}` && req.headers['authorization'] !== `token ${token}`)
      return sendJson(res, 401, { message: 'Bad credentials' })
    let match = /^\/repos\/([^/]+\/[^/]+)\/releases\/tags\/(.+)$/.exec(path)
    if (req.method === 'GET' && match) {
      const found = releases.find(
        (r) => r.repository === match?.[1] && r.tag_name === decodeURIComponent(match[2] ?? '')
      )
      return found ? sendJson(res, 200, publicView(found, url)) : sendJson(res, 404, { message: 'Not Found' })
    }
    match = /^\/repos\/([^/]+\/[^/]+)\/releases$/.exec(path)
    if (req.method === 'POST' && match) {
      const input = JSON.parse(body.toString() || '{}') as Partial<FixtureRelease>
      if (!input.tag_name)
        return sendJson(res, 422, { message: 'Validation Failed', errors: [{ field: 'tag_name', code: 'missing' }] })
      if (releases.some((r) => r.repository === match?.[1] && r.tag_name === input.tag_name))
        return sendJson(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]
        })
      const release: FixtureRelease = {
        id: releases.length + 1,
        repository: match[1] as string,
        tag_name: input.tag_name,
        name: input.name ?? input.tag_name,
        body: input.body ?? '',
        prerelease: input.prerelease ?? false,
        draft: input.draft ?? false,
        assets: []
      }
      releases.push(release)
      return sendJson(res, 201, publicView(release, url))
    }
    match = /^\/repos\/([^/]+\/[^/]+)\/releases\/(\d+)$/.exec(path)
    if (req.method === 'PATCH' && match) {
      const release = releases.find((r) => r.repository === match?.[1] && r.id === Number(match?.[2]))
      if (!release) return sendJson(res, 404, { message: 'Not Found' })
      const input = JSON.parse(body.toString() || '{}') as Partial<FixtureRelease>
      if (input.name !== undefined) release.name = input.name
      if (input.body !== undefined) release.body = input.body
      if (input.prerelease !== undefined) release.prerelease = input.prerelease
      return sendJson(res, 200, publicView(release, url))
    }
    match = /^\/repos\/([^/]+\/[^/]+)\/git\/refs\/tags\/(.+)$/.exec(path)
    if (req.method === 'DELETE' && match) {
      const key = `${match[1]}:${decodeURIComponent(match[2] ?? '')}`
      if (!tags.delete(key)) return sendJson(res, 422, { message: 'Reference does not exist' })
      res.writeHead(204).end()
      return
    }
    match = /^\/uploads\/repos\/([^/]+\/[^/]+)\/releases\/(\d+)\/assets$/.exec(path)
    if (req.method === 'POST' && match) {
      const release = releases.find((r) => r.id === Number(match?.[2]))
      const name = query.get('name')
      if (!release || !name) return sendJson(res, 404, { message: 'Not Found' })
      if (release.assets.some((asset) => asset.name === name))
        return sendJson(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }]
        })
      release.assets.push({ name, size: body.length, content: body })
      return sendJson(res, 201, { name, size: body.length, state: 'uploaded' })
    }
    sendJson(res, 404, { message: 'Not Found' })
  }
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendJson(res, 500, { message: String(error) }))
  })
  url = (await listen(server)).url
  return { url, releases, log, tags, stop: () => closeServer(server) }
}
