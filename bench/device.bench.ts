/**
 * The device under load: sequential full provisioning sessions against one keep-running device (new
 * connection, handshake, SetConfig, ApplyConfig, status polling until Connected, CtrlReprov), for sec0/1/2,
 * and sec2 once more with every exponentiation on the main thread (no powers computed ahead on a worker);
 * one HTTP exchange alone; idle resident memory and start-up time, in process and as a `wifiprov device`
 * process. Simulated time runs at scale 0, so the figures are the cost of the protocol stack itself (HTTP,
 * crypto, protobuf, state machine), not of radio delays. The machine may be shared: rates are medians of
 * several rounds after a warm-up, and `uptime`'s load is printed beside them by run.ts.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { startVirtualDevice } from "../src/device/index.js";
import type { VirtualDeviceOptions } from "../src/device/index.js";
import { powerPool } from "../src/crypto/node-crypto-port.js";
import type { ClientSessionOptions } from "../src/security/index.js";
import { silentLogger } from "../src/logger.js";
import { HttpClientTransport } from "../src/transport/index.js";
import { sec2HandshakePair } from "./handshake-fixture.js";
import { measureMedian } from "./measure.js";
import type { BenchRow } from "./run.js";
import { ProvClient } from "../test/device/prov-client.js";

export const name = "device (startVirtualDevice over HTTP on 127.0.0.1)";

const base: VirtualDeviceOptions = {
  listen: { host: "127.0.0.1", port: 0 },
  timeScale: 0,
  autoStopMs: false,
  logger: silentLogger,
};

const schemes: { label: string; device: VirtualDeviceOptions["security"]; client: ClientSessionOptions }[] = [
  { label: "sec0", device: { version: 0 }, client: { version: 0 } },
  { label: "sec1", device: { version: 1, pop: "abcd1234" }, client: { version: 1, pop: "abcd1234" } },
  {
    label: "sec2",
    device: { version: 2 },
    client: { version: 2, patchVersion: 1, username: "wifiprov", password: "abcd1234" },
  },
];

/**
 * One session as an app runs it: a new connection, handshake, SetConfig, ApplyConfig, GetStatus until the
 * device leaves Connecting, CtrlReprov (so the next session can provision again), close. The client polls on
 * the device's clock (time scale 0: again on the next turn of the event loop), so no fixed sleep is counted.
 */
async function provisioningRate(
  scheme: (typeof schemes)[number],
): Promise<{ row: BenchRow; cpuMsPerSession: number }> {
  const device = await startVirtualDevice({ ...base, security: scheme.device });
  try {
    const m = await measureMedian(async () => {
      const client = new ProvClient(device.serviceName, scheme.client, { pollIntervalMs: 0 });
      await client.handshake();
      await client.provision("myssid", "mypassword");
      await client.ctrl("reprov");
      await client.close();
    });
    return {
      row: {
        name: `${scheme.label} full provisioning session`,
        value: m.perSecond,
        unit: "sessions/s",
        note:
          `${m.wallMsPerOp.toFixed(2)} ms wall, ${m.cpuMsPerOp.toFixed(2)} ms CPU each (client + device); ` +
          `median of 5 rounds, ${m.spread[0].toFixed(0)}–${m.spread[1].toFixed(0)}/s`,
      },
      cpuMsPerSession: m.cpuMsPerOp,
    };
  } finally {
    await device.close();
  }
}

/** One request/reply on a kept-alive connection (proto-ver: no session, no crypto): the HTTP path alone. */
async function exchangeCost(): Promise<BenchRow[]> {
  const device = await startVirtualDevice({ ...base, security: { version: 0 } });
  const transport = new HttpClientTransport({ serviceName: device.serviceName, logger: silentLogger });
  const body = new TextEncoder().encode("---");
  try {
    const kept = await measureMedian(() => transport.send("proto-ver", body), { warmup: 500 });
    const fresh = await measureMedian(async () => {
      const client = new ProvClient(device.serviceName, { version: 0 });
      await client.handshake();
      await client.close();
    });
    const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
    return [
      {
        name: "one HTTP exchange, kept-alive connection",
        value: kept.wallMsPerOp * 1000,
        unit: "µs",
        note: `${us(kept.cpuMsPerOp)} CPU (client + device), median of 5 rounds`,
      },
      {
        name: "new connection + sec0 handshake + close",
        value: fresh.wallMsPerOp * 1000,
        unit: "µs",
        note: `${us(fresh.cpuMsPerOp)} CPU (client + device), median of 5 rounds`,
      },
    ];
  } finally {
    await transport.close();
    await device.close();
  }
}

