// pip resolves and downloads the layer's wheels for the Lambda runtime, not for the runner:
// --platform/--implementation/--python-version describe python3.X on Amazon Linux, and
// --only-binary=:all: makes every requirement a wheel. With wheels only, no build backend or
// setup.py runs while pip holds the index token (DESIGN.md, trust boundaries); a wheel is only
// unpacked. The token travels in PIP_INDEX_URL of pip's environment, never in its argv.
import { devNull } from 'node:os'
import { ActionError } from '@release/shared/errors'
import { errorLine, stripAnsi } from '@release/shared/exec'
import { type Architecture, type PythonVersion, platformTags, runtimeGlibc, runtimeId } from './inputs.ts'

/** pip's argv after `python -m pip`. */
export function pipInstallArgs(options: {
  target: string
  requirementsFile: string
  pythonVersion: PythonVersion
  architecture: Architecture
}): string[] {
  return [
    'install',
    '--disable-pip-version-check',
    '--no-input',
    '--progress-bar',
    'off',
    '--target',
    options.target,
    ...platformTags(options.pythonVersion, options.architecture).flatMap((tag) => ['--platform', tag]),
    '--implementation',
    'cp',
    '--python-version',
    options.pythonVersion,
    '--only-binary=:all:',
    '--no-compile',
    '-r',
    options.requirementsFile
  ]
}

// pip settings of the job that may pass to pip: TLS and network tuning. Every other PIP_*
// (PIP_NO_BINARY, PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS, PIP_TARGET, ...) would change what is
// resolved or from where, so it is dropped.
const KEPT_PIP_VARIABLES = new Set(['PIP_CERT', 'PIP_CLIENT_CERT', 'PIP_DEFAULT_TIMEOUT', 'PIP_TIMEOUT', 'PIP_RETRIES'])

/**
 * The additions to pip's environment (childEnvironment in exec.ts takes the credentials out of
 * the inherited one first): the index, with its token, and nothing else pip would read as
 * configuration. No configuration file either (codeartifact-login may have written one with the
 * token in an extra index URL).
 */
export function pipEnv(
  indexUrl: string,
  inherited: NodeJS.ProcessEnv = process.env
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {}
  for (const key of Object.keys(inherited))
    if (/^PIP_/i.test(key) && !KEPT_PIP_VARIABLES.has(key.toUpperCase())) env[key] = undefined
  return {
    ...env,
    PIP_INDEX_URL: indexUrl,
    PIP_CONFIG_FILE: devNull,
    PIP_NO_INPUT: '1',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PYTHONDONTWRITEBYTECODE: '1'
  }
}

/** The requirement pip found no distribution for, as pip names it (`acme-native==1.0`). */
export function unresolvedRequirement(output: string): string | undefined {
  const text = stripAnsi(output)
  return (
    /No matching distribution found for (\S+)/.exec(text)?.[1] ??
    /Could not find a version that satisfies the requirement (\S+)/.exec(text)?.[1]
  )
}

/**
 * pip in hash-checking mode (a requirement with --hash, as every Pipfile.lock line has) refused
 * a download: the requirement and the file, as pip names them under its hash report.
 */
export function hashMismatch(output: string): { requirement: string; file?: string } | undefined {
  const text = stripAnsi(output)
  const report = text.indexOf('DO NOT MATCH THE HASHES')
  if (report < 0) return undefined
  // `    name==1.0 from <url>#sha256=... (from -r <file> (line 1)):`
  const line = /^\s+(\S+) from (\S+)/m.exec(text.slice(report))
  if (!line) return { requirement: 'a requirement' }
  const file = (line[2] as string)
    .replace(/[#?].*$|:$/g, '')
    .split('/')
    .pop()
  return { requirement: line[1] as string, file }
}

/** The project name of a requirement (`acme-native[x]>=1.0` -> acme-native). */
export function projectOf(requirement: string): string {
  return /^[A-Za-z0-9._-]+/.exec(requirement)?.[0] ?? requirement
}

/**
 * One error for a failed pip run: for a requirement without a fitting wheel, its name, what
 * the index has (`available`, when it could be read) and the fix; otherwise pip's last error line.
 */
export function pipFailure(
  output: string,
  target: { pythonVersion: PythonVersion; architecture: Architecture },
  available?: readonly string[]
): ActionError {
  const runtime = `${runtimeId(target.pythonVersion)} on ${target.architecture}`
  const mismatch = hashMismatch(output)
  if (mismatch)
    return new ActionError(
      `${mismatch.file ?? 'A file'} that pip downloaded for ${mismatch.requirement} has a sha256 the requirements do not list; nothing was installed.`,
      {
        hint: 'if the lock (or the --hash lines) predates that file, run `pipenv lock` again or update the hashes; otherwise the index serves other bytes than were locked: check it before trusting it'
      }
    )
  const requirement = unresolvedRequirement(output)
  const last = errorLine(stripAnsi(output)).replace(/^ERROR:\s*/, '')
  if (requirement) {
    const glibc = runtimeGlibc(target.pythonVersion)
    const machine = target.architecture === 'arm64' ? 'aarch64' : 'x86_64'
    const has =
      available === undefined
        ? ''
        : available.length === 0
          ? ' The index lists no file of it.'
          : ` The index has: ${available.slice(0, 6).join(', ')}${available.length > 6 ? `, and ${available.length - 6} more` : ''}.`
    return new ActionError(
      `No wheel of ${requirement} fits ${runtime} (a manylinux wheel for glibc 2.${glibc.minor} or older on ${machine}, or a pure-Python wheel).${has} pip: ${last}`,
      {
        hint: `pick a version of ${projectOf(requirement)} that publishes such a wheel, build one (e.g. cibuildwheel for ${machine}) and publish it to the index, or change \`python-version\` / \`architecture\`; sdists are never built here (a build would run third-party code beside the index token)`
      }
    )
  }
  return new ActionError(`pip could not install the requirements for ${runtime}: ${last}`, {
    hint: 'check the requirements and that the index serves them (the log above has the full output of pip)'
  })
}
