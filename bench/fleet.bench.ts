/**
 * Fleet, as a user runs it (issue 12): `wifiprov device --count N` in one process and `wifiprov fleet` in
 * another, both the built CLI (dist/) on this machine, over loopback. For N = 10, 100, 1000: the device process
 * from spawn to its "listening" line and its resident memory then (VmRSS); `wifiprov fleet` from spawn to exit
 * (its exit code and how many devices it reports connected); and the CPU both processes spent on the fleet run
 * per device, against the floor: one sec2 device handshake plus one client handshake, measured here in memory
 * (the same work the security bench times one role at a time). Each size runs three times; the fleet rows are
 * the run with the median fleet time, start-up and memory are their own medians (the machine may be shared:
 * run.ts prints the load beside the figures).
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sec2HandshakePair } from "./handshake-fixture.js";
import { measureMedian } from "./measure.js";
import type { BenchRow } from "./run.js";

export const name =
  "fleet (sec2, `wifiprov device --count N` and `wifiprov fleet`, two processes, fast radio)";

const ROUNDS = 3;
/** ESP's radio timings at 1/100: joining takes about 45 ms instead of 4.5 s ("fast simulated radio"). */
const TIME_SCALE = "0.01";

const cli = new URL("../dist/cli/main.js", import.meta.url);
// The built CLI: without NODE_OPTIONS' wifiprov-source condition, which would point it at the .ts files.
const env = { ...process.env, NODE_OPTIONS: "" };

/**
 * Loaded into the fleet process with --import: writes its own CPU time (process.cpuUsage, user + system) to
 * the file named by WIFIPROV_BENCH_CPU_OUT as it exits, since /proc/PID is gone once the parent sees the exit.
 */
const CPU_AT_EXIT =
  "data:text/javascript," +
  encodeURIComponent(
    'import { writeFileSync } from "node:fs";' +
      'process.on("exit", () => { const c = process.cpuUsage();' +
      " writeFileSync(process.env.WIFIPROV_BENCH_CPU_OUT, String((c.user + c.system) / 1000)); });",
  );

interface FleetRun {
  startMs: number;
  startCpuMs: number;
  rssMiB: number;
  /** `wifiprov fleet` from spawn to exit. */
  wallMs: number;
  /** What the fleet printed as its own run time ("N devices in X s"). */
  reportedMs: number;
  exitCode: number | null;
  connected: number;
  fleetCpuMs: number;
  deviceCpuMs: number;
}

/** CPU of one device handshake plus one client handshake (sec2 patch 1), no I/O: the fleet's floor per device. */
async function handshakeFloor(): Promise<number> {
  const m = await measureMedian(sec2HandshakePair(), { warmup: 20, durationMs: 400 });
  return m.cpuMsPerOp;
}

let ticksPerSecond: number | undefined;
/** A live process's CPU time so far (utime + stime from /proc/PID/stat), in ms. */
function processCpuMs(pid: number): number {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** Resolves when `child` prints `marker` on stdout; rejects with its stderr if it exits first. */
function waitForLine(child: ChildProcess, marker: string, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes(marker)) resolve();
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.once("exit", (code) => reject(new Error(`${what} exited early (${code}): ${err.trim()}`)));
  });
}

