// Is the process `pid` the one listening on 127.0.0.1:port? The Python servers cannot bind a
// kernel-chosen port, so between picking a free port and their bind another server may take
// it; an HTTP answer alone would then wire the stack to a stranger. Linux tells us the owner
// through /proc; elsewhere we cannot check and trust the answer.
import { readFile, readdir, readlink } from 'node:fs/promises'

export async function ownsListener(pid: number, port: number): Promise<boolean> {
  let table: string
  try {
    table = (await readFile('/proc/net/tcp', 'utf8')) + (await readFile('/proc/net/tcp6', 'utf8').catch(() => ''))
  } catch {
    return true
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  const inodes = new Set<string>()
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/)
    // cols: sl local_address rem_address st ... inode (index 9); st 0A = LISTEN
    if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A' && cols[9]) inodes.add(cols[9])
  }
  if (inodes.size === 0) return false
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
    if (inode && inodes.has(inode)) return true
  }
  return false
}
