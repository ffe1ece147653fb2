// codeartifact-login against the scripted path teams use today, side by side on one loopback
// stack: the action's whole run (OIDC, STS, token, endpoint, env) versus aws-cli doing
// assume-role-with-web-identity, get-caller-identity, get-authorization-token and
// get-repository-endpoint. Also bundle sizes and cold start.
//
//   node bench/codeartifact-login.bench.ts [runs]
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStack } from '../test/stack/stack.ts'
import { measure, median, row, timeProcess, verdict } from './lib.ts'

const ROOT = new URL('..', import.meta.url).pathname
const NODE24 = join(ROOT, 'node_modules', '.bin', 'node')
const runs = Number(process.argv[2] ?? 15)
const aws = existsSync(join(ROOT, '.venv', 'bin', 'aws')) ? join(ROOT, '.venv', 'bin', 'aws') : 'aws'

const stack = await startStack()
try {
  const base = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null'
  }

  // The action, exactly as the runner starts it.
  const actionRun = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-login-'))
    const files = Object.fromEntries(
      ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY'].map((name) => [name, join(dir, name)])
    )
    for (const file of Object.values(files)) writeFileSync(file, '')
    return timeProcess(NODE24, [join(ROOT, 'actions', 'codeartifact-login', 'dist', 'index.js')], {
      env: {
        ...base,
        ...stack.env,
        ...files,
        RUNNER_TEMP: dir,
        'INPUT_AWS-REGION': stack.region,
        'INPUT_ROLE-TO-ASSUME': stack.roleArn,
        INPUT_DOMAIN: stack.domain,
        INPUT_REPOSITORY: stack.repository,
        INPUT_TOOLS: 'pip, uv, twine'
      }
    })
  }

  // The scripted path: curl for the OIDC token, then four aws-cli calls, then the exports.
  const script = join(mkdtempSync(join(tmpdir(), 'bench-script-')), 'login.sh')
  writeFileSync(
    script,
    `set -euo pipefail
ID_TOKEN=$(curl -sf -H "Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=sts.amazonaws.com" | python3 -c 'import json,sys; print(json.load(sys.stdin)["value"])')
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN < <("${aws}" sts assume-role-with-web-identity --endpoint-url "$AWS_ENDPOINT_URL_STS" \\
  --role-arn "${stack.roleArn}" --role-session-name GitHubActions --web-identity-token "$ID_TOKEN" \\
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
OWNER=$("${aws}" sts get-caller-identity --endpoint-url "$AWS_ENDPOINT_URL_STS" --query Account --output text)
TOKEN=$("${aws}" codeartifact get-authorization-token --endpoint-url "$AWS_ENDPOINT_URL_CODEARTIFACT" --domain ${stack.domain} --domain-owner "$OWNER" --query authorizationToken --output text)
ENDPOINT=$("${aws}" codeartifact get-repository-endpoint --endpoint-url "$AWS_ENDPOINT_URL_CODEARTIFACT" --domain ${stack.domain} --domain-owner "$OWNER" --repository ${stack.repository} --format pypi --query repositoryEndpoint --output text)
echo "PIP_INDEX_URL=\${ENDPOINT/\\/\\//\\/\\/aws:$TOKEN@}simple/" >> "$GITHUB_ENV"
echo "TWINE_REPOSITORY_URL=$ENDPOINT" >> "$GITHUB_ENV"
`
  )
  const scriptRun = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-script-run-'))
    writeFileSync(join(dir, 'env'), '')
    return timeProcess('bash', [script], {
      env: { ...base, ...stack.env, AWS_DEFAULT_REGION: stack.region, GITHUB_ENV: join(dir, 'env') }
    })
  }

  console.log(
    `codeartifact-login benchmark: ${runs} runs each, loopback stack, Node ${(await timeProcess(NODE24, ['--version'])).output.trim()}, ${aws}`
  )
  // Interleaved so both paths see the same machine load.
  const actionTimes: number[] = []
  const scriptTimes: number[] = []
  await measure('action', 1, actionRun)
  await measure('aws-cli script', 1, scriptRun)
  for (let i = 0; i < runs; i++) {
    actionTimes.push(...(await measure('action', 1, actionRun, 0)))
    scriptTimes.push(...(await measure('aws-cli script', 1, scriptRun, 0)))
  }
  const ratio = median(scriptTimes) / median(actionTimes)
  console.log(row('action (OIDC -> STS -> token + endpoint -> env)', actionTimes))
  console.log(row('aws-cli script (same calls, same stack)', scriptTimes))
  console.log(
    verdict(median(actionTimes) <= 300, `action median ${median(actionTimes).toFixed(0)} ms (target <= 300 ms)`)
  )
  console.log(verdict(ratio >= 5, `aws-cli script / action = ${ratio.toFixed(1)}x (target >= 5x)`))

  // Bundle sizes: every JavaScript file the runner may load.
  console.log('\nbundle sizes (dist/*.js, target <= 1.5 MB per action)')
  for (const action of readdirSync(join(ROOT, 'actions')).sort()) {
    const dist = join(ROOT, 'actions', action, 'dist')
    if (!existsSync(dist)) continue
    const bytes = readdirSync(dist)
      .filter((file) => file.endsWith('.js'))
      .reduce((sum, file) => sum + statSync(join(dist, file)).size, 0)
    console.log(verdict(bytes <= 1.5 * 1024 * 1024, `${action.padEnd(20)} ${(bytes / 1024 / 1024).toFixed(2)} MB`))
  }

  // Cold start: load the bundle up to its first input read, against a bare `node -e 0`.
  const preload = join(ROOT, 'bench', 'first-input-exit.mjs')
  const bare = await measure('node -e 0', runs * 2, () => timeProcess(NODE24, ['--import', preload, '-e', '0']))
  console.log('\ncold start (load up to the first input read; target within 40 ms of bare node)')
  console.log(row('node -e 0 (same preload)', bare))
  for (const action of readdirSync(join(ROOT, 'actions')).sort()) {
    const entry = join(ROOT, 'actions', action, 'dist', 'index.js')
    if (!existsSync(entry)) continue
    const times = await measure(action, runs * 2, () =>
      timeProcess(NODE24, ['--import', preload, entry], { env: { PATH: process.env['PATH'] } })
    )
    const delta = median(times) - median(bare)
    console.log(row(action, times, verdict(delta <= 40, `+${delta.toFixed(1)} ms over bare node`)))
  }
} finally {
  await stack.stop()
}
