import { chmodSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { commandLines } from '../../../test/harness/action-runner.ts'
import { RUNNER_CREDENTIALS, credentialsIn } from '../../../test/harness/child-env.ts'
import { startGitHttpServer } from '../../../test/harness/git-http-server.ts'
import { type Sandbox, bump, failureOf, git, sandboxMaker, succeeded } from './helpers.ts'

// What the repository's own code may do during a bump: git hooks run with the bump (commit-msg,
// pre-commit, post-commit). They must not see the push token or the runner's credentials, nor
// issue workflow commands; and a version file that links out of the repository is refused.

const TOKEN = 'ghs_KNOWNpushTokenForUntrustedTests01'
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64')
const PROJECT = {
  'pyproject.toml': '[project]\nname = "pkg"\nversion = "1.2.3"\n',
  'src/pkg/__init__.py': '__version__ = "1.2.3"\n'
}

const newBox = sandboxMaker(PROJECT)

/** A hook that records its environment (a file per run, in the returned directory) and tries to issue workflow commands. */
function installSpyHook(box: Sandbox, name: string): string {
  const records = join(box.root, `${name}-runs`)
  mkdirSync(records)
  const hook = join(box.work, '.git', 'hooks', name)
  writeFileSync(
    hook,
    [
      '#!/bin/sh',
      `env -0 > "$(mktemp '${records}/run.XXXXXX')"`,
      "echo '::error::forged by a hook'",
      "echo '::add-mask::hook-mask'",
      "echo '::stop-commands::hook-token'",
      'exit 0',
      ''
    ].join('\n')
  )
  chmodSync(hook, 0o755)
  return records
}

/** The environment of each run of a spy hook. */
function recordedEnvs(records: string): Array<Record<string, string>> {
  return readdirSync(records).map((file) => {
    const env: Record<string, string> = {}
    for (const entry of readFileSync(join(records, file), 'utf8').split('\0').filter(Boolean)) {
      const equals = entry.indexOf('=')
      env[entry.slice(0, equals)] = entry.slice(equals + 1)
    }
    return env
  })
}

describe('git hooks and git calls during a bump pushed with a token', () => {
  it('hooks see no token and no runner credential, cannot issue commands; only the remote calls carry the header', async () => {
    const box = await newBox()
    const http = await startGitHttpServer(box.root, { authorization: `basic ${BASIC}` })
    try {
      await git(box.work, 'remote', 'set-url', 'origin', `${http.url}/origin.git`)
      const commitMsg = installSpyHook(box, 'commit-msg')
      const preCommit = installSpyHook(box, 'pre-commit')
      // Hooks that git runs around a push and any ref update; a pre-commit hook could write them.
      const prePush = installSpyHook(box, 'pre-push')
      const refTransaction = installSpyHook(box, 'reference-transaction')
      const result = succeeded(
        await runBump(box, { bump: 'patch', token: TOKEN, 'commit-message': 'Bump {new}\n::warning::from the input' })
      )
      expect(await git(box.origin, 'rev-parse', 'main')).toBe(result.outputs['commit-sha'])

      expect(recordedEnvs(commitMsg)).toHaveLength(1)
      expect(recordedEnvs(refTransaction).length).toBeGreaterThan(0)
      // The push runs no hooks at all.
      expect(recordedEnvs(prePush)).toEqual([])
      for (const records of [commitMsg, preCommit, refTransaction]) {
        for (const env of recordedEnvs(records))
          expect(credentialsIn(env, [TOKEN, BASIC, ...Object.values(RUNNER_CREDENTIALS)])).toEqual([])
      }
      // Nothing the hooks printed, nor the commit message echoed in git's argv, was obeyed.
      expect(result.errors).toEqual([])
      expect(result.warnings).toEqual([])
      expect(commandLines(result.stdout, 'add-mask')).not.toContain('hook-mask')
      expect(result.stdout).toContain('::error::forged by a hook')

      // The header went to ls-remote, fetch and push only.
      const remoteCalls = /^git (push|fetch|ls-remote)\b/
      const calls = result.childEnvs.map(({ command, env }) => ({
        command: command.split(' ').slice(0, 2).join(' '),
        header: Object.values(env).some((value) => value.includes(BASIC))
      }))
      expect(calls.some((call) => call.header)).toBe(true)
      for (const call of calls) expect(call).toEqual({ command: call.command, header: remoteCalls.test(call.command) })
      for (const { env } of result.childEnvs) expect(credentialsIn(env, Object.values(RUNNER_CREDENTIALS))).toEqual([])
    } finally {
      await http.close()
    }
  })

  it('refuses to send the token to a plain-http remote beyond loopback, before writing anything', async () => {
    const box = await newBox()
    await git(box.work, 'remote', 'set-url', 'origin', 'http://git.example.invalid/acme/pkg.git')
    const head = await git(box.work, 'rev-parse', 'HEAD')
    const result = await runBump(box, { bump: 'patch', token: TOKEN })
    expect(failureOf(result)).toBe(
      'Input `token`: would send credentials over plain http to git.example.invalid; use an https:// URL (or, only on a network you trust end to end, set `allow-insecure-http: true`).'
    )
    expect(await git(box.work, 'rev-parse', 'HEAD')).toBe(head)
    expect(await git(box.work, 'status', '--porcelain')).toBe('')
  })
})

describe('version files that link out of the repository', () => {
  it('refuses a VERSION symlink to a file outside, leaves that file alone, and commits, tags and pushes nothing', async () => {
    const box = await newBox({ 'pyproject.toml': '[project]\nname = "pkg"\ndynamic = ["version"]\n' })
    const target = join(box.root, 'outside-the-repo.txt')
    writeFileSync(target, '1.2.3\n')
    symlinkSync(target, join(box.work, 'VERSION'))
    await git(box.work, 'add', 'VERSION')
    await git(box.work, 'commit', '--quiet', '-m', 'a version file that is a link')
    await git(box.work, 'push', '--quiet', 'origin', 'main')
    const before = await git(box.origin, 'rev-parse', 'main')

    const result = await runBump(box, { bump: 'patch' })
    expect(failureOf(result)).toBe(
      `\`VERSION\` holds the version but is a link to ${target}, outside the repository, so it is not edited. Fix: replace the link with the file itself, or keep the version in a file inside the repository`
    )
    expect(readFileSync(target, 'utf8')).toBe('1.2.3\n')
    expect(await git(box.origin, 'rev-parse', 'main')).toBe(before)
    expect(await git(box.origin, 'tag', '--list')).toBe('')
  })

  it('refuses a working-directory that leads out of the workspace', async () => {
    const box = await newBox()
    symlinkSync(box.root, join(box.work, 'up'))
    const result = await runBump(box, { bump: 'patch', 'working-directory': 'up' })
    expect(failureOf(result)).toMatch(
      /^Input `working-directory`: "up" resolves to .*, outside the workspace .*; use a path inside the workspace \(symlinks included\)\.$/
    )
  })
})

function runBump(box: Sandbox, inputs: Record<string, string>) {
  return bump(box.work, inputs, RUNNER_CREDENTIALS, ['git'])
}
