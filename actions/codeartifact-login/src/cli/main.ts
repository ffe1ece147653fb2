import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { checkAwsEndpointTransport } from '@release/shared/aws/call'
import { CODEARTIFACT_USERNAME, getRepositoryAccess } from '@release/shared/aws/codeartifact'
import { type AwsCredentials, type AwsSession, requestHandlerConfig } from '@release/shared/aws/client-config'
import { INDEX_MODES } from '../inputs.ts'
import { loginVariables } from '../tool-env.ts'
import { explainForDeveloper } from './explain.ts'
import { type CliOptions, USAGE, UsageError, parseCommandLine } from './options.ts'
import { type ProfileChoice, chooseProfile, resolveRegion } from './region.ts'
import { assignments, removals } from './shell.ts'

export interface Io {
  stdout: (text: string) => void
  /** Whether stdout is a terminal: then the token would be shown rather than sourced. */
  stdoutIsTerminal?: boolean
  stderr: (text: string) => void
  env: NodeJS.ProcessEnv
}

/** The CLI's data flow; returns the exit status. Nothing but shell commands reaches stdout. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const command = parseCommandLine(argv, io.env)
  if (command.help) {
    // On stdout only for a person reading it: `source <(... --help)` must not run the text.
    if (io.stdoutIsTerminal) io.stdout(USAGE)
    else io.stderr(USAGE)
    return 0
  }
  if (command.unset) {
    io.stdout(removals(command.shell, variableNames(command)))
    return 0
  }

  checkAwsEndpointTransport(io.env)
  const profile = await chooseProfile(command.profile, io.env)
  const session: AwsSession = {
    region: resolveRegion(command.region, profile, io.env),
    credentials: await userCredentials(profile),
    source: 'ambient'
  }
  const access = await getRepositoryAccess(session, { ...command, deadlineMs: 30_000 }).catch((error: unknown) => {
    throw explainForDeveloper(error, { profile: profile.named ? profile.name : undefined })
  })
  const variables = loginVariables(
    command.tools,
    { ...access, username: CODEARTIFACT_USERNAME },
    command.indexMode,
    command.indexName
  )
  const script = assignments(command.shell, variables)

  const where = `${command.domain}/${command.repository} (owner ${access.domainOwner}, ${session.region})`
  if (command.output) {
    writePrivateFile(command.output, script)
    io.stderr(`Wrote ${Object.keys(variables).length} variables for ${where} to ${command.output} (mode 0600)\n`)
  } else {
    if (io.stdoutIsTerminal)
      io.stderr(
        'These commands hold the token and are shown, not run: use `source <(codeartifact-login ...)` (sh), `| source` (fish) or `| Invoke-Expression` (PowerShell)\n'
      )
    io.stdout(script)
  }
  io.stderr(
    `CodeArtifact ${where}: ${command.tools.join(', ')} configured (index mode ${command.indexMode}); the token is valid until ${access.expiration.toISOString()}\n`
  )
  return 0
}

/**
 * The SDK's default chain (environment keys, SSO, the profile's keys or role, credential_process,
 * ...), with the proxy and timeouts of our clients also for the SSO and STS clients it makes
 * itself, which would otherwise ignore HTTPS_PROXY.
 */
async function userCredentials(profile: ProfileChoice): Promise<AwsSession['credentials']> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node')
  return defaultProvider({
    // Passed on only when named: unnamed, the chain also tries the environment's keys first.
    profile: profile.named ? profile.name : undefined,
    clientConfig: { requestHandler: requestHandlerConfig() }
  }) as () => Promise<AwsCredentials>
}

/** What a login sets for these tools, in either index mode: what --unset removes. */
function variableNames(options: CliOptions): string[] {
  // The names do not depend on the token or the URLs, so placeholder access gives them.
  const placeholder = {
    token: 'x',
    username: CODEARTIFACT_USERNAME,
    registryUrl: 'https://invalid/',
    indexUrl: 'https://invalid/simple/',
    expiration: new Date(0)
  }
  const names = INDEX_MODES.flatMap((mode) =>
    Object.keys(loginVariables(options.tools, placeholder, mode, options.indexName))
  )
  return [...new Set(names)]
}

/**
 * Written beside the target with mode 0600 from its first byte, then renamed over it, so the
 * token is never readable by others, not even for a moment, and a reader never sees half a file.
 */
function writePrivateFile(path: string, content: string): void {
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`)
  try {
    writeFileSync(partial, content, { mode: 0o600, flag: 'wx' })
    chmodSync(partial, 0o600) // the umask cannot widen it, but a restrictive one must not matter
    renameSync(partial, path)
  } catch (error) {
    rmSync(partial, { force: true })
    throw new UsageError(
      '--output',
      `cannot write ${path}: ${(error as Error).message}`,
      'pass a file in a directory you can write to'
    )
  }
}
