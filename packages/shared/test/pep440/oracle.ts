// Runs a Python oracle script from this folder with the repo's pinned .venv: one process per
// call, the whole corpus as JSON on stdin, the answers as JSON on stdout.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const VENV_PYTHON = fileURLToPath(new URL('../../../../.venv/bin/python', import.meta.url))

export function runOracle<T>(script: 'packaging_oracle.py' | 'uv_oracle.py', input: unknown): Promise<T> {
  if (!existsSync(VENV_PYTHON)) {
    return Promise.reject(
      new Error(`${VENV_PYTHON} is missing: run scripts/setup-python.sh to install the pinned packaging and uv`)
    )
  }
  return new Promise((resolve, reject) => {
    const child = spawn(VENV_PYTHON, [fileURLToPath(new URL(script, import.meta.url))], {
      stdio: ['pipe', 'pipe', 'pipe']
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${script} exited with ${code}: ${Buffer.concat(stderr).toString('utf8')}`))
        return
      }
      try {
        resolve(JSON.parse(Buffer.concat(stdout).toString('utf8')) as T)
      } catch (error) {
        reject(error)
      }
    })
    child.stdin.end(JSON.stringify(input))
  })
}
