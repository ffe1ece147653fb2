import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

// actionlint (pinned, installed by scripts/install-go-tools.sh) over this repository's
// workflows and the consumer examples; it also checks the `with:` of every local action use
// against that action's action.yml.
const root = new URL('../..', import.meta.url).pathname
const actionlint = join(root, '.tools', 'bin', 'actionlint')

const workflowFiles = [
  ...readdirSync(join(root, '.github', 'workflows')).map((file) => join('.github', 'workflows', file)),
  ...readdirSync(join(root, 'examples', 'workflows')).map((file) => join('examples', 'workflows', file))
].filter((file) => /\.ya?ml$/.test(file))

it('actionlint is installed (bash scripts/install-go-tools.sh)', () => {
  expect(existsSync(actionlint)).toBe(true)
})

it.each(workflowFiles)('actionlint passes on %s', async (file) => {
  const result = await promisify(execFile)(actionlint, ['-no-color', file], { cwd: root }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout })
  )
  expect(result).toEqual({ code: 0, stdout: '' })
})
