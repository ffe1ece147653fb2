// The offline stand-in for `python:3.12-slim`, the base of the example Dockerfiles: a Debian
// rootfs with python3, pip, venv and uv, made by debootstrap from the Debian mirror this machine
// reaches (no image registry on the internet is), then imported into docker or podman.
//
// debootstrap takes minutes, so the rootfs tarball is cached outside the repository
// (~/.cache/pyrelease-python-base, or PYTHON_BASE_CACHE_DIR), named by a hash of everything that
// went into it; a change to the recipe or to uv makes a new one.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises'
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
  steps: 3
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
  const partial = join(work, 'rootfs.tar')
  try {
    // One script, run as root (debootstrap must be; through `sudo -n` when the tests are not):
    //  - uv is one self-contained binary (glibc only), as the uv image's /uv is;
    //  - python:3.12-slim's interpreter is not Debian-managed, and pip and `uv pip install
    //    --system` install into it, so Debian's PEP 668 marker goes;
    //  - apt's downloaded packages, lists and the docs are half the size and no use in an image.
    const script = [
      'set -eu',
      'rootfs="$1/rootfs"',
      `debootstrap --variant=${RECIPE.variant} --include=${RECIPE.packages.join(',')} ${RECIPE.suite} "$rootfs" "$2"`,
      'install -m 755 "$3" "$rootfs/usr/local/bin/uv"',
      'rm -f "$rootfs"/usr/lib/python3*/EXTERNALLY-MANAGED',
      'rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc "$rootfs"/usr/share/man',
      'tar --numeric-owner -C "$rootfs" -cf "$1/rootfs.tar" .',
      'chown "$4" "$1/rootfs.tar"',
      'rm -rf "$rootfs"'
    ].join('\n')
    const args = ['-c', script, 'sh', work, RECIPE.mirror, uv, `${process.getuid?.() ?? 0}`]
    const asRoot = process.getuid?.() === 0
    await runOrThrow(asRoot ? 'sh' : 'sudo', asRoot ? args : ['-n', 'sh', ...args], {
      timeoutMs: 15 * 60_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    })
    // Atomic: a concurrent or interrupted run never sees half a tarball under the final name.
    await rename(partial, tarball)
    // Older recipes' tarballs are 200 MB each and never read again.
    for (const name of await readdir(dir))
      if (name.startsWith('python-base-') && join(dir, name) !== tarball) await rm(join(dir, name), { force: true })
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
