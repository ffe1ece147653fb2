import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { type AddressInfo, createServer as createNetServer } from 'node:net'
import { join } from 'node:path'
import { type ActionRunResult, commandLines } from '../../../test/harness/action-runner.ts'
import { startGitHttpServer } from '../../../test/harness/git-http-server.ts'
import {
  type Sandbox,
  bump,
  cloneOf,
  failureOf,
  git,
  originFile,
  originLog,
  sandboxMaker,
  succeeded
} from './helpers.ts'

// Pushing against a real bare origin: racing runs, a branch that keeps moving, a checkout that
// diverged, a remote that refuses, and token authentication over HTTP through git http-backend.

const PROJECT = {
  'pyproject.toml':
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "pkg"\nversion = "1.2.3"\n',
  'src/pkg/__init__.py': '__version__ = "1.2.3"\n'
}

const newBox = sandboxMaker(PROJECT)

/** Origin's history is a straight line of commits: no merges, nothing lost. */
async function expectLinear(box: Sandbox, subjects: string[]): Promise<void> {
  const log = await originLog(box)
  expect(log.map((c) => c.subject)).toEqual(subjects)
  for (let i = 0; i < log.length - 1; i++) expect(log[i].parents).toEqual([log[i + 1].sha])
}

/**
 * Makes the origin move just before each push from this clone, through
 * `remote.origin.receivepack`: a wrapper that first pushes a commit from another clone, as a run
 * landing between our read of the checkout and our push would. Deterministic races.
 */
async function moveRemoteBeforeEachPush(
  box: Sandbox,
  options: {
    once: boolean
    bumpTo?: string
    identity?: string
    command?: string
    /** Then drop the connection instead of receiving. */ thenFail?: boolean
  }
): Promise<void> {
  const mover = await cloneOf(box, 'mover')
  const script = join(box.root, 'move-then-receive-pack.sh')
  const marker = join(box.root, 'moved')
  const change = options.command
    ? options.command
    : options.identity
      ? `sed -i 's/1\\.2\\.3/1.2.4/' pyproject.toml src/pkg/__init__.py && git commit -qam 'Bump version: 1.2.3 → 1.2.4' && git tag -a -m 'Release 1.2.4' v1.2.4 && git push -q --atomic origin HEAD:refs/heads/main refs/tags/v1.2.4`
      : options.bumpTo
        ? `sed -i 's/1\\.2\\.3/${options.bumpTo}/' pyproject.toml src/pkg/__init__.py && git commit -qam 'Other run: ${options.bumpTo}' && git tag v${options.bumpTo} && git push -q --atomic origin HEAD:refs/heads/main refs/tags/v${options.bumpTo}`
        : 'echo x >> moves.txt && git add moves.txt && git commit -qm Move && git push -q origin HEAD:refs/heads/main'
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      options.once ? `if [ -e '${marker}' ]; then exec git receive-pack "$@"; fi; touch '${marker}'` : '',
      `(unset GIT_DIR GIT_WORK_TREE GIT_CONFIG_COUNT; cd '${mover}' && export ${options.identity ?? 'GIT_AUTHOR_NAME=Other GIT_AUTHOR_EMAIL=o@example.com GIT_COMMITTER_NAME=Other GIT_COMMITTER_EMAIL=o@example.com'} && ${change}) >/dev/null 2>&1`,
      options.thenFail ? 'exit 1' : 'exec git receive-pack "$@"',
      ''
    ].join('\n')
  )
  chmodSync(script, 0o755)
  await git(box.work, 'config', 'remote.origin.receivepack', script)
}

/**
 * Two runs from two clones of the same commit, ordered by receive-pack wrappers so the race
 * happens every time: `a` pushes only once `b` is pushing (so `b` has planned), and `b`'s push
 * reaches the origin only after `a`'s has landed.
 */
