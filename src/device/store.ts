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
