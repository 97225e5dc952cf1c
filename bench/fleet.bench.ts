/**
 * Fleet: N virtual sec2 devices in this process (start-up time, resident memory) and `runFleet` provisioning
 * all of them over real HTTP on loopback (fast simulated radio), for N = 10, 100, 1000, so the growth can be
 * seen; CPU ms per device against the sec2 handshake cost from the security bench (the floor).
 * Both roles share this process's two cores.
 */
import { startVirtualFleet } from "../src/device/virtual-fleet.js";
import { parseManifest, formatManifest } from "../src/fleet/manifest.js";
import { runFleet } from "../src/fleet/run-fleet.js";
import { provision } from "../src/index.js";
import { silentLogger } from "../src/logger.js";
import type { BenchRow } from "./run.js";

export const name = "fleet (sec2, both roles in one process, fast radio)";

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const count of [10, 100, 1000]) {
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const fleet = await startVirtualFleet({
      count,
      listen: { host: "127.0.0.1", port: 0 },
      security: { version: 2 },
      credentials: "random",
      timeScale: 0.01,
      logger: silentLogger,
    });
    const startMs = performance.now() - t0;
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
      rows.push(
        {
          name: `${count} devices: all listening`,
          value: startMs,
          unit: "ms",
          note: count === 1000 ? "goal ≤ 3000 ms" : undefined,
        },
        {
          name: `${count} devices: resident memory`,
          value: rss / 2 ** 20,
          unit: "MiB",
          note: `+${((rss - rssBefore) / 2 ** 20).toFixed(0)} MiB for the fleet${count === 1000 ? "; goal ≤ 250 MB" : ""}`,
        },
        {
          name: `${count} devices: fleet provisioned`,
          value: wallMs,
          unit: "ms",
          note: `${report.counts.connected}/${count} connected${count === 1000 ? "; goal ≤ 15 s" : ""}`,
        },
        {
          name: `${count} devices: CPU per device`,
          value: (cpu.user + cpu.system) / 1000 / count,
          unit: "ms",
          note: "both roles; the sec2 handshake alone is ~5.4 ms (device + client)",
        },
      );
    } finally {
      await fleet.close();
    }
  }
  return rows.map((r) => (r.note === undefined ? { name: r.name, value: r.value, unit: r.unit } : r));
}
