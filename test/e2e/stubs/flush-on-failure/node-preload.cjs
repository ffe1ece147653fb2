// Preloaded into every node act starts for a step (NODE_OPTIONS; see act.ts): a step that fails
// waits 0.3 s before it exits, so act reads its last lines (the ::error:: line) before it drops them.
process.on('exit', (code) => {
  if (code) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300)
})
