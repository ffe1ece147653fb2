import { parseArgs } from 'node:util'
import { ActionError } from '@release/shared/errors'
import { AWS_NAME_PATTERNS } from '@release/shared/aws/names'
import { TOKEN_DURATION } from '@release/shared/aws/inputs'
import { INDEX_MODES, INDEX_NAME_PATTERN, type IndexMode, TOOLS, type Tool } from '../inputs.ts'
import { SHELLS, type Shell } from './shell.ts'

// The developer CLI's command line: the action's inputs as flags, with the same names and
// checks (and defaults, but for --tools: on a laptop every tool), plus what only a terminal
// needs (a profile, the shell to print for, a file). A value taken from a variable is named by
// that variable in errors, since the user never typed the flag.

export const USAGE = `Usage: codeartifact-login --domain NAME --repository NAME [options]

Prints shell commands that configure pip, uv, twine, poetry and pipenv for a CodeArtifact
repository, using your own AWS credentials (a profile, SSO, or the environment):

  source <(codeartifact-login --domain acme --repository python --profile dev)    # bash, zsh
  eval "$(codeartifact-login --domain acme --repository python --profile dev)"     # dash, sh

Options:
  --domain NAME            CodeArtifact domain (default: $CODEARTIFACT_DOMAIN)
  --repository NAME        CodeArtifact repository (default: $CODEARTIFACT_REPOSITORY)
  --domain-owner ID        account that owns the domain (default: $CODEARTIFACT_DOMAIN_OWNER,
                           else your own account)
  --profile NAME           AWS profile, SSO ones included (default: $AWS_PROFILE); a profile
                           wins over AWS_ACCESS_KEY_ID in the environment
  --region REGION          AWS region (default: $AWS_REGION, else the profile's region)
  --tools LIST             comma-separated: ${TOOLS.join(', ')} (default: all)
  --index-mode MODE        replace (CodeArtifact is the only index) or extra (beside PyPI);
                           default replace
  --index-name NAME        the index name uv, poetry and pipenv see (default codeartifact)
  --duration-seconds N     token lifetime, 900-43200 or 0 for the session's (default 43200)
  --shell SHELL            ${SHELLS.join(', ')} (default sh: bash, zsh, dash, POSIX sh)
  --output FILE            write the commands to FILE (mode 0600) instead of printing them;
                           the only way the token reaches the disk
  --unset                  print commands that remove the variables again (no AWS calls)
  -h, --help               this text
`

export interface CliOptions {
  domain: string
  repository: string
  domainOwner?: string
  profile?: string
  region?: string
  tools: Tool[]
  indexMode: IndexMode
  indexName: string
  durationSeconds: number
  shell: Shell
  output?: string
  unset: boolean
}

export type CliCommand = { help: true } | ({ help: false } & CliOptions)

