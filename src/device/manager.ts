/**
 * The provisioning manager: ESP-IDF's wifi_prov_mgr state machine (protocol.md §8.1, §8.2, §8.4–§8.6) over
 * the Radio and StateStore interfaces. The endpoint handlers (config/scan/ctrl-handler.ts) translate protobuf
 * to calls on this class; startVirtualDevice() listens for "stop-requested" and tears the service down.
 */
import { childLogger, showSecret, silentLogger } from "../logger.js";
import type { Logger } from "../logger.js";
import { Status, WifiConnectFailedReason } from "../proto/index.js";
import { DisconnectReason } from "../wifi/radio.js";
import { TimerGroup } from "../wifi/timer-group.js";
import { realClock } from "../clock.js";
import type { Clock } from "../clock.js";
import type {
  AccessPointInfo,
  Radio,
  StationConfig,
  StationConnectedInfo,
  StationEvent,
} from "../wifi/radio.js";
import { compatRules } from "./compat.js";
import type { CompatProfile, CompatRules } from "./compat.js";
import { ScanList } from "./scan-list.js";
import type { StateStore } from "./store.js";

/** Manager states of wifi_prov_mgr (IDLE is not modelled: a manager exists only while it runs). */
export type ProvisioningState = "started" | "cred-recv" | "fail" | "success" | "stopped";

/** The station state the manager reports through GetStatus (§8.1). */
export type StationState = "connecting" | "attempt-failed" | "connected" | "disconnected";

export type StatusReport =
  | { state: "connecting" }
  | { state: "attempt-failed"; attemptsRemaining: number }
  | { state: "connected"; info: StationConnectedInfo }
  | { state: "failed"; reason: WifiConnectFailedReason };

export interface WifiCredentialsRequest {
  ssid: Uint8Array;
  passphrase: Uint8Array;
  bssid: Uint8Array;
  channel: number;
}

export interface ScanRequest {
  blocking: boolean;
  passive: boolean;
  groupChannels: number;
  periodMs: number;
}

export type ManagerEvent =
  | { type: "cred-recv"; ssid: Uint8Array }
  | { type: "cred-success"; info: StationConnectedInfo }
  | { type: "cred-fail"; reason: WifiConnectFailedReason }
  | { type: "reprovision" }
  | { type: "stop-requested"; why: "connected-reported" | "got-ip-timeout" };

export interface ProvisioningManagerOptions {
  radio: Radio;
  store: StateStore;
  /** Which firmware to behave like. Default "idf-v5.5". */
  compat?: CompatProfile;
  /**
   * wifi_conn_attempts: failed attempts before ConnectionFailed is reported (v5.x). Default 5, the value the
   * wifi_prov_mgr example uses (EXAMPLE_PROV_MGR_CONNECTION_CNT). 0 = ESP's default: the first failure is final
   * for auth/not-found reasons and any other reason reconnects forever. Ignored for idf-v4.0.
   */
  connAttempts?: number;
  /**
   * Delay between the GetStatus that reported Connected and the stop (cleanup_delay, default 1000 ms), or
   * false to keep the service running after success (wifi_prov_mgr_disable_auto_stop; enables CtrlReprov).
   */
  autoStopMs?: number | false;
  /** Stop this long after Got IP even if nobody polled (CONFIG_WIFI_PROV_AUTOSTOP_TIMEOUT). Default 30000. */
  stopAfterGotIpMs?: number;
  /** Delay between Apply and the connection attempt. Default from the profile: 1000 ms v5.x, 0 v4.0. */
  applyDelayMs?: number;
  /** The time every delay above runs on. Default: real time. */
  clock?: Clock;
  /** CONFIG_WIFI_PROV_SCAN_MAX_ENTRIES. Default 16. */
  scanMaxEntries?: number;
  logger?: Logger;
  /** Show passphrases in log lines instead of ********. */
  logSecrets?: boolean;
}

const ssidText = (ssid: Uint8Array) => new TextDecoder().decode(ssid);

export class ProvisioningManager {
  readonly rules: CompatRules;
  readonly #radio: Radio;
  readonly #store: StateStore;
  readonly #connAttempts: number;
  readonly #autoStopMs: number | false;
  readonly #stopAfterGotIpMs: number;
  readonly #applyDelayMs: number;
  readonly #log: Logger;
  readonly #handlerLog: Logger;
  readonly #logSecrets: boolean;
  readonly #scan: ScanList;
  readonly #listeners = new Set<(event: ManagerEvent) => void>();
  readonly #timers: TimerGroup;