async function orderedRace(box: Sandbox, inputs: Record<string, string>): Promise<[ActionRunResult, ActionRunResult]> {
  const [a, b] = await Promise.all(['a', 'b'].map((name) => cloneOf(box, name)))
  const [aPushed, bPushing] = [join(box.root, 'a-pushed'), join(box.root, 'b-pushing')]
  const waitFor = (file: string): string =>
    `i=0; while [ ! -e '${file}' ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done`
  const scripts = {
    a: ['#!/bin/sh', waitFor(bPushing), 'git receive-pack "$@"', 'rc=$?', `touch '${aPushed}'`, 'exit $rc', ''],
    b: ['#!/bin/sh', `touch '${bPushing}'`, waitFor(aPushed), 'exec git receive-pack "$@"', '']
  }
  for (const [name, clone] of [
    ['a', a],
    ['b', b]
  ] as const) {
    const script = join(box.root, `receive-pack-${name}.sh`)
    writeFileSync(script, scripts[name].join('\n'))
    chmodSync(script, 0o755)
    await git(clone, 'config', 'remote.origin.receivepack', script)
  }
  const [first, second] = await Promise.all([bump(a, inputs), bump(b, inputs)])
  return [first, second]
}

async function tagTarget(box: Sandbox, tag: string): Promise<string> {
  return git(box.origin, 'rev-parse', `refs/tags/${tag}^{commit}`)
}

