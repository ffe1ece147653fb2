import { existsSync } from 'node:fs'
import { basename } from 'node:path'
import { logoutArgs } from '@release/shared/container/build-argv'
import { describeError } from '@release/shared/errors'
import { runCommand } from '@release/shared/exec'
import { removePrivateDir } from '@release/shared/private-files'
import * as log from '@release/shared/workflow-commands'
import { SECRET_DIR_PREFIX, STATE } from './state.ts'

// Runs after the job's steps, whether the main run succeeded, failed or was cancelled: the
// main run removes the secret file itself as soon as the build has read it, so this is the
// backstop for a main run that never got there, and the logout from the registries it
// logged in to (their credentials stay in the builder's auth file otherwise).

export async function post(): Promise<void> {
  const dir = log.getState(STATE.secretDir)
  // Only a directory this action created: state is plain text in the runner's files.
  if (dir && basename(dir).startsWith(`${SECRET_DIR_PREFIX}-`) && existsSync(dir)) {
    await removePrivateDir(dir)
    log.info(`Removed the secret file's directory ${dir}: the main step did not finish.`)
  } else if (dir) {
    log.info('The secret file was already removed when the build finished.')
  }

  const command = log.getState(STATE.builder)
  const registries = parseRegistries(log.getState(STATE.registries))
  for (const registry of registries) {
    try {
      await runCommand(command, logoutArgs(registry), { silent: true })
      log.info(`Logged out of ${registry}`)
    } catch (error) {
      // The job's result is decided; a stale login is worth a warning, not a failure.
      log.warning(`Could not log out of ${registry}: ${describeError(error)}`)
    }
  }
}

function parseRegistries(state: string): string[] {
  if (!state) return []
  try {
    const parsed: unknown = JSON.parse(state)
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : []
  } catch {
    return []
  }
}
