import { rmSync } from 'node:fs'
import type { ActionRunResult } from '../../../test/harness/action-runner.ts'
import { jest } from '@jest/globals'
import { type Sandbox, failureOf, git, limiter, originLog, succeeded } from './helpers.ts'
import { REFUSED, RELEASED } from './corpus/projects.ts'
import { type Outcome, bumpProject, releaseProject } from './corpus/release.ts'

// Real layouts: each pinned sdist (corpus/sdists.json, downloaded from PyPI at test time and
// checked against its sha256) unpacked into a git repository with a bare origin, bumped by the
// bundled action as the runner runs it, then built by publish-python with the project's own
// backend (isolated, build requirements from PyPI), published to a local pypiserver and installed
// back. What each project must get (corpus/projects.ts) is what its own release needs: exactly the
// files its version lives in, the bumped version in what its backend builds, an installable
// release; and for a layout no edit can bump, one line naming the file and the fix, and nothing
// pushed.

const outcomes = new Map<string, Promise<Outcome>>()
const key = (project: { name: string; version: string }): string => `${project.name} ${project.version}`

// The corpus takes minutes on a cold cache (downloads from PyPI, isolated builds); each test
// waits only for its own project, and no longer than this.
jest.setTimeout(600_000)

beforeAll(() => {
  // Two projects at a time: CI has two cores, and most of the time is builds and downloads. A
  // project that cannot be unpacked or bumped fails its own tests, not every project's; each
  // project's tests start as soon as its own release is done.
  const slot = limiter(2)
  for (const project of RELEASED)
    outcomes.set(
      key(project),
      slot(() => releaseProject(project))
    )
  for (const project of REFUSED)
    outcomes.set(
      key(project),
      slot(() => bumpProject(project))
    )
  for (const outcome of outcomes.values()) outcome.catch(() => undefined)
})

afterAll(async () => {
  for (const outcome of outcomes.values()) {
    const { box } = await outcome.catch(() => ({ box: undefined }))
    if (box) rmSync(box.root, { recursive: true, force: true })
  }
})

/** The changed lines of `path` between two commits, as [removed, added] pairs. */
async function changedLines(box: Sandbox, from: string, to: string, path: string): Promise<[string, string][]> {
  const diff = await git(box.origin, 'diff', '--unified=0', from, to, '--', path)
  const removed = diff.split('\n').filter((line) => line.startsWith('-') && !line.startsWith('---'))
  const added = diff.split('\n').filter((line) => line.startsWith('+') && !line.startsWith('+++'))
  expect({ path, removed: removed.length }).toEqual({ path, removed: added.length })
  return removed.map((line, i) => [line.slice(1), added[i].slice(1)])
}

// A version as it is written in a file (certifi writes 2026.07.22).
const VERSION_TOKEN = /\d+(?:\.\d+)+(?:(?:a|b|rc|\.post|\.dev)\d+)*/

describe.each(RELEASED)('$name $version -> $next ($backend; $layout)', (project) => {
  const outcome = (): Promise<Outcome> => outcomes.get(key(project)) as Promise<Outcome>
  const previous = project.version

  it(`bumps ${previous} -> ${project.next} in exactly ${project.changed.join(', ') || 'no file (tag only)'} and pushes commit and tag ${project.tag}`, async () => {
    const { box, initialSha, bumped } = await outcome()
    succeeded(bumped)
    expect(bumped.outputs).toEqual({
      'previous-version': previous,
      version: project.next,
      tag: project.tag,
      tags: project.tag,
      versions: bumped.outputs['versions'],
      'commit-sha': bumped.outputs['commit-sha'],
      'changed-files': project.changed.join('\n')
    })
    expect(Object.values(JSON.parse(bumped.outputs['versions']) as Record<string, string>)).toEqual([project.next])
    // check-build: the backend, asked unless the version is a static [project].version, builds the new one.
    const asked = /The build backend builds (\S+) \(/.exec(bumped.stdout)?.[1]
    expect(asked).toBe(project.staticVersion ? undefined : project.next)
    const log = await originLog(box)
    const tagTarget = await git(box.origin, 'rev-parse', `refs/tags/${project.tag}^{commit}`)
    expect(tagTarget).toBe(bumped.outputs['commit-sha'])
    if (project.changed.length === 0) {
      // The version is the tag: nothing to commit, the tag goes on the commit checked out.
      expect(log[0].sha).toBe(initialSha)
      expect(tagTarget).toBe(initialSha)
      return
    }
    expect(log[0]).toEqual({
      sha: bumped.outputs['commit-sha'],
      parents: [initialSha],
      subject: `Bump version: ${previous} → ${project.next}`
    })
    // The commit touches exactly the reported files, and in each only the version token.
    const touched = (await git(box.origin, 'diff', '--name-only', initialSha, project.tag)).split('\n').sort()
    expect(touched).toEqual([...project.changed].sort())
    for (const path of project.changed) {
      for (const [before, after] of await changedLines(box, initialSha, project.tag, path)) {
        expect(VERSION_TOKEN.exec(before)?.[0] && before.replace(VERSION_TOKEN, project.next)).toBe(after)
      }
    }
    expect(await git(box.work, 'status', '--porcelain', '--untracked-files=no')).toBe('')
  })

  if (project.uvLock) {
    it('keeps uv.lock in step: `uv lock --check` passes on the bumped tree', async () => {
      const { lockCheck } = await outcome()
      expect(lockCheck).toMatchObject({ ok: true })
    })
  }

  it(`builds ${project.next} with its own backend and publishes it`, async () => {
    const { published, builtVersions: versions, error } = await outcome()
    if (error && !versions) throw error
    expect(published).toBeDefined()
    const result = published as ActionRunResult
    if (result.exitCode !== 0) throw new Error(`publish-python failed:\n${result.stdout}\n${result.stderr}`)
    expect(result.outputs['version']).toBe(project.next)
    // The uploaded files' own metadata, read back from the index: one sdist and one wheel.
    expect(versions).toEqual([project.next, project.next])
  })

  it(`installs ${project.name}==${project.next} from the index and imports ${project.importName}`, async () => {
    const { published, installed, error } = await outcome()
    if (error) throw error
    if (project.install === 'action') {
      // publish-python's `verify: install`: a fresh venv, the local index alone, then the import.
      expect(published?.stdout).toMatch(new RegExp(`imported ${project.importName}\\b`))
      expect(published?.summary).toContain(`installed ${project.name.toLowerCase()}==${project.next}`)
    } else {
      expect(installed).toBe(project.next)
    }
  })
})

describe.each(REFUSED)('$name $version ($backend; $layout)', (project) => {
  it('refuses with one line naming the file and the fix, and commits, tags and pushes nothing', async () => {
    const { box, initialSha, bumped } = await (outcomes.get(key(project)) as Promise<Outcome>)
    expect(failureOf(bumped)).toBe(project.refusal)
    expect(await git(box.work, 'rev-parse', 'HEAD')).toBe(initialSha)
    expect(await git(box.work, 'status', '--porcelain')).toBe('')
    expect(await git(box.work, 'tag', '--list')).toBe('')
    expect((await originLog(box)).map((commit) => commit.sha)).toEqual([initialSha])
    expect(await git(box.origin, 'tag', '--list')).toBe('')
  })
})
