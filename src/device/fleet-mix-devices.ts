/**
 * The devices of a `--mix` fleet: each kind of fleet-mix.ts turned into a virtual device (or, for an
 * unreachable one, an address where nothing answers), and the record of what was injected into each.
 */
import net from "node:net";
import { connectableAddress, formatHostPort } from "../transport/host-port.js";
import { defaultEnvironment } from "../wifi/default-environment.js";
import type { SimulatedEnvironment } from "../wifi/environment.js";
import { compatRules } from "./compat.js";
import type { CompatProfile } from "./compat.js";
import { DEFAULT_POP } from "./device-security.js";
import type { DeviceSecurityChoice } from "./device-security.js";
import { expectationFor, MIX_KINDS, planMix } from "./fleet-mix.js";
import type { ExpectedOutcome, MixExpectation, MixKind, MixSpec } from "./fleet-mix.js";
import { startLinkDrop } from "./link-drop.js";
import { MemoryStateStore } from "./memory-store.js";
import { randomSecret } from "./identity.js";
import { startVirtualDevice } from "./virtual-device.js";
import type { RunningVirtualDevice, VirtualDeviceOptions } from "./virtual-device.js";

export interface FleetMix {
  spec: MixSpec;
  /** As the user wrote it (recorded in the mix file). */
  text: string;
  seed: number;
}

/** One device of a mixed fleet in the mix file: what was injected, what a fleet run must report. */
export interface MixedDeviceRecord {
  service_name: string;
  name: string;
  fault: MixKind | "none";
  compat: CompatProfile;
  /** What the device announces on proto-ver (the report's `firmware`). */
  firmware: string;
  security: 0 | 1 | 2;
  /** sec2 only. */
  patch?: 0 | 1;
  expect: MixExpectation;
}

/** The `--mix` sidecar of a manifest (MANIFEST.mix.json): no secrets, only what was done to which device. */
export interface FleetMixFile {
  format: "wifiprov-fleet-mix";
  version: 1;
  mix: string;
  seed: number;
  /** Devices per fault ("none": plain ones). */
  faults: Record<MixKind | "none", number>;
  /** Devices per outcome a fleet run must report. */
  expected: Record<ExpectedOutcome, number>;
  devices: MixedDeviceRecord[];
}

/** A network no simulated environment has: the installer before typed another site's. */
const STALE_NETWORK = { ssid: "wifiprov-stale-site", passphrase: "another-site-pass" };

export interface MixedDevice {
  kind: MixKind | undefined;
  options: VirtualDeviceOptions & { security: DeviceSecurityChoice };
  record(name: string, serviceName: string): MixedDeviceRecord;
}

export function planFleetMix(mix: FleetMix, count: number): (MixKind | undefined)[] {
  return planMix(mix.spec, count, mix.seed);
}

/** Every protected network around the device keeps its name but another key: any passphrase sent fails. */
function refusingEnvironment(environment: SimulatedEnvironment): SimulatedEnvironment {
  return {
    ...environment,
    accessPoints: environment.accessPoints.map((ap) =>
      ap.passphrase === undefined || ap.passphrase === ""
        ? ap
        : { ...ap, passphrase: `${randomSecret()}-changed` },
    ),
  };
}

