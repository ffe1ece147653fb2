// Proof that the release is there: the version is listed (CodeArtifact's ListPackageVersions,
// or every file with its sha256 on the simple index), and with `verify: install` a fresh
// virtual environment installs `name==version` from the index and imports it. Indexes can
// take a moment to show a new upload (PyPI's CDN, CodeArtifact's listing), so each check
// polls until the retry deadline before it fails.
import { join } from 'node:path'
import { ActionError } from '@release/shared/errors'
import { outputTail, printUntrusted, runCommand } from '@release/shared/exec'
import { compareVersions } from '@release/shared/pep440'
import { withRetry } from '@release/shared/retry'
import { createPrivateDir, removePrivateDir } from '@release/shared/private-files'
import { wheelImportNames } from '@release/shared/python/wheel-contents'
import * as log from '@release/shared/workflow-commands'
import type { Dist } from './dists.ts'
import type { Release } from './report.ts'
import { type IndexReader, compareWithIndex } from './existing.ts'
import { type ResolvedTarget, installIndexUrl } from './target.ts'
import { normalizeProjectName } from '@release/shared/python/dist-files'
import { type Toolchain, venvPython } from '@release/shared/python/toolchain'

/** Not there yet: retried until the deadline, then reported. */
class NotYet extends Error {
  override name = 'NotYet'
}

const notYet = {
  classify: (error: unknown) => ({ retryable: error instanceof NotYet, reason: (error as Error).message })
}

function projectsOf(dists: readonly Dist[]): string[] {
  return [...new Set(dists.map((dist) => dist.project))]
}

async function poll<T>(label: string, deadlineMs: number, check: () => Promise<T>): Promise<T> {
  try {
    return await withRetry(check, { label, deadlineMs, initialDelayMs: 500, maxDelayMs: 4_000, ...notYet })
  } catch (error) {
    const last = (error as { cause?: unknown }).cause ?? error
    if (last instanceof NotYet)
      throw new ActionError(`${label} failed: ${last.message}`, {
        hint: 'the upload was accepted but the release does not show on the index; check the index, then re-run (uploaded files are skipped)'
      })
    throw error
  }
}

/** `verify: index`. Returns a line for the summary. */
export async function verifyListed(
  dists: readonly Dist[],
  version: string,
  target: ResolvedTarget,
  reader: IndexReader
): Promise<string> {
  const projects = projectsOf(dists)
  const ca = target.codeartifact
  if (ca) {
    const { listPackageVersions } = await import('@release/shared/aws/codeartifact')
    await poll('Verifying with CodeArtifact ListPackageVersions', reader.deadlineMs, async () => {
      const missing: string[] = []
      await Promise.all(
        projects.map(async (project) => {
          const versions = await listPackageVersions(ca.session, ca, project, reader.deadlineMs)
          if (!versions.some((listed) => safeEqual(listed, version))) missing.push(project)
        })
      )
      if (missing.length > 0) throw new NotYet(`${missing.join(', ')} ${version} not listed by CodeArtifact yet`)
    })
    const line = `${projects.map((project) => `${project} ${version}`).join(', ')} listed by CodeArtifact ListPackageVersions`
    log.info(line)
    return line
  }
  await poll(`Verifying on ${reader.indexUrl}`, reader.deadlineMs, async () => {
    const comparison = await compareWithIndex(dists, reader)
    if (comparison.conflicting.length > 0) {
      throw new ActionError(
        `The index serves other bytes than were uploaded for ${comparison.conflicting.map((c) => c.dist.file).join(', ')}.`,
        {
          hint: 'something else published the same version at the same time; check the index'
        }
      )
    }
    if (comparison.missing.length > 0)
      throw new NotYet(`${comparison.missing.map((dist) => dist.file).join(', ')} not on the index yet`)
  })
  const line = `all ${dists.length} files on ${reader.indexUrl} with matching sha256`
  log.info(line)
  return line
}

function safeEqual(a: string, b: string): boolean {
  try {
    return compareVersions(a, b) === 0
  } catch {
    return a === b
  }
}

