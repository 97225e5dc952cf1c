/**
 * startVirtualFleet(): N virtual devices in one process, each its own ESP32 — its own MAC and SoftAP name,
 * its own state, and with `credentials: "random"` its own PoP or SRP password — on consecutive ports, plus the
 * manifest a fleet run needs to reach them (service name and secrets per device, and the QR payload a phone
 * app would scan). For testing `wifiprov fleet`, factory tooling and apps at scale without hardware.
 */
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { DEFAULT_POP } from "./device-security.js";
import type { DeviceSecurityChoice } from "./device-security.js";
import { qrPayload, randomMac, randomSecret, softApSsidFromMac } from "./identity.js";
import { MemoryStateStore } from "./memory-store.js";
import { startVirtualDevice } from "./virtual-device.js";
import type { RunningVirtualDevice, VirtualDeviceOptions } from "./virtual-device.js";
import { mixedDevice, planFleetMix, startMixedDevice, summariseMix } from "./fleet-mix-devices.js";
import type { FleetMix, FleetMixFile, MixedDeviceRecord } from "./fleet-mix-devices.js";

/** One device of the fleet as a provisioning client needs it (the columns of a fleet manifest). */
export interface FleetManifestRow {
  name: string;
  service_name: string;
  security: 0 | 1 | 2;
  pop?: string;
  sec2_username?: string;
  sec2_pwd?: string;
  /** The device's Espressif QR payload (contains the secret). */
  qrcode: string;
}

export interface VirtualFleetOptions extends Omit<
  VirtualDeviceOptions,
  "listen" | "store" | "stateDir" | "radio" | "security"
> {
  count: number;
  /** Host and first port: device i listens on port + i. Port 0 gives every device an ephemeral port. */
  listen: { host: string; port: number };
  /** Security for every device. Default sec1 with PoP "abcd1234", like one device. */
  security?: DeviceSecurityChoice;
  /** "random": each device draws its own PoP (sec1) or SRP password (sec2), as a factory would. */
  credentials?: "shared" | "random";
  /** A state directory per device under this one (device-0000, …); default: in memory. */
  stateDir?: string;
  /** Spread firmware generations and faults over the fleet (`--mix`, see fleet-mix.ts). */
  mix?: FleetMix;
}

export interface VirtualFleet {
  /** The devices that run (a `--mix` unreachable device has none). */
  devices: readonly RunningVirtualDevice[];
  /** A row per device that provisions: not the `provisioned` ones, which nothing can reach. */
  manifest: readonly FleetManifestRow[];
  /**
   * Devices whose state (from an earlier run in `stateDir`) holds credentials: like firmware, they joined
   * their network instead of starting the provisioning service. Their state directories, in fleet order.
   */
  provisioned: readonly string[];
  /** With `mix`: what was injected into each device and what a fleet run must report (no secrets). */
  mix?: FleetMixFile;
  close(): Promise<void>;
}

const MAX_FLEET = 10_000;
/** Devices starting at the same time (see startVirtualFleet). */
const START_CONCURRENCY = 16;

type StartedFleetDevice =
  | {
      /** None for a `--mix` unreachable device. */
      device?: RunningVirtualDevice;
      row: FleetManifestRow;
      record?: MixedDeviceRecord;
    }
  | { device: RunningVirtualDevice; provisionedIn: string };

function securityFor(base: DeviceSecurityChoice, random: boolean): DeviceSecurityChoice {
  if (!random || base.version === 0) return base;
  if (base.version === 1)
    return base.pop === undefined || base.pop === "" ? base : { ...base, pop: randomSecret() };
  return { ...base, password: randomSecret(), salt: undefined, verifier: undefined };
}

