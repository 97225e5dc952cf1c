/** Small timing helpers shared by the bench modules. */
import { cpuUsage } from "node:process";
import { performance } from "node:perf_hooks";

export interface Measurement {
  iterations: number;
  wallMs: number;
  cpuMs: number;
  perSecond: number;
  wallMsPerOp: number;
  cpuMsPerOp: number;
}

/** Runs `op` repeatedly for about `durationMs` (after `warmup` runs) and reports wall and CPU time per op. */
export async function measure(
  op: () => unknown | Promise<unknown>,
  options: { durationMs?: number; warmup?: number; maxIterations?: number } = {},
): Promise<Measurement> {
  const { durationMs = 1000, warmup = 5, maxIterations = 1_000_000 } = options;
  for (let i = 0; i < warmup; i++) await op();
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  let iterations = 0;
  while (performance.now() - t0 < durationMs && iterations < maxIterations) {
    await op();
    iterations++;
  }
  const wallMs = performance.now() - t0;
  const cpu = cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    iterations,
    wallMs,
    cpuMs,
    perSecond: (iterations / wallMs) * 1000,
    wallMsPerOp: wallMs / iterations,
    cpuMsPerOp: cpuMs / iterations,
  };
}

/**
 * For a machine shared with other work: `rounds` runs of `measure` (after one warm-up of `warmup` ops, so the
 * JIT and the sockets are warm), and the round with the median rate. Its spread says how noisy the run was.
 */
export async function measureMedian(
  op: () => unknown | Promise<unknown>,
  options: { rounds?: number; durationMs?: number; warmup?: number } = {},
): Promise<Measurement & { spread: [number, number] }> {
  const { rounds = 5, durationMs = 600, warmup = 50 } = options;
  for (let i = 0; i < warmup; i++) await op();
  const runs: Measurement[] = [];
  for (let r = 0; r < rounds; r++) runs.push(await measure(op, { durationMs, warmup: 0 }));
  runs.sort((a, b) => a.perSecond - b.perSecond);
  return { ...runs[runs.length >> 1]!, spread: [runs[0]!.perSecond, runs[runs.length - 1]!.perSecond] };
}
