import { stat, readdir } from 'node:fs/promises'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { authenticatedUrl, containsSecret, redact, registerSecret, resetSecretsForTests } from '../src/secrets.ts'
import { createPrivateDir, removePrivateDir, writeSecretFile } from '../src/private-files.ts'
import { captureStdout } from '../../../test/harness/stdout.ts'

const TOKEN = 'eyJ2ZXIiOjEsImlzdSI6MTcwMDAwMDAwMH0.tok+en/with=chars'

/** The values of the `::add-mask::` commands written so far, unescaped as the runner does. */
function maskedValues(written: string[]): string[] {
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('::add-mask::'))
    .map((line) => line.slice('::add-mask::'.length).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))
}

describe('secrets', () => {
  const written = captureStdout()
  beforeEach(() => resetSecretsForTests())

  it('masks the token and its URL-encoded and base64 forms', () => {
    registerSecret(TOKEN)
    expect(maskedValues(written)).toEqual([TOKEN, encodeURIComponent(TOKEN), Buffer.from(TOKEN).toString('base64')])
  })

  it('builds an authenticated URL and masks the whole URL and the Basic credential', () => {
    const url = authenticatedUrl(
      'https://acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python/simple/',
      'aws',
      TOKEN
    )
    expect(url).toBe(
      `https://aws:${encodeURIComponent(TOKEN)}@acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/python/simple/`
    )
    const masks = maskedValues(written)
    expect(masks).toContain(url)
    expect(masks).toContain(Buffer.from(`aws:${TOKEN}`).toString('base64'))
    expect(containsSecret(`pip install --index-url ${url}`)).toBe(true)
    expect(redact(`see ${url} now`)).toBe('see *** now')
    expect(redact(`raw ${TOKEN}`)).toBe('raw ***')
  })

  it('writes secret files 0600 inside a private 0700 directory, and removes them', async () => {
    process.env['RUNNER_TEMP'] = mkdtempSync(join(tmpdir(), 'runner-temp-'))
    const dir = await createPrivateDir('secret')
    expect(dir.startsWith(process.env['RUNNER_TEMP'])).toBe(true)
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    const file = await writeSecretFile(dir, 'index-url', TOKEN)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    await expect(writeSecretFile(dir, 'index-url', 'again')).rejects.toThrow(/EEXIST/)
    await removePrivateDir(dir)
    expect(await readdir(process.env['RUNNER_TEMP'])).toEqual([])
  })
})
