// The least any JavaScript action can do for a release bump: Node starts, edits the version in
// pyproject.toml with a regular expression, and runs the same three git commands as the hand
// path (commit, annotated tag, atomic push), with no checks, no outputs and no summary. The gap
// between this and the shell script is what being a Node action costs (Node's start-up, its
// child_process module, and its slower spawns); the gap between the action and this is the
// action's own work. Run from the repository root, as the bench does.
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'

function git(args) {
  return new Promise((resolve, reject) => {
    spawn('git', args, { stdio: 'inherit' }).on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`git ${args[0]} exited with ${code}`))
    )
  })
}

const text = readFileSync('pyproject.toml', 'utf8')
const current = /^version = "(\d+)\.(\d+)\.(\d+)"$/m.exec(text)
if (!current) throw new Error('no version = "X.Y.Z" line in pyproject.toml')
const next = `${current[1]}.${current[2]}.${Number(current[3]) + 1}`
writeFileSync('pyproject.toml', text.replace(current[0], `version = "${next}"`))
await git(['commit', '-q', '-am', `Bump version to ${next}`])
await git(['tag', '-a', '-m', `Release ${next}`, `v${next}`])
await git(['push', '-q', '--atomic', 'origin', 'HEAD:refs/heads/main', `refs/tags/v${next}`])
