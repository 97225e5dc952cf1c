/**
 * A model of an ESP32's radio for virtual devices and tests: the one part of an ESP32 that cannot run on this
 * machine. Access points, timings and faults come from a SimulatedEnvironment; outcomes use the ESP-IDF
 * disconnect reasons that the provisioning manager maps (protocol.md §8.2), so the manager cannot tell it
 * from hardware.
 */
import { pbkdf2Sync, timingSafeEqual } from "node:crypto";
import { AbortedError, UsageError, WifiError } from "../errors.js";
import type { Logger } from "../logger.js";
import { childLogger, defaultLogger } from "../logger.js";
import { authFamily, authModeName } from "./auth-mode.js";
import { defaultEnvironment } from "./default-environment.js";
import type { AccessPointFaults, SimulatedAccessPoint, SimulatedEnvironment } from "./environment.js";
import { formatBssid } from "./environment.js";
import type {
  AccessPointInfo,
  Radio,
  ScanOptions,
  SoftApConfig,
  StationConfig,
  StationConnectedInfo,
  StationEvent,
} from "./radio.js";
import { DisconnectReason } from "./radio.js";
import { TimerGroup } from "./timer-group.js";
import { scaledClock } from "../clock.js";
import type { Clock } from "../clock.js";

export interface SimulatedRadioOptions {
  /** Station MAC, 6 bytes (the device draws it once per state directory). */
  mac: Uint8Array;
  /** The world the radio sees. Default: `defaultEnvironment` (includes myssid / mypassword). */
  environment?: SimulatedEnvironment;
  /** The radio's time. Default: real time, or `timeScale` applied to it. */
  clock?: Clock;
  /** Shorthand for `clock: scaledClock(timeScale)`: 1 = real time (default), tests use e.g. 0.01. */
  timeScale?: number;
  logger?: Logger;
}

export interface SoftApStatus {
  ssid: string;
  open: boolean;
  channel: number;
  maxStations: number;
}

export type StationPhase = "idle" | "scanning" | "associating" | "obtaining-ip" | "connected";

export interface StationStatus {
  phase: StationPhase;
  /** Present while phase is "connected". */
  info?: StationConnectedInfo;
}

// ESP-IDF scan defaults: active dwell up to 120 ms, passive 360 ms; §8.5: 120 ms pause between channel groups.
const activeDwellMs = 120;
const passiveDwellMs = 360;
const groupPauseMs = 120;
/** esp_wifi.h (esp_wifi_scan_start): active and passive scan time per channel are limited to 1500 ms. */
const maxDwellMs = 1500;
const defaultAssociationMs = 250;
const defaultDhcpMs = 800;
const defaultConnectScanMs = 1500;
const defaultHandshakeTimeoutMs = 2000;
/** How long a station takes to notice its AP is gone (missed beacons) before reporting 200. */
const beaconLossMs = 3000;

interface LiveAccessPoint {
  ap: SimulatedAccessPoint;
  ssid: Uint8Array;
  ip: string;
}

interface Attempt {
  timers: TimerGroup;
  ap?: LiveAccessPoint;
}

export class SimulatedRadio implements Radio {
  readonly #mac: Uint8Array;
  readonly #env: SimulatedEnvironment;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #listeners = new Set<(event: StationEvent) => void>();
  #live: LiveAccessPoint[];
  /** The world before its last change: what a "stale" scan reports. */
  #previous: LiveAccessPoint[];
  #softAp: SoftApStatus | undefined;
  #phase: StationPhase = "idle";
  #connected: StationConnectedInfo | undefined;
  #attempt: Attempt | undefined;
  #scan: { timers: TimerGroup; cancel: (error: Error) => void } | undefined;
  #closed = false;