/** The device options of one kind, from the options every device of the fleet gets. */
export function mixedDevice(
  kind: MixKind | undefined,
  base: VirtualDeviceOptions & { security?: DeviceSecurityChoice },
  randomCredentials: boolean,
): MixedDevice {
  const baseSecurity = base.security ?? { version: 1, pop: DEFAULT_POP };
  let options: VirtualDeviceOptions & { security: DeviceSecurityChoice } = {
    ...base,
    security: baseSecurity,
  };
  switch (kind) {
    case "v4.0": {
      // The v4.0 example has security 0 and 1 only; a factory sets a PoP.
      const pop = randomCredentials
        ? randomSecret()
        : baseSecurity.version === 1 && baseSecurity.pop
          ? baseSecurity.pop
          : DEFAULT_POP;
      options = { ...base, compat: "idf-v4.0", security: { version: 1, pop } };
      break;
    }
    case "patch0": {
      const sec2: DeviceSecurityChoice =
        baseSecurity.version === 2
          ? { ...baseSecurity, patchVersion: 0 }
          : {
              version: 2,
              patchVersion: 0,
              ...(randomCredentials ? { password: randomSecret() } : {}),
            };
      options = { ...base, compat: "idf-v5.0", security: sec2 };
      break;
    }
    case "stale":
      options.previousAttempt = STALE_NETWORK;
      break;
    case "wrongpass":
      options.environment = refusingEnvironment(base.environment ?? defaultEnvironment);
      break;
    default:
      break;
  }
  const profile = options.compat ?? "idf-v5.5";
  const rules = compatRules(profile);
  const security = options.security;
  return {
    kind,
    options,
    record: (name, serviceName) => ({
      service_name: serviceName,
      name,
      fault: kind ?? "none",
      compat: profile,
      firmware: rules.provVersion,
      security: security.version,
      ...(security.version === 2 ? { patch: security.patchVersion ?? rules.sec2PatchVersion } : {}),
      expect: expectationFor(kind, profile),
    }),
  };
}

/**
 * A port nothing will listen on once the fleet is up: taken now and held while the rest of the fleet starts
 * (released by the caller afterwards), so that no later device of the same fleet is given it by the kernel.
 */
async function reservePort(host: string): Promise<{ port: number; release(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return { port, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface StartedMixedDevice {
  device?: RunningVirtualDevice;
  /** Something else to close with the fleet (the relay of a link that drops). */
  extra?: { close(): Promise<void> };
  /** A port held for an unreachable device until the whole fleet has started (see reservePort). */
  reserved?: { release(): Promise<void> };
  /** Resolves once the device is in the state it is handed out in (a stale device: its attempt failed). */
  settled?: Promise<void>;
  serviceName: string;
}

export async function startMixedDevice(
  mixed: MixedDevice,
  where: { mac: Uint8Array; listen: { host: string; port: number } },
): Promise<StartedMixedDevice> {
  const { listen } = where;
  if (mixed.kind === "unreachable") {
    // Switched off: nothing listens at its address. With consecutive ports that port simply stays closed;
    // with ephemeral ones a port is taken and held until the fleet has started, then released. Released at
    // once, the kernel handed it to a later device of the same fleet (two rows, one address) now and then.
    if (listen.port !== 0) {
      return { serviceName: formatHostPort(connectableAddress({ host: listen.host, port: listen.port })) };
    }
    const reserved = await reservePort(listen.host);
    return {
      serviceName: formatHostPort(connectableAddress({ host: listen.host, port: reserved.port })),
      reserved,
    };
  }
  const drops = mixed.kind === "drop";
  const device = await startVirtualDevice({
    ...mixed.options,
    // The relay takes the fleet's address; the device itself listens on an ephemeral port behind it.
    listen: drops ? { host: listen.host, port: 0 } : listen,
    ...(mixed.options.store === undefined && mixed.options.stateDir === undefined
      ? { store: new MemoryStateStore({ mac: where.mac }) }
      : {}),
  });
  if (drops) {
    try {
      const relay = await startLinkDrop({ target: device.address, listen, endpoint: "prov-config" });
      return {
        device,
        extra: relay,
        serviceName: formatHostPort(connectableAddress(relay.address)),
      };
    } catch (cause) {
      await device.close();
      throw cause;
    }
  }
  return {
    device,
    serviceName: device.serviceName,
    ...(mixed.kind === "stale"
      ? { settled: Promise.race([device.waitFor("failed"), device.waitFor("provisioned")]) }
      : {}),
  };
}

export function summariseMix(mix: FleetMix, devices: MixedDeviceRecord[]): FleetMixFile {
  const faults = Object.fromEntries([...MIX_KINDS, "none"].map((k) => [k, 0])) as Record<
    MixKind | "none",
    number
  >;
  const expected: Record<ExpectedOutcome, number> = {
    connected: 0,
    "wifi-failed": 0,
    unreachable: 0,
    error: 0,
  };
  for (const d of devices) {
    faults[d.fault]++;
    expected[d.expect.outcome]++;
  }
  return {
    format: "wifiprov-fleet-mix",
    version: 1,
    mix: mix.text,
    seed: mix.seed,
    faults,
    expected,
    devices,
  };
}
