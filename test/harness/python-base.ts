// The offline stand-in for `python:3.12-slim`, the base of the example Dockerfiles: a Debian
// rootfs with python3, pip, venv and uv, made by debootstrap from the Debian mirror this machine
// reaches (no image registry on the internet is), then imported into docker or podman.
//
// debootstrap takes minutes, so the rootfs tarball is cached outside the repository
// (~/.cache/pyrelease-python-base, or PYTHON_BASE_CACHE_DIR), named by a hash of everything that
// went into it; a change to the recipe or to uv makes a new one.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { VENV_BIN } from './action-runner.ts'
import { runOrThrow } from './process.ts'

export const PYTHON_BASE_IMAGE = 'localhost/python-base:bookworm'

const RECIPE = {
  suite: 'bookworm',
  mirror: process.env['PYTHON_BASE_MIRROR'] ?? 'http://deb.debian.org/debian',
  variant: 'minbase',
  packages: ['python3', 'python3-pip', 'python3-venv', 'python-is-python3'],
  // Bump when the steps below change what lands in the tarball.
  steps: 2
}

// What `docker import` / `podman import` set, as the official python images do.
export const PYTHON_BASE_CHANGES = [
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'ENV LANG=C.UTF-8',
  'CMD ["python3"]'
]

function cacheDir(): string {
  return process.env['PYTHON_BASE_CACHE_DIR'] ?? join(homedir(), '.cache', 'pyrelease-python-base')
}

export interface PythonBase {
  /** The rootfs tarball, ready for `docker import` / `podman import`. */
  tarball: string
  /** Whether this call had to run debootstrap. */
  built: boolean
  seconds: number
}

/** The cached rootfs tarball, made first when missing. */
export async function pythonBaseTarball(): Promise<PythonBase> {
  const started = Date.now()
  const uv = join(VENV_BIN, 'uv')
  const uvHash = createHash('sha256')
    .update(await readFile(uv))
    .digest('hex')
  const key = createHash('sha256')
    .update(JSON.stringify({ ...RECIPE, uvHash }))
    .digest('hex')
    .slice(0, 16)
  const dir = cacheDir()
  const tarball = join(dir, `python-base-${RECIPE.suite}-${key}.tar`)
  if (existsSync(tarball)) return { tarball, built: false, seconds: (Date.now() - started) / 1000 }

  await mkdir(dir, { recursive: true })
  const work = await mkdtemp(join(dir, 'build-'))
  try {
    const rootfs = join(work, 'rootfs')
    await runOrThrow(
      'debootstrap',
      [`--variant=${RECIPE.variant}`, `--include=${RECIPE.packages.join(',')}`, RECIPE.suite, rootfs, RECIPE.mirror],
      { timeoutMs: 15 * 60_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }
    )
    // uv is one self-contained binary (glibc only), as the uv image's /uv is.
    await copyFile(uv, join(rootfs, 'usr', 'local', 'bin', 'uv'))
    await chmod(join(rootfs, 'usr', 'local', 'bin', 'uv'), 0o755)
    // python:3.12-slim's interpreter is not Debian-managed: pip and `uv pip install --system`
    // install into it. Debian marks its python3 as externally managed (PEP 668); drop the
    // marker so the examples run unchanged.
    await runOrThrow('sh', ['-c', 'rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED', 'sh', rootfs])
    // apt's downloaded packages and lists are half the size and no use in an image.
    await runOrThrow('sh', [
      '-c',
      'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/* "$1"/usr/share/doc "$1"/usr/share/man',
      'sh',
      rootfs
    ])
    const partial = join(work, 'rootfs.tar')
    await runOrThrow('tar', ['--numeric-owner', '-C', rootfs, '-cf', partial, '.'], { timeoutMs: 5 * 60_000 })
    // Atomic: a concurrent or interrupted run never sees half a tarball under the final name.
    await rename(partial, tarball)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  return { tarball, built: true, seconds: (Date.now() - started) / 1000 }
}

/** `<command> import` of the tarball as PYTHON_BASE_IMAGE (command: docker or podman, configured by env). */
export async function importPythonBase(
  runner: (args: readonly string[]) => Promise<{ code: number; stderr: string }>,
  tarball: string
): Promise<void> {
  const imported = await runner([
    'import',
    ...PYTHON_BASE_CHANGES.flatMap((change) => ['--change', change]),
    tarball,
    PYTHON_BASE_IMAGE
  ])
  if (imported.code !== 0) throw new Error(`import of ${tarball} failed: ${imported.stderr}`)
}
