/**
 * Status polling: end-to-end `provision()` (library, in process, sec1) against a virtual v5.5 device whose
 * station gets its IP N s after Apply (the manager's 1 s apply delay + a simulated DHCP of N − 1 s, no connect
 * scan, no association time). Goal: ≤ N + 0.3 s. The same run with the earlier pure back-off schedule
 * (250 ms ×1.5) is shown for comparison. Measures only; no assertions.
 */
import { performance } from "node:perf_hooks";
import { startVirtualDevice } from "../src/device/index.js";
import { provision } from "../src/index.js";
import type { BackoffOptions } from "../src/client/polling.js";
import { defaultEnvironment } from "../src/wifi/index.js";
import type { SimulatedEnvironment } from "../src/wifi/index.js";
import type { BenchRow } from "./run.js";

export const name = "status polling: provision() end to end vs a device that connects N s after Apply";

const APPLY_DELAY_MS = 1000;

function environment(connectAfterApplyMs: number): SimulatedEnvironment {
  return {
    ...defaultEnvironment,
    timing: { ...defaultEnvironment.timing, connectScanMs: 0 },
    accessPoints: defaultEnvironment.accessPoints.map((ap) =>
      ap.ssid === "myssid" ? { ...ap, associationMs: 0, dhcpMs: connectAfterApplyMs - APPLY_DELAY_MS } : ap,
    ),
  };
}

async function once(connectAfterApplyMs: number, backoff?: BackoffOptions): Promise<number> {
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    security: { version: 1, pop: "abcd1234" },
    environment: environment(connectAfterApplyMs),
    autoStopMs: false,
  });
  try {
    const t0 = performance.now();
    const r = await provision({
      serviceName: device.serviceName,
      pop: "abcd1234",
      ssid: "myssid",
      passphrase: "mypassword",
      ...(backoff ? { backoff } : {}),
    });
    const ms = performance.now() - t0;
    if (r.outcome.state !== "connected") throw new Error(`not connected: ${JSON.stringify(r.outcome)}`);
    return ms;
  } finally {
    await device.close();
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const seconds of [1.5, 2.2, 3, 5]) {
    const n = seconds * 1000;
    const now = await once(n);
    rows.push({
      name: `N = ${seconds} s: provision() end to end`,
      value: now / 1000,
      unit: "s",
      note: `N + ${((now - n) / 1000).toFixed(2)} s; goal ≤ N + 0.3 s`,
    });
    const before = await once(n, { steadyForMs: 0 });
    rows.push({
      name: `N = ${seconds} s: same with the old back-off only`,
      value: before / 1000,
      unit: "s",
      note: `N + ${((before - n) / 1000).toFixed(2)} s`,
    });
  }
  return rows;
}