/** A command-line mistake: named by its flag, with the fix; the CLI prints it as one line. */
export class UsageError extends ActionError {
  constructor(flag: string, problem: string, fix: string) {
    super(`${flag}: ${problem}`, { hint: fix })
    this.name = 'UsageError'
  }
}

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliCommand {
  let values
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        domain: { type: 'string' },
        repository: { type: 'string' },
        'domain-owner': { type: 'string' },
        profile: { type: 'string' },
        region: { type: 'string' },
        tools: { type: 'string' },
        'index-mode': { type: 'string' },
        'index-name': { type: 'string' },
        'duration-seconds': { type: 'string' },
        shell: { type: 'string' },
        output: { type: 'string' },
        unset: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      }
    }))
  } catch (error) {
    // parseArgs names the flag in its message ("Unknown option '--domian'").
    throw new UsageError('command line', (error as Error).message, 'see --help')
  }
  if (values.help) return { help: true }

  const unset = values.unset ?? false
  return {
    help: false,
    // --unset needs no repository: the variable names follow from the tools and index name alone.
    domain: unset ? '' : requiredFromFlagOrEnv('--domain', values.domain, 'CODEARTIFACT_DOMAIN', env, DOMAIN),
    repository: unset
      ? ''
      : requiredFromFlagOrEnv('--repository', values.repository, 'CODEARTIFACT_REPOSITORY', env, REPOSITORY),
    domainOwner: unset
      ? undefined
      : fromFlagOrEnv(
          '--domain-owner',
          values['domain-owner'],
          'CODEARTIFACT_DOMAIN_OWNER',
          env,
          AWS_NAME_PATTERNS.accountId
        ),
    profile: optional('--profile', values.profile, {
      regex: /^[\w.@+-]{1,128}$/,
      accepted: 'a profile name from ~/.aws/config'
    }),
    region: optional('--region', values.region, AWS_NAME_PATTERNS.region),
    tools: toolList(values.tools),
    indexMode: oneOf('--index-mode', values['index-mode'] ?? 'replace', INDEX_MODES),
    indexName: required('--index-name', values['index-name'] ?? 'codeartifact', INDEX_NAME_PATTERN),
    durationSeconds: duration(values['duration-seconds']),
    shell: oneOf('--shell', values.shell ?? 'sh', SHELLS),
    output:
      values.output === undefined
        ? undefined
        : required('--output', values.output, { regex: /./, accepted: 'a file path' }),
    unset
  }
}

interface Pattern {
  regex: RegExp
  accepted: string
}

const DOMAIN = AWS_NAME_PATTERNS.codeartifactDomain
const REPOSITORY = AWS_NAME_PATTERNS.codeartifactRepository

/** The flag's value, else the variable's; an error names whichever the value came from. */
function fromFlagOrEnv(
  flag: string,
  value: string | undefined,
  variable: string,
  env: NodeJS.ProcessEnv,
  pattern: Pattern
): string | undefined {
  return value !== undefined ? optional(flag, value, pattern) : optional(variable, env[variable], pattern)
}

function requiredFromFlagOrEnv(
  flag: string,
  value: string | undefined,
  variable: string,
  env: NodeJS.ProcessEnv,
  pattern: Pattern
): string {
  const given = fromFlagOrEnv(flag, value, variable, env, pattern)
  if (!given) throw new UsageError(flag, 'is required', `pass ${flag} or set ${variable} (${pattern.accepted})`)
  return given
}

function required(flag: string, value: string | undefined, pattern: Pattern): string {
  if (!value) throw new UsageError(flag, 'is required', `pass ${flag} (${pattern.accepted})`)
  return optional(flag, value, pattern) as string
}

function optional(flag: string, value: string | undefined, pattern: Pattern): string | undefined {
  if (value === undefined || value === '') return undefined
  if (!pattern.regex.test(value)) throw new UsageError(flag, `"${value}" is not valid`, `expected ${pattern.accepted}`)
  return value
}

function oneOf<T extends string>(flag: string, value: string, accepted: readonly T[]): T {
  if ((accepted as readonly string[]).includes(value)) return value as T
  throw new UsageError(flag, `"${value}" is not valid`, `expected one of ${accepted.join(', ')}`)
}

function toolList(value: string | undefined): Tool[] {
  if (value === undefined) return [...TOOLS]
  const names = value.split(/[\s,]+/).filter(Boolean)
  if (names.length === 0) throw new UsageError('--tools', 'is empty', `name at least one of ${TOOLS.join(', ')}`)
  return [...new Set(names.map((name) => oneOf('--tools', name, TOOLS)))]
}

function duration(value: string | undefined): number {
  if (value === undefined) return TOKEN_DURATION.default
  const seconds = /^\d+$/.test(value) ? Number(value) : NaN
  if ((TOKEN_DURATION.also as readonly number[]).includes(seconds)) return seconds
  if (seconds >= TOKEN_DURATION.min && seconds <= TOKEN_DURATION.max) return seconds
  throw new UsageError(
    '--duration-seconds',
    `"${value}" is not valid`,
    `expected ${TOKEN_DURATION.min}-${TOKEN_DURATION.max}, or 0 for the rest of the session`
  )
}