/**
 * The installer's environment: the target's index and nothing else. Indexes an earlier step
 * exported (codeartifact-login's PIP_EXTRA_INDEX_URL, UV_INDEX and its UV_INDEX_<NAME>_*
 * credentials, ...) are removed (undefined drops a variable), so the release counts as
 * installable only when this index serves it.
 */
export function installerEnv(
  installer: 'pip' | 'uv',
  indexUrl: string,
  inherited: NodeJS.ProcessEnv = process.env
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {}
  for (const key of Object.keys(inherited)) if (key.startsWith('UV_INDEX_')) env[key] = undefined
  Object.assign(env, {
    PIP_INDEX_URL: undefined,
    PIP_EXTRA_INDEX_URL: undefined,
    PIP_FIND_LINKS: undefined,
    UV_INDEX: undefined,
    UV_DEFAULT_INDEX: undefined,
    UV_EXTRA_INDEX_URL: undefined,
    UV_FIND_LINKS: undefined
  })
  if (installer === 'pip') return { ...env, PIP_INDEX_URL: indexUrl, PIP_NO_INPUT: '1' }
  return { ...env, UV_DEFAULT_INDEX: indexUrl, UV_NO_PROGRESS: '1' }
}

/**
 * The requirement an installer could not find, when it is not one of the release's own
 * projects: then waiting does not help (the release is there; a dependency is not).
 */
export function missingDependency(output: string, projects: readonly string[]): string | undefined {
  const ours = new Set(projects.map(normalizeProjectName))
  const patterns = [
    /No matching distribution found for ([A-Za-z0-9][A-Za-z0-9._-]*)/g,
    /Because ([A-Za-z0-9][A-Za-z0-9._-]*) was not found in the package registry/g,
    /no version of ([A-Za-z0-9][A-Za-z0-9._-]*)/gi,
    /([A-Za-z0-9][A-Za-z0-9._-]*) has no wheels? (?:with a matching|available)/g
  ]
  for (const pattern of patterns) {
    for (const [, name] of output.matchAll(pattern)) {
      if (name && !ours.has(normalizeProjectName(name))) return name
    }
  }
  return undefined
}

function missingDependencyError(dependency: string, indexUrl: string, wheelsOnly: boolean): ActionError {
  return new ActionError(
    `The release is on ${indexUrl}, but its dependency ${dependency} cannot be installed from there${wheelsOnly ? ' as a wheel' : ''}.`,
    {
      hint: wheelsOnly
        ? `verification installs wheels only when the index needs credentials (building an sdist would run third-party code beside them): make a wheel of ${dependency} available on the index (CodeArtifact: an upstream connection to PyPI), or set \`verify: index\` to check the listing only`
        : `make ${dependency} available on the index (CodeArtifact: an upstream connection to PyPI, or publish it first), or set \`verify: index\` to check the listing only`
    }
  )
}

// Run in the fresh venv, from an empty directory and with -I, so the import cannot pick up the
// source tree or the runner's site-packages.
const IMPORT_SCRIPT = [
  'import importlib, json, sys',
  'out = {}',
  'for name in sys.argv[1:]:',
  '    module = importlib.import_module(name)',
  '    out[name] = getattr(module, "__file__", None) or str(list(getattr(module, "__path__", [])))',
  'print(json.dumps(out))'
].join('\n')

/**
 * `verify: install`: every release installed together (a monorepo's packages at their own
 * versions, so each finds the others it needs) into one fresh environment. Returns a line for
 * the summary.
 */