function runFleetCli(
  manifest: string,
  cpuOut: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        `--import=${CPU_AT_EXIT}`,
        cli.pathname,
        "fleet",
        "--manifest",
        manifest,
        "--ssid",
        "myssid",
        "--passphrase",
        "mypassword",
        // No --concurrency: the default, as a user runs it.
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...env, WIFIPROV_BENCH_CPU_OUT: cpuOut } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    // One line per device (stderr is not a terminal): read, or the pipe fills and the fleet waits.
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function fleetRun(count: number): Promise<FleetRun> {
  const dir = mkdtempSync(join(tmpdir(), "wifiprov-fleet-bench-"));
  const manifest = join(dir, "fleet.jsonl");
  const t0 = performance.now();
  const devices = spawn(
    process.execPath,
    [
      cli.pathname,
      "device",
      "--count",
      String(count),
      "--listen",
      "127.0.0.1:0",
      "--sec-ver",
      "2",
      "--pop",
      "random",
      "--manifest-out",
      manifest,
      "--time-scale",
      TIME_SCALE,
      // ESP stops the service 30 s after Got IP: at this time scale 300 ms, less than the fleet's status
      // poll interval (200 ms of real time) plus the delays of a loaded machine, so some devices would be
      // gone before their Connected was read. A device that keeps running answers the same status; at real
      // time scale the 30 s are far more than any poll needs. See README "Benchmarks".
      "--keep-running",
      "--state-dir",
      join(dir, "state"),
    ],
    { stdio: ["ignore", "pipe", "pipe"], env },
  );
  try {
    await waitForLine(devices, "virtual devices listening", "wifiprov device --count");
    const startMs = performance.now() - t0;
    const startCpuMs = processCpuMs(devices.pid!);
    const rss = rssMiB(devices.pid!);
    const cpuOut = join(dir, "fleet-cpu");
    const t1 = performance.now();
    const fleet = await runFleetCli(manifest, cpuOut);
    const wallMs = performance.now() - t1;
    const deviceCpuMs = processCpuMs(devices.pid!) - startCpuMs;
    const reported = /^(\d+) devices in ([\d.]+) s:/m.exec(fleet.stdout);
    const connected = /^\s*(\d+)\s+connected$/m.exec(fleet.stdout);
    if (reported === null) {
      throw new Error(
        `wifiprov fleet exited ${fleet.code} without its summary: ${fleet.stderr.slice(-2000)}`,
      );
    }
    return {
      startMs,
      startCpuMs,
      rssMiB: rss,
      wallMs,
      reportedMs: Number(reported[2]) * 1000,
      exitCode: fleet.code,
      connected: connected === null ? 0 : Number(connected[1]),
      fleetCpuMs: Number(readFileSync(cpuOut, "utf8")),
      deviceCpuMs,
    };
  } finally {
    devices.kill("SIGTERM");
    if (devices.exitCode === null && devices.signalCode === null) {
      await new Promise((r) => devices.once("close", r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(cli)) {
    return [
      {
        name: "fleet",
        skipped: true,
        unit: "",
        note: "run `npm run build` first (the bench runs the built CLI)",
      },
    ];
  }
  const floor = await handshakeFloor();
  const rows: BenchRow[] = [
    {
      name: "floor: sec2 device + client handshake, CPU",
      value: floor,
      unit: "ms",
      note: "in memory, median of 5 rounds",
    },
  ];
  for (const count of [10, 100, 1000]) {
    const runs: FleetRun[] = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await fleetRun(count));
    const byWall = [...runs].sort((a, b) => a.wallMs - b.wallMs);
    const r = byWall[ROUNDS >> 1]!;
    const big = count === 1000;
    const spread = `${(byWall[0]!.wallMs / 1000).toFixed(2)}–${(byWall[ROUNDS - 1]!.wallMs / 1000).toFixed(2)} s`;
    const cpuPerDevice = (r.fleetCpuMs + r.deviceCpuMs) / count;
    const exits = runs.map((x) => x.exitCode).join("/");
    rows.push(
      {
        name: `${count} devices: wifiprov device, spawn to all listening`,
        value: median(runs.map((x) => x.startMs)),
        unit: "ms",
        // Start-up is CPU-bound (one SRP verifier per device): on a busy machine its CPU time says more.
        note: `${median(runs.map((x) => x.startCpuMs)).toFixed(0)} ms CPU; median of ${ROUNDS}${big ? "; goal ≤ 3000 ms" : ""}`,
      },
      {
        name: `${count} devices: wifiprov device, resident memory`,
        value: median(runs.map((x) => x.rssMiB)),
        unit: "MiB",
        note: `VmRSS when all listen; median of ${ROUNDS}${big ? "; goal ≤ 250 MB" : ""}`,
      },
      {
        name: `${count} devices: wifiprov fleet, spawn to exit`,
        value: r.wallMs,
        unit: "ms",
        note:
          `exit ${exits}, ${r.connected}/${count} connected, default concurrency, ` +
          `its own count ${(r.reportedMs / 1000).toFixed(1)} s; median of ${ROUNDS} (${spread})${big ? "; goal ≤ 15 s" : ""}`,
      },
      {
        name: `${count} devices: CPU per device, both processes`,
        value: cpuPerDevice,
        unit: "ms",
        note:
          `fleet ${(r.fleetCpuMs / count).toFixed(2)} (with its start-up) + devices ${(r.deviceCpuMs / count).toFixed(2)} ms; ` +
          `${(cpuPerDevice / floor).toFixed(1)}× the handshake floor`,
      },
    );
  }
  return rows;
}