export async function startVirtualFleet(options: VirtualFleetOptions): Promise<VirtualFleet> {
  const {
    count,
    listen,
    security = { version: 1, pop: "abcd1234" },
    credentials,
    stateDir,
    mix: _mix,
    ...rest
  } = options;
  if (!Number.isInteger(count) || count < 1 || count > MAX_FLEET) {
    throw new UsageError(`a fleet has 1 to ${MAX_FLEET} devices, not ${count}`);
  }
  if (listen.port !== 0 && listen.port + count - 1 > 65535) {
    throw new UsageError(`ports ${listen.port}…${listen.port + count - 1} do not fit below 65536`, {
      hint: "choose a lower first port, or port 0 for ephemeral ports",
    });
  }
  const plan = options.mix !== undefined ? planFleetMix(options.mix, count) : undefined;
  const usedMacs = new Set<string>();
  // Per device, in manifest order whatever order they finish starting in.
  const started: (StartedFleetDevice | undefined)[] = new Array<StartedFleetDevice | undefined>(count);
  const extras: { close(): Promise<void> }[] = [];
  const settling: Promise<void>[] = [];
  const reserved: { release(): Promise<void> }[] = [];
  const releaseReserved = () => Promise.all(reserved.splice(0).map((r) => r.release()));

  const startOne = async (i: number): Promise<StartedFleetDevice> => {
    const kind = plan?.[i];
    // Distinct MACs, so every SoftAP name (PROV_ + last three bytes) in the fleet is distinct too.
    let mac: Uint8Array;
    do mac = randomMac();
    while (usedMacs.has(Buffer.from(mac.subarray(3)).toString("hex")));
    usedMacs.add(Buffer.from(mac.subarray(3)).toString("hex"));
    const port = listen.port === 0 ? 0 : listen.port + i;
    const store = stateDir === undefined ? new MemoryStateStore({ mac }) : undefined;
    const deviceOptions: VirtualDeviceOptions = {
      ...rest,
      security: securityFor(security, credentials === "random"),
      listen: { host: listen.host, port },
      ...(store ? { store } : { stateDir: join(stateDir!, `device-${String(i).padStart(4, "0")}`), mac }),
    };
    const mixed = plan !== undefined ? mixedDevice(kind, deviceOptions, credentials === "random") : undefined;
    const choice = mixed?.options.security ?? deviceOptions.security!;
    const secrets = {
      ...(choice.version === 1 && choice.pop ? { pop: choice.pop } : {}),
      ...(choice.version === 2
        ? { sec2_username: choice.username ?? "wifiprov", sec2_pwd: choice.password ?? DEFAULT_POP }
        : {}),
    };
    if (mixed !== undefined) {
      const one = await startMixedDevice(mixed, { mac, listen: { host: listen.host, port } });
      if (one.extra) extras.push(one.extra);
      if (one.settled) settling.push(one.settled);
      if (one.reserved) reserved.push(one.reserved);
      const name = one.device?.softApSsid ?? softApSsidFromMac(mac);
      const row: FleetManifestRow = {
        name,
        service_name: one.serviceName,
        security: choice.version,
        ...secrets,
        qrcode:
          one.device?.qrPayload ??
          qrPayload({
            name,
            ...(secrets.pop ? { pop: secrets.pop } : {}),
            ...(secrets.sec2_username ? { username: secrets.sec2_username, pop: secrets.sec2_pwd } : {}),
          }),
      };
      return {
        ...(one.device ? { device: one.device } : {}),
        row,
        record: mixed.record(row.name, row.service_name),
      };
    }
    const device = await startVirtualDevice(deviceOptions);
    if (device.state() === "station") return { device, provisionedIn: deviceOptions.stateDir! };
    return {
      device,
      row: {
        name: device.softApSsid,
        service_name: device.serviceName,
        security: choice.version,
        ...secrets,
        qrcode: device.qrPayload,
      },
    };
  };

  // Several devices start at once: a device's start is mostly waiting (its state file written and fsync'd,
  // its socket bound), which one at a time added up to seconds for a thousand devices with a state directory.
  let next = 0;
  let failure: { cause: unknown } | undefined;
  const starter = async () => {
    while (failure === undefined && next < count) {
      const i = next++;
      try {
        started[i] = await startOne(i);
      } catch (cause) {
        failure ??= { cause };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, count) }, starter));
  const devices: RunningVirtualDevice[] = [];
  const manifest: FleetManifestRow[] = [];
  const records: MixedDeviceRecord[] = [];
  const provisioned: string[] = [];
  for (const one of started) {
    if (one === undefined) continue;
    if (one.device) devices.push(one.device);
    if ("provisionedIn" in one) {
      provisioned.push(one.provisionedIn);
      continue;
    }
    manifest.push(one.row);
    if (one.record) records.push(one.record);
  }
  try {
    if (failure !== undefined) throw failure.cause;
    // Stale devices are handed out only once their failed attempt has ended, as the installer left them.
    await Promise.all(settling);
    // Every device has its port now: the unreachable ones' ports can be let go (nothing listens there).
    await releaseReserved();
  } catch (cause) {
    await releaseReserved();
    await Promise.all([...devices, ...extras].map((d) => d.close()));
    throw cause;
  }
  const closeAll = async () => {
    await Promise.all([...extras, ...devices].map((d) => d.close()));
  };
  if (options.mix !== undefined) {
    return { devices, manifest, provisioned, mix: summariseMix(options.mix, records), close: closeAll };
  }
  return { devices, manifest, provisioned, close: closeAll };
}