  #state: ProvisioningState = "started";
  // Before any Apply the station state reads CONNECTING (§8.1 table, first row).
  #station: StationState = "connecting";
  // wifi_disconnect_reason starts as AuthError (§8.2).
  #failReason: WifiConnectFailedReason = WifiConnectFailedReason.AuthError;
  #attemptsCompleted = 0;
  #connected: StationConnectedInfo | undefined;
  #pending: StationConfig | undefined;
  #active: StationConfig | undefined;
  #cancelConnect: (() => void) | undefined;
  readonly #stopScheduled = new Set<string>();
  #stopEmitted = false;
  #leaving = false;
  #staStartLogged = false;
  #unsubscribe: (() => void) | undefined;

  constructor(options: ProvisioningManagerOptions) {
    this.rules = compatRules(options.compat);
    this.#radio = options.radio;
    this.#store = options.store;
    this.#connAttempts = Math.max(0, Math.trunc(options.connAttempts ?? 5));
    this.#autoStopMs = options.autoStopMs === false ? false : Math.max(0, options.autoStopMs ?? 1000);
    this.#stopAfterGotIpMs = Math.max(0, options.stopAfterGotIpMs ?? 30_000);
    this.#applyDelayMs = Math.max(0, options.applyDelayMs ?? this.rules.applyDelayMs);
    this.#timers = new TimerGroup(options.clock ?? realClock);
    const logger = options.logger ?? silentLogger;
    this.#log = childLogger(logger, "app_prov");
    this.#handlerLog = childLogger(logger, "app_prov_handler");
    this.#logSecrets = options.logSecrets ?? false;
    this.#scan = new ScanList(options.scanMaxEntries);
    this.#unsubscribe = this.#radio.onEvent((event) => this.#onStationEvent(event));
  }

  get state(): ProvisioningState {
    return this.#state;
  }

  get stationState(): StationState {
    return this.#station;
  }

  /** The credentials of the current provisioning run (after Apply), for the station after the stop. */
  get activeConfig(): StationConfig | undefined {
    return this.#active;
  }

  /** True unless the application disabled auto-stop (wifi_prov_mgr_disable_auto_stop). */
  get autoStop(): boolean {
    return this.#autoStopMs !== false;
  }