describe('racing bumps', () => {
  it('a checkout that is behind bumps on top of the remote: next version, linear history, nothing lost', async () => {
    const box = await newBox()
    const late = await cloneOf(box, 'late')
    const first = succeeded(await bump(box.work, { bump: 'patch' }))
    const second = succeeded(await bump(late, { bump: 'patch' }))

    expect([first.outputs['version'], second.outputs['previous-version'], second.outputs['version']]).toEqual([
      '1.2.4',
      '1.2.4',
      '1.2.5'
    ])
    // The stale checkout made v1.2.4 again; the atomic push refused it whole (or, when both runs
    // fell in the same second, found the byte-identical commit and tag already there).
    expect(second.stdout).toMatch(
      /Rejected: refs\/heads\/main (\[rejected\] \(fetch first\); refs\/tags\/v1\.2\.4 \[rejected\] \(already exists\)|\[up to date\] \(an identical bump from another run\); refs\/tags\/v1\.2\.4 \[up to date\] \(an identical bump from another run\))\./
    )
    expect(second.stdout).toContain(
      'Another push got there first; bumping again on top of origin/main (attempt 2 of 5).'
    )
    await expectLinear(box, ['Bump version: 1.2.4 → 1.2.5', 'Bump version: 1.2.3 → 1.2.4', 'Initial commit'])
    expect(await tagTarget(box, 'v1.2.4')).toBe(first.outputs['commit-sha'])
    expect(await tagTarget(box, 'v1.2.5')).toBe(second.outputs['commit-sha'])
    expect(await originFile(box, 'v1.2.5', 'src/pkg/__init__.py')).toBe('__version__ = "1.2.5"')
    expect(await git(late, 'rev-parse', 'HEAD')).toBe(second.outputs['commit-sha'])
    expect(second.summary).toContain(
      '| Pushed | yes, to `origin/main` (attempt 2: redone on top of commits pushed meanwhile) |'
    )
  })

  it('a push rejected because another bump landed while this one was being made is redone on top of it', async () => {
    const box = await newBox()
    // The other bump lands after this run read its checkout, just before it pushes.
    await moveRemoteBeforeEachPush(box, { once: true, bumpTo: '1.2.4' })
    const result = succeeded(await bump(box.work, { bump: 'patch' }))
    expect(result.stdout).toContain(
      'Rejected: refs/heads/main [rejected] (fetch first); refs/tags/v1.2.4 [rejected] (already exists).'
    )
    expect(result.stdout).toContain('bumping again on top of origin/main (attempt 2 of 5)')
    expect(result.outputs['previous-version']).toBe('1.2.4')
    expect(result.outputs['version']).toBe('1.2.5')
    await expectLinear(box, ['Bump version: 1.2.4 → 1.2.5', 'Other run: 1.2.4', 'Initial commit'])
    expect(await tagTarget(box, 'v1.2.5')).toBe(result.outputs['commit-sha'])
    expect(result.summary).toContain('attempt 2: redone on top of commits pushed meanwhile')
  })

  it('three runs started at once all land, each on the next version', async () => {
    const box = await newBox()
    const clones = await Promise.all(['a', 'b', 'c'].map((name) => cloneOf(box, name)))
    const results = await Promise.all(clones.map((clone) => bump(clone, { bump: 'patch' })))
    for (const result of results) succeeded(result)
    expect(results.map((r) => r.outputs['version']).sort()).toEqual(['1.2.4', '1.2.5', '1.2.6'])
    await expectLinear(box, [
      'Bump version: 1.2.5 → 1.2.6',
      'Bump version: 1.2.4 → 1.2.5',
      'Bump version: 1.2.3 → 1.2.4',
      'Initial commit'
    ])
    for (const result of results) expect(await tagTarget(box, result.outputs['tag'])).toBe(result.outputs['commit-sha'])
  })

  it('tag-only (setuptools-scm): of two runs racing to tag the same commit, one releases it and the other stops instead of releasing it again', async () => {
    const box = await newBox(
      { 'pyproject.toml': '[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools_scm]\n' },
      { tags: ['v0.1.0'] }
    )
    const [first, second] = await orderedRace(box, { bump: 'minor' })
    expect(succeeded(first).outputs['version']).toBe('0.2.0')
    const head = await git(box.origin, 'rev-parse', 'main')
    expect(failureOf(second)).toBe(
      `HEAD is already released as v0.2.0: another run tagged ${head.slice(0, 12)} on origin meanwhile. Nothing was pushed, and the unpushed tag was removed: this checkout is as it was. Fix: run the bumps one at a time (a workflow \`concurrency:\` group)`
    )
    // Rejected, or (both runs in the same second) found byte-identical on the origin.
    expect(second.stdout).toMatch(
      /Rejected: refs\/tags\/v0\.2\.0 (\[rejected\] \(already exists\)|\[up to date\] \(an identical bump from another run\))\./
    )
    // One release of the commit, not two; the losing checkout holds only the origin's tags.
    expect((await git(box.origin, 'tag', '--list')).split('\n')).toEqual(['v0.1.0', 'v0.2.0'])
    expect(await tagTarget(box, 'v0.2.0')).toBe(head)
    const loser = join(box.root, 'b')
    expect((await git(loser, 'tag', '--list')).split('\n')).toEqual(['v0.1.0', 'v0.2.0'])
    expect(await git(loser, 'rev-parse', 'refs/tags/v0.2.0')).toBe(
      await git(box.origin, 'rev-parse', 'refs/tags/v0.2.0')
    )
    await expectLinear(box, ['Initial commit'])
  })

  it('tag-only: a tag another run pushed on this very commit just before ours stops this run (no second release of the same code)', async () => {
    const box = await newBox(
      { 'pyproject.toml': '[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools_scm]\n' },
      { tags: ['v0.1.0'] }
    )
    await moveRemoteBeforeEachPush(box, {
      once: true,
      command: 'git tag -a -m other v0.2.0 && git push -q origin refs/tags/v0.2.0'
    })
    const message = failureOf(await bump(box.work, { bump: 'minor' }))
    expect(message).toMatch(
      /^HEAD is already released as v0\.2\.0: another run tagged [0-9a-f]{12} on origin meanwhile\. Nothing was pushed/
    )
    expect((await git(box.origin, 'tag', '--list')).split('\n')).toEqual(['v0.1.0', 'v0.2.0'])
  })

  it('tag-only: a tag already on this commit before the bump (an rc promoted to final) is no clash when the remote moves', async () => {
    const box = await newBox(
      { 'pyproject.toml': '[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools_scm]\n' },
      { tags: ['v1.0.0rc1'] }
    )
    const head = await git(box.work, 'rev-parse', 'HEAD')
    // Another commit lands on main just before our push, which is rejected and tried again.
    await moveRemoteBeforeEachPush(box, { once: true })
    const result = succeeded(await bump(box.work, { bump: 'stable' }))
    expect(result.stdout).toContain("Tagging again from the remote's tags (attempt 2 of 5).")
    expect(result.outputs['version']).toBe('1.0.0')
    expect(await tagTarget(box, 'v1.0.0')).toBe(head)
  })

  it('tag-only: a failed push is not taken for ours because another run pushed a tag of the same name', async () => {
    const box = await newBox(
      { 'pyproject.toml': '[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools_scm]\n' },
      { tags: ['v0.1.0'] }
    )
    // The other run's v0.2.0 lands, then our connection drops: git reports a plain failure.
    await moveRemoteBeforeEachPush(box, {
      once: true,
      thenFail: true,
      command: 'git tag -a -m other v0.2.0 && git push -q origin refs/tags/v0.2.0'
    })
    const result = await bump(box.work, { bump: 'minor' })
    const theirs = await git(box.origin, 'rev-parse', 'refs/tags/v0.2.0')
    const head = await git(box.origin, 'rev-parse', 'main')
    expect(result.stdout).not.toContain('treating it as pushed')
    expect(failureOf(result)).toMatch(
      new RegExp(
        `^Push to origin failed: .+\\. origin has main at ${head.slice(0, 12)} and a tag v0\\.2\\.0 at ${theirs.slice(0, 12)} \\(not this run’s\\), so nothing was pushed; the bump was undone: this checkout is as it was\\. Fix: see the git output above$`
      )
    )
    expect(await git(box.work, 'tag', '--list')).toBe('v0.1.0')
  })

  it('an explicit version the other run already reached fails cleanly, leaving the other run’s push alone', async () => {
    const box = await newBox()
    const late = await cloneOf(box, 'late')
    succeeded(await bump(box.work, { version: '2.0.0' }))
    const message = failureOf(await bump(late, { version: '2.0.0' }))
    expect(message).toMatch(
      /^origin\/main moved during the bump, and bumping again on top of it failed: Input `version`: 2\.0\.0 is already the current version \(2 sources\); versions only go forward; use a version above 2\.0\.0\. Nothing was pushed; this checkout is at origin\/main \([0-9a-f]{12}\)\.$/
    )
    await expectLinear(box, ['Bump version: 1.2.3 → 2.0.0', 'Initial commit'])
    expect(await git(late, 'status', '--porcelain', '--untracked-files=no')).toBe('')
  })

  it('a byte-identical bump pushed by another run in the same second is a race too: this run makes the next version', async () => {
    const box = await newBox()
    // Same tree, parent, identity, message and second: the same commit and tag objects, which
    // git then reports as "up to date" instead of rejecting.
    const date = { GIT_AUTHOR_DATE: '2025-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2025-01-01T00:00:00Z' }
    const bot =
      'GIT_AUTHOR_NAME="github-actions[bot]" GIT_AUTHOR_EMAIL=41898282+github-actions[bot]@users.noreply.github.com GIT_COMMITTER_NAME="github-actions[bot]" GIT_COMMITTER_EMAIL=41898282+github-actions[bot]@users.noreply.github.com'
    await moveRemoteBeforeEachPush(box, {
      once: true,
      identity: `${bot} GIT_AUTHOR_DATE=${date.GIT_AUTHOR_DATE} GIT_COMMITTER_DATE=${date.GIT_COMMITTER_DATE}`
    })
    const result = succeeded(await bump(box.work, { bump: 'patch' }, date))
    expect(result.stdout).toContain(
      'Rejected: refs/heads/main [up to date] (an identical bump from another run); refs/tags/v1.2.4 [up to date] (an identical bump from another run).'
    )
    expect(result.outputs['version']).toBe('1.2.5')
    await expectLinear(box, ['Bump version: 1.2.4 → 1.2.5', 'Bump version: 1.2.3 → 1.2.4', 'Initial commit'])
  })

  it('gives up after push-attempts when the remote keeps moving, saying nothing was pushed and what exists only locally', async () => {
    const box = await newBox()
    await moveRemoteBeforeEachPush(box, { once: false })
    const message = failureOf(await bump(box.work, { bump: 'patch', 'push-attempts': '3' }))
    const at = (await git(box.work, 'rev-parse', 'HEAD')).slice(0, 12)
    expect(message).toBe(
      `Gave up after 3 push attempts: origin/main kept moving (last: refs/heads/main [rejected] (fetch first); refs/tags/v1.2.4 [rejected] (atomic push failed)). Nothing was pushed, and the bump was undone: this checkout is at origin/main (${at}), which it had to catch up with. Fix: run the bumps one at a time (a workflow \`concurrency:\` group), or raise \`push-attempts\``
    )
    const log = await originLog(box)
    expect(log.every((c) => c.subject !== 'Bump version: 1.2.3 → 1.2.4')).toBe(true)
    expect(await git(box.origin, 'tag', '--list')).toBe('')
  })

  it('refuses to reset away local commits that are not on the remote (no rebase, no force-push)', async () => {
    const box = await newBox()
    const late = await cloneOf(box, 'late')
    writeFileSync(join(late, 'CHANGELOG.md'), '# 1.2.4\n')
    await git(late, 'add', 'CHANGELOG.md')
    await git(late, 'commit', '--quiet', '-m', 'Changelog')
    succeeded(await bump(box.work, { bump: 'patch' }))
    const message = failureOf(await bump(late, { bump: 'patch' }))
    expect(message).toMatch(
      /^origin\/main \([0-9a-f]{12}\) and this checkout have diverged: commits here before the bump are not on the remote\. Nothing was pushed, and the bump was undone: this checkout is as it was\. Fix: merge or rebase onto origin\/main and push those commits first; this action never force-pushes or rebases$/
    )
    await expectLinear(box, ['Bump version: 1.2.3 → 1.2.4', 'Initial commit'])
    // The local commit is still there, the bump is not.
    expect((await git(late, 'log', '--format=%s')).split('\n')).toEqual(['Changelog', 'Initial commit'])
    expect(await git(late, 'tag', '--list')).toBe('')
    expect(await git(late, 'status', '--porcelain', '--untracked-files=no')).toBe('')
  })
})