  constructor(options: SimulatedRadioOptions) {
    if (!(options.mac instanceof Uint8Array) || options.mac.length !== 6) {
      throw new UsageError(`SimulatedRadio: mac must be 6 bytes, got ${options.mac?.length ?? "none"}`);
    }
    const timeScale = options.timeScale ?? 1;
    if (!Number.isFinite(timeScale) || timeScale < 0) {
      throw new UsageError(`SimulatedRadio: timeScale must be a finite number ≥ 0, got ${timeScale}`);
    }
    this.#mac = Uint8Array.from(options.mac);
    this.#env = options.environment ?? defaultEnvironment;
    this.#clock = options.clock ?? scaledClock(timeScale);
    this.#log = childLogger(options.logger ?? defaultLogger, "wifi-sim");
    const encoder = new TextEncoder();
    this.#live = this.#env.accessPoints.map((ap, i) => ({
      ap,
      ssid: encoder.encode(ap.ssid),
      ip: ap.ip ?? `192.168.${(i % 254) + 1}.100`,
    }));
    this.#previous = this.#live.slice();
  }

  // ---- status for tests and the device's status output --------------------------------------------------

  /** The running SoftAP, or undefined when it is stopped. */
  get softAp(): SoftApStatus | undefined {
    return this.#softAp === undefined ? undefined : { ...this.#softAp };
  }

  get station(): StationStatus {
    return this.#connected === undefined
      ? { phase: this.#phase }
      : { phase: this.#phase, info: this.#connected };
  }

  /** Access points currently in range (hidden ones included). */
  get accessPoints(): SimulatedAccessPoint[] {
    return this.#live.map((l) => l.ap);
  }

  /** Brings a new AP into range (e.g. a test that changes the world between scans). */
  addAccessPoint(ap: SimulatedAccessPoint): void {
    this.#ensureOpen();
    this.#change(() => {
      this.#live.push({ ap, ssid: new TextEncoder().encode(ap.ssid), ip: ap.ip ?? "192.168.250.100" });
    });
  }

  /** Takes an AP out of range; a station joined to it loses it (reason 200 after the beacon timeout). */
  removeAccessPoint(bssid: Uint8Array): boolean {
    this.#ensureOpen();
    const entry = this.#live.find((l) => sameBytes(l.ap.bssid, bssid));
    if (entry === undefined) return false;
    this.#vanish(entry);
    const attempt = this.#attempt;
    if (attempt?.ap === entry && (this.#phase === "obtaining-ip" || this.#phase === "connected")) {
      attempt.timers.clear();
      attempt.timers.after(beaconLossMs, () => this.#fail(attempt, DisconnectReason.BEACON_TIMEOUT));
    }
    return true;
  }

  // ---- Radio ----------------------------------------------------------------------------------------------

  async macAddress(): Promise<Uint8Array> {
    return Uint8Array.from(this.#mac);
  }

  async startSoftAp(config: SoftApConfig): Promise<void> {
    this.#ensureOpen();
    const ssidBytes = Buffer.byteLength(config.ssid, "utf8");
    if (ssidBytes < 1 || ssidBytes > 32) {
      throw new UsageError(`SoftAP SSID must be 1–32 bytes, got ${ssidBytes}`);
    }
    // protocol.md §8.8: empty password = open AP, otherwise 8–64 characters (WPA/WPA2-PSK).
    if (config.password.length !== 0 && (config.password.length < 8 || config.password.length > 64)) {
      throw new UsageError(
        `SoftAP password must be empty (open) or 8–64 characters, got ${config.password.length}`,
        {
          hint: "choose a longer password or none",
        },
      );
    }
    const maxChannel = this.#maxChannel();
    const wanted = config.channel;
    if (wanted !== undefined && !(Number.isInteger(wanted) && wanted >= 1 && wanted <= maxChannel)) {
      throw new UsageError(`SoftAP channel must be 1–${maxChannel}, got ${config.channel}`);
    }
    const maxStations = config.maxStations ?? 5;
    if (!Number.isInteger(maxStations) || maxStations < 1 || maxStations > 15) {
      throw new UsageError(`SoftAP maxStations must be 1–15, got ${maxStations}`);
    }
    // One radio: while the station is joined, the SoftAP has to use the station's channel.
    const channel = this.#connected?.channel ?? config.channel ?? this.#env.softApChannel ?? 1;
    this.#softAp = { ssid: config.ssid, open: config.password.length === 0, channel, maxStations };
    this.#log.info(`SoftAP ${config.ssid} up on channel ${channel}`, { open: this.#softAp.open });
  }

  async stopSoftAp(): Promise<void> {
    this.#ensureOpen();
    if (this.#softAp !== undefined) this.#log.info(`SoftAP ${this.#softAp.ssid} stopped`);
    this.#softAp = undefined;
  }

  scan(options: ScanOptions = {}): Promise<AccessPointInfo[]> {
    if (this.#closed) return Promise.reject(closedError());
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new AbortedError("scan aborted"));
    if (this.#scan !== undefined) {
      return Promise.reject(new WifiError("a scan is already running", { hint: "wait for it to finish" }));
    }
    const channels = this.#maxChannel();
    const dwell =
      options.dwellMs !== undefined && options.dwellMs > 0
        ? Math.min(options.dwellMs, maxDwellMs)
        : options.passive
          ? passiveDwellMs
          : activeDwellMs;
    const group = options.groupChannels ?? 0;
    // protocol.md §8.5: group_channels > 0 scans channels one at a time, pausing after every group.
    const pauses = group > 0 ? Math.ceil(channels / group) - 1 : 0;
    const durationMs = channels * dwell + pauses * groupPauseMs;
    // The result is the world as it is (or, with the "stale" fault, was) when the scan ends.
    return new Promise<AccessPointInfo[]>((resolve, reject) => {
      const timers = new TimerGroup(this.#clock);
      const onAbort = () => finish(new AbortedError("scan aborted"));
      const finish = (error?: Error) => {
        timers.clear();
        signal?.removeEventListener("abort", onAbort);
        if (this.#scan?.timers === timers) this.#scan = undefined;
        if (error !== undefined) reject(error);
        else resolve(this.#scanResults());
      };
      this.#scan = { timers, cancel: finish };
      signal?.addEventListener("abort", onAbort, { once: true });
      timers.after(durationMs, () => finish());
    });
  }

  async connect(config: StationConfig): Promise<void> {
    this.#ensureOpen();
    if (config.ssid.length > 32)
      throw new UsageError(`SSID must be at most 32 bytes, got ${config.ssid.length}`);
    if (config.passphrase.length > 64) {
      throw new UsageError(`passphrase must be at most 64 bytes, got ${config.passphrase.length}`);
    }
    if (config.bssid !== undefined && config.bssid.length !== 6) {
      throw new UsageError(`BSSID must be 6 bytes, got ${config.bssid.length}`);
    }
    this.#cancelAttempt();
    const attempt: Attempt = { timers: new TimerGroup(this.#clock) };
    this.#attempt = attempt;
    this.#phase = "scanning";
    const wanted = {
      ssid: Uint8Array.from(config.ssid),
      passphrase: Uint8Array.from(config.passphrase),
      bssid: config.bssid === undefined ? undefined : Uint8Array.from(config.bssid),
      channel: config.channel !== undefined && config.channel > 0 ? config.channel : undefined,
    };
    this.#log.debug(`station connecting to ${printable(wanted.ssid)}`);
    attempt.timers.after(0, () => this.#emit({ type: "started" }));
    const scanMs = this.#env.timing?.connectScanMs ?? defaultConnectScanMs;
    attempt.timers.after(scanMs, () => this.#join(attempt, wanted));
  }

  async disconnect(): Promise<void> {
    this.#ensureOpen();
    // The caller asked, so no event: ESP would report 8 ASSOC_LEAVE, which the manager ignores outside an
    // attempt it started. What matters is that nothing from the old attempt arrives after this.
    this.#cancelAttempt();
  }

  onEvent(listener: (event: StationEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#cancelAttempt();
    this.#scan?.cancel(closedError());
    this.#softAp = undefined;
    this.#closed = true;
    this.#listeners.clear();
  }

  // ---- internals -----------------------------------------------------------------------------------------

  #join(
    attempt: Attempt,
    wanted: { ssid: Uint8Array; passphrase: Uint8Array; bssid?: Uint8Array; channel?: number },
  ) {
    const maxChannel = this.#maxChannel();
    const candidates = this.#live.filter(
      (l) =>
        sameBytes(l.ssid, wanted.ssid) &&
        l.ap.channel <= maxChannel &&
        (wanted.bssid === undefined || sameBytes(l.ap.bssid, wanted.bssid)) &&
        (wanted.channel === undefined || l.ap.channel === wanted.channel),
    );
    // Like ESP's default sort method: the strongest matching AP wins.
    const entry = candidates.sort((a, b) => b.ap.rssi - a.ap.rssi)[0];
    if (entry === undefined) {
      this.#log.info(`no AP named ${printable(wanted.ssid)} in range`);
      this.#fail(attempt, DisconnectReason.NO_AP_FOUND);
      return;
    }
    const ap = entry.ap;
    const faults = this.#faultsOf(ap);
    attempt.ap = entry;
    this.#phase = "associating";
    this.#hopSoftAp(ap.channel, faults.channelHopDropsSoftAp === true);
    const associationMs = ap.associationMs ?? defaultAssociationMs;
    this.#log.debug(`associating with ${formatBssid(ap.bssid)} on channel ${ap.channel}`);

    if (faults.vanishMidConnect === true) {
      attempt.timers.after(associationMs / 2, () => {
        this.#log.info(`AP ${formatBssid(ap.bssid)} vanished during association`);
        this.#vanish(entry);
        this.#fail(attempt, faults.vanishReason ?? DisconnectReason.NO_AP_FOUND);
      });
      return;
    }

    const family = authFamily(ap.authMode);
    const accepted = passphraseAccepted(entry, wanted.passphrase);
    if (!accepted) {
      // protocol.md §8.2: a wrong WPA/WPA2 key shows up as 15 after the 4-way handshake times out; SAE, WEP
      // shared-key and the modes a passphrase cannot satisfy fail authentication outright (202).
      const [delay, reason] =
        family === "psk"
          ? [
              associationMs + (this.#env.timing?.handshakeTimeoutMs ?? defaultHandshakeTimeoutMs),
              DisconnectReason.FOURWAY_HANDSHAKE_TIMEOUT,
            ]
          : [associationMs, DisconnectReason.AUTH_FAIL];
      attempt.timers.after(delay, () => {
        this.#log.info(`authentication with ${printable(entry.ssid)} failed (${authModeName(ap.authMode)})`);
        this.#fail(attempt, reason);
      });
      return;
    }

    attempt.timers.after(associationMs, () => {
      this.#phase = "obtaining-ip";
      if (faults.dhcpNeverAnswers === true) {
        this.#log.info(`associated with ${printable(entry.ssid)}; its DHCP server never answers`);
        return;
      }
      attempt.timers.after(ap.dhcpMs ?? defaultDhcpMs, () => {
        const info: StationConnectedInfo = {
          ip4: entry.ip,
          ssid: Uint8Array.from(entry.ssid),
          bssid: Uint8Array.from(ap.bssid),
          channel: ap.channel,
          authMode: ap.authMode,
        };
        this.#phase = "connected";
        this.#connected = info;
        this.#log.info(`station got IP ${info.ip4} from ${printable(entry.ssid)}`);
        this.#emit({
          type: "connected",
          info: { ...info, ssid: Uint8Array.from(info.ssid), bssid: Uint8Array.from(info.bssid) },
        });
        if (faults.dropAfterConnectMs !== undefined) {
          attempt.timers.after(faults.dropAfterConnectMs, () => {
            this.#log.info(`connection to ${printable(entry.ssid)} dropped`);
            this.#fail(attempt, faults.dropReason ?? DisconnectReason.BEACON_TIMEOUT);
          });
        }
      });
    });
  }

  /** Ends an attempt with a disconnect event, unless a newer attempt replaced it meanwhile. */
  #fail(attempt: Attempt, reason: number): void {
    if (this.#attempt !== attempt) return;
    attempt.timers.clear();
    this.#attempt = undefined;
    this.#phase = "idle";
    this.#connected = undefined;
    this.#emit({ type: "disconnected", reason });
  }

  #cancelAttempt(): void {
    this.#attempt?.timers.clear();
    this.#attempt = undefined;
    this.#phase = "idle";
    this.#connected = undefined;
  }

  /** ESP32 AP+STA shares one channel: joining an AP elsewhere moves the SoftAP (and drops its clients). */
  #hopSoftAp(channel: number, dropsSoftAp: boolean): void {
    const softAp = this.#softAp;
    if (softAp === undefined || softAp.channel === channel) return;
    if (dropsSoftAp) {
      const reason = `channel hop from ${softAp.channel} to ${channel}`;
      this.#log.warn(`SoftAP ${softAp.ssid} dropped: ${reason}`);
      this.#softAp = undefined;
      this.#emit({ type: "softap-stopped", reason });
    } else {
      this.#log.debug(`SoftAP follows the station to channel ${channel}`);
      softAp.channel = channel;
    }
  }

  #vanish(entry: LiveAccessPoint): void {
    this.#change(() => {
      this.#live = this.#live.filter((l) => l !== entry);
    });
  }

  #change(mutate: () => void): void {
    this.#previous = this.#live.slice();
    mutate();
  }

  #scanResults(): AccessPointInfo[] {
    const mode = this.#env.faults?.scan;
    if (mode === "empty") return [];
    const world = mode === "stale" ? this.#previous : this.#live;
    const maxChannel = this.#maxChannel();
    // protocol.md §8.5: results sorted by RSSI, strongest first, across all channels.
    return world
      .filter((l) => l.ap.hidden !== true && l.ap.channel <= maxChannel)
      .sort((a, b) => b.ap.rssi - a.ap.rssi)
      .map((l) => ({
        ssid: Uint8Array.from(l.ssid),
        bssid: Uint8Array.from(l.ap.bssid),
        channel: l.ap.channel,
        rssi: l.ap.rssi,
        authMode: l.ap.authMode,
      }));
  }

  #faultsOf(ap: SimulatedAccessPoint): AccessPointFaults {
    return { ...this.#env.faults, ...ap.faults };
  }

  #maxChannel(): number {
    return this.#env.maxChannel ?? 13;
  }

  #emit(event: StationEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not kill the radio's timers; report it where someone will look.
        this.#log.error(`station event listener threw on ${event.type}`, { error });
      }
    }
  }

  #ensureOpen(): void {
    if (this.#closed) throw closedError();
  }
}

