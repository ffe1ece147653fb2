// Just enough of the Dockerfile grammar to answer the two questions the build action asks
// before it hands credentials to a build: does any RUN step mount the secret (else the build
// cannot use them), and is a given ARG declared (the legacy build-arg mode). It follows the
// reference's rules for the escape directive, line continuations and comment lines, and reads
// `RUN --mount=` options as BuildKit does (csv key=value; a secret's id defaults to the base
// name of its target).

export interface SecretMount {
  id: string
  /** Where the file appears; BuildKit's default is /run/secrets/<id>. */
  target?: string
  /** `env=NAME`: the secret as an environment variable (Dockerfile frontend 1.10+). */
  env?: string
  /** 1-based line of the RUN instruction. */
  line: number
}

export interface DockerfileInfo {
  secretMounts: SecretMount[]
  /** Names declared by ARG instructions, in any stage. */
  args: string[]
  /** 1-based line numbers of every instruction, by keyword (upper-cased). */
  instructions: Array<{ keyword: string; line: number }>
}

interface LogicalLine {
  text: string
  line: number
}

function escapeCharacter(lines: readonly string[]): string {
  // Parser directives sit at the very top, before any comment that is not a directive.
  for (const line of lines) {
    const directive = /^\s*#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(line)
    if (!directive) break
    if ((directive[1] as string).toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\'))
      return directive[2]
  }
  return '\\'
}

function logicalLines(text: string): LogicalLine[] {
  const lines = text.split(/\r?\n/)
  const escape = escapeCharacter(lines)
  const result: LogicalLine[] = []
  let current: LogicalLine | undefined
  lines.forEach((raw, index) => {
    const trimmed = raw.trim()
    // Comment and empty lines are dropped, even in the middle of a continued instruction.
    if (trimmed.startsWith('#') || (current && trimmed === '')) return
    const continued = raw.trimEnd().endsWith(escape)
    const body = continued ? raw.trimEnd().slice(0, -1) : raw
    if (current) current.text += ' ' + body.trim()
    else if (trimmed) current = { text: body.trim(), line: index + 1 }
    if (!continued && current) {
      result.push(current)
      current = undefined
    }
  })
  if (current) result.push(current)
  return result
}

function mountOptions(value: string): Map<string, string> {
  const options = new Map<string, string>()
  for (const field of value.split(',')) {
    const at = field.indexOf('=')
    const key = (at < 0 ? field : field.slice(0, at)).trim().toLowerCase()
    const optionValue =
      at < 0
        ? 'true'
        : field
            .slice(at + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1')
    if (key) options.set(key, optionValue)
  }
  return options
}

function secretMount(value: string, line: number): SecretMount | undefined {
  const options = mountOptions(value)
  if (options.get('type') !== 'secret') return undefined
  const target = options.get('target') ?? options.get('dst') ?? options.get('destination')
  const id = options.get('id') || (target ? target.split('/').filter(Boolean).pop() : undefined)
  if (!id) return undefined
  return { id, target, env: options.get('env'), line }
}

export function analyseDockerfile(text: string): DockerfileInfo {
  const info: DockerfileInfo = { secretMounts: [], args: [], instructions: [] }
  for (const { text: instruction, line } of logicalLines(text)) {
    const words = instruction.split(/\s+/)
    const keyword = (words[0] ?? '').toUpperCase()
    info.instructions.push({ keyword, line })
    if (keyword === 'RUN') {
      // Flags come first; the command starts at the first word that is not one.
      for (const word of words.slice(1)) {
        if (!word.startsWith('--')) break
        const mount = /^--mount=(.*)$/.exec(word)
        const secret = mount ? secretMount(mount[1] as string, line) : undefined
        if (secret) info.secretMounts.push(secret)
      }
    } else if (keyword === 'ARG') {
      for (const word of words.slice(1)) {
        const name = word.split('=')[0]
        if (name) info.args.push(name)
      }
    }
  }
  return info
}

/** The RUN steps that mount secret `id`. */
export function mountsOf(info: DockerfileInfo, id: string): SecretMount[] {
  return info.secretMounts.filter((mount) => mount.id === id)
}
