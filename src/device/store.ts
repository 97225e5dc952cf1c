/**
 * The contract of persistent device state ("NVS"). Implementations: a file store (atomic JSON in the
 * state directory) and a memory store (tests, embedding). One abstract test suite runs against both.
 */

/** Wi-Fi credentials as received (bytes, exactly as on the wire). */
export interface StoredCredentials {
  ssid: Uint8Array;
  passphrase: Uint8Array;
}

/** Everything the device keeps across restarts. */
export interface DeviceState {
  /** Station MAC (6 bytes), drawn once per state directory so PROV_xxxxxx stays stable. */
  mac?: Uint8Array;
  /** Present = provisioned: on start the device joins this network instead of provisioning. */
  credentials?: StoredCredentials;
}

export interface StateStore {
  /** The last state written completely; an empty object when nothing was ever written. */
  load(): Promise<DeviceState>;
  /** Replaces the state atomically: after a crash, load() returns either the old or the new state. */
  save(state: DeviceState): Promise<void>;
  /** Forgets the credentials (ESP's flash erase / reset provisioning); the MAC stays. */
  eraseCredentials(): Promise<void>;
}

/** A deep copy, so callers and stores never share byte arrays. */
export function copyDeviceState(state: DeviceState): DeviceState {
  const copy: DeviceState = {};
  if (state.mac !== undefined) copy.mac = Uint8Array.from(state.mac);
  if (state.credentials !== undefined) {
    copy.credentials = {
      ssid: Uint8Array.from(state.credentials.ssid),
      passphrase: Uint8Array.from(state.credentials.passphrase),
    };
  }
  return copy;
}

/**
 * What a stored state may hold (protocol.md §8.1: SetConfig keeps ssid ≤ 32 and passphrase ≤ 63 bytes; 64 is
 * allowed for a hex PSK). Returns a description of the first problem, or undefined when the state is fine.
 */
export function deviceStateProblem(state: DeviceState): string | undefined {
  if (state.mac !== undefined && (!(state.mac instanceof Uint8Array) || state.mac.length !== 6)) {
    return "mac must be 6 bytes";
  }
  const credentials = state.credentials;
  if (credentials === undefined) return undefined;
  if (!(credentials.ssid instanceof Uint8Array) || credentials.ssid.length > 32) {
    return "credentials.ssid must be at most 32 bytes";
  }
  if (!(credentials.passphrase instanceof Uint8Array) || credentials.passphrase.length > 64) {
    return "credentials.passphrase must be at most 64 bytes";
  }
  return undefined;
}
