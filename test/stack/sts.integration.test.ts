// GitHub OIDC -> STS through the trust-policy gate, with the real @actions/core getIDToken and
// the real @aws-sdk/client-sts, as the codeartifact-login action runs it.
import { createVerify } from 'node:crypto'
import { getIDToken } from '@actions/core'
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { startStack } from './stack.ts'
import type { Stack } from './stack.ts'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(() => stack?.stop())
afterEach(() => {
  stack.oidc.setClaims({ sub: 'repo:acme/widgets:ref:refs/tags/v1.0.0' })
  stack.stsGate.clearFaults()
})

const sts = (): STSClient =>
  new STSClient({ region: stack.region, endpoint: stack.env.AWS_ENDPOINT_URL_STS, maxAttempts: 1 })

/** What getIDToken does, without @actions/core printing ::add-mask:: lines into the test output. */
async function requestToken(audience: string, bearer = stack.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN): Promise<Response> {
  return fetch(`${stack.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent(audience)}`, {
    headers: { authorization: `Bearer ${bearer}` }
  })
}

async function tokenFor(audience = 'sts.amazonaws.com'): Promise<string> {
  return ((await (await requestToken(audience)).json()) as { value: string }).value
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
}

async function stsError(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } }
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode }
  }
  throw new Error('expected STS to refuse')
}

describe('OIDC fixture', () => {
  it('serves @actions/core getIDToken with a GitHub-shaped RS256 token', async () => {
    const saved = { url: process.env.ACTIONS_ID_TOKEN_REQUEST_URL, token: process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN }
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = stack.env.ACTIONS_ID_TOKEN_REQUEST_URL
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = stack.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
    // getIDToken prints ::add-mask:: and debug lines; keep them out of the test output.
    const write = process.stdout.write
    process.stdout.write = (() => true) as typeof process.stdout.write
    const before = stack.oidc.requestCount
    try {
      const jwt = await getIDToken('sts.amazonaws.com')
      const [header, payload, signature] = jwt.split('.') as [string, string, string]
      expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'RS256', typ: 'JWT' })
      expect(
        createVerify('RSA-SHA256')
          .update(`${header}.${payload}`)
          .verify(stack.oidc.publicKey, Buffer.from(signature, 'base64url'))
      ).toBe(true)
      const claims = claimsOf(jwt)
      expect(claims).toMatchObject({
        iss: 'https://token.actions.githubusercontent.com',
        aud: 'sts.amazonaws.com',
        sub: 'repo:acme/widgets:ref:refs/tags/v1.0.0',
        repository: 'acme/widgets',
        ref: 'refs/tags/v1.0.0'
      })
      expect(claims.exp).toBe((claims.iat as number) + 300)
      expect(typeof claims.jti).toBe('string')
      expect(stack.oidc.requestCount).toBe(before + 1)
    } finally {
      process.stdout.write = write
      process.env.ACTIONS_ID_TOKEN_REQUEST_URL = saved.url
      process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = saved.token
      if (saved.url === undefined) delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL
      if (saved.token === undefined) delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
    }
  })

  it('refuses a wrong bearer token with 401 and publishes its JWKS', async () => {
    expect((await requestToken('sts.amazonaws.com', 'wrong')).status).toBe(401)
    const jwks = (await (await fetch(`${stack.oidc.url}/.well-known/jwks`)).json()) as {
      keys: Array<Record<string, string>>
    }
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' })
  })
})

