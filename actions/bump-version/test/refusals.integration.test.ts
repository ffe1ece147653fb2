import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Sandbox, bump, cloneOf, failureOf, git, originLog, sandboxMaker, writeTree } from './helpers.ts'

// Every refusal and bad input fails the step with exactly one ::error:: line that names the
// problem and the fix, and leaves the repository and the remote as they were.

const PROJECT = {
  'pyproject.toml': '[project]\nname = "pkg"\nversion = "1.2.3"\n',
  'src/pkg/__init__.py': '__version__ = "1.2.3"\n'
}

const ALL_KINDS = 'major, minor, patch, stable, alpha, beta, rc, post, dev'

// Inputs are checked before anything touches git, so these need no repository at all.
const BAD_INPUTS: [string, Record<string, string>, string][] = [
  [
    'neither bump nor version',
    {},
    `Input \`bump\`: is empty and so is \`version\`; set \`bump\` to one of ${ALL_KINDS}, or \`version\` to an explicit version.`
  ],
  [
    'both bump and version',
    { bump: 'patch', version: '2.0.0' },
    'Input `version`: is set together with `bump`; set only one: `bump` (e.g. patch) or `version` (e.g. 1.4.0).'
  ],
  [
    'an unknown bump kind',
    { bump: 'mayor' },
    `Input \`bump\`: "mayor" is not a bump kind; use one of ${ALL_KINDS} (optionally with a number, as uv takes it: \`rc=3\`), or a release kind plus a pre-release kind such as \`minor, rc\`.`
  ],
  [
    'two release kinds',
    { bump: 'major, minor' },
    'Input `bump`: "major, minor" is not an accepted combination (Only one release version component can be provided to `--bump`, got: major, minor); use one kind, or one of major/minor/patch plus one of alpha/beta/rc/dev.'
  ],
  [
    'stable with another kind',
    { bump: 'stable rc' },
    'Input `bump`: "stable rc" is not an accepted combination (`--bump stable` cannot be used with another `--bump` value, got: stable, rc); use one kind, or one of major/minor/patch plus one of alpha/beta/rc/dev.'
  ],
  [
    'a version PEP 440 rejects',
    { version: '1.2.3-SNAPSHOT' },
    'Input `version`: "1.2.3-SNAPSHOT" is not a PEP 440 version (unexpected "-SNAPSHOT" after "1.2.3"; the order is [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]); use a version such as 1.4.0, 2.0.0rc1 or 1.4.0.post1.'
  ],
  ['a non-boolean', { bump: 'patch', push: 'maybe' }, 'Input `push`: "maybe" is not a boolean; use true or false.'],
  [
    'check-build neither auto nor a boolean',
    { bump: 'patch', 'check-build': 'maybe' },
    'Input `check-build`: "maybe" is not accepted; use one of auto, true, false.'
  ],
  [
    'push-attempts out of range',
    { bump: 'patch', 'push-attempts': '0' },
    'Input `push-attempts`: 0 is out of range; use a whole number from 1 to 20.'
  ],
  [
    'a tag template without {version}',
    { bump: 'patch', 'tag-template': 'release' },
    'Input `tag-template`: "release" must contain {version} exactly once; use e.g. v{version} or shared-v{version}.'
  ],
  [
    'a tag template git cannot use',
    { bump: 'patch', 'tag-template': 'my tag {version}' },
    'Input `tag-template`: "my tag {version}" contains U+0020, which tag and branch names may not use here; use letters, digits, ".", "-", "_", "+" and "/" around {version}, e.g. v{version} or shared-v{version}.'
  ],
  [
    'tag-prefix and tag-template together',
    { bump: 'patch', 'tag-prefix': 'lib-', 'tag-template': 'x{version}' },
    'Input `tag-template`: is set together with a non-default `tag-prefix`; set only one: `tag-template` (e.g. `shared-v{version}`) or `tag-prefix`.'
  ],
  [
    'an empty tag-prefix (bare versions) with tag-template',
    { bump: 'patch', 'tag-prefix': '', 'tag-template': 'x{version}' },
    'Input `tag-template`: is set together with a non-default `tag-prefix`; set only one: `tag-template` (e.g. `shared-v{version}`) or `tag-prefix`.'
  ],
  [
    'an unknown placeholder',
    { bump: 'patch', 'commit-message': 'Release {verison}' },
    'Input `commit-message`: the placeholder {verison} is not known; use {old}, {new}, {version}, {tag}, {name}.'
  ],
  [
    'a files pattern without {version}',
    { bump: 'patch', files: 'docs/conf.py: release = "1.0"' },
    'Input `files`: the pattern "release = "1.0"" for docs/conf.py must contain {version} exactly once; use e.g. `docs/conf.py: release = "{version}"`.'
  ],
  [
    'a bad email',
    { bump: 'patch', 'git-user-email': 'bot' },
    'Input `git-user-email`: "bot" is not an email address; use e.g. ci@example.com.'
  ]
]