function closedError(): WifiError {
  return new WifiError("the simulated radio is closed");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** SSIDs are bytes; log them readably without pretending they are always UTF-8. */
function printable(ssid: Uint8Array): string {
  return JSON.stringify(Buffer.from(ssid).toString("utf8"));
}

const hex64 = /^[0-9a-fA-F]{64}$/;

/**
 * Whether `given` unlocks the AP. Open networks take anything (ESP-IDF v4.x behaviour; v5.x refuses a
 * non-empty password for an open AP with reason 211 by default, which the manager would retry forever).
 * WPA-family PSKs also accept the 64-hex-digit key derived from passphrase and SSID (IEEE 802.11i PBKDF2).
 */
function passphraseAccepted(entry: LiveAccessPoint, given: Uint8Array): boolean {
  const ap = entry.ap;
  const family = authFamily(ap.authMode);
  if (family === "open") return true;
  if (family === "enterprise" || family === "dpp") return false;
  const expected = Buffer.from(ap.passphrase ?? "", "utf8");
  if (Buffer.compare(expected, Buffer.from(given)) === 0) return true;
  if (family !== "psk") return false;
  const key = (secret: Buffer): Buffer | undefined => {
    const text = secret.toString("latin1");
    if (secret.length === 64 && hex64.test(text)) return Buffer.from(text, "hex");
    if (secret.length < 8 || secret.length > 63) return undefined;
    return pbkdf2Sync(secret, entry.ssid, 4096, 32, "sha1");
  };
  const a = key(expected);
  const b = key(Buffer.from(given));
  return a !== undefined && b !== undefined && timingSafeEqual(a, b);
}