describe('AssumeRoleWithWebIdentity through the gate', () => {
  it('hands out moto session credentials that work for GetCallerIdentity', async () => {
    const out = await sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: stack.roleArn,
        RoleSessionName: 'gh-1',
        WebIdentityToken: await tokenFor()
      })
    )
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/)
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::111122223333:assumed-role/gh-publish/gh-1')
    const session = new STSClient({
      region: stack.region,
      endpoint: stack.env.AWS_ENDPOINT_URL_STS,
      credentials: {
        accessKeyId: out.Credentials!.AccessKeyId!,
        secretAccessKey: out.Credentials!.SecretAccessKey!,
        sessionToken: out.Credentials!.SessionToken!
      }
    })
    const me = await session.send(new GetCallerIdentityCommand({}))
    expect(me.Arn).toBe('arn:aws:sts::111122223333:assumed-role/gh-publish/gh-1')
    expect(stack.stsGate.log.slice(-2).map((e) => [e.action, e.status])).toEqual([
      ['AssumeRoleWithWebIdentity', 200],
      ['GetCallerIdentity', 200]
    ])
  })

  it('is found through AWS_ENDPOINT_URL_STS', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_STS
    process.env.AWS_ENDPOINT_URL_STS = stack.env.AWS_ENDPOINT_URL_STS
    try {
      const viaEnv = new STSClient({ region: stack.region })
      const out = await viaEnv.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: stack.roleArn,
          RoleSessionName: 'gh-env',
          WebIdentityToken: await tokenFor()
        })
      )
      expect(out.AssumedRoleUser?.Arn).toContain('gh-publish/gh-env')
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_STS
      else process.env.AWS_ENDPOINT_URL_STS = saved
    }
  })

  it('denies a token whose sub does not match the trust policy', async () => {
    stack.oidc.setClaims({ sub: 'repo:evil/widgets:ref:refs/heads/main' })
    const error = await stsError(
      sts().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: stack.roleArn,
          RoleSessionName: 'gh-2',
          WebIdentityToken: await tokenFor()
        })
      )
    )
    expect(error).toEqual({
      name: 'AccessDenied',
      message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
      status: 403
    })
    expect(stack.stsGate.log.at(-1)).toMatchObject({
      action: 'AssumeRoleWithWebIdentity',
      status: 403,
      error: 'AccessDenied'
    })
  })

  it('denies the wrong audience, and follows per-role trust policies', async () => {
    const wrongAud = await stsError(
      sts().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: stack.roleArn,
          RoleSessionName: 'gh-3',
          WebIdentityToken: await tokenFor('https://github.com/acme')
        })
      )
    )
    expect(wrongAud.name).toBe('AccessDenied')
    const branchRole = 'arn:aws:iam::111122223333:role/main-only'
    stack.stsGate.setTrustPolicy(branchRole, {
      conditions: { aud: 'sts.amazonaws.com', sub: 'repo:acme/widgets:ref:refs/heads/main' }
    })
    expect(
      (
        await stsError(
          sts().send(
            new AssumeRoleWithWebIdentityCommand({
              RoleArn: branchRole,
              RoleSessionName: 'gh-4',
              WebIdentityToken: await tokenFor()
            })
          )
        )
      ).name
    ).toBe('AccessDenied')
    stack.oidc.setClaims({ sub: 'repo:acme/widgets:ref:refs/heads/main' })
    const ok = await sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: branchRole,
        RoleSessionName: 'gh-5',
        WebIdentityToken: await tokenFor()
      })
    )
    expect(ok.AssumedRoleUser?.Arn).toContain('assumed-role/main-only/gh-5')
  })

  it('rejects forged and expired tokens like STS does', async () => {
    const good = await tokenFor()
    const [h] = good.split('.')
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claimsOf(good), sub: 'repo:acme/widgets:ref:refs/heads/x' })).toString('base64url')}.${good.split('.')[2]}`
    const bad = await stsError(
      sts().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: stack.roleArn,
          RoleSessionName: 'gh-6',
          WebIdentityToken: forged
        })
      )
    )
    // The wire code is InvalidIdentityToken; the SDK maps it to the modeled exception's name.
    expect(bad).toMatchObject({ name: 'InvalidIdentityTokenException', status: 400 })
    const expired = stack.oidc.mint({ aud: 'sts.amazonaws.com', exp: Math.floor(Date.now() / 1000) - 10 })
    const late = await stsError(
      sts().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: stack.roleArn,
          RoleSessionName: 'gh-7',
          WebIdentityToken: expired
        })
      )
    )
    expect(late).toMatchObject({ name: 'ExpiredTokenException', status: 400 })
    const foreign = stack.oidc.mint({ aud: 'sts.amazonaws.com', iss: 'https://gitlab.example' })
    expect(
      (
        await stsError(
          sts().send(
            new AssumeRoleWithWebIdentityCommand({
              RoleArn: stack.roleArn,
              RoleSessionName: 'gh-8',
              WebIdentityToken: foreign
            })
          )
        )
      ).name
    ).toBe('InvalidIdentityTokenException')
  })

  it('refuses a session longer than the role allows, and injects faults', async () => {
    const long = await stsError(
      sts().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: stack.roleArn,
          RoleSessionName: 'gh-9',
          WebIdentityToken: await tokenFor(),
          DurationSeconds: 7200
        })
      )
    )
    expect(long).toMatchObject({ name: 'ValidationError', status: 400 })
    stack.stsGate.injectFaults([{ status: 400, code: 'Throttling', message: 'Rate exceeded' }])
    const throttled = await stsError(
      sts().send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: stack.roleArn,
          RoleSessionName: 'gh-10',
          WebIdentityToken: await tokenFor()
        })
      )
    )
    expect(throttled).toMatchObject({ name: 'Throttling', status: 400 })
    // Consumed: the next call goes through.
    await sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: stack.roleArn,
        RoleSessionName: 'gh-11',
        WebIdentityToken: await tokenFor()
      })
    )
  })
})
