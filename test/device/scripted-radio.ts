/**
 * A deterministic Radio for handler-level tests: outcomes are decided by a table of networks or forced per
 * attempt, and every event is delivered on a later macrotask, like a real radio's callbacks.
 */
import { realClock } from "../../src/clock.js";
import type { Clock } from "../../src/clock.js";
import type {
  AccessPointInfo,
  Radio,
  ScanOptions,
  SoftApConfig,
  StationConfig,
  StationEvent,
} from "../../src/wifi/radio.js";

export interface ScriptedNetwork {
  ssid: string;
  passphrase: string;
  bssid: Uint8Array;
  channel: number;
  rssi: number;
  authMode: number;
  ip: string;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

export class ScriptedRadio implements Radio {
  readonly networks: ScriptedNetwork[];
  readonly connects: StationConfig[] = [];
  readonly scans: ScanOptions[] = [];
  disconnects = 0;
  softAp: SoftApConfig | undefined;
  /** Forced outcomes, consumed one per connect(): a disconnect reason number, or "ok". */
  readonly forced: (number | "ok")[] = [];
  /** Extra APs only visible to scans. */
  scanExtra: AccessPointInfo[] = [];
  /** When set, scans wait for it. */
  scanGate: Promise<void> | undefined;
  scanFails = false;
  #listeners = new Set<(event: StationEvent) => void>();
  #connected = false;

  readonly #clock: Clock;

  /** Outcomes arrive 1 ms after connect()/disconnect() on `clock` (the rig's virtual clock). */
  constructor(networks: ScriptedNetwork[] = [], clock: Clock = realClock) {
    this.networks = networks;
    this.#clock = clock;
  }

  async macAddress(): Promise<Uint8Array> {
    return Uint8Array.from([0x24, 0x0a, 0xc4, 0x26, 0x1f, 0xcc]);
  }
  async startSoftAp(config: SoftApConfig): Promise<void> {
    this.softAp = config;
  }
  async stopSoftAp(): Promise<void> {
    this.softAp = undefined;
  }
  async scan(options: ScanOptions = {}): Promise<AccessPointInfo[]> {
    this.scans.push(options);
    if (this.scanGate) await this.scanGate;
    await Promise.resolve(); // a scan never completes synchronously
    if (this.scanFails) throw new Error("scan failed");
    return [
      ...this.networks.map((n) => ({
        ssid: new TextEncoder().encode(n.ssid),
        bssid: n.bssid,
        channel: n.channel,
        rssi: n.rssi,
        authMode: n.authMode,
      })),
      ...this.scanExtra,
    ];
  }
  async connect(config: StationConfig): Promise<void> {
    this.connects.push(config);
    const forced = this.forced.shift();
    const network = this.networks.find((n) => n.ssid === text(config.ssid));
    let event: StationEvent;
    if (forced !== undefined && forced !== "ok") event = { type: "disconnected", reason: forced };
    else if (!network) event = { type: "disconnected", reason: 201 };
    else if (forced !== "ok" && network.passphrase !== text(config.passphrase))
      event = { type: "disconnected", reason: 15 };
    else
      event = {
        type: "connected",
        info: {
          ip4: network.ip,
          ssid: new TextEncoder().encode(network.ssid),
          bssid: network.bssid,
          channel: network.channel,
          authMode: network.authMode,
        },
      };
    this.#clock.setTimer(1, () => {
      this.#connected = event.type === "connected";
      this.emit(event);
    });
  }
  async disconnect(): Promise<void> {
    this.disconnects++;
    if (this.#connected) {
      this.#connected = false;
      this.#clock.setTimer(1, () => this.emit({ type: "disconnected", reason: 8 }));
    }
  }
  onEvent(listener: (event: StationEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  emit(event: StationEvent): void {
    for (const l of [...this.#listeners]) l(event);
  }
  async close(): Promise<void> {
    this.#listeners.clear();
  }
}

/** The network of the golden vectors' get_status_connected reply. */
export const HOME: ScriptedNetwork = {
  ssid: "myssid",
  passphrase: "mypassword",
  bssid: Uint8Array.from([0xa0, 0xb1, 0xc2, 0xd3, 0xe4, 0xf5]),
  channel: 6,
  rssi: -40,
  authMode: 3,
  ip: "192.168.1.77",
};
