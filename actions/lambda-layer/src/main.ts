// requirements -> pip (wheels for the Lambda runtime, from the index) -> the layer's files
// (size against Lambda's quota) -> a deterministic zip -> optionally a layer version, reused
// when the latest one already holds the same zip.
import { createHash } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { basename, dirname, join, relative } from 'node:path'
import { resolveAwsSessionInGroup } from '@release/shared/aws/credentials'
import { CODEARTIFACT_USERNAME } from '@release/shared/aws/names'
import { ActionError, InputError } from '@release/shared/errors'
import { runCommand } from '@release/shared/exec'
import { inputFile, workspaceRoot } from '@release/shared/paths'
import { createPrivateDir, removePrivateDir } from '@release/shared/private-files'
import { listProjectFiles } from '@release/shared/python/simple-index'
import { resolveToolchain } from '@release/shared/python/toolchain'
import { authenticatedUrl } from '@release/shared/secrets'
import { writeJobSummary } from '@release/shared/summary'
import * as log from '@release/shared/workflow-commands'
import { type Inputs, checkRequirementsText, platformTags, runtimeId } from './inputs.ts'
import { type LayerContents, largestTopLevel, sizeText, scanLayer, writeLayerZip } from './layer-zip.ts'
import { pipEnv, pipFailure, pipInstallArgs, projectOf, unresolvedRequirement } from './pip.ts'
import { pipfileLockRequirements } from './pipfile-lock.ts'
import type { PublishResult } from './publish.ts'

/**
 * Lambda's quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
 * a function and all its layers unzip to at most 250 MB; a zip sent in the PublishLayerVersion
 * request itself (ZipFile) is at most 50 MB, larger ones go through S3.
 */
export const UNZIPPED_LIMIT = 262_144_000
export const DIRECT_UPLOAD_LIMIT = 52_428_800

interface Requirements {
  /** What pip reads (the file as given, or the specifiers one a line). */
  text: string
  specifiers: string[]
  /** Where they came from, for logs and the summary. */
  source: string
  sha256: string
}

async function readRequirements(inputs: Inputs): Promise<Requirements> {
  const given = inputs.requirements
  let text: string
  let source = '`packages`'
  if (given.kind === 'file') {
    const path = inputFile('requirements', given.path)
    if (!existsSync(path) || !statSync(path).isFile())
      throw new InputError(
        'requirements',
        `"${given.path}" is not a file`,
        'use the path of a requirements file in the workspace'
      )
    if (basename(path) === 'Pipfile')
      throw new InputError(
        'requirements',
        `"${given.path}" is a Pipfile, which only pipenv resolves`,
        'run `pipenv lock` and pass the Pipfile.lock beside it (its versions and sha256 are then what the layer holds)'
      )
    text = await readFile(path, 'utf8')
    if (basename(path) === 'Pipfile.lock') text = pipfileLockRequirements(text, 'requirements')
    source = relative(workspaceRoot(), path) || path
  } else text = `${given.specifiers.join('\n')}\n`
  const specifiers = checkRequirementsText(text, given.input)
  return { text, specifiers, source, sha256: createHash('sha256').update(text).digest('hex') }
}

function sizeError(contents: LayerContents): ActionError {
  const largest = largestTopLevel(contents.files)
    .map((entry) => `${entry.name} ${sizeText(entry.size)}`)
    .join(', ')
  return new ActionError(
    `The layer unzips to ${sizeText(contents.size)} (${contents.size} bytes), over Lambda's limit of 250 MB (${UNZIPPED_LIMIT} bytes) for a function and all its layers. Largest: ${largest}.`,
    {
      hint: 'leave out what the runtime already has (boto3, botocore), split the requirements into layers of functions that need them, or ship the function as a container image (up to 10 GB)'
    }
  )
}

