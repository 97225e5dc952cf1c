/** Shared pieces of the device tests: a tiny in-memory store, waiting, and plaintext request builders. */
import { scaledClock } from "../../src/clock.js";
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

export async function until(check: () => boolean, what = "condition", timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export interface Rig {
  manager: ProvisioningManager;
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
  { timeScale = 0.001, ...options }: Partial<ProvisioningManagerOptions> & { timeScale?: number } = {},
  networks: ScriptedNetwork[] = [HOME],
): Rig {
  const radio = new ScriptedRadio(networks);
  const store = new RecordingStore();
  const manager = new ProvisioningManager({ radio, store, clock: scaledClock(timeScale), ...options });
  return {
    manager,
    radio,
    store,
    config: call(createConfigHandler(manager), "prov-config"),
    scan: call(createScanHandler(manager), "prov-scan"),
    ctrl: call(createCtrlHandler(manager), "prov-ctrl"),
  };
}
