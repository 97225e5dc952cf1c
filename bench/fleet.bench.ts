/**
 * Fleet: N virtual sec2 devices in this process (start-up time, resident memory) and `runFleet` provisioning
 * all of them over real HTTP on loopback (fast simulated radio), for N = 10, 100, 1000, so the growth can be
 * seen; CPU ms per device against the floor: both roles' sec2 handshakes, measured here in memory, the same
 * work the security bench times one role at a time. Both roles share this process's one JavaScript thread.
 * Each size runs three times and the run with the median fleet time is printed (the machine may be shared).
 */
import { startVirtualFleet } from "../src/device/virtual-fleet.js";
import { parseManifest, formatManifest } from "../src/fleet/manifest.js";
import { runFleet } from "../src/fleet/run-fleet.js";
import { provision } from "../src/index.js";
import { silentLogger } from "../src/logger.js";
import { createClientSession, createDeviceSecurity, generateSec2Credentials } from "../src/security/index.js";
import { measureMedian } from "./measure.js";
import type { BenchRow } from "./run.js";

export const name = "fleet (sec2, both roles in one process, fast radio)";

const ROUNDS = 3;

interface FleetRun {
  startMs: number;
  startCpuMs: number;
  rssMiB: number;
  fleetMiB: number;
  wallMs: number;
  cpuMsPerDevice: number;
  connected: number;
}

/** CPU of one device handshake plus one client handshake (sec2 patch 1), no I/O: the fleet's floor per device. */
async function handshakeFloor(): Promise<number> {
  const { salt, verifier } = generateSec2Credentials("wifiprov", "abcd1234");
  const security = createDeviceSecurity({ version: 2, patchVersion: 1, salt, verifier });
  const m = await measureMedian(
    () => {
      const device = security.createSession();
      const client = createClientSession({
        version: 2,
        patchVersion: 1,
        username: "wifiprov",
        password: "abcd1234",
      });
      let request: Uint8Array | null = client.begin();
      while (request !== null) request = client.next(device.handshake(request));
    },
    { warmup: 20, durationMs: 400 },
  );
  return m.cpuMsPerOp;
}

async function fleetRun(count: number): Promise<FleetRun> {
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const startCpu = process.cpuUsage();
  const fleet = await startVirtualFleet({
    count,
    listen: { host: "127.0.0.1", port: 0 },
    security: { version: 2 },
    credentials: "random",
    timeScale: 0.01,
    // ESP stops the service 30 s after Got IP when nobody asked for the status: 300 ms at this time scale,
    // which a client polling every 200 ms of real time misses whenever the machine is busy (the devices then
    // refuse the connection). Kept running, a device still reports Connected exactly as it would.
    autoStopMs: false,
    logger: silentLogger,
  });
  const startMs = performance.now() - t0;
  const startCpuUsage = process.cpuUsage(startCpu);
  const rss = process.memoryUsage().rss;
  try {
    const { devices } = parseManifest(formatManifest(fleet.manifest));
    const cpu0 = process.cpuUsage();
    const t1 = performance.now();
    const report = await runFleet({
      devices,
      ssid: "myssid",
      passphrase: "mypassword",
      concurrency: 32,
      retryDelayMs: 100,
      provision,
    });
    const wallMs = performance.now() - t1;
    const cpu = process.cpuUsage(cpu0);
    return {
      startMs,
      startCpuMs: (startCpuUsage.user + startCpuUsage.system) / 1000,
      rssMiB: rss / 2 ** 20,
      fleetMiB: (rss - rssBefore) / 2 ** 20,
      wallMs,
      cpuMsPerDevice: (cpu.user + cpu.system) / 1000 / count,
      connected: report.counts.connected,
    };
  } finally {
    await fleet.close();
  }
}

export async function run(): Promise<BenchRow[]> {
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
    runs.sort((a, b) => a.wallMs - b.wallMs);
    const r = runs[ROUNDS >> 1]!;
    const big = count === 1000;
    const spread = `${(runs[0]!.wallMs / 1000).toFixed(2)}–${(runs[ROUNDS - 1]!.wallMs / 1000).toFixed(2)} s`;
    rows.push(
      {
        name: `${count} devices: all listening`,
        value: r.startMs,
        unit: "ms",
        // Start-up is CPU-bound (one verifier per device): on a busy machine its CPU time says more than its wall time.
        note: `${r.startCpuMs.toFixed(0)} ms CPU${big ? "; goal ≤ 3000 ms" : ""}`,
      },
      {
        name: `${count} devices: resident memory`,
        value: r.rssMiB,
        unit: "MiB",
        note: `+${r.fleetMiB.toFixed(0)} MiB for the fleet${big ? "; goal ≤ 250 MB" : ""}`,
      },
      {
        name: `${count} devices: fleet provisioned`,
        value: r.wallMs,
        unit: "ms",
        note:
          `${r.connected}/${count} connected, ${((r.cpuMsPerDevice * count) / 1000).toFixed(1)} s CPU; ` +
          `median of ${ROUNDS} (${spread})${big ? "; goal ≤ 15 s" : ""}`,
      },
      {
        name: `${count} devices: CPU per device`,
        value: r.cpuMsPerDevice,
        unit: "ms",
        note: `both roles; ${(r.cpuMsPerDevice - floor).toFixed(2)} ms above the handshake floor`,
      },
    );
  }
  return rows;
}
