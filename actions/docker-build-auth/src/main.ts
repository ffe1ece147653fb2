import { existsSync, statSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { AwsSession } from '@release/shared/aws/client-config'
import { resolveAwsSessionInGroup } from '@release/shared/aws/credentials'
import {
  type BuildSpec,
  type SecretSource,
  buildArgs,
  loginArgs,
  pushArgs,
  unsupportedReason
} from '@release/shared/container/build-argv'
import { type Builder, detectBuilder } from '@release/shared/container/builder'
import { type DockerfileInfo, mountsOf } from '@release/shared/container/dockerfile'
import { getEcrAuthorization } from '@release/shared/container/ecr'
import { ecrLoginRegistries } from '@release/shared/container/image-ref'
import { ActionError, InputError } from '@release/shared/errors'
import { errorLine, runCommand } from '@release/shared/exec'
import { inputFile } from '@release/shared/paths'
import { createPrivateDir, removePrivateDir, writeSecretFile } from '@release/shared/private-files'
import { containsSecret } from '@release/shared/secrets'
import * as log from '@release/shared/workflow-commands'
import { buildFailureHint, readDockerfile, unusedCredentials } from './dockerfile-check.ts'
import { type IndexAccess, resolveIndexAccess } from './index-access.ts'
import type { Inputs } from './inputs.ts'
import { SECRET_DIR_PREFIX, STATE } from './state.ts'
import { type BuildResult, writeSummary } from './summary.ts'

const BUILD_ARG_WARNING = (name: string): string =>
  `mode: build-arg passes the index URL with its token as \`--build-arg ${name}\`: every RUN step after \`ARG ${name}\` records it in the image history, where anyone who can pull the image reads it (\`docker history --no-trunc\`), and it lands in the build cache. Use the default \`mode: secret\` (a BuildKit secret mount; see examples/docker/MIGRATION.md).`

export async function run(inputs: Inputs): Promise<void> {
  // Everything that can fail without credentials fails before any exist.
  const { dockerfile, builder, secretFiles } = await log.group('Check the build', async () => {
    const files = secretFilesOf(inputs)
    const [info, found] = await Promise.all([readDockerfile(inputs), detectBuilder(inputs.builder)])
    const unsupported = unsupportedReason(found.kind, inputs)
    if (unsupported) throw new ActionError(`${found.version} cannot run this build: ${unsupported}.`)
    log.info(`Builder: ${found.version}${found.why ? ` (${found.why})` : ''}`)
    log.info(`Dockerfile: ${inputs.file} (context ${inputs.context}); ${describeMounts(info, inputs)}`)
    return { dockerfile: info, builder: found, secretFiles: files }
  })
  if (inputs.mode === 'build-arg') log.warning(BUILD_ARG_WARNING(inputs.buildArgName))

  const session = inputs.credentials ? await resolveAwsSessionInGroup(inputs.credentials) : undefined
  const index = await log.group('Index credentials', async () => {
    const access = await resolveIndexAccess(inputs.index, session, inputs.credentials?.deadlineMs)
    log.info(
      `Index ${access.displayUrl}, credentials from ${access.source}${access.expiration ? `, valid until ${access.expiration.toISOString()}` : ''}`
    )
    return access
  })

  // The post run removes this directory if this run never gets to (cancelled, killed).
  const dir = await createPrivateDir(SECRET_DIR_PREFIX)
  log.saveState(STATE.secretDir, dir)
  try {
    if (inputs.ecrLogin) await log.group('ECR login', () => ecrLogin(inputs, builder, session as AwsSession))
    const result = await build(inputs, builder, dockerfile, index, dir, secretFiles)
    if (inputs.push && builder.kind === 'podman')
      result.digest = await log.group('Push', () => pushWithPodman(inputs.tags, dir))
    const metadata = result.metadata ?? podmanMetadata(result, inputs.tags)
    log.setOutput('image-id', result.imageId)
    log.setOutput('digest', result.digest ?? '')
    log.setOutput('tags', inputs.tags.join('\n'))
    log.setOutput('metadata', JSON.stringify(metadata))
    if (result.digest) log.info(`Pushed ${inputs.tags.join(', ')} as ${result.digest}`)
    const unused = unusedCredentials(dockerfile, inputs)
    if (unused) log.warning(unused)
    await writeSummary(inputs, builder, dockerfile, index, result)
  } finally {
    await removePrivateDir(dir)
  }
}

function describeMounts(info: DockerfileInfo, inputs: Inputs): string {
  if (inputs.mode === 'build-arg')
    return info.args.includes(inputs.buildArgName)
      ? `declares ARG ${inputs.buildArgName}`
      : `no ARG ${inputs.buildArgName}`
  const lines = mountsOf(info, inputs.secretId).map((mount) => mount.line)
  return lines.length > 0
    ? `secret \`${inputs.secretId}\` mounted by the RUN step(s) at line ${lines.join(', ')}`
    : `no RUN step mounts \`${inputs.secretId}\``
}

async function ecrLogin(inputs: Inputs, builder: Builder, session: AwsSession): Promise<void> {
  const auth = await getEcrAuthorization(session, inputs.credentials?.deadlineMs)
  const registries = ecrLoginRegistries(inputs.tags, inputs.ecrRegistries)
  // No ECR registry among the tags (e.g. only a private base image is pulled): the account's own.
  if (registries.length === 0 && auth.proxyEndpoint) registries.push(new URL(auth.proxyEndpoint).host)
  log.saveState(STATE.builder, builder.command)
  const done: string[] = []
  for (const registry of registries) {
    // The password travels on stdin: argv is readable by every process on the runner.
    const result = await runCommand(builder.command, loginArgs(registry, auth.username), {
      input: auth.password,
      ignoreReturnCode: true
    })
    if (result.exitCode !== 0) {
      throw new ActionError(
        `Logging in to ${registry} with the ECR token failed: ${errorLine(`${result.stdout}\n${result.stderr}`)}`,
        {
          hint: 'ecr-login logs in to the ECR registries the tags name (or those in `ecr-registry`); the role needs ecr:GetAuthorizationToken and the registry must be ECR in the same account and partition'
        }
      )
    }
    done.push(registry)
    // Saved after each login, so the post run logs out of exactly these.
    log.saveState(STATE.registries, JSON.stringify(done))
  }
  log.info(
    `Logged in to ${done.join(', ')}${auth.expiresAt ? ` (token valid until ${auth.expiresAt.toISOString()})` : ''}`
  )
}

/** The `secret-files`, confined to the workspace (or RUNNER_TEMP) and present, before any credential exists. */
function secretFilesOf(inputs: Inputs): SecretSource[] {
  return inputs.secretFiles.map(({ id, path }) => {
    const src = inputFile('secret-files', path, { runnerTemp: true })
    if (!existsSync(src) || !statSync(src).isFile())
      throw new InputError(
        'secret-files',
        `${id}: "${path}" is not a file`,
        'write it in an earlier step, or fix the path'
      )
    return { id, src }
  })
}

async function build(
  inputs: Inputs,
  builder: Builder,
  dockerfile: DockerfileInfo,
  index: IndexAccess,
  dir: string,
  secretFiles: readonly SecretSource[]
): Promise<BuildResult> {
  refuseSecretBuildArgs(inputs.buildArgs)
  // Every secret value the build reads goes into a 0600 file of the private directory, removed
  // once the builder has read it; files the workflow already has are passed by path.
  const written = [...(inputs.mode === 'secret' ? [{ id: inputs.secretId, value: index.url }] : []), ...inputs.secrets]
  const secretSources = [
    ...(await Promise.all(written.map(async ({ id, value }) => ({ id, src: await writeSecretFile(dir, id, value) })))),
    ...secretFiles
  ]
  // Provenance records the build arguments, and in build-arg mode one of them is the token.
  const provenance = inputs.mode === 'build-arg' && builder.kind === 'docker' ? 'false' : inputs.provenance
  if (provenance !== inputs.provenance)
    log.info('mode: build-arg: provenance is off (`--provenance=false`), since the attestation would record the token')
  const spec: BuildSpec = {
    context: inputs.context,
    file: inputs.file,
    tags: inputs.tags,
    buildArgs: inputs.buildArgs,
    envBuildArgs: inputs.mode === 'build-arg' ? [inputs.buildArgName] : [],
    labels: inputs.labels,
    target: inputs.target,
    platforms: inputs.platforms,
    secrets: secretSources,
    iidFile: join(dir, 'image-id'),
    metadataFile: builder.kind === 'docker' ? join(dir, 'metadata.json') : undefined,
    push: inputs.push,
    load: inputs.load,
    network: inputs.network,
    cacheFrom: inputs.cacheFrom,
    cacheTo: inputs.cacheTo,
    noCache: inputs.noCache,
    pull: inputs.pull,
    provenance,
    sbom: inputs.sbom
  }
  if (builder.kind === 'podman' && inputs.load)
    log.info('podman keeps every image in its local storage: `load` changes nothing')
  const started = Date.now()
  const result = await log.group(`Build with ${builder.command}`, async () => {
    try {
      // build-arg mode: `--build-arg NAME` without a value makes the builder read it from here.
      const env = {
        ...(inputs.mode === 'build-arg' ? { [inputs.buildArgName]: index.url } : {}),
        ...gitHubCacheEnv(builder, inputs)
      }
      return await runCommand(builder.command, buildArgs(builder.kind, spec), { env, ignoreReturnCode: true })
    } finally {
      // The builder has read them; nothing needs them any more.
      await Promise.all(secretSources.slice(0, written.length).map((secret) => rm(secret.src, { force: true })))
    }
  })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (result.exitCode !== 0) {
    throw new ActionError(
      `The image build failed after ${seconds} s: ${errorLine(`${result.stdout}\n${result.stderr}`)}`,
      {
        hint: buildFailureHint(dockerfile, inputs, builder.kind, `${result.stdout}\n${result.stderr}`)
      }
    )
  }
  const imageId = (await readFile(spec.iidFile, 'utf8')).trim()
  const metadata = spec.metadataFile ? await readMetadata(spec.metadataFile) : undefined
  const digest =
    inputs.push && typeof metadata?.['containerimage.digest'] === 'string'
      ? metadata['containerimage.digest']
      : undefined
  log.info(`Built ${imageId} in ${seconds} s`)
  return { imageId, digest, metadata, seconds: Number(seconds) }
}

/**
 * buildx's `type=gha` cache talks to the runner's cache service with the runner's token. Children
 * do not inherit it (they may run third-party code); buildx gets it by name, and hands it to
 * BuildKit as a cache attribute, out of reach of the RUN steps.
 */
function gitHubCacheEnv(builder: Builder, inputs: Inputs): Record<string, string> {
  const caches = [...inputs.cacheFrom, ...inputs.cacheTo]
  if (builder.kind !== 'docker' || !caches.some((cache) => /(^|,)type=gha(,|$)/.test(cache))) return {}
  const names = ['ACTIONS_CACHE_URL', 'ACTIONS_RESULTS_URL', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_CACHE_SERVICE_V2']
  return Object.fromEntries(names.flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])))
}

