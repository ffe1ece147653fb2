import type { Builder } from '@release/shared/container/builder'
import { type DockerfileInfo, mountsOf } from '@release/shared/container/dockerfile'
import { writeJobSummary } from '@release/shared/summary'
import { mountExample } from './dockerfile-check.ts'
import type { IndexAccess } from './index-access.ts'
import type { Inputs } from './inputs.ts'

export interface BuildResult {
  imageId: string
  /** The manifest digest in the registry, when pushed. */
  digest?: string
  /** docker buildx's --metadata-file content. */
  metadata?: Record<string, unknown>
  seconds: number
}

function credentialsRow(inputs: Inputs, dockerfile: DockerfileInfo): string {
  if (inputs.mode === 'build-arg') {
    return `**build-arg \`${inputs.buildArgName}\` (legacy): the token is in the image history**; switch to \`mode: secret\``
  }
  const lines = mountsOf(dockerfile, inputs.secretId).map((mount) => mount.line)
  return lines.length > 0
    ? `BuildKit secret \`${inputs.secretId}\`, mounted at line ${lines.join(', ')} of \`${inputs.file}\`; the file was removed after the build`
    : `BuildKit secret \`${inputs.secretId}\`, **never mounted by \`${inputs.file}\`**: the build did not use it`
}

export async function writeSummary(
  inputs: Inputs,
  builder: Builder,
  dockerfile: DockerfileInfo,
  index: IndexAccess,
  result: BuildResult
): Promise<void> {
  const image = inputs.tags.length > 0 ? inputs.tags.map((tag) => `\`${tag}\``).join('<br>') : '(no tags)'
  await writeJobSummary('Image build', [
    {
      table: {
        header: ['', ''],
        rows: [
          ['Image', image],
          ['Image ID', `\`${result.imageId}\``],
          [
            'Digest',
            result.digest ? `\`${result.digest}\` (pushed)` : inputs.push ? 'pushed, digest unknown' : 'not pushed'
          ],
          ['Builder', `${builder.version}, ${result.seconds} s`],
          ['Index', `${index.displayUrl} (credentials from ${index.source})`],
          ['Credentials in the build', credentialsRow(inputs, dockerfile)]
        ]
      }
    },
    {
      heading: 'How the Dockerfile uses the index',
      text:
        inputs.mode === 'secret'
          ? `Mount the secret \`${inputs.secretId}\` in each RUN step that installs private packages; the file holds the full simple-index URL with the token:`
          : `Legacy mode: \`ARG ${inputs.buildArgName}\` receives the URL with the token. Move to a secret mount:`,
      code: {
        lang: 'dockerfile',
        lines:
          inputs.mode === 'secret'
            ? [mountExample(inputs)]
            : [
                `RUN --mount=type=secret,id=pip_index_url PIP_INDEX_URL="$(cat /run/secrets/pip_index_url)" pip install ...`
              ]
      }
    }
  ])
}
