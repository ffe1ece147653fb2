import { setSecret } from './workflow-commands.ts'

// Every secret this process holds is registered here the moment it exists. Registration
// masks it (and each printable form derived from it) in the runner log, and lets the exec
// and summary helpers refuse or redact it on the other channels. The mask is written with the
// light workflow-commands module, not @actions/core, so that every action importing exec.ts
// does not also load the toolkit's HTTP stack.
const secrets = new Set<string>()

function mask(value: string): void {
  if (!value || secrets.has(value)) return
  secrets.add(value)
  setSecret(value)
}

/** Masks a secret and the forms it takes when printed inside URLs and HTTP headers. */
export function registerSecret(value: string): void {
  mask(value)
  mask(encodeURIComponent(value))
  mask(Buffer.from(value).toString('base64'))
}

/** `https://user:password@host/path` with the password (and the whole URL) masked. */
export function authenticatedUrl(url: string, username: string, password: string): string {
  registerSecret(password)
  const withCredentials = new URL(url)
  withCredentials.username = encodeURIComponent(username)
  withCredentials.password = encodeURIComponent(password)
  const text = withCredentials.toString()
  mask(text)
  mask(Buffer.from(`${username}:${password}`).toString('base64'))
  return text
}

export function registeredSecrets(): readonly string[] {
  return [...secrets]
}

export function containsSecret(text: string): boolean {
  for (const secret of secrets) if (text.includes(secret)) return true
  return false
}

/** Replaces every registered secret with `***`, longest first so derived forms go whole. */
export function redact(text: string, options: { minLength?: number } = {}): string {
  let result = text
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= (options.minLength ?? 1)) result = result.split(secret).join('***')
  }
  return result
}

/** Forgets registered secrets: for tests only; the runner keeps its masks regardless. */
export function resetSecretsForTests(): void {
  secrets.clear()
}
