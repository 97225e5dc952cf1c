/**
 * SIGKILL a real `wifiprov device` process while it saves credentials: each trial starts the device with
 * --reset-provisioning (a save: the credentials are erased), provisions new credentials over HTTP and kills the
 * process a random 0…maxDelayMs after sending ApplyConfig (where the credentials reach "flash", §8.3). The state
 * directory must then hold exactly one of the states the device could have written — the previous
 * credentials (killed before the erase landed), none, or the new ones — and load without any warning.
 */
import { readdir } from "node:fs/promises";
import { FileStateStore } from "../../src/device/index.js";
import type { Logger } from "../../src/logger.js";
import { ProvClient } from "../device/prov-client.js";
import { serviceNameOf, spawnDevice } from "./device-process.js";

export interface DeviceKillReport {
  kills: number;
  /** Kills after which the new credentials were on disk. */
  newState: number;
  /** Kills after which no credentials were on disk (erased, new ones not yet written). */
  erased: number;
  /** Kills after which the previous trial's credentials were still there. */
  oldState: number;
}

export class DeviceCrashViolation extends Error {}

const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

export async function runDeviceKills(options: {
  dir: string;
  kills: number;
  maxDelayMs?: number;
  random?: () => number;
}): Promise<DeviceKillReport> {
  const random = options.random ?? Math.random;
  const maxDelayMs = options.maxDelayMs ?? 8;
  const warnings: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (m) => warnings.push(m),
    error: (m) => warnings.push(m),
  };
  const report: DeviceKillReport = { kills: 0, newState: 0, erased: 0, oldState: 0 };
  let previous: string | undefined;
  let mac: string | undefined;
  for (let k = 0; k < options.kills; k++) {
    const ssid = `net-${k}-${"x".repeat(k % 9)}`;
    const device = spawnDevice(["--sec-ver", "0", "--state-dir", options.dir, "--reset-provisioning"]);
    try {
      const client = new ProvClient(await serviceNameOf(device), { version: 0 });
      await client.handshake();
      await client.setConfig(ssid, `pass-${k}-word`);
      const apply = client.applyConfig().catch(() => undefined);
      await new Promise((r) => setTimeout(r, Math.floor(random() * (maxDelayMs + 1))));
      device.child.kill("SIGKILL");
      await apply;
      await client.close().catch(() => undefined);
    } finally {
      if (device.child.exitCode === null) device.child.kill("SIGKILL");
    }
    const how = await device.exited;
    if (how !== "SIGKILL")
      throw new DeviceCrashViolation(`kill ${k}: the device ended with ${how}: ${device.errors()}`);

    const state = await new FileStateStore({ dir: options.dir, logger }).load();
    if (warnings.length > 0)
      throw new DeviceCrashViolation(`kill ${k}: the store warned: ${warnings.join("; ")}`);
    const stray = (await readdir(options.dir)).filter((f) => f !== "state.json");
    if (stray.length > 0) throw new DeviceCrashViolation(`kill ${k}: stray files: ${stray.join(", ")}`);
    const macHex = state.mac ? Buffer.from(state.mac).toString("hex") : undefined;
    if (macHex === undefined) throw new DeviceCrashViolation(`kill ${k}: the MAC was lost`);
    if (mac !== undefined && macHex !== mac) throw new DeviceCrashViolation(`kill ${k}: the MAC changed`);
    mac = macHex;
    const found = text(state.credentials?.ssid);
    if (found === ssid) {
      if (text(state.credentials!.passphrase) !== `pass-${k}-word`) {
        throw new DeviceCrashViolation(`kill ${k}: new SSID with a wrong passphrase`);
      }
      report.newState++;
    } else if (found === undefined) report.erased++;
    else if (found === previous) report.oldState++;
    else throw new DeviceCrashViolation(`kill ${k}: unexpected credentials for ${found}`);
    previous = found;
    report.kills++;
  }
  return report;
}
