/** Shared pieces of the device tests: a tiny in-memory store, waiting, and plaintext request builders. */
import { VirtualClock } from "../../src/clock.js";
import { ProvisioningManager } from "../../src/device/manager.js";
import type { ProvisioningManagerOptions } from "../../src/device/manager.js";
import type { DeviceState, StateStore } from "../../src/device/store.js";
import { createConfigHandler } from "../../src/device/config-handler.js";
import { createScanHandler } from "../../src/device/scan-handler.js";
import { createCtrlHandler } from "../../src/device/ctrl-handler.js";
import type { EndpointHandler } from "../../src/protocomm/types.js";
import { ScriptedRadio, HOME } from "./scripted-radio.js";
import type { ScriptedNetwork } from "./scripted-radio.js";

/** Test double for the StateStore contract (the real stores have their own suite). */
export class RecordingStore implements StateStore {
  state: DeviceState = {};
  saves = 0;
  async load(): Promise<DeviceState> {
    return structuredClone(this.state);
  }
  async save(state: DeviceState): Promise<void> {
    this.saves++;
    this.state = structuredClone(state);
  }
  async eraseCredentials(): Promise<void> {
    delete this.state.credentials;
  }
}

/**
 * Runs the rig's virtual clock, one due timer at a time, until `check` holds. Nothing here waits in real time:
 * the manager, the scripted radio and the in-memory store only ever wait on this clock or on promise jobs.
 * Fails when nothing is left to happen or `limitMs` of virtual time has passed.
 */
export async function runUntil(
  clock: VirtualClock,
  check: () => boolean,
  what = "condition",
  limitMs = 3_600_000,
): Promise<void> {
  const limit = clock.now() + limitMs;
  for (;;) {
    await clock.advance(0); // lets pending promise jobs run
    if (check()) return;
    const next = clock.nextDue;
    if (next === undefined) throw new Error(`${what}: nothing left to happen, and it never held`);
    if (next > limit) throw new Error(`${what}: not within ${limitMs} ms of device time`);
    await clock.advance(next - clock.now());
  }
}

export interface Rig {
  manager: ProvisioningManager;
  /** The device's time: moves only through `until` or `clock.advance`. */
  clock: VirtualClock;
  /** Moves device time until `check` holds (see runUntil). */
  until: (check: () => boolean, what?: string) => Promise<void>;
  radio: ScriptedRadio;
  store: RecordingStore;
  config: (body: Uint8Array) => Promise<Uint8Array>;
  scan: (body: Uint8Array) => Promise<Uint8Array>;
  ctrl: (body: Uint8Array) => Promise<Uint8Array>;
}

const ctx = (endpoint: string) => ({ sessionId: 1, endpoint });
const call = (handler: EndpointHandler, endpoint: string) => async (body: Uint8Array) =>
  handler(body, ctx(endpoint));

export function rig(
  options: Partial<ProvisioningManagerOptions> = {},
  networks: ScriptedNetwork[] = [HOME],
): Rig {
  const clock = new VirtualClock();
  const radio = new ScriptedRadio(networks, clock);
  const store = new RecordingStore();
  const manager = new ProvisioningManager({ radio, store, clock, ...options });
  return {
    manager,
    clock,
    until: (check, what) => runUntil(clock, check, what),
    radio,
    store,
    config: call(createConfigHandler(manager), "prov-config"),
    scan: call(createScanHandler(manager), "prov-scan"),
    ctrl: call(createCtrlHandler(manager), "prov-ctrl"),
  };
}
