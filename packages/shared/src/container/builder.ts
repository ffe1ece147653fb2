import { ActionError } from '../errors.ts'
import { runCommand } from '../exec.ts'
import { which } from '../which.ts'
import type { BuilderChoice, BuilderKind } from './build-argv.ts'

// Which docker-compatible builder runs the build. `auto` prefers docker buildx (BuildKit:
// what GitHub's hosted runners and docker/setup-buildx-action provide) when a Docker daemon
// answers, and falls back to podman (preinstalled on the ubuntu images, and the builder where
// no Docker engine runs).

export interface Builder {
  kind: BuilderKind
  /** The command to run: `docker` or `podman`. */
  command: string
  /** One line for logs and the summary, e.g. "podman version 4.3.1". */
  version: string
  /** Why `builder: auto` chose it, for the log. */
  why?: string
}

async function probe(command: string, args: string[]): Promise<string | undefined> {
  try {
    const result = await runCommand(command, args, { silent: true, ignoreReturnCode: true })
    return result.exitCode === 0 ? result.stdout.trim().split('\n')[0] : undefined
  } catch {
    return undefined
  }
}

async function dockerBuildx(): Promise<Builder | undefined> {
  if (!which('docker')) return undefined
  const version = await probe('docker', ['buildx', 'version'])
  // podman-docker's `docker` wrapper answers `buildx version` too, but it is podman, which
  // has no --metadata-file; only the real plugin prints its module path.
  if (!version?.startsWith('github.com/docker/buildx')) return undefined
  return { kind: 'docker', command: 'docker', version: `docker buildx ${version.split(/\s+/)[1] ?? ''}`.trim() }
}

async function podman(): Promise<Builder | undefined> {
  if (!which('podman')) return undefined
  const version = await probe('podman', ['--version'])
  return version ? { kind: 'podman', command: 'podman', version } : undefined
}

export async function detectBuilder(choice: BuilderChoice): Promise<Builder> {
  if (choice === 'docker') {
    const found = await dockerBuildx()
    if (found) return found
    throw new ActionError(
      '`builder: docker` needs docker with the buildx plugin, and `docker buildx version` did not answer.',
      {
        hint: 'run docker/setup-buildx-action before this step, or set `builder: podman`'
      }
    )
  }
  if (choice === 'podman') {
    const found = await podman()
    if (found) return found
    throw new ActionError('`builder: podman` but podman is not installed (or `podman --version` failed).', {
      hint: 'install podman (it is preinstalled on ubuntu-latest runners), or set `builder: docker`'
    })
  }
  // auto: the probes at once. buildx wins when a Docker daemon answers too: the CLI and its
  // plugin are often installed where no daemon runs (a container job, a machine with podman
  // only), and a build there would fail only after the credentials were fetched.
  const [docker, daemon, pod] = await Promise.all([
    dockerBuildx(),
    probe('docker', ['version', '--format', '{{.Server.Version}}']),
    podman()
  ])
  if (docker && daemon) return { ...docker, why: `auto: a Docker daemon (${daemon}) answers` }
  if (pod)
    return {
      ...pod,
      why: docker
        ? 'auto: docker buildx is installed, but no Docker daemon answers'
        : 'auto: docker buildx is not installed'
    }
  // No podman either: buildx may still reach a remote builder.
  if (docker) return { ...docker, why: 'auto: no Docker daemon answers and podman is not installed' }
  throw new ActionError('No image builder found: neither `docker buildx` nor `podman` is available on this runner.', {
    hint: 'run docker/setup-buildx-action before this step, or install podman'
  })
}