describe('push failures and options', () => {
  it('reports a remote that refuses the update, with what the remote has', async () => {
    const box = await newBox()
    const hook = join(box.origin, 'hooks', 'pre-receive')
    writeFileSync(hook, '#!/bin/sh\necho "main is protected" >&2\nexit 1\n')
    chmodSync(hook, 0o755)
    const before = await git(box.origin, 'rev-parse', 'main')
    const message = failureOf(await bump(box.work, { bump: 'patch' }))
    const localSha = (await git(box.work, 'rev-parse', 'HEAD')).slice(0, 12)
    expect(localSha).toBe(before.slice(0, 12))
    expect(message).toBe(
      `Push to origin failed: refs/heads/main [remote rejected] (pre-receive hook declined); refs/tags/v1.2.4 [remote rejected] (pre-receive hook declined). origin has main at ${before.slice(0, 12)} (not the bump commit) and no tag v1.2.4, so nothing was pushed; the bump was undone: this checkout is as it was. Fix: the remote refused the update (a branch protection rule, ruleset or hook); let the pushing identity bypass it (e.g. a GitHub App token in \`token\`), or bump through a pull request`
    )
    expect(await git(box.origin, 'rev-parse', 'main')).toBe(before)
  })

  it('dry-run works everything out and changes nothing', async () => {
    const box = await newBox()
    const before = await git(box.work, 'rev-parse', 'HEAD')
    const result = succeeded(await bump(box.work, { bump: 'major', 'dry-run': 'true' }))
    expect(result.outputs).toEqual({
      'previous-version': '1.2.3',
      version: '2.0.0',
      tag: 'v2.0.0',
      tags: 'v2.0.0',
      versions: '{"pkg":"2.0.0"}',
      'commit-sha': '',
      'changed-files': 'pyproject.toml\nsrc/pkg/__init__.py'
    })
    expect(result.stdout).toContain('Dry run: would change pyproject.toml, src/pkg/__init__.py')
    expect(result.summary).toContain('## Version bump (dry run)')
    expect(await git(box.work, 'status', '--porcelain')).toBe('')
    expect(await git(box.work, 'rev-parse', 'HEAD')).toBe(before)
    expect(await git(box.work, 'tag', '--list')).toBe('')
  })

  it('push: false commits and tags locally only', async () => {
    const box = await newBox()
    const result = succeeded(await bump(box.work, { bump: 'minor', push: 'false' }))
    expect(await git(box.work, 'rev-parse', 'v1.3.0^{commit}')).toBe(result.outputs['commit-sha'])
    await expectLinear(box, ['Initial commit'])
    expect(result.summary).toContain('| Pushed | no (`push: false`) |')
  })

  it('commit: false and tag: false only edit the files', async () => {
    const box = await newBox()
    const result = succeeded(await bump(box.work, { bump: 'patch', commit: 'false', tag: 'false' }))
    expect(result.outputs['commit-sha']).toBe('')
    expect(result.outputs['tag']).toBe('')
    expect(await git(box.work, 'status', '--porcelain')).toBe('M pyproject.toml\n M src/pkg/__init__.py')
    await expectLinear(box, ['Initial commit'])
  })

  it('allow-dirty commits only the version files and leaves other edits as they were', async () => {
    const box = await newBox({ ...PROJECT, 'notes.txt': 'a\n' })
    writeFileSync(join(box.work, 'notes.txt'), 'b\n')
    await git(box.work, 'add', 'notes.txt')
    const result = succeeded(
      await bump(box.work, {
        bump: 'patch',
        'allow-dirty': 'true',
        'commit-message': 'release {new} (was {old}, tag {tag})'
      })
    )
    expect(await git(box.origin, 'show', '--name-only', '--format=%s', result.outputs['commit-sha'])).toBe(
      'release 1.2.4 (was 1.2.3, tag v1.2.4)\n\npyproject.toml\nsrc/pkg/__init__.py'
    )
    expect(await git(box.work, 'status', '--porcelain')).toBe('M  notes.txt')
  })

  it('pushes from a detached HEAD to the branch named in `branch`', async () => {
    const box = await newBox()
    await git(box.work, 'checkout', '--quiet', '--detach')
    const result = succeeded(await bump(box.work, { bump: 'patch', branch: 'main' }))
    expect(await git(box.origin, 'rev-parse', 'main')).toBe(result.outputs['commit-sha'])
  })

  it('gives up on a remote that stops answering, in the time the job allows, keeping the unpushed bump and saying so', async () => {
    const box = await newBox()
    // Accepts connections and never answers: a network that dropped the remote silently.
    const silent = createNetServer(() => undefined)
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      await git(
        box.work,
        'remote',
        'set-url',
        'origin',
        `http://127.0.0.1:${(silent.address() as AddressInfo).port}/origin.git`
      )
      const started = Date.now()
      const result = await bump(box.work, { bump: 'patch' }, { GIT_HTTP_LOW_SPEED_TIME: '2' })
      expect(failureOf(result)).toMatch(
        /^Push to origin failed: .*Operation too slow.* What reached origin could not be checked \(the push is atomic: the commit and tag landed together or not at all\), so the bump is left in this checkout\. Fix: the remote could not be reached or stopped answering \(git gives up on a transfer below 1000 bytes\/s for 2 s; GIT_HTTP_LOW_SPEED_LIMIT and GIT_HTTP_LOW_SPEED_TIME change that\); run the job again once it answers$/
      )
      expect(Date.now() - started).toBeLessThan(30_000)
      expect(await git(box.work, 'tag', '--list', 'v1.2.4')).toBe('v1.2.4')
    } finally {
      silent.close()
    }
  })

  it('bumps from a linked worktree (a .git file, refs in the main repository), and refuses its taken tag', async () => {
    const box = await newBox()
    const linked = join(box.root, 'linked')
    await git(box.work, 'worktree', 'add', '--quiet', '-b', 'release', linked)
    await git(box.work, 'tag', 'v1.2.5')
    const result = succeeded(await bump(linked, { bump: 'patch' }))
    expect(result.outputs['changed-files']).toBe('pyproject.toml\nsrc/pkg/__init__.py')
    expect(await git(box.origin, 'rev-parse', 'release')).toBe(result.outputs['commit-sha'])
    expect(await git(box.origin, 'rev-parse', 'refs/tags/v1.2.4^{commit}')).toBe(result.outputs['commit-sha'])
    // The worktree shares the main repository's tags: v1.2.5 exists there.
    expect(failureOf(await bump(linked, { bump: 'patch' }))).toMatch(/^Tag v1\.2\.5 already exists in this checkout/)
  })
})

