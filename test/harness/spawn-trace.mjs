// Preloaded into the action under test (NODE_OPTIONS=--import): records the argv of every
// child process the action starts, so tests can prove no secret ever reaches a command line.
import childProcess from 'node:child_process'
import { appendFileSync } from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'

const log = process.env.SPAWN_TRACE_FILE
if (log) {
  for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork']) {
    const original = childProcess[name]
    childProcess[name] = function traced(file, args, ...rest) {
      appendFileSync(log, `${JSON.stringify(Array.isArray(args) ? [file, ...args] : [file])}\n`)
      return original.call(this, file, args, ...rest)
    }
  }
  // ESM importers of node:child_process see the patched functions too.
  syncBuiltinESMExports()
}
