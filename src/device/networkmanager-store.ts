/**
 * The device state for a Linux device on NetworkManager: the Wi-Fi credentials live in NetworkManager (the
 * station profile flagged as ours, see wifi/networkmanager/nm-credentials.ts), everything else (the MAC drawn
 * once) in another StateStore, normally the file store in the state directory. At boot an existing profile
 * means "provisioned", like an ESP reading NVS.
 */
import { UsageError } from "../errors.js";
import type { NetworkManagerCredentials } from "../wifi/networkmanager/nm-credentials.js";
import type { DeviceState, StateStore } from "./store.js";
import { copyDeviceState, deviceStateProblem } from "./store.js";

export class NetworkManagerStateStore implements StateStore {
  readonly #credentials: NetworkManagerCredentials;
  readonly #rest: StateStore;
  /** One operation at a time, in call order (saves issued together land in order). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(credentials: NetworkManagerCredentials, rest: StateStore) {
    this.#credentials = credentials;
    this.#rest = rest;
  }

  load(): Promise<DeviceState> {
    return this.#exclusive(async () => {
      const rest = await this.#rest.load();
      const state: DeviceState = {};
      if (rest.mac !== undefined) state.mac = rest.mac;
      const credentials = await this.#credentials.load();
      if (credentials !== undefined) state.credentials = credentials;
      return copyDeviceState(state);
    });
  }

  save(state: DeviceState): Promise<void> {
    const problem = deviceStateProblem(state);
    if (problem !== undefined) return Promise.reject(new UsageError(`cannot save device state: ${problem}`));
    const copy = copyDeviceState(state);
    return this.#exclusive(async () => {
      await this.#rest.save(copy.mac === undefined ? {} : { mac: copy.mac });
      if (copy.credentials === undefined) {
        await this.#credentials.erase();
        return;
      }
      const current = await this.#credentials.load();
      if (current !== undefined && sameCredentials(current, copy.credentials)) return;
      await this.#credentials.save(copy.credentials);
    });
  }

  eraseCredentials(): Promise<void> {
    return this.#exclusive(async () => {
      await this.#credentials.erase();
      await this.#rest.eraseCredentials();
    });
  }

  #exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation, operation);
    this.#queue = result.catch(() => {});
    return result;
  }
}

function sameCredentials(a: { ssid: Uint8Array; passphrase: Uint8Array }, b: typeof a): boolean {
  return (
    Buffer.from(a.ssid).equals(Buffer.from(b.ssid)) &&
    Buffer.from(a.passphrase).equals(Buffer.from(b.passphrase))
  );
}
