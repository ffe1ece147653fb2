// moto in server mode: the real STS (AssumeRoleWithWebIdentity, AssumeRole,
// GetCallerIdentity) and ECR the actions talk to. It does not check signatures or trust
// policies; sts-gate.ts adds the trust-policy check in front of it.
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startService } from './service-process.ts'

export interface SessionCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  accountId: string
  /** The assumed-role ARN, e.g. arn:aws:sts::111122223333:assumed-role/gh-publish/session. */
  arn: string
}

export interface MotoServer {
  readonly url: string
  readonly port: number
  readonly pid: number
  /** Session credentials moto handed out (AssumeRole*), by access key id, from /moto-api/data.json. */
  sessionCredentials(): Promise<Map<string, SessionCredentials>>
  output(): string
  stop(): Promise<void>
}

interface MotoAssumedRole {
  access_key_id: string
  secret_access_key: string
  session_token: string
  account_id: string
  arn: string
}

export async function startMoto(): Promise<MotoServer> {
  // moto may write state files into its working directory; keep them out of the repo.
  const dir = await mkdtemp(join(tmpdir(), 'stack-moto-'))
  const service = await startService({
    name: 'moto',
    script: 'moto_server',
    dir,
    readyPath: '/moto-api/',
    args: (port) => ['-H', '127.0.0.1', '-p', String(port)]
  })
  return {
    url: service.url,
    port: service.port,
    pid: service.pid,
    async sessionCredentials() {
      const res = await fetch(`${service.url}/moto-api/data.json`)
      if (!res.ok) throw new Error(`moto data.json answered ${res.status}`)
      const data = (await res.json()) as { sts?: { AssumedRole?: MotoAssumedRole[] } }
      const byKey = new Map<string, SessionCredentials>()
      for (const role of data.sts?.AssumedRole ?? []) {
        byKey.set(role.access_key_id, {
          accessKeyId: role.access_key_id,
          secretAccessKey: role.secret_access_key,
          sessionToken: role.session_token,
          accountId: role.account_id,
          arn: role.arn
        })
      }
      return byKey
    },
    output: service.output,
    stop: service.stop
  }
}
