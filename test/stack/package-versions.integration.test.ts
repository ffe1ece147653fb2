import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  CodeartifactClient,
  CopyPackageVersionsCommand,
  DisposePackageVersionsCommand,
  GetPackageVersionAssetCommand,
  ListPackageVersionAssetsCommand,
  UpdatePackageVersionsStatusCommand
} from '@aws-sdk/client-codeartifact'
import { type Stack, startStack } from './stack.ts'

// The stand-in's promotion and retirement calls through the real SDK: the shapes of the AWS API
// reference ({successfulVersions, failedVersions} with ALREADY_EXISTS, MISMATCHED_STATUS,
// NOT_FOUND, NOT_ALLOWED), its exceptions, and what each status does to what pypiserver serves.

let stack: Stack
let client: CodeartifactClient
const PACKAGE = 'acme-store'

beforeAll(async () => {
  stack = await startStack({ extraRepositories: [{ name: 'python-prod' }] })
  const c = await stack.ambientCredentials()
  client = new CodeartifactClient({
    region: stack.region,
    endpoint: stack.codeartifact.url,
    credentials: {
      accessKeyId: c.AWS_ACCESS_KEY_ID,
      secretAccessKey: c.AWS_SECRET_ACCESS_KEY,
      sessionToken: c.AWS_SESSION_TOKEN
    }
  })
  for (const version of ['1.0.0', '2.0.0', '3.0.0'])
    await writeFile(join(stack.pypiserver.packagesDir, `acme_store-${version}-py3-none-any.whl`), `wheel ${version}`)
}, 60_000)
afterAll(async () => {
  client?.destroy()
  await stack?.stop()
})

const where = { domain: 'acme', format: 'pypi' as const, package: PACKAGE }

async function served(repositoryIndex: string): Promise<string[]> {
  const auth = Buffer.from(`aws:${stack.token}`).toString('base64')
  const response = await fetch(`${repositoryIndex}${PACKAGE}/`, { headers: { authorization: `Basic ${auth}` } })
  return response.ok ? [...(await response.text()).matchAll(/>([^<]+)<\/a>/g)].map((m) => m[1] as string) : []
}

it('CopyPackageVersions copies the files into the destination index; a second copy is ALREADY_EXISTS, a missing one NOT_FOUND', async () => {
  const prod = stack.repositories.get('acme/python-prod')!
  const copy = () =>
    client.send(
      new CopyPackageVersionsCommand({
        ...where,
        sourceRepository: stack.repository,
        destinationRepository: 'python-prod',
        versions: ['1.0.0', '9.9.9']
      })
    )
  const first = await copy()
  expect(Object.keys(first.successfulVersions ?? {})).toEqual(['1.0.0'])
  expect(first.successfulVersions?.['1.0.0']?.status).toBe('Published')
  expect(first.failedVersions?.['9.9.9']?.errorCode).toBe('NOT_FOUND')
  expect(await served(prod.indexUrl)).toEqual(['acme_store-1.0.0-py3-none-any.whl'])
  const second = await copy()
  expect(second.failedVersions?.['1.0.0']?.errorCode).toBe('ALREADY_EXISTS')
})

it('assets: listed with their SHA-256 and served as bytes', async () => {
  const listed = await client.send(
    new ListPackageVersionAssetsCommand({ ...where, repository: stack.repository, packageVersion: '2.0.0' })
  )
  expect(listed.assets?.map((a) => [a.name, a.size])).toEqual([['acme_store-2.0.0-py3-none-any.whl', 11]])
  expect(listed.assets?.[0]?.hashes?.['SHA-256']).toMatch(/^[0-9a-f]{64}$/)
  const asset = await client.send(
    new GetPackageVersionAssetCommand({
      ...where,
      repository: stack.repository,
      packageVersion: '2.0.0',
      asset: 'acme_store-2.0.0-py3-none-any.whl'
    })
  )
  expect(Buffer.from(await asset.asset!.transformToByteArray()).toString()).toBe('wheel 2.0.0')
  expect(asset.assetName).toBe('acme_store-2.0.0-py3-none-any.whl')
  await expect(
    client.send(
      new ListPackageVersionAssetsCommand({ ...where, repository: stack.repository, packageVersion: '7.0.0' })
    )
  ).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
})

it('status changes honour expectedStatus, hide the files from pip, and Disposed is final', async () => {
  const update = (
    targetStatus: 'Published' | 'Unlisted' | 'Archived',
    expectedStatus?: 'Published' | 'Unlisted' | 'Archived'
  ) =>
    client.send(
      new UpdatePackageVersionsStatusCommand({
        ...where,
        repository: stack.repository,
        versions: ['2.0.0'],
        targetStatus,
        expectedStatus
      })
    )
  const mismatched = await update('Archived', 'Unlisted')
  expect(mismatched.failedVersions?.['2.0.0']?.errorCode).toBe('MISMATCHED_STATUS')
  expect(await served(stack.indexUrl)).toContain('acme_store-2.0.0-py3-none-any.whl')

  expect((await update('Unlisted', 'Published')).successfulVersions?.['2.0.0']?.status).toBe('Unlisted')
  expect(await served(stack.indexUrl)).not.toContain('acme_store-2.0.0-py3-none-any.whl')
  // Unlisted assets stay readable through the API.
  const asset = await client.send(
    new GetPackageVersionAssetCommand({
      ...where,
      repository: stack.repository,
      packageVersion: '2.0.0',
      asset: 'acme_store-2.0.0-py3-none-any.whl'
    })
  )
  expect(asset.assetName).toBe('acme_store-2.0.0-py3-none-any.whl')
  expect((await update('Archived', 'Unlisted')).successfulVersions?.['2.0.0']?.status).toBe('Archived')
  expect((await update('Published', 'Archived')).successfulVersions?.['2.0.0']?.status).toBe('Published')
  expect(await served(stack.indexUrl)).toContain('acme_store-2.0.0-py3-none-any.whl')

  const disposed = await client.send(
    new DisposePackageVersionsCommand({
      ...where,
      repository: stack.repository,
      versions: ['3.0.0'],
      expectedStatus: 'Published'
    })
  )
  expect(disposed.successfulVersions?.['3.0.0']?.status).toBe('Disposed')
  expect((await readdir(stack.pypiserver.packagesDir)).filter((f) => f.includes('3.0.0'))).toEqual([])
  const revived = await client.send(
    new UpdatePackageVersionsStatusCommand({
      ...where,
      repository: stack.repository,
      versions: ['3.0.0'],
      targetStatus: 'Published'
    })
  )
  expect(revived.failedVersions?.['3.0.0']?.errorCode).toBe('NOT_ALLOWED')
  await expect(
    client.send(
      new UpdatePackageVersionsStatusCommand({
        ...where,
        repository: stack.repository,
        versions: ['2.0.0'],
        targetStatus: 'Disposed' as 'Archived'
      })
    )
  ).rejects.toMatchObject({ name: 'ValidationException' })
})