export async function run(inputs: Inputs): Promise<void> {
  const runtime = runtimeId(inputs.pythonVersion)
  const target = `${runtime} on ${inputs.architecture}`
  const output = inputFile('output', inputs.output)
  const work = await createPrivateDir('lambda-layer')
  try {
    const requirements = await readRequirements(inputs)
    const indexUrl =
      inputs.index.kind === 'codeartifact-login'
        ? authenticatedUrl(inputs.index.indexUrl, CODEARTIFACT_USERNAME, inputs.index.token)
        : inputs.index.indexUrl
    const installDir = join(work, 'python')
    const requirementsFile = join(work, 'requirements.txt')
    await writeFile(requirementsFile, requirements.text, { mode: 0o600 })

    const contents = await log.group(`pip: wheels for ${target}`, async () => {
      log.info(
        `${requirements.specifiers.length} requirements from ${requirements.source} (sha256 ${requirements.sha256})`
      )
      log.info(
        `Index: ${inputs.index.indexUrl} (${inputs.index.kind === 'codeartifact-login' ? 'the token codeartifact-login left in the job' : '`index-url`'})`
      )
      log.info(`Platforms: ${platformTags(inputs.pythonVersion, inputs.architecture).join(', ')}; wheels only`)
      const toolchain = await resolveToolchain(inputs.python, { twine: false })
      if (!toolchain.pip)
        throw new ActionError(`pip is not installed in ${toolchain.python}.`, {
          hint: 'run actions/setup-python before this step, or point `python` at an interpreter with pip'
        })
      warnIfMarkersMisjudged(requirements.specifiers, toolchain.pythonVersion, inputs.pythonVersion)
      const started = Date.now()
      const args = ['-m', 'pip', ...pipInstallArgs({ target: installDir, requirementsFile, ...inputs })]
      const result = await runCommand(toolchain.python, args, {
        env: pipEnv(indexUrl),
        cwd: work,
        ignoreReturnCode: true,
        timeoutMs: inputs.pipTimeoutMs
      })
      if (result.timedOut)
        throw new ActionError(
          `pip ran longer than ${Math.round(inputs.pipTimeoutMs / 60_000)} minutes and was stopped.`,
          {
            hint: 'check that the index answers (the log above shows where pip was), or raise `pip-timeout-minutes`'
          }
        )
      if (result.exitCode !== 0) {
        const pipOutput = `${result.stdout}\n${result.stderr}`
        const requirement = unresolvedRequirement(pipOutput)
        const available = requirement ? await indexFiles(inputs, projectOf(requirement)) : undefined
        throw pipFailure(pipOutput, inputs, available)
      }
      log.info(`pip finished in ${((Date.now() - started) / 1000).toFixed(1)} s`)
      const scanned = await scanLayer(installDir)
      if (scanned.dropped.length > 0) log.info(`Left out: ${scanned.dropped.join(', ')}`)
      log.info(
        `${scanned.files.length} files, ${sizeText(scanned.size)} unzipped (Lambda's limit: 250 MB with the function); largest: ${largestTopLevel(
          scanned.files,
          3
        )
          .map((entry) => `${entry.name} ${sizeText(entry.size)}`)
          .join(', ')}`
      )
      return scanned
    })
    if (contents.files.length === 0)
      throw new ActionError('pip installed nothing: the layer would be empty.', { hint: 'check the requirements' })
    if (contents.size > UNZIPPED_LIMIT) throw sizeError(contents)

    const zip = await log.group(`Zip: ${relative(workspaceRoot(), output) || output}`, async () => {
      const started = Date.now()
      await mkdir(dirname(output), { recursive: true })
      const written = await writeLayerZip(contents.files, output)
      log.info(
        `${output}: ${sizeText(written.size)} (${written.size} bytes), sha256 ${written.sha256}, in ${((Date.now() - started) / 1000).toFixed(1)} s`
      )
      return { ...written, path: output }
    })
    log.setOutput('zip-path', zip.path)
    log.setOutput('zip-sha256', zip.sha256)
    log.setOutput('zip-size', String(zip.size))
    log.setOutput('unzipped-size', String(contents.size))

    let published: PublishResult | undefined
    const publish = inputs.publish
    if (publish) {
      if (zip.size > DIRECT_UPLOAD_LIMIT && !publish.s3Bucket)
        throw new ActionError(
          `The zip is ${sizeText(zip.size)} (${zip.size} bytes): PublishLayerVersion takes at most 50 MB (${DIRECT_UPLOAD_LIMIT} bytes) in the request; nothing was published.`,
          {
            hint: 'set `s3-bucket` (a bucket in the same region) so the zip goes through S3, which allows up to the 250 MB unzipped limit'
          }
        )
      const session = await resolveAwsSessionInGroup(publish.credentials)
      const { publishLayer } = await import('./publish.ts')
      published = await log.group(`Publish layer ${publish.layerName}`, () =>
        publishLayer(
          session,
          {
            layerName: publish.layerName,
            runtime,
            architecture: inputs.architecture,
            description:
              publish.description ??
              `${runtime} ${inputs.architecture}; requirements sha256 ${requirements.sha256}; zip sha256 ${zip.sha256}`,
            s3Bucket: publish.s3Bucket,
            s3KeyPrefix: publish.s3KeyPrefix
          },
          zip,
          publish.credentials.deadlineMs ?? 60_000
        )
      )
    }
    log.setOutput('layer-version-arn', published?.layerVersionArn ?? '')
    log.setOutput('layer-version', published ? String(published.version) : '')
    log.setOutput('published', String(published?.published ?? false))

    await writeJobSummary(`Lambda layer for ${target}`, [
      {
        table: {
          header: ['', ''],
          rows: [
            [
              'Requirements',
              `${requirements.source}: ${requirements.specifiers.length} (sha256 \`${requirements.sha256}\`)`
            ],
            ['Index', inputs.index.indexUrl],
            [
              'Zip',
              `\`${relative(workspaceRoot(), zip.path) || zip.path}\`, ${sizeText(zip.size)}, sha256 \`${zip.sha256}\``
            ],
            ['Unzipped', `${sizeText(contents.size)} of Lambda's 250 MB (function and layers together)`],
            [
              'Largest',
              largestTopLevel(contents.files, 5)
                .map((entry) => `${entry.name} ${sizeText(entry.size)}`)
                .join(', ')
            ],
            [
              'Layer version',
              !publish
                ? 'not published (no `layer-name`)'
                : published?.published
                  ? `published \`${published.layerVersionArn}\`${published.s3Uri ? ` from ${published.s3Uri}` : ''}`
                  : `reused \`${published?.layerVersionArn}\` (same zip, nothing published)`
            ]
          ]
        }
      },
      ...(published
        ? [
            {
              heading: 'Use it',
              code: {
                lang: 'sh',
                lines: [
                  `aws lambda update-function-configuration --function-name <function> --layers ${published.layerVersionArn}`
                ]
              }
            }
          ]
        : [])
    ])
  } finally {
    await removePrivateDir(work)
  }
}

