import { run } from '../test/harness/process.ts'

// Shared by the benchmarks: wall-clock timing of whole processes, medians, and a fixed
// table format. Benchmarks are not tests: they print figures and exit 0.

export interface TimedRun {
  ms: number
  exitCode: number
  output: string
}

export async function timeProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}
): Promise<TimedRun> {
  const started = process.hrtime.bigint()
  const result = await run(command, args, { ...options, timeoutMs: 600_000 })
  return {
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    exitCode: result.code,
    output: result.stdout + result.stderr
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** Runs `fn` `runs` times after `warmup` unmeasured runs; fails loudly if any run fails. */
export async function measure(
  label: string,
  runs: number,
  fn: (i: number) => Promise<TimedRun>,
  warmup = 1
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await check(label, await fn(-1 - i))
  const times: number[] = []
  for (let i = 0; i < runs; i++) times.push((await check(label, await fn(i))).ms)
  return times
}

async function check(label: string, run: TimedRun): Promise<TimedRun> {
  if (run.exitCode !== 0) throw new Error(`${label} failed (exit ${run.exitCode}):\n${run.output.slice(-2000)}`)
  return run
}

export function row(label: string, times: readonly number[], extra = ''): string {
  const sorted = [...times].sort((a, b) => a - b)
  return `${label.padEnd(44)} median ${median(times).toFixed(1).padStart(8)} ms   min ${(sorted[0] ?? 0).toFixed(1).padStart(8)}   max ${(sorted.at(-1) ?? 0).toFixed(1).padStart(8)}  ${extra}`
}

export function verdict(ok: boolean, text: string): string {
  return `${ok ? 'MET    ' : 'NOT MET'}  ${text}`
}