  onEvent(listener: (event: ManagerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- prov-config (§8.1) ----

  getStatus(): StatusReport {
    switch (this.#station) {
      case "connected": {
        this.#handlerLog.info("Connected state");
        // v5.5: reporting Connected calls wifi_prov_mgr_done(), which schedules the stop (§8.4).
        if (this.rules.stopWhenConnectedReported && this.#autoStopMs !== false) {
          this.#requestStop(this.#autoStopMs, "connected-reported");
        }
        // Unreachable without info (connected is only entered with it), but never emit an empty reply.
        return this.#connected
          ? { state: "connected", info: this.#connected }
          : { state: "failed", reason: this.#failReason };
      }
      case "disconnected":
        this.#handlerLog.info("Disconnected state");
        return { state: "failed", reason: this.#failReason };
      case "attempt-failed":
        this.#handlerLog.info("Connecting state");
        return {
          state: "attempt-failed",
          attemptsRemaining: Math.max(0, this.#connAttempts - this.#attemptsCompleted),
        };
      case "connecting":
        this.#handlerLog.info("Connecting state");
        return { state: "connecting" };
    }
  }

  setConfig(request: WifiCredentialsRequest): Status {
    // 802.11 limits as ESP checks them: ssid < 33 bytes, passphrase < 64 bytes, bssid absent or 6 bytes (§8.1).
    if (request.bssid.length !== 0 && request.bssid.length !== 6) return Status.InvalidArgument;
    if (request.ssid.length >= 33) return Status.InvalidArgument;
    if (request.passphrase.length >= 64) return Status.InvalidArgument;
    // A new Set replaces the pending one; content is not checked (empty SSID, short WPA keys pass here).
    this.#pending = {
      ssid: request.ssid.slice(),
      passphrase: request.passphrase.slice(),
      ...(request.bssid.length === 6 ? { bssid: request.bssid.slice() } : {}),
      ...(request.channel !== 0 ? { channel: request.channel } : {}),
    };
    const password = showSecret(ssidText(request.passphrase), this.#logSecrets);
    this.#handlerLog.info(`WiFi Credentials Received : ssid ${ssidText(request.ssid)}, password ${password}`);
    return Status.Success;
  }

  async applyConfig(): Promise<Status> {
    // The pending config is consumed in every case: a second Apply without a new Set fails (§8.1).
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending) {
      this.#handlerLog.error("WiFi config not set");
      return Status.InternalError;
    }
    if (this.#state === "stopped") return Status.InternalError;
    if (!this.rules.applyRepeatable && this.#state !== "started") {
      this.#log.error("Wi-Fi credentials already received by provisioning app");
      return Status.InternalError;
    }
    // Credentials reach flash at Apply, before the outcome is known: a wrong password is persisted too (§8.3).
    try {
      const stored = await this.#store.load();
      await this.#store.save({
        ...stored,
        credentials: { ssid: pending.ssid, passphrase: pending.passphrase },
      });
    } catch (cause) {
      this.#log.error("Failed to save Wi-Fi credentials", { error: String(cause) });
      return Status.InternalError;
    }
    if (this.#active !== undefined) {
      // [v4.0] a repeated Apply restarts the station with the new config.
      this.#clearConnectTimer();
      await this.#leave();
    }
    this.#active = pending;
    // wifi_provisioning (v5.4.1+ manager.c) never zeroes connection_attempts_completed: a second run after a
    // ctrl reset starts with the attempts the first one used up. network_provisioning zeroes it at ctrl reset.
    this.#staStartLogged = false;
    this.#connected = undefined;
    this.#station = "connecting";
    this.#state = "cred-recv";
    this.#handlerLog.info("WiFi Credentials Applied");
    this.#emit({ type: "cred-recv", ssid: pending.ssid });
    // v5.5 connects 1 s later so that this reply leaves before the radio changes channel (§8.1).
    this.#cancelConnect = this.#timers.after(this.#applyDelayMs, () => {
      this.#cancelConnect = undefined;
      this.#connect();
    });
    return Status.Success;
  }

  // ---- prov-scan (§8.5) ----

  async scanStart(request: ScanRequest): Promise<Status> {
    if (this.#scan.running) return Status.Success; // a running scan is not restarted
    this.#scan.begin();
    let failed = false;
    const done = this.#radio
      .scan({ passive: request.passive, dwellMs: request.periodMs, groupChannels: request.groupChannels })
      .then(
        (found) => this.#scan.finish(found),
        (cause: unknown) => {
          failed = true;
          this.#scan.fail();
          this.#log.error("Wi-Fi scan failed", { error: String(cause) });
        },
      );
    if (!request.blocking) return Status.Success;
    await done;
    return failed ? Status.InternalError : Status.Success;
  }

  scanStatus(): { finished: boolean; count: number } {
    return { finished: !this.#scan.running, count: this.#scan.count };
  }

  /** Entries start…start+count−1; InternalError (with the entries up to the gap) beyond result_count. */
  scanResults(start: number, count: number): { status: Status; entries: AccessPointInfo[] } {
    const entries: AccessPointInfo[] = [];
    for (let i = 0; i < count; i++) {
      const entry = this.#scan.at(start + i);
      if (!entry) return { status: Status.InternalError, entries };
      entries.push(entry);
    }
    return { status: Status.Success, entries };
  }

  // ---- prov-ctrl (§8.6) ----

  async ctrlReset(): Promise<Status> {
    if (this.#state === "started" && this.rules.ctrlResetWhenStartedOk) {
      // network_provisioning: "Reset already performed, device already in provisioning mode".
      this.#log.debug("Reset already performed, device already in provisioning mode");
      return Status.Success;
    }
    if (this.#state !== "fail") {
      this.#log.error(`Trying reset when not in failure state. Current state: ${this.#state}`);
      return Status.InternalError;
    }
    // ESP blanks the STA config while Wi-Fi storage is FLASH, so the stored credentials are erased too.
    try {
      await this.#store.eraseCredentials();
    } catch (cause) {
      this.#log.error("Failed to erase Wi-Fi credentials", { error: String(cause) });
      return Status.InternalError;
    }
    this.#clearConnectTimer();
    this.#active = undefined;
    await this.#leave();
    // The station state is left as is: GetStatus keeps reporting the failure until a new Apply (§8.2).
    if (this.rules.ctrlResetClearsAttempts) this.#attemptsCompleted = 0;
    this.#state = "started";
    this.#log.info("Wi-Fi state reset after the failure: ready for new credentials");
    return Status.Success;
  }

  async ctrlReprov(): Promise<Status> {
    if (this.#autoStopMs !== false) {
      this.#log.error("Execute wifi_prov_mgr_disable_auto_stop() before calling this API");
      return Status.InternalError;
    }
    // Only the RAM config is blanked: the credentials in flash stay until a new Apply replaces them.
    this.#clearConnectTimer();
    this.#active = undefined;
    await this.#leave();
    this.#state = "started";
    this.#log.info("Re-provisioning requested: ready for new credentials");
    this.#emit({ type: "reprovision" });
    return Status.Success;
  }

  // ---- lifecycle ----

  /** Marks the service stopped: timers cleared, station events no longer handled here. Idempotent. */
  stop(): void {
    if (this.#state === "stopped") return;
    this.#state = "stopped";
    this.#pending = undefined;
    this.#timers.clear();
    this.#cancelConnect = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  // ---- station events (§8.2) ----

  #onStationEvent(event: StationEvent): void {
    // Only while credentials have been received (CRED_RECV, FAIL, SUCCESS).
    if (this.#state === "started" || this.#state === "stopped") return;
    switch (event.type) {
      case "started":
        // ESP reports STA_START once when the station interface comes up, and the state is already CONNECTING
        // after Apply. A radio that reports it per attempt must not hide CONN_ATTEMPT_FAILED, so log only.
        if (!this.#staStartLogged) this.#log.info("STA Start");
        this.#staStartLogged = true;
        return;
      case "connected":
        this.#log.info("STA Got IP");
        this.#station = "connected";
        this.#connected = event.info;
        this.#state = "success";
        if (this.#autoStopMs !== false) this.#requestStop(this.#stopAfterGotIpMs, "got-ip-timeout");
        this.#emit({ type: "cred-success", info: event.info });
        return;
      case "disconnected":
        this.#onDisconnected(event.reason);
        return;
      case "softap-stopped":
        this.#log.warn(`SoftAP stopped: ${event.reason}`);
        return;
    }
  }

  #onDisconnected(reason: number): void {
    // Our own disconnect (reprov, reset, re-Apply) is not a connection failure.
    if (this.#leaving && reason === DisconnectReason.ASSOC_LEAVE) return;
    const limited = this.rules.attemptFailed && this.#connAttempts > 0;
    if (limited) {
      this.#attemptsCompleted += 1;
      if (this.#attemptsCompleted < this.#connAttempts) {
        this.#station = "attempt-failed";
        this.#log.warn(
          `Connection attempt failed (reason ${reason}), ${this.#connAttempts - this.#attemptsCompleted} attempts remaining`,
        );
        this.#connect();
        return;
      }
    }
    this.#log.error("STA Disconnected");
    this.#station = "disconnected";
    this.#state = "fail";
    this.#log.error(`Disconnect reason : ${reason}`);
    if (this.rules.authErrorReasons.has(reason)) {
      this.#log.info("STA Auth Error");
      this.#failReason = WifiConnectFailedReason.AuthError;
    } else if (reason === DisconnectReason.NO_AP_FOUND) {
      this.#log.info("STA AP Not found");
      this.#failReason = WifiConnectFailedReason.NetworkNotFound;
    } else if (!limited) {
      // Any other reason without an attempt limit: back to CONNECTING and retry, indefinitely (§8.2).
      this.#station = "connecting";
      this.#connect();
      return;
    }
    // With a limit, an unmapped final reason keeps the previously stored one (initially AuthError).
    this.#emit({ type: "cred-fail", reason: this.#failReason });
  }

  #connect(): void {
    const config = this.#active;
    if (!config || this.#state === "stopped") return;
    this.#leaving = false;
    this.#radio.connect(config).catch((cause: unknown) => {
      this.#log.error("Failed to connect Wi-Fi", { error: String(cause) });
      if (this.#active === config && this.#state !== "stopped" && this.#state !== "started") {
        this.#onDisconnected(DisconnectReason.CONNECTION_FAIL);
      }
    });
  }

  async #leave(): Promise<void> {
    this.#leaving = true;
    try {
      await this.#radio.disconnect();
    } catch (cause) {
      this.#log.warn("Failed to disconnect Wi-Fi", { error: String(cause) });
    }
  }

  #requestStop(delayMs: number, why: "connected-reported" | "got-ip-timeout"): void {
    // Each trigger arms once; whichever fires first stops the service (§8.4).
    if (this.#stopScheduled.has(why)) return;
    this.#stopScheduled.add(why);
    this.#timers.after(delayMs, () => {
      if (this.#stopEmitted) return;
      this.#stopEmitted = true;
      this.#emit({ type: "stop-requested", why });
    });
  }

  #clearConnectTimer(): void {
    this.#cancelConnect?.();
    this.#cancelConnect = undefined;
  }

  #emit(event: ManagerEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (cause) {
        this.#log.error(`listener for ${event.type} failed`, { error: String(cause) });
      }
    }
  }
}