/**
 * pip evaluates environment markers for the Python it runs on; `--python-version` does not
 * change that. On another minor version than the runtime's, a `; python_version < "3.12"`
 * requirement is taken or left out as that Python would, not as the runtime would.
 */
function warnIfMarkersMisjudged(specifiers: readonly string[], runnerVersion: string, runtimeVersion: string): void {
  const runner = runnerVersion.split('.').slice(0, 2).join('.')
  if (runner === runtimeVersion || !specifiers.some((specifier) => specifier.includes(';'))) return
  log.warning(
    `The requirements have environment markers, which pip evaluates for the Python it runs on (${runner}), not for the layer's python${runtimeVersion}: run this step on Python ${runtimeVersion} (actions/setup-python) so the layer holds what the runtime would install.`
  )
}

/** The files the index lists for `project`, for the error line; undefined when it cannot be read. */
async function indexFiles(inputs: Inputs, project: string): Promise<string[] | undefined> {
  const credentials =
    inputs.index.kind === 'codeartifact-login'
      ? { username: CODEARTIFACT_USERNAME, password: inputs.index.token }
      : undefined
  try {
    const files = await listProjectFiles(inputs.index.indexUrl, project, {
      credentials,
      deadlineMs: 10_000,
      attempts: 1
    })
    return (files ?? []).map((file) => file.filename).sort()
  } catch {
    return undefined
  }
}