export async function verifyInstall(
  releases: readonly Release[],
  target: ResolvedTarget,
  toolchain: Toolchain,
  importNames: readonly string[],
  deadlineMs: number
): Promise<string> {
  const dists = releases.flatMap((release) => release.dists)
  const projects = projectsOf(dists)
  const modules = importNames.length > 0 ? [...importNames] : await defaultImports(dists)
  const requirements = releases.flatMap((release) =>
    projectsOf(release.dists).map((project) => `${project}==${release.version}`)
  )
  const dir = await createPrivateDir('publish-python-verify')
  try {
    const venv = join(dir, 'venv')
    // --without-pip: pip (or uv) from outside installs into it, which saves bootstrapping pip.
    const created = await runCommand(toolchain.python, ['-m', 'venv', '--without-pip', venv], {
      silent: true,
      ignoreReturnCode: true
    })
    if (created.exitCode !== 0) {
      if (!toolchain.uv)
        throw new ActionError(`Could not create a virtual environment: ${outputTail(created)}`, {
          hint: 'install the venv module (Debian: python3-venv) or uv'
        })
      await runCommand(toolchain.uv, ['venv', '--quiet', '--python', toolchain.python, venv], { silent: true })
    }
    if (!toolchain.pip && !toolchain.uv)
      throw new ActionError('Neither pip nor uv is available to install the release.', {
        hint: 'install pip into `python`, or install uv'
      })
    const indexUrl = installIndexUrl(target)
    // With credentials in the installer's environment, nothing may be built: building an sdist
    // runs its setup.py or backend (third-party code) in a child that would inherit them.
    const wheelsOnly = target.indexCredentials !== undefined
    const install = toolchain.pip
      ? {
          command: toolchain.python,
          args: [
            '-m',
            'pip',
            '--python',
            venvPython(venv),
            'install',
            '--no-cache-dir',
            '--disable-pip-version-check',
            '--no-input',
            ...(wheelsOnly ? ['--only-binary=:all:'] : []),
            ...requirements
          ],
          env: installerEnv('pip', indexUrl)
        }
      : {
          command: toolchain.uv as string,
          args: [
            'pip',
            'install',
            '--python',
            venvPython(venv),
            '--no-cache',
            ...(wheelsOnly ? ['--no-build'] : []),
            ...requirements
          ],
          env: installerEnv('uv', indexUrl)
        }
    await poll(`Installing ${requirements.join(' ')} from ${target.indexUrl}`, deadlineMs, async () => {
      const result = await runCommand(install.command, install.args, {
        env: install.env,
        ignoreReturnCode: true,
        cwd: dir
      })
      if (result.exitCode === 0) return
      const output = `${result.stdout}\n${result.stderr}`
      const dependency = missingDependency(output, projects)
      if (dependency) throw missingDependencyError(dependency, target.indexUrl, wheelsOnly)
      if (
        /No matching distribution|Could not find a version|not found in the package registry|no version of/i.test(
          output
        )
      )
        throw new NotYet(`${requirements.join(' ')} is not installable from the index yet`)
      throw new ActionError(
        `Installing ${requirements.join(' ')} from ${target.indexUrl} failed: ${output.trim().split('\n').filter(Boolean).pop()}`,
        {
          hint: 'the release or one of its dependencies cannot be installed from this index; see the installer output above'
        }
      )
    })
    if (modules.length === 0) {
      log.warning(
        `Installed ${requirements.join(' ')}, but found no module to import in the wheels; set \`import-name\` to check an import.`
      )
      return `installed ${requirements.join(' ')} in a fresh virtual environment`
    }
    log.info(`Importing ${modules.join(', ')} in the fresh environment`)
    const imported = await runCommand(venvPython(venv), ['-I', '-c', IMPORT_SCRIPT, ...modules], {
      cwd: dir,
      ignoreReturnCode: true,
      silent: true
    })
    if (imported.exitCode !== 0) {
      throw new ActionError(
        `${requirements.join(' ')} installed, but \`import ${modules.join(', ')}\` failed: ${outputTail(imported)}`,
        {
          hint: "the wheel is missing a module or a dependency; check the package contents (and `import-name`, which defaults to the wheel's top-level modules)"
        }
      )
    }
    printUntrusted(imported.stdout.trim())
    const line = `installed ${requirements.join(' ')} in a fresh virtual environment and imported ${modules.join(', ')}`
    log.info(line)
    return line
  } finally {
    await removePrivateDir(dir)
  }
}

async function defaultImports(dists: readonly Dist[]): Promise<string[]> {
  const names = new Set<string>()
  for (const project of projectsOf(dists)) {
    const wheel = dists.find((dist) => dist.project === project && dist.kind === 'wheel')
    if (!wheel) continue
    for (const name of await wheelImportNames(wheel.path, project)) names.add(name)
  }
  return [...names]
}