async function readMetadata(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
}

async function pushWithPodman(tags: readonly string[], dir: string): Promise<string> {
  const digests: string[] = []
  for (const [i, tag] of tags.entries()) {
    const digestFile = join(dir, `digest-${i}`)
    const result = await runCommand('podman', pushArgs(tag, digestFile), { ignoreReturnCode: true })
    if (result.exitCode !== 0) {
      throw new ActionError(`Pushing ${tag} failed: ${errorLine(`${result.stdout}\n${result.stderr}`)}`, {
        hint: /unauthorized|authentication required|denied/i.test(result.stderr)
          ? 'log in to the registry before this step (docker/login-action), or set `ecr-login: true` for ECR'
          : 'check the registry address in `tags` and that it is reachable from the runner'
      })
    }
    digests.push((await readFile(digestFile, 'utf8')).trim())
  }
  return digests[0] as string
}

/**
 * A build-arg lands in the image history and the provenance, so one that holds a secret (the
 * index password, the CodeArtifact token, a URL with either) is refused by name before the
 * build, rather than by the exec helper's generic argv check.
 */
function refuseSecretBuildArgs(buildArgs: readonly string[]): void {
  const leaking = buildArgs.find((pair) => containsSecret(pair))
  if (leaking === undefined) return
  throw new InputError(
    'build-args',
    `${leaking.slice(0, leaking.indexOf('='))} holds a secret, which a build-arg would write into the image history`,
    'pass index credentials through the secret this action mounts (`RUN --mount=type=secret,id=<secret-id>`), never as a build-arg'
  )
}

/** The same keys docker buildx writes with --metadata-file, so `metadata` reads alike. */
function podmanMetadata(result: BuildResult, tags: readonly string[]): Record<string, unknown> {
  return {
    'containerimage.config.digest': result.imageId,
    ...(result.digest ? { 'containerimage.digest': result.digest } : {}),
    ...(tags.length > 0 ? { 'image.name': tags.join(',') } : {})
  }
}
