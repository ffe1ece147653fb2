import { statSync } from 'node:fs'
import { delimiter, isAbsolute, join, resolve } from 'node:path'

// Finding an executable without starting anything: the one PATH search every action shares
// (git for bump-version, python and uv for publish-python, docker and podman for image builds).

function isExecutableFile(path: string): boolean {
  try {
    const info = statSync(path)
    return info.isFile() && (process.platform === 'win32' || (info.mode & 0o111) !== 0)
  } catch {
    return false
  }
}

/** The first executable named `command` on PATH (PATHEXT on Windows), or the path itself. */
export function which(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (isAbsolute(command) || command.includes('/') || command.includes('\\')) {
    const path = resolve(command)
    return isExecutableFile(path) ? path : undefined
  }
  // Windows runs only files with an extension from PATHEXT; an extensionless `git` there is a
  // shell script for other shells (scoop and MSYS put such shims on PATH).
  const extensions =
    process.platform === 'win32' && !/\.[^.\\/]+$/.test(command)
      ? (env['PATHEXT'] ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)
      : ['']
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    // A relative entry would resolve against wherever the process happens to be, e.g. inside the
    // checkout, where anyone who can open a pull request can put a file named git.
    if (!dir || !isAbsolute(dir)) continue
    for (const extension of extensions) {
      const candidate = join(dir, command + extension)
      if (isExecutableFile(candidate)) return candidate
    }
  }
  return undefined
}
