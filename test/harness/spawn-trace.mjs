// Preloaded into the action under test (NODE_OPTIONS=--import): records the argv of every
// child process the action starts, so tests can prove no secret ever reaches a command line,
// and (in <log>.env) the environment each child was given, so they can prove none reaches a
// child's environment either.
import childProcess from 'node:child_process'
import { appendFileSync } from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'

const log = process.env.SPAWN_TRACE_FILE
if (log) {
  for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork']) {
    const original = childProcess[name]
    childProcess[name] = function traced(file, args, ...rest) {
      const argv = Array.isArray(args) ? [file, ...args] : [file]
      const options = (Array.isArray(args) ? rest[0] : args) ?? {}
      appendFileSync(log, `${JSON.stringify(argv)}\n`)
      const env = typeof options === 'object' && options.env ? options.env : process.env
      appendFileSync(`${log}.env`, `${JSON.stringify({ argv, env })}\n`)
      return original.call(this, file, args, ...rest)
    }
  }
  // ESM importers of node:child_process see the patched functions too.
  syncBuiltinESMExports()
}
