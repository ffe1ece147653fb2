// Inputs as the runner hands them to an action: one INPUT_<NAME> variable each, the name upper-
// cased with spaces as underscores (and dashes kept), which is how @actions/core and our
// packages/shared/src/inputs.ts read them back.

export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** The INPUT_* variables for `inputs`, to merge into a child's environment. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [inputVariable(name), value]))
}

/**
 * Replaces the inputs in process.env (for tests that call getInputs() in-process): removes
 * every variable with one of `clearPrefixes` (INPUT_ always), then sets `inputs`. Pair it with
 * restoreEnvAfterEach().
 */
export function setInputs(inputs: Record<string, string>, clearPrefixes: string[] = []): void {
  const prefixes = ['INPUT_', ...clearPrefixes]
  for (const key of Object.keys(process.env))
    if (prefixes.some((prefix) => key.startsWith(prefix))) delete process.env[key]
  Object.assign(process.env, inputEnv(inputs))
}

/** Registers an afterEach that puts process.env back as it was when this was called. */
export function restoreEnvAfterEach(): void {
  const saved = { ...process.env }
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  })
}
