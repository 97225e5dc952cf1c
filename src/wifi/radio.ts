/**
 * The radio behind one interface. `SimulatedRadio` (default) and a NetworkManager backend implement it; the
 * provisioning manager (src/device) talks to nothing else. Events mirror ESP-IDF's Wi-Fi events so the
 * manager's state machine can follow protocol.md §8.2 literally.
 */

/** ESP-IDF wifi_auth_mode_t numbers (0–7 are named in the proto enum; larger ones exist, §8.5). */
export type AuthModeNumber = number;

export interface AccessPointInfo {
  ssid: Uint8Array;
  bssid: Uint8Array; // 6 bytes
  channel: number; // primary channel 1–14
  rssi: number; // dBm, negative
  authMode: AuthModeNumber;
}

export interface SoftApConfig {
  ssid: string;
  /** Empty = open network; otherwise 8–64 characters (WPA/WPA2-PSK). */
  password: string;
  channel?: number;
  maxStations?: number;
}

export interface ScanOptions {
  passive?: boolean;
  /** Dwell time per channel in ms (ESP's period_ms); 0 = backend default. */
  dwellMs?: number;
  /** 0 = all channels at once; n > 0 = n channels at a time with a pause between groups. */
  groupChannels?: number;
  signal?: AbortSignal;
}

export interface StationConfig {
  ssid: Uint8Array; // 1–32 bytes
  passphrase: Uint8Array; // 0–63 bytes (64 hex digits accepted by some backends)
  bssid?: Uint8Array;
  channel?: number;
}

/** ESP-IDF disconnect reason codes that the manager maps (protocol.md §8.2). */
export const DisconnectReason = {
  AUTH_EXPIRE: 2,
  ASSOC_LEAVE: 8,
  MIC_FAILURE: 14,
  FOURWAY_HANDSHAKE_TIMEOUT: 15,
  BEACON_TIMEOUT: 200,
  NO_AP_FOUND: 201,
  AUTH_FAIL: 202,
  ASSOC_FAIL: 203,
  HANDSHAKE_TIMEOUT: 204,
  CONNECTION_FAIL: 205,
} as const;

export interface StationConnectedInfo {
  ip4: string;
  ssid: Uint8Array;
  bssid: Uint8Array;
  channel: number;
  authMode: AuthModeNumber;
}

export type StationEvent =
  | { type: "started" }
  | { type: "connected"; info: StationConnectedInfo } // associated AND got an IP ("STA Got IP")
  | { type: "disconnected"; reason: number }
  | { type: "softap-stopped"; reason: string }; // e.g. the radio had to hop channels

export interface Radio {
  /** Station MAC address, 6 bytes, stable for this device. */
  macAddress(): Promise<Uint8Array>;
  startSoftAp(config: SoftApConfig): Promise<void>;
  stopSoftAp(): Promise<void>;
  scan(options?: ScanOptions): Promise<AccessPointInfo[]>;
  /**
   * Starts one connection attempt; its outcome arrives as a "connected" or "disconnected" event (a "started"
   * event may come first). Replaces any attempt in progress: nothing from the old one arrives afterwards.
   */
  connect(config: StationConfig): Promise<void>;
  /** Leaves the network or cancels the attempt in progress; no event from it arrives afterwards. */
  disconnect(): Promise<void>;
  /** Subscribes to station events; returns the unsubscribe function. */
  onEvent(listener: (event: StationEvent) => void): () => void;
  /** Releases timers and resources. */
  close(): Promise<void>;
}
