/**
 * startVirtualDevice(): the device app developers and CI use instead of hardware — createDevice() on a
 * simulated radio, a state directory (or memory) for the credentials, and HTTP on loopback. This is the
 * composition root for `wifiprov device --radio simulated` and `npm start`.
 */
import { realClock, scaledClock } from "../clock.js";
import type { Clock } from "../clock.js";
import { UsageError } from "../errors.js";
import { defaultLogger } from "../logger.js";
import type { SimulatedEnvironment } from "../wifi/environment.js";
import type { Radio } from "../wifi/radio.js";
import { SimulatedRadio } from "../wifi/simulated-radio.js";
import { createDevice } from "./create-device.js";
import type { DeviceParts, RunningDevice } from "./create-device.js";
import { FileStateStore } from "./file-store.js";
import { randomMac } from "./identity.js";
import { MemoryStateStore } from "./memory-store.js";
import { HttpProvisioningTransport } from "./provisioning-transport.js";
import type { StateStore } from "./store.js";
import { portalAssetsFor } from "./portal-assets.js";
import type { PortalAssets } from "./portal.js";

export interface VirtualDeviceOptions extends Omit<DeviceParts, "radio" | "store" | "transports" | "clock"> {
  /** Where the HTTP server listens. Default 127.0.0.1:8080 (a real ESP32: 192.168.4.1:80). */
  listen?: { host: string; port: number };
  /** Persistent state. Default: a FileStateStore in `stateDir` when given, else a MemoryStateStore. */
  store?: StateStore;
  stateDir?: string;
  /**
   * The MAC burnt in on the first start, when the state holds none yet (a fleet draws distinct ones so that no
   * two SoftAP names collide). Default: a random one. A MAC already in the state always wins.
   */
  mac?: Uint8Array;
  /** The networks the simulated radio sees. Default: `defaultEnvironment` (includes myssid / mypassword). */
  environment?: SimulatedEnvironment;
  /** A radio of the caller's own (not closed by close()). Default: a SimulatedRadio with `environment`. */
  radio?: Radio;
  /** The device's time. Default: real time with `timeScale` applied. */
  clock?: Clock;
  /** Multiplies every delay of the device and of the simulated radio (0.01 = a hundred times faster). Default 1. */
  timeScale?: number;
  /**
   * Serve the captive portal page beside the POST endpoints (true = the built page from dist/portal). Default
   * false on the simulated radio: GET then behaves exactly as ESP-IDF's httpd.
   */
  portal?: boolean | PortalAssets;
}

export interface RunningVirtualDevice extends RunningDevice {
  /** Where the HTTP server listens (port 0 resolved). */
  address: { host: string; port: number };
}

const DEFAULT_LISTEN = { host: "127.0.0.1", port: 8080 };

export async function startVirtualDevice(options: VirtualDeviceOptions = {}): Promise<RunningVirtualDevice> {
  const {
    listen,
    store: givenStore,
    stateDir,
    environment,
    radio: givenRadio,
    timeScale = 1,
    portal = false,
    mac: firstMac,
    ...rest
  } = options;
  if (!Number.isFinite(timeScale) || timeScale < 0) {
    throw new UsageError(`timeScale must be a finite number ≥ 0, got ${timeScale}`);
  }
  const clock = options.clock ?? (timeScale === 1 ? realClock : scaledClock(timeScale));
  const logger = options.logger ?? defaultLogger;
  const store: StateStore =
    givenStore ??
    (stateDir !== undefined ? new FileStateStore({ dir: stateDir, logger }) : new MemoryStateStore());
  // Loaded before anything starts, so a missing build leaves nothing running.
  const portalAssets = await portalAssetsFor(portal);
  // The simulated radio's MAC is drawn once and kept with the state, as an ESP32's is burnt into eFuse: the
  // SoftAP name (PROV_ + its last three bytes) stays the same across restarts.
  const saved = await store.load();
  let mac = saved.mac;
  if (mac === undefined && givenRadio === undefined) {
    mac = firstMac ?? randomMac();
    await store.save({ ...saved, mac });
  }
  const radio =
    givenRadio ?? new SimulatedRadio({ mac: mac!, ...(environment ? { environment } : {}), clock, logger });
  const http = new HttpProvisioningTransport({
    listen: listen ?? DEFAULT_LISTEN,
    ...(portalAssets !== undefined ? { portal: portalAssets } : {}),
  });
  let device: RunningDevice;
  try {
    device = await createDevice({ ...rest, radio, store, transports: [http], clock, logger });
  } catch (cause) {
    if (givenRadio === undefined) await radio.close();
    throw cause;
  }
  return {
    ...device,
    address: http.address ?? listen ?? DEFAULT_LISTEN,
    close: async () => {
      await device.close();
      if (givenRadio === undefined) await radio.close();
    },
  };
}
