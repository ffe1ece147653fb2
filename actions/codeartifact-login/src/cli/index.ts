// `codeartifact-login`, the action's login for a developer machine:
//   source <(npx github:<owner>/actions codeartifact-login --domain acme --repository python)
// Only input parsing loads up front, as in the actions; the AWS SDK loads once the flags are good.
import { describeError } from '@release/shared/errors'
import { maskProxyCredentials } from '@release/shared/proxy-env'
import { useTerminalOutput } from '@release/shared/workflow-commands'

useTerminalOutput()
// The SDK warns on Node < 22 that its releases after January 2027 will need Node 22. The SDK
// here is bundled and does not change under the user, so the warning is noise on a laptop.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true'
try {
  // Registered as secrets (not masked: no runner) so that an error line never prints them.
  maskProxyCredentials()
  const { runCli } = await import('./main.ts')
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stdoutIsTerminal: process.stdout.isTTY,
    stderr: (text) => process.stderr.write(text),
    env: process.env
  })
} catch (error) {
  process.stderr.write(`codeartifact-login: error: ${describeError(error)}\n`)
  process.exitCode = 1
}
