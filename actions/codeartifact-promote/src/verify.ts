// Proof that the destination serves the promoted version: every file on its simple index with
// the source's sha256 (polled: a listing can lag an upload), the version Published there
// (DescribePackageVersion), and with `verify: install` a fresh virtual environment installs
// `package==version` from the destination index alone.
import { join } from 'node:path'
import type { AwsSession } from '@release/shared/aws/client-config'
import { type PackageVersionRef, type VersionAsset, describeVersionStatus } from '@release/shared/aws/package-versions'
import { ActionError } from '@release/shared/errors'
import { outputTail, runCommand } from '@release/shared/exec'
import { createPrivateDir, removePrivateDir } from '@release/shared/private-files'
import { withRetry } from '@release/shared/retry'
import { authenticatedUrl } from '@release/shared/secrets'
import { type IndexCredentials, listProjectFiles } from '@release/shared/python/simple-index'
import { type Toolchain, venvPython } from '@release/shared/python/toolchain'
import { compareAssets, names } from './compare.ts'

/** Not there yet: retried until the deadline, then reported. */
class NotYet extends Error {}

async function poll(label: string, deadlineMs: number, check: () => Promise<void>): Promise<void> {
  try {
    await withRetry(check, {
      label,
      deadlineMs,
      initialDelayMs: 500,
      maxDelayMs: 4_000,
      classify: (error) => ({ retryable: error instanceof NotYet, reason: (error as Error).message })
    })
  } catch (error) {
    const last = (error as { cause?: unknown }).cause ?? error
    if (last instanceof NotYet)
      throw new ActionError(`${label} failed: ${last.message}`, {
        hint: 're-run the job: what is already on the destination with the same sha256 is kept'
      })
    throw error
  }
}

/** Every source file served by the destination index with the same sha256. */
export async function verifyIndex(
  indexUrl: string,
  credentials: IndexCredentials,
  packageName: string,
  assets: readonly VersionAsset[],
  deadlineMs: number
): Promise<void> {
  await poll(`Checking the files on ${indexUrl}`, deadlineMs, async () => {
    const served = await listProjectFiles(indexUrl, packageName, { credentials, deadlineMs, attempts: 1 })
    const comparison = compareAssets(assets, served)
    if (comparison.conflicting.length > 0)
      throw new ActionError(
        `The destination serves other bytes for ${names(comparison.conflicting.map((c) => c.asset))} than the source.`,
        { hint: 'something else published this version to the destination at the same time; check both repositories' }
      )
    if (comparison.missing.length > 0) throw new NotYet(`${names(comparison.missing)} not on the index yet`)
  })
}

/** The destination holds the version as Published (not Unlisted, Archived or Disposed). */
export async function verifyPublished(session: AwsSession, ref: PackageVersionRef, deadlineMs: number): Promise<void> {
  await poll(`Checking ${ref.packageName} ${ref.version} in ${ref.domain}/${ref.repository}`, deadlineMs, async () => {
    const status = await describeVersionStatus(session, ref, deadlineMs)
    if (status === undefined) throw new NotYet('the version is not listed yet')
    if (status !== 'Published')
      throw new ActionError(
        `${ref.packageName} ${ref.version} is ${status} in ${ref.domain}/${ref.repository}, so package managers do not install it.`,
        {
          hint: `if it was retired on purpose, promote a new version; otherwise restore it with UpdatePackageVersionsStatus (target Published, expected ${status})`
        }
      )
  })
}

/**
 * `pip install package==version` into a fresh virtual environment from the destination index
 * only. Wheels only: building an sdist runs third-party code, which must not run with the token
 * in its environment.
 */
export async function verifyInstall(
  toolchain: Toolchain,
  indexUrl: string,
  credentials: IndexCredentials,
  requirement: string,
  deadlineMs: number
): Promise<void> {
  const dir = await createPrivateDir('codeartifact-promote-verify')
  try {
    const venv = join(dir, 'venv')
    const created = await runCommand(toolchain.python, ['-m', 'venv', '--without-pip', venv], {
      silent: true,
      ignoreReturnCode: true
    })
    if (created.exitCode !== 0)
      throw new ActionError(`Could not create a virtual environment: ${outputTail(created)}`, {
        hint: 'install the venv module (Debian: python3-venv), or set `verify: index`'
      })
    const url = authenticatedUrl(indexUrl, credentials.username, credentials.password)
    // Only the destination index: indexes earlier steps exported are cleared (undefined drops them).
    const env = {
      PIP_INDEX_URL: url,
      PIP_EXTRA_INDEX_URL: undefined,
      PIP_FIND_LINKS: undefined,
      PIP_NO_INPUT: '1',
      UV_INDEX_URL: url,
      UV_DEFAULT_INDEX: undefined,
      UV_INDEX: undefined,
      UV_EXTRA_INDEX_URL: undefined,
      UV_FIND_LINKS: undefined
    }
    const install = toolchain.pip
      ? {
          command: toolchain.python,
          args: ['-m', 'pip', '--python', venvPython(venv), 'install', '--no-cache-dir', '--disable-pip-version-check']
        }
      : toolchain.uv
        ? { command: toolchain.uv, args: ['pip', 'install', '--python', venvPython(venv), '--no-cache'] }
        : undefined
    if (!install)
      throw new ActionError('Neither pip nor uv is available to install the promoted version.', {
        hint: 'install pip into `python`, or uv, or set `verify: index`'
      })
    const args = [...install.args, toolchain.pip ? '--only-binary=:all:' : '--no-build', requirement]
    await poll(`Installing ${requirement} from ${indexUrl}`, deadlineMs, async () => {
      const result = await runCommand(install.command, args, { env, ignoreReturnCode: true, cwd: dir })
      if (result.exitCode === 0) return
      const output = `${result.stdout}\n${result.stderr}`
      if (/No matching distribution|Could not find a version|not found in the package registry/i.test(output))
        throw new NotYet(`${requirement} is not installable from the index yet`)
      throw new ActionError(`Installing ${requirement} from ${indexUrl} failed: ${outputTail(result)}`, {
        hint: 'a dependency of the package is missing from the destination (promote it first), or has no wheel; see the installer output above'
      })
    })
  } finally {
    await removePrivateDir(dir)
  }
}