let empty: string
beforeAll(() => {
  empty = mkdtempSync(join(tmpdir(), 'bump-empty-'))
})
afterAll(() => rmSync(empty, { recursive: true, force: true }))
const newBox = sandboxMaker(PROJECT)

describe('bad inputs', () => {
  it.each(BAD_INPUTS)('%s', async (_, inputs, expected) => {
    const result = await bump(empty, inputs)
    expect(failureOf(result)).toBe(expected)
    expect(result.outputs).toEqual({})
  })
})

/** Fails with `expected`, and origin and checkout are untouched. */
async function expectRefusal(
  box: Sandbox,
  cwd: string,
  inputs: Record<string, string>,
  expected: string | RegExp
): Promise<void> {
  const before = {
    origin: await originLog(box),
    head: await git(cwd, 'rev-parse', 'HEAD'),
    tags: await git(cwd, 'tag', '--list')
  }
  const message = failureOf(await bump(cwd, inputs))
  if (typeof expected === 'string') expect(message).toBe(expected)
  else expect(message).toMatch(expected)
  expect({
    origin: await originLog(box),
    head: await git(cwd, 'rev-parse', 'HEAD'),
    tags: await git(cwd, 'tag', '--list')
  }).toEqual(before)
}

describe('refusals', () => {
  it('a dirty working tree', async () => {
    const box = await newBox()
    writeFileSync(join(box.work, 'src/pkg/__init__.py'), '__version__ = "1.2.3"\nX = 1\n')
    await expectRefusal(
      box,
      box.work,
      { bump: 'patch' },
      'The working tree has uncommitted changes: src/pkg/__init__.py. Fix: commit or stash them before bumping (only the version files go into the bump commit), or set `allow-dirty: true`'
    )
  })

  it('a tag-template that disagrees with the tags the VCS provider reads', async () => {
    const box = await newBox(
      {
        'pyproject.toml':
          '[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.hatch.version]\nsource = "vcs"\n\n[tool.hatch.version.raw-options]\ngit_describe_command = ["git", "describe", "--dirty", "--tags", "--long", "--match", "hatch-v*"]\n'
      },
      { tags: ['hatch-v1.14.0'] }
    )
    await expectRefusal(
      box,
      box.work,
      { bump: 'patch', 'tag-template': 'v{version}' },
      'Input `tag-template`: is "v{version}", but the version comes from tags matching "hatch-v*" (git_describe_command of hatch version source `vcs`); set `tag-template: hatch-v{version}`.'
    )
  })

  it('a tag that exists in the checkout', async () => {
    const box = await newBox()
    await git(box.work, 'tag', 'v1.2.4')
    await expectRefusal(
      box,
      box.work,
      { bump: 'patch' },
      /^Tag v1\.2\.4 already exists in this checkout \([0-9a-f]{12}\)\. Fix: delete it \(`git tag -d v1\.2\.4`\) if it is left over/
    )
  })

  it('a tag that exists on the remote only', async () => {
    const box = await newBox()
    const other = await cloneOf(box, 'other')
    await git(other, 'tag', 'v1.3.0')
    await git(other, 'push', '--quiet', 'origin', 'v1.3.0')
    // Found by the atomic push itself (no check-then-push window); the bump is taken back.
    await expectRefusal(
      box,
      box.work,
      { bump: 'minor' },
      /^Tag v1\.3\.0 already exists on origin \([0-9a-f]{12}\)\. Nothing was pushed, and the bump was undone: this checkout is as it was\. Fix: bump to another version/
    )
    expect(await git(box.work, 'status', '--porcelain', '--untracked-files=no')).toBe('')
    // A dry run asks the remote up front and says the same.
    expect(failureOf(await bump(box.work, { bump: 'minor', 'dry-run': 'true' }))).toMatch(
      /^Tag v1\.3\.0 already exists on origin \([0-9a-f]{12}\)\. Fix: bump to another version/
    )
  })

  it('an explicit version that goes backwards, or stays', async () => {
    const box = await newBox()
    await expectRefusal(
      box,
      box.work,
      { version: '1.2.0' },
      'Input `version`: 1.2.0 is lower than the current version 1.2.3 (2 sources); versions only go forward; use a version above 1.2.3.'
    )
    await expectRefusal(
      box,
      box.work,
      { version: '1.2.3.0' },
      'Input `version`: 1.2.3.0 is already the current version (2 sources); versions only go forward; use a version above 1.2.3.'
    )
  })

  it('a bump uv refuses for this version', async () => {
    const box = await newBox()
    await expectRefusal(
      box,
      box.work,
      { bump: 'alpha' },
      'Input `bump`: "alpha" cannot bump 1.2.3: 1.2.3 => 1.2.3a1 didn\'t increase the version; when bumping to a pre-release version you also need to increase a release version component, e.g., with `--bump <major|minor|patch>`; add a release kind (e.g. `minor, rc`), or set `version`.'
    )
  })

  it('a detached HEAD with no branch to push to', async () => {
    const box = await newBox()
    await git(box.work, 'checkout', '--quiet', '--detach')
    await expectRefusal(
      box,
      box.work,
      { bump: 'patch' },
      /^HEAD is detached \(at [0-9a-f]{12}\), so there is no branch to push the bump to\. Fix: check out a branch \(actions\/checkout with `ref: main`\), or name it in the `branch` input$/
    )
  })

  it('sources that disagree, each listed with its version', async () => {
    const box = await newBox({ ...PROJECT, 'src/pkg/__init__.py': '__version__ = "1.3.0"\n' })
    await expectRefusal(
      box,
      box.work,
      { bump: 'patch' },
      'Version sources disagree:\n  pyproject.toml:3 [project].version = 1.2.3\n  src/pkg/__init__.py:1 __version__ = 1.3.0\n Fix: set them all to the same version in a commit, then run again'
    )
  })

  it('tag without commit', async () => {
    const box = await newBox()
    await expectRefusal(
      box,
      box.work,
      { bump: 'patch', commit: 'false' },
      'Input `tag`: is true while `commit` is false, so the tag would point at a commit without the new version; set `tag: false` to only edit the files, or `commit: true`.'
    )
  })

  it('a tag-only project without any tag to bump from', async () => {
    const box = await newBox({
      'pyproject.toml': '[project]\nname = "pkg"\ndynamic = ["version"]\n\n[tool.setuptools_scm]\n'
    })
    await expectRefusal(
      box,
      box.work,
      { bump: 'patch' },
      'Input `bump`: there is no version to bump: no tag matching v{version} is reachable from HEAD ([tool.setuptools_scm]); set `version` for the first release, e.g. 0.1.0.'
    )
  })

  it('a project with no version anywhere, and a directory that is not a repository', async () => {
    const box = await newBox({ 'README.md': 'hi\n' })
    await expectRefusal(
      box,
      box.work,
      { bump: 'patch' },
      /^No version found in .*\/work: looked for pyproject\.toml .* Fix: set `working-directory` to the project directory/
    )
    writeTree(empty, PROJECT)
    expect(failureOf(await bump(empty, { bump: 'patch' }))).toMatch(
      /^.* is not inside a git repository\. Fix: run actions\/checkout first, and point `working-directory` into the checkout$/
    )
    expect(failureOf(await bump(box.work, { bump: 'patch', 'working-directory': 'nope' }))).toMatch(
      /^Input `working-directory`: "nope" is not a directory \(.*\/nope\); use the path of the Python project, relative to the workspace\.$/
    )
  })
})
