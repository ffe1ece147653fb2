// Across domains CodeArtifact has no copy: the source's assets are downloaded
// (GetPackageVersionAsset), checked against the SHA-256 ListPackageVersionAssets gave, and
// uploaded to the destination with twine, the token in twine's environment only. Files land in a
// private temp dir that is removed whatever happens.
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AwsSession } from '@release/shared/aws/client-config'
import { type PackageVersionRef, type VersionAsset, getVersionAsset } from '@release/shared/aws/package-versions'
import { ActionError } from '@release/shared/errors'
import { runCommand } from '@release/shared/exec'
import { createPrivateDir, removePrivateDir } from '@release/shared/private-files'
import { withRetry } from '@release/shared/retry'
import type { Command } from '@release/shared/python/toolchain'
import { UploadFailure, classifyUpload, classifyUploaderOutput, uploaderEnv } from '@release/shared/python/uploader'
import * as log from '@release/shared/workflow-commands'

export interface UploadTarget {
  registryUrl: string
  username: string
  /** Already masked. */
  token: string
}

export async function transferAssets(
  session: AwsSession,
  source: PackageVersionRef,
  assets: readonly VersionAsset[],
  twine: Command,
  target: UploadTarget,
  deadlineMs: number
): Promise<void> {
  const dir = await createPrivateDir('codeartifact-promote')
  try {
    const paths: string[] = []
    for (const asset of assets) {
      log.info(`Downloading ${asset.name} (${asset.size} bytes) from ${source.domain}/${source.repository}`)
      const bytes = await getVersionAsset(session, source, asset.name, deadlineMs)
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      if (sha256 !== asset.sha256)
        throw new ActionError(
          `${asset.name} downloaded from ${source.domain}/${source.repository} has sha256 ${sha256}, but CodeArtifact lists ${asset.sha256}.`,
          { hint: 're-run the job; if it persists, the source repository is damaged: report it to AWS support' }
        )
      const path = join(dir, asset.name)
      await writeFile(path, bytes, { mode: 0o600 })
      paths.push(path)
    }
    await withRetry(
      async () => {
        log.info(`Uploading ${assets.map((a) => a.name).join(', ')} to ${target.registryUrl}`)
        const result = await runCommand(
          twine.command,
          [...twine.args, '--no-color', 'upload', '--non-interactive', '--disable-progress-bar', ...paths],
          {
            ignoreReturnCode: true,
            timeoutMs: 300_000,
            env: uploaderEnv('twine', target.registryUrl, { username: target.username, password: target.token })
          }
        )
        if (result.exitCode === 0) return
        if (result.timedOut) throw new UploadFailure('twine ran longer than 5 minutes', { network: true })
        throw classifyUploaderOutput(`${result.stdout}\n${result.stderr}`)
      },
      {
        label: `Upload to ${target.registryUrl}`,
        deadlineMs,
        initialDelayMs: 1_000,
        classify: classifyUpload,
        onRetry: ({ attempt, delayMs, reason }) =>
          log.info(`Upload attempt ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)} s`)
      }
    ).catch((error: unknown) => {
      if (!(error instanceof UploadFailure)) throw error
      throw new ActionError(`The upload to ${target.registryUrl} failed: ${error.message}`, {
        hint:
          error.status === 401 || error.status === 403
            ? 'the role needs `codeartifact:PublishPackageVersion` on the destination repository'
            : 're-run the job: files already on the destination with the same sha256 are not uploaded again'
      })
    })
  } finally {
    await removePrivateDir(dir)
  }
}
