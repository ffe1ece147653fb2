// The developer CLI against what a laptop does today, side by side on one loopback stack, with
// credentials from a profile in a temp ~/.aws: `source <(codeartifact-login ...)` for all five
// tools versus (a) `aws codeartifact login --tool pip` then `--tool twine` (one tool per call,
// each written into that tool's config file) and (b) a configure-codeartifact.sh of two aws-cli
// calls printing export lines. No targets: issue 16 names none; the figures go in the note.
//
//   node bench/codeartifact-login-cli.bench.ts [runs]
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStack } from '../test/stack/stack.ts'
import { measure, median, row, timeProcess } from './lib.ts'

const ROOT = new URL('..', import.meta.url).pathname
const NODE = process.execPath
const CLI = join(ROOT, 'actions', 'codeartifact-login', 'dist', 'cli', 'index.js')
const VENV_BIN = join(ROOT, '.venv', 'bin')
const runs = Number(process.argv[2] ?? 15)
const aws = existsSync(join(VENV_BIN, 'aws')) ? join(VENV_BIN, 'aws') : 'aws'

const stack = await startStack()
try {
  const credentials = await stack.ambientCredentials()
  const home = mkdtempSync(join(tmpdir(), 'bench-cli-home-'))
  mkdirSync(join(home, '.aws'))
  writeFileSync(join(home, '.aws', 'config'), `[profile dev]\nregion = ${stack.region}\n`)
  writeFileSync(
    join(home, '.aws', 'credentials'),
    `[dev]\naws_access_key_id = ${credentials.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${credentials.AWS_SECRET_ACCESS_KEY}\naws_session_token = ${credentials.AWS_SESSION_TOKEN}\n`
  )
  const env = {
    PATH: `${VENV_BIN}:${process.env['PATH']}`,
    HOME: home,
    AWS_PROFILE: 'dev',
    PIP_CONFIG_FILE: join(home, 'pip.conf'),
    ...stack.env
  }
  const repo = ['--domain', stack.domain, '--domain-owner', stack.domainOwner, '--repository', stack.repository]

  const cliRun = () =>
    timeProcess('bash', ['-c', `source <("${NODE}" "${CLI}" ${repo.join(' ')}) && test -n "$PIP_INDEX_URL"`], { env })
  const awsLoginRun = () =>
    timeProcess(
      'bash',
      [
        '-c',
        ['pip', 'twine']
          .map(
            (tool) =>
              `"${aws}" codeartifact login --tool ${tool} --endpoint-url "$AWS_ENDPOINT_URL_CODEARTIFACT" ${repo.join(' ')} >/dev/null`
          )
          .join(' && ')
      ],
      { env }
    )
  const script = join(home, 'configure-codeartifact.sh')
  writeFileSync(
    script,
    `set -euo pipefail
TOKEN=$("${aws}" codeartifact get-authorization-token --endpoint-url "$AWS_ENDPOINT_URL_CODEARTIFACT" --domain ${stack.domain} --domain-owner ${stack.domainOwner} --query authorizationToken --output text)
ENDPOINT=$("${aws}" codeartifact get-repository-endpoint --endpoint-url "$AWS_ENDPOINT_URL_CODEARTIFACT" ${repo.join(' ')} --format pypi --query repositoryEndpoint --output text)
echo "export CODEARTIFACT_AUTH_TOKEN=$TOKEN"
echo "export PIP_INDEX_URL=\${ENDPOINT/\\/\\//\\/\\/aws:$TOKEN@}simple/"
echo "export TWINE_REPOSITORY_URL=$ENDPOINT TWINE_USERNAME=aws TWINE_PASSWORD=$TOKEN"
`
  )
  const scriptRun = () => timeProcess('bash', ['-c', `source <(bash "${script}") && test -n "$PIP_INDEX_URL"`], { env })

  console.log(`codeartifact-login CLI benchmark: ${runs} runs each, loopback stack, Node ${process.version}, ${aws}`)
  // Interleaved so all three see the same machine load.
  const times: Record<string, number[]> = { cli: [], awsLogin: [], script: [] }
  await measure('cli', 1, cliRun)
  await measure('aws codeartifact login', 1, awsLoginRun)
  await measure('script', 1, scriptRun)
  for (let i = 0; i < runs; i++) {
    times['cli']!.push(...(await measure('cli', 1, cliRun, 0)))
    times['awsLogin']!.push(...(await measure('aws codeartifact login', 1, awsLoginRun, 0)))
    times['script']!.push(...(await measure('script', 1, scriptRun, 0)))
  }
  const cli = median(times['cli']!)
  console.log(row('source <(codeartifact-login) (5 tools)', times['cli']!))
  console.log(
    row(
      'aws codeartifact login --tool pip, twine',
      times['awsLogin']!,
      `${(median(times['awsLogin']!) / cli).toFixed(1)}x the CLI`
    )
  )
  console.log(
    row(
      'configure-codeartifact.sh (2 aws calls)',
      times['script']!,
      `${(median(times['script']!) / cli).toFixed(1)}x the CLI`
    )
  )
} finally {
  await stack.stop()
}
