import { readFile } from 'node:fs/promises'
import type { BuilderKind } from '@release/shared/container/build-argv'
import { type DockerfileInfo, analyseDockerfile, mountsOf } from '@release/shared/container/dockerfile'
import { ActionError } from '@release/shared/errors'
import { inputDirectory, inputFile } from '@release/shared/paths'
import type { Inputs } from './inputs.ts'

// What the Dockerfile says about the credentials, read before any credentials exist: a missing
// file fails at once, and a Dockerfile that never mounts the secret gets a warning (the build
// would run without them) and a hint when the build then fails.

export async function readDockerfile(inputs: Pick<Inputs, 'context' | 'file'>): Promise<DockerfileInfo> {
  // Both are sent to the builder: the whole context directory, and the Dockerfile's text.
  inputDirectory(
    'context',
    inputs.context,
    'the directory to build, relative to the workspace, and check the repository out first'
  )
  const file = inputFile('file', inputs.file)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ActionError(`Dockerfile not found: \`${inputs.file}\`${code === 'ENOENT' ? '' : ` (${code})`}.`, {
      hint: 'set `file` to the Dockerfile’s path relative to the workspace (the default is `<context>/Dockerfile`)',
      cause: error
    })
  }
  return analyseDockerfile(text)
}

/** The RUN line that makes the credentials usable, for messages and the summary. */
export function mountExample(inputs: Pick<Inputs, 'mode' | 'secretId' | 'buildArgName'>): string {
  if (inputs.mode === 'build-arg') return `ARG ${inputs.buildArgName}`
  return `RUN --mount=type=secret,id=${inputs.secretId} PIP_INDEX_URL="$(cat /run/secrets/${inputs.secretId})" pip install ...`
}

/** Why the build will not see the credentials, or undefined when it will. */
export function unusedCredentials(
  info: DockerfileInfo,
  inputs: Pick<Inputs, 'mode' | 'secretId' | 'buildArgName' | 'file'>
): string | undefined {
  if (inputs.mode === 'build-arg') {
    if (info.args.includes(inputs.buildArgName)) return undefined
    return `The Dockerfile \`${inputs.file}\` never declares \`ARG ${inputs.buildArgName}\`, so the build did not use the index credentials.`
  }
  if (mountsOf(info, inputs.secretId).length > 0) return undefined
  const others = [...new Set(info.secretMounts.map((mount) => mount.id))]
  return (
    `The Dockerfile \`${inputs.file}\` never mounts the secret \`${inputs.secretId}\`, so the build did not use the index credentials` +
    (others.length > 0
      ? ` (it mounts ${others.map((id) => `\`${id}\``).join(', ')}: set \`secret-id\` to match).`
      : '.') +
    ` Mount it in the RUN steps that install private packages: \`${mountExample(inputs)}\`.`
  )
}

/**
 * The fix to suggest when the build failed: from what the builder said it cannot do (an older
 * BuildKit, such as the one inside dockerd 20.10, refuses some requests at once), then from what
 * the Dockerfile does.
 */
export function buildFailureHint(
  info: DockerfileInfo,
  inputs: Pick<Inputs, 'mode' | 'secretId' | 'buildArgName' | 'file'>,
  builder: BuilderKind,
  output = ''
): string {
  if (/Attestation is not supported/i.test(output))
    return "this builder (buildx's docker driver) writes no attestations: leave `provenance` empty or `false` and `sbom` empty, or build with a docker-container builder (docker/setup-buildx-action) or a daemon with the containerd image store"
  if (/multiple outputs currently unsupported/i.test(output))
    return 'this BuildKit (before 0.13) takes one output: drop `load: true` when pushing (with the docker driver a pushed image is in the daemon already), or upgrade the daemon'
  if (unusedCredentials(info, inputs)) {
    return inputs.mode === 'build-arg'
      ? `the Dockerfile never declares \`ARG ${inputs.buildArgName}\`, so no step saw the index credentials`
      : `the Dockerfile never mounts the secret \`${inputs.secretId}\`, so no step could fetch private packages: \`${mountExample(inputs)}\``
  }
  if (inputs.mode === 'secret' && mountsOf(info, inputs.secretId).some((mount) => mount.env)) {
    if (builder === 'podman')
      return `podman does not support \`env=\` on secret mounts (a BuildKit Dockerfile 1.10 feature); read the file instead: \`${mountExample(inputs)}\``
    if (/unexpected key 'env'/.test(output))
      return `this builder's Dockerfile frontend is older than 1.10, which added \`env=\` on secret mounts: read the file instead (\`${mountExample(inputs)}\`), or add \`# syntax=docker/dockerfile:1.10\` as the Dockerfile's first line where the builder can pull that frontend`
  }
  return 'the build output above names the step that failed'
}
