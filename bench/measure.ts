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