describe('token', () => {
  const TOKEN = 'ghs_fakeInstallationToken0123456789abcdef'
  const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64')

  it('authenticates the remote check and the push by header from the environment, never argv or disk, replacing a persisted header', async () => {
    const box = await newBox()
    const http = await startGitHttpServer(box.root, { authorization: `basic ${BASIC}` })
    try {
      const remote = `${http.url}/origin.git`
      await git(box.work, 'remote', 'set-url', 'origin', remote)
      // What actions/checkout persists with persist-credentials: a header for the host.
      await git(box.work, 'config', `http.${http.url}/.extraheader`, 'AUTHORIZATION: basic c3RhbGU=')

      const denied = await bump(box.work, { bump: 'patch' })
      expect(failureOf(denied)).toMatch(
        /^Push to origin failed: fatal: could not read Username for 'http:\/\/127\.0\.0\.1:\d+': terminal prompts disabled\. origin did not let git in, so nothing was pushed; the bump was undone: this checkout is as it was\. Fix: give the job `permissions: contents: write`, or pass a `token` that may push to the repository$/
      )

      const result = succeeded(await bump(box.work, { bump: 'patch', token: TOKEN }))
      expect(await git(box.origin, 'rev-parse', 'main')).toBe(result.outputs['commit-sha'])
      expect(await git(box.origin, 'rev-parse', 'refs/tags/v1.2.4^{commit}')).toBe(result.outputs['commit-sha'])
      // Every request that got through carried exactly one Authorization header: ours.
      expect(http.seen.filter((h) => h.length !== 1).length).toBe(0)

      const argv = result.spawned.map((args) => args.join(' ')).join('\n')
      for (const secret of [TOKEN, BASIC]) {
        expect(argv).not.toContain(secret)
        expect(readFileSync(join(box.work, '.git', 'config'), 'utf8')).not.toContain(secret)
        expect(JSON.stringify(result.files)).not.toContain(secret)
        // In the log only inside ::add-mask:: commands, which the runner turns into masks.
        expect(
          result.stdout.split('\n').filter((line) => line.includes(secret) && !line.startsWith('::add-mask::'))
        ).toEqual([])
      }
      expect(commandLines(result.stdout, 'add-mask')).toEqual(expect.arrayContaining([TOKEN, BASIC]))
    } finally {
      await http.close()
    }
  })
})
