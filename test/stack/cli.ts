// Runs the local stack until SIGINT/SIGTERM, for scripts and act runs that need it outside jest:
//   node test/stack/cli.ts --write-env FILE      (or: node test/stack/cli.ts -- --env-file FILE)
// Prints KEY=VALUE lines (the child-process env plus the index URLs and token) and writes the
// same lines to FILE (mode 0600: it holds the token).
//
// Why not plain `node cli.ts --env-file FILE`: Node itself scans the arguments after the script
// for --env-file (nodejs/node#54232) and exits 9 when FILE does not exist yet. A `--` before it
// stops that scan; --write-env avoids the clash altogether.
import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { startStack } from './stack.ts'

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { 'env-file': { type: 'string' }, 'write-env': { type: 'string' } }
})
const envFile = values['write-env'] ?? values['env-file']
const stack = await startStack()

const lines = [
  ...Object.entries(stack.env).map(([key, value]) => `${key}=${value}`),
  `STACK_REGION=${stack.region}`,
  `STACK_DOMAIN=${stack.domain}`,
  `STACK_DOMAIN_OWNER=${stack.domainOwner}`,
  `STACK_REPOSITORY=${stack.repository}`,
  `STACK_ROLE_ARN=${stack.roleArn}`,
  `STACK_REPOSITORY_ENDPOINT=${stack.repositoryEndpoint}`,
  `STACK_INDEX_URL=${stack.indexUrl}`,
  `STACK_UPLOAD_URL=${stack.uploadUrl}`,
  `STACK_TOKEN=${stack.token}`
]
if (envFile) await writeFile(envFile, lines.join('\n') + '\n', { mode: 0o600 })
process.stdout.write(lines.join('\n') + '\n')
process.stderr.write(`stack ready in ${stack.startupMs} ms; index ${stack.indexUrl}; Ctrl-C to stop\n`)

let stopping = false
const shutdown = (signal: string): void => {
  if (stopping) return
  stopping = true
  process.stderr.write(`${signal}: stopping the stack\n`)
  stack.stop().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`stop failed: ${(error as Error).message}\n`)
      process.exit(1)
    }
  )
}
process.on('SIGINT', () => shutdown('SIGINT'))
process.on('SIGTERM', () => shutdown('SIGTERM'))
