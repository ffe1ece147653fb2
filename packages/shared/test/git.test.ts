import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeError } from '../src/errors.ts'
import { gitRepo, parseStatusV2, readCheckout } from '../src/git.ts'

// readCheckout against real repositories: what one `git status --porcelain=v2 --branch` says
// about HEAD and uncommitted changes, and where the repository is, in each layout.

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@e.x',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@e.x',
  GIT_CONFIG_NOSYSTEM: '1'
}
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env: ENV }).toString().trim()

const roots: string[] = []
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

function repository(
  files: Record<string, string> = {
    'a.txt': 'a\n',
    'name with spaces.txt': 's\n',
    'sub/b.txt': 'b\n',
    'é ü.txt': 'u\n',
    'a"b\tc.txt': 'q\n'
  }
): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'git-test-')))
  roots.push(root)
  const work = join(root, 'work')
  git(root, 'init', '--quiet', '--initial-branch=main', work)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(work, path, '..'), { recursive: true })
    writeFileSync(join(work, path), text)
  }
  git(work, 'add', '--all')
  git(work, 'commit', '--quiet', '-m', 'init')
  return work
}

describe('readCheckout', () => {
  it('reads HEAD, the branch and the repository from a subdirectory of a clean checkout', async () => {
    const work = repository()
    const state = await readCheckout(gitRepo(join(work, 'sub')))
    expect(state).toEqual({
      topLevel: work,
      commonDir: join(work, '.git'),
      sha: git(work, 'rev-parse', 'HEAD'),
      branch: 'main',
      dirty: []
    })
  })

  it('lists modified, staged, deleted and renamed tracked files (names verbatim: spaces, accents, quotes, tabs), but not untracked ones', async () => {
    const work = repository()
    writeFileSync(join(work, 'a.txt'), 'changed\n')
    git(work, 'mv', 'name with spaces.txt', 'renamed with spaces.txt')
    rmSync(join(work, 'sub', 'b.txt'))
    writeFileSync(join(work, 'é ü.txt'), 'changed\n')
    writeFileSync(join(work, 'a"b\tc.txt'), 'changed\n')
    writeFileSync(join(work, 'untracked.txt'), 'new\n')
    const state = await readCheckout(gitRepo(work))
    expect(state.dirty.sort()).toEqual(['a"b\tc.txt', 'a.txt', 'renamed with spaces.txt', 'sub/b.txt', 'é ü.txt'])
  })

  it('names the safe.directory fix when git refuses a checkout owned by another user', async () => {
    if (process.getuid?.() !== 0) return // only root can hand the checkout to another user
    const work = repository()
    execFileSync('chown', ['-R', '65534', work])
    expect(await readCheckout(gitRepo(work)).catch(describeError)).toBe(
      `git refuses the checkout at ${work}: it belongs to another user than this job's. Fix: run \`git config --global --add safe.directory ${work}\` in a step before this one (actions/checkout does this for its own steps only)`
    )
  })

  it('has no branch on a detached HEAD', async () => {
    const work = repository()
    git(work, 'checkout', '--quiet', '--detach')
    const state = await readCheckout(gitRepo(work))
    expect(state.branch).toBeUndefined()
    expect(state.sha).toBe(git(work, 'rev-parse', 'HEAD'))
  })

  it('asks git where the repository is in a linked worktree (a .git file)', async () => {
    const work = repository()
    const linked = join(work, '..', 'linked')
    git(work, 'worktree', 'add', '--quiet', '-b', 'feature', linked)
    const state = await readCheckout(gitRepo(linked))
    expect(state).toEqual({
      topLevel: linked,
      commonDir: join(work, '.git'),
      sha: git(work, 'rev-parse', 'HEAD'),
      branch: 'feature',
      dirty: []
    })
  })

  it('fails with one line outside a repository, and on a branch without commits', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'git-test-'))
    roots.push(outside)
    // GIT_CEILING_DIRECTORIES keeps git from finding a repository above the temp directory.
    const repo = gitRepo(outside, { env: { GIT_CEILING_DIRECTORIES: tmpdir() } })
    await expect(readCheckout(repo)).rejects.toThrow(`${outside} is not inside a git repository.`)
    git(outside, 'init', '--quiet')
    await expect(readCheckout(gitRepo(outside))).rejects.toThrow(`HEAD in ${outside} has no commit yet.`)
  })
})

describe('parseStatusV2', () => {
  it('reads unmerged entries and a rename whose original path follows as its own field', () => {
    const out = [
      '# branch.oid 0123456789012345678901234567890123456789',
      '# branch.head main',
      'u UU N... 100644 100644 100644 100644 a b c conflict file.txt',
      '2 R. N... 100644 100644 100644 a b R100 new name.txt',
      // The original path is a field of its own, whatever it looks like.
      '1 old name that looks like an entry.txt',
      ''
    ].join('\0')
    expect(parseStatusV2(out)).toEqual({
      sha: '0123456789012345678901234567890123456789',
      branch: 'main',
      dirty: ['conflict file.txt', 'new name.txt']
    })
  })
})

describe('gitRepo', () => {
  it('turns prompts off and gives up on a stalled HTTP transfer, unless the job chose its own limits', () => {
    expect(gitRepo('/w').env).toEqual({
      GIT_TERMINAL_PROMPT: '0',
      GIT_HTTP_LOW_SPEED_LIMIT: '1000',
      GIT_HTTP_LOW_SPEED_TIME: '60'
    })
    process.env['GIT_HTTP_LOW_SPEED_TIME'] = '600'
    try {
      expect(gitRepo('/w').env).toEqual({ GIT_TERMINAL_PROMPT: '0', GIT_HTTP_LOW_SPEED_LIMIT: '1000' })
    } finally {
      delete process.env['GIT_HTTP_LOW_SPEED_TIME']
    }
  })
})
