/**
 * Crash-safety harness for FileStateStore: spawns crash-child.ts, SIGKILLs it at a random moment while it
 * saves in a loop, and checks that the file on disk is always exactly the last acknowledged state or the one
 * after it — never unreadable, never moved aside. The test runs it CI-sized; for a long run:
 *   node --import tsx test/store/crash-harness.ts [kills=500] [dir]
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileStateStore } from "../../src/device/file-store.js";
import type { Logger } from "../../src/logger.js";
import { indexOfState } from "./crash-states.js";

export const crashChildScript = fileURLToPath(new URL("./crash-child.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface CrashTrialOptions {
  /** State directory; the sequence continues across calls on the same directory. */
  dir: string;
  kills: number;
  /** The kill comes 0…maxDelayMs after the child's first save (saves take about a millisecond). Default 30. */
  maxDelayMs?: number;
  random?: () => number;
}

export interface CrashTrialReport {
  kills: number;
  /** Saves the children acknowledged, summed over all runs. */
  acknowledged: number;
  /** Kills that left the state one ahead of the last acknowledgement (killed between rename and print). */
  aheadOfAck: number;
  /** Index of the state on disk at the end. */
  lastIndex: number;
}

export class CrashSafetyViolation extends Error {}

export async function runCrashTrials(options: CrashTrialOptions): Promise<CrashTrialReport> {
  const random = options.random ?? Math.random;
  const maxDelayMs = options.maxDelayMs ?? 30;
  const warnings: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (m) => warnings.push(m),
    error: (m) => warnings.push(m),
  };
  const report: CrashTrialReport = { kills: 0, acknowledged: 0, aheadOfAck: 0, lastIndex: -1 };
  let current = indexOfState(await new FileStateStore({ dir: options.dir, logger }).load());
  if (current === undefined)
    throw new CrashSafetyViolation(`${options.dir} holds a state not from this sequence`);
  for (let k = 0; k < options.kills; k++) {
    const acks = await runAndKill(options.dir, Math.floor(random() * (maxDelayMs + 1)));
    const lastAck: number = acks.length > 0 ? acks[acks.length - 1]! : current;
    const state = await new FileStateStore({ dir: options.dir, logger }).load();
    const found = indexOfState(state);
    if (warnings.length > 0)
      throw new CrashSafetyViolation(`kill ${k}: the store warned: ${warnings.join("; ")}`);
    if (found === undefined)
      throw new CrashSafetyViolation(`kill ${k}: the state on disk is not one the child saved`);
    if (found !== lastAck && found !== lastAck + 1) {
      throw new CrashSafetyViolation(`kill ${k}: found state ${found}, last acknowledged ${lastAck}`);
    }
    const stray = (await readdir(options.dir)).filter((f) => f !== "state.json");
    if (stray.length > 0)
      throw new CrashSafetyViolation(`kill ${k}: stray files after load: ${stray.join(", ")}`);
    report.kills += 1;
    report.acknowledged += acks.length;
    if (found === lastAck + 1) report.aheadOfAck += 1;
    current = found;
  }
  report.lastIndex = current;
  return report;
}

/** Starts the child, kills it `delayMs` after its first acknowledged save, returns the indices it acknowledged. */
function runAndKill(dir: string, delayMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", crashChildScript, dir], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
      // The kill is timed from the first acknowledged save, not from "ready": on a loaded machine one save
      // (write, fsync, rename) can take longer than maxDelayMs, and a child killed before any save would
      // prove nothing. Every later save runs the same code, so the kill still lands anywhere in it.
      if (timer === undefined && /^ready\n\d+\n/.test(out)) {
        timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
      }
    });
    child.stderr.on("data", (chunk: string) => (err += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL") {
        reject(new CrashSafetyViolation(`child exited by itself (code ${code}): ${err.trim()}`));
        return;
      }
      // Only whole lines count: a number cut off by the kill was not acknowledged.
      const lines = out.split("\n").slice(1, -1);
      resolve(lines.map(Number));
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const kills = Number(process.argv[2] ?? 500);
  const dir = process.argv[3] ?? (await mkdtemp(join(tmpdir(), "wifiprov-crash-")));
  const started = Date.now();
  const report = await runCrashTrials({ dir, kills });
  console.log(JSON.stringify({ ...report, dir, seconds: (Date.now() - started) / 1000 }));
  if (process.argv[3] === undefined) await rm(dir, { recursive: true, force: true });
}