async function startupTime(label: string, security: VirtualDeviceOptions["security"]): Promise<BenchRow> {
  const runs = 20;
  let total = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const device = await startVirtualDevice({ ...base, security });
    total += performance.now() - t0;
    await device.close();
  }
  return {
    name: `start-up to listening, ${label}`,
    value: total / runs,
    unit: "ms",
    note: `mean of ${runs}`,
  };
}

async function idleMemory(): Promise<BenchRow[]> {
  // A gc function without --expose-gc on the command line: enable the flag, then fetch it from a new context.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  // One device started and closed first, so that code loading is not counted per device.
  await (await startVirtualDevice({ ...base })).close();
  gc();
  const before = process.memoryUsage();
  const devices = await Promise.all(Array.from({ length: 10 }, () => startVirtualDevice({ ...base })));
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const after = process.memoryUsage();
  await Promise.all(devices.map((d) => d.close()));
  const mib = (n: number) => n / 1024 / 1024;
  return [
    { name: "process RSS with 10 idle devices", value: mib(after.rss), unit: "MiB" },
    {
      name: "heap per idle device",
      value: mib(after.heapUsed - before.heapUsed) / 10,
      unit: "MiB",
      note: "heap growth after gc, divided by 10",
    },
  ];
}

/**
 * What a user sees: `wifiprov device` (the built CLI) from spawn to its "listening" log line, and its resident
 * memory once idle (VmRSS from /proc), median of a few runs.
 */
async function deviceProcess(): Promise<BenchRow[]> {
  const cli = new URL("../dist/cli/main.js", import.meta.url);
  if (!existsSync(cli))
    return [{ name: "wifiprov device process", skipped: true, unit: "", note: "run `npm run build` first" }];
  const startups: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < 5; i++) {
    const dir = mkdtempSync(join(tmpdir(), "wifiprov-bench-"));
    const t0 = performance.now();
    const child = spawn(
      process.execPath,
      [cli.pathname, "device", "--listen", "127.0.0.1:0", "--state-dir", dir],
      // The built CLI: without NODE_OPTIONS' wifiprov-source condition, which would point it at .ts files.
      { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, NODE_OPTIONS: "" } },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          out += d;
          if (out.includes("listening")) resolve();
        });
        child.on("exit", (code) => reject(new Error(`wifiprov device exited early (${code})`)));
      });
      startups.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 1000)); // idle: SoftAP up, nobody connected
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      rss.push(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("close", r));
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return [
    {
      name: "wifiprov device: spawn to listening",
      value: median(startups),
      unit: "ms",
      note: "built CLI, median of 5",
    },
    {
      name: "wifiprov device: resident memory when idle",
      value: median(rss),
      unit: "MiB",
      note: "VmRSS, median of 5",
    },
  ];
}

/**
 * The most sec2 sessions one JavaScript thread can run: both roles' handshakes in memory (their six 3072-bit
 * modular exponentiations, 2,800 exponent bits in all, done by OpenSSL) plus a whole sec0 session (connection,
 * HTTP, protobuf, state machine: everything else a session does), measured now on this machine. A sec2 session
 * cannot cost less than that sum, whatever its HTTP costs; only work moved to another thread (the powers
 * computed ahead, src/crypto/power-pool.ts) takes a session below it in wall time.
 */
async function sec2Ceiling(sec0SessionCpuMs: number): Promise<BenchRow> {
  const m = await measureMedian(sec2HandshakePair(), { warmup: 20, durationMs: 400 });
  return {
    name: "sec2 ceiling in one thread: 1 / (both handshakes + a sec0 session)",
    value: 1000 / (m.cpuMsPerOp + sec0SessionCpuMs),
    unit: "sessions/s",
    note: `${m.cpuMsPerOp.toFixed(2)} ms CPU for the two handshakes in memory + ${sec0SessionCpuMs.toFixed(2)} ms`,
  };
}

export async function run(): Promise<BenchRow[]> {
  // Memory first, before the other runs leave collectable garbage and caches behind.
  const rows: BenchRow[] = await idleMemory();
  rows.push(...(await deviceProcess()));
  rows.push(...(await exchangeCost()));
  const cpuMs: number[] = [];
  for (const scheme of schemes) {
    const { row, cpuMsPerSession } = await provisioningRate(scheme);
    rows.push(row);
    cpuMs.push(cpuMsPerSession);
  }
  // The same sessions with every exponentiation on the main thread: the pool of powers computed ahead on a
  // worker thread is closed (for the rest of this process; it is the last session run here).
  await powerPool.close();
  const { row: oneThread } = await provisioningRate(schemes[2]!);
  rows.push({ ...oneThread, name: "sec2 full provisioning session, no precomputed powers" });
  rows.push(await sec2Ceiling(cpuMs[0]!));
  rows.push(await startupTime("sec1", { version: 1, pop: "abcd1234" }));
  rows.push(await startupTime("sec2 (derives salt/verifier)", { version: 2 }));
  return rows;
}
