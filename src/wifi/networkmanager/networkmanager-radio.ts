/**
 * The Radio on a Linux box with NetworkManager, over D-Bus (no nmcli text parsing). The SoftAP is an AP-mode
 * profile; scans are RequestScan + LastScan; a join is AddAndActivateConnection2 whose outcome comes from the
 * active connection's state and the device's state reason, mapped onto ESP disconnect reasons (state-reasons.ts).
 * Profiles it makes are "volatile" (NetworkManager deletes them once deactivated) and flagged as ours, so a crash
 * or SIGTERM leaves nothing behind. One interface (AP and station take turns, like an ESP's single radio: the
 * SoftAP drops while the station joins and comes back if the join fails) or two (`staInterface`).
 */
import dbus from "@particle/dbus-next";
import { realClock } from "../../clock.js";
import type { Clock } from "../../clock.js";
import { AbortedError, TimeoutError, UsageError, WifiError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { childLogger, defaultLogger } from "../../logger.js";
import type {
  AccessPointInfo,
  Radio,
  ScanOptions,
  SoftApConfig,
  StationConfig,
  StationConnectedInfo,
  StationEvent,
} from "../radio.js";
import { DisconnectReason } from "../radio.js";
import { accessPointInfo, authModeFromFlags, channelFromFrequency, parseMac } from "./access-points.js";
import { profileRole, pskText, softApSettings, stationSettings, unwrap } from "./connection-settings.js";
import type { Settings } from "./connection-settings.js";
import {
  NM_DEVICE_TYPE_WIFI,
  NM_PATH,
  NM_SETTINGS_PATH,
  NmActiveState,
  NmApi,
  NmDeviceState,
  NmInterface,
} from "../../networkmanager/nm-api.js";
import { NmBus, NmCallError } from "../../networkmanager/nm-bus.js";
import type { NmBusOptions, NmSignalMessage } from "../../networkmanager/nm-bus.js";
import { DNSMASQ_SHARED_DIR, PortalDns } from "./portal-dns.js";
import { espReasonForNm, nmReasonName } from "./state-reasons.js";

export interface NetworkManagerTimeouts {
  /** One D-Bus reply (default 25 000 ms). */
  callMs?: number;
  /** RequestScan until LastScan moves (default 15 000 ms; NetworkManager scans take 3–10 s). */
  scanMs?: number;
  /** A join until NetworkManager reports activated or failed (default 90 000 ms, above NM's own limits). */
  activationMs?: number;
  /** The SoftAP profile until it is activated (default 30 000 ms). */
  softApMs?: number;
}

export interface NetworkManagerRadioOptions {
  /** The interface that carries the SoftAP, and the station unless `staInterface` is given (e.g. "wlan0"). */
  apInterface: string;
  /** A second interface for the station: the SoftAP then stays up while the station joins. */
  staInterface?: string;
  /** The SoftAP's own address; NetworkManager's "shared" method serves DHCP on its /24 (default 192.168.4.1). */
  softApAddress?: string;
  /** D-Bus address (default: DBUS_SYSTEM_BUS_ADDRESS or the system bus). */
  busAddress?: string;
  /**
   * Answer every DNS name with the SoftAP's address while the SoftAP is up (for the captive portal): a file in
   * the directory NetworkManager's shared-mode dnsmasq reads (portal-dns.ts). Default false.
   */
  captivePortalDns?: boolean;
  /**
   * That directory (default /etc/NetworkManager/dnsmasq-shared.d). The radio touches it only when the portal's
   * DNS is on or the directory is given (then a crashed run's leftover file there is removed at open).
   */
  dnsmasqSharedDir?: string;
  timeouts?: NetworkManagerTimeouts;
  /** The clock every timeout runs on (default real time; tests pass a VirtualClock and never wait). */
  clock?: Clock;
  logger?: Logger;
}

interface Device {
  iface: string;
  path: string;
}

interface Attempt {
  ssid: Uint8Array;
  ssidText: string;
  activePath?: string;
  connectionPath?: string;
  /** The reason of the device's last FAILED state during this attempt (NMDeviceStateReason). */
  deviceReason?: number;
  connected: boolean;
  /** ACTIVATED was seen and the IP is being read: a second report of it (signal and property) is the same one. */
  activated?: boolean;
  /** Cancels the activation timeout. */
  cancelTimer?: () => void;
}

interface SoftAp {
  config: SoftApConfig;
  activePath?: string;
  connectionPath?: string;
}

const ESP_DEFAULT_CHANNEL = 1;
/** NMActiveConnectionStateReason NO_SECRETS: used when no device reason came with a failure. */
const AC_REASON_NO_SECRETS = 9;
const NM_REASON_NO_SECRETS = 7;

export class NetworkManagerRadio implements Radio {
  readonly #bus: NmBus;
  readonly #ap: Device;
  readonly #sta: Device;
  readonly #mac: Uint8Array;
  readonly #log: Logger;
  readonly #address: string;
  readonly #timeouts: Required<NetworkManagerTimeouts>;
  readonly #clock: Clock;
  readonly #listeners = new Set<(event: StationEvent) => void>();
  readonly #activeWatchers = new Map<string, (state: number, reason: number) => void>();
  readonly #scanWatchers = new Set<(changed: Record<string, unknown>) => void>();
  readonly #unsubscribe: () => void;
  readonly #portalDns: PortalDns | undefined;
  readonly #installPortalDns: boolean;
  /** Profiles of others for our SoftAP's SSID are reported once, not at every SoftAP start. */
  #checkedForeignSoftAp = false;
  #attempt: Attempt | undefined;
  #softAp: SoftAp | undefined;
  /** On one interface: the SoftAP config the station pushed aside, brought back if the join fails. */
  #suspendedSoftAp: SoftApConfig | undefined;
  #lastScan: AccessPointInfo[] | undefined;
  /** Set once close() begins: waits end with AbortedError, nothing new starts. */
  readonly #closing = new AbortController();
  #closed: Promise<void> | undefined;
  /** Operations still talking to NetworkManager; close() lets them finish their own clean-up first. */
  readonly #inflight = new Set<Promise<unknown>>();

  private constructor(
    bus: NmBus,
    ap: Device,
    sta: Device,
    mac: Uint8Array,
    options: NetworkManagerRadioOptions,
  ) {
    this.#bus = bus;
    this.#ap = ap;
    this.#sta = sta;
    this.#mac = mac;
    this.#log = childLogger(options.logger ?? defaultLogger, "nm");
    this.#address = options.softApAddress ?? "192.168.4.1";
    this.#clock = options.clock ?? realClock;
    this.#installPortalDns = options.captivePortalDns ?? false;
    this.#portalDns =
      this.#installPortalDns || options.dnsmasqSharedDir !== undefined
        ? new PortalDns({
            dir: options.dnsmasqSharedDir ?? DNSMASQ_SHARED_DIR,
            address: this.#address,
            logger: this.#log,
          })
        : undefined;
    this.#timeouts = {
      callMs: options.timeouts?.callMs ?? 25_000,
      scanMs: options.timeouts?.scanMs ?? 15_000,
      activationMs: options.timeouts?.activationMs ?? 90_000,
      softApMs: options.timeouts?.softApMs ?? 30_000,
    };
    this.#unsubscribe = bus.onSignal((signal) => this.#onSignal(signal));
  }

  /**
   * Connects to NetworkManager, finds the interfaces and removes SoftAP or join-attempt profiles a previous run
   * of wifiprov left behind. Fails with a one-line reason when NetworkManager is absent, an interface is unknown
   * or not Wi-Fi, or polkit refuses.
   */
  static async open(options: NetworkManagerRadioOptions): Promise<NetworkManagerRadio> {
    const busOptions: NmBusOptions = {};
    if (options.busAddress !== undefined) busOptions.address = options.busAddress;
    if (options.timeouts?.callMs !== undefined) busOptions.callTimeoutMs = options.timeouts.callMs;
    if (options.clock !== undefined) busOptions.clock = options.clock;
    const bus = await NmBus.connect(busOptions);
    try {
      const ap = await findWifiDevice(bus, options.apInterface);
      const sta = options.staInterface === undefined ? ap : await findWifiDevice(bus, options.staInterface);
      const macText =
        ((await bus.getOptional(NmApi.permHwAddress, sta.path)) as string | undefined) ||
        ((await bus.get(NmApi.hwAddress, sta.path)) as string);
      const mac = parseMac(macText);
      if (mac === undefined)
        throw new WifiError(`NetworkManager gave ${sta.iface} no usable MAC address ("${macText}")`);
      const radio = new NetworkManagerRadio(bus, ap, sta, mac, options);
      await radio.#removeLeftovers();
      await radio.#portalDns?.remove();
      return radio;
    } catch (error) {
      bus.close();
      throw error;
    }
  }

  /** True when AP and station share one interface. */
  get sharedInterface(): boolean {
    return this.#ap.path === this.#sta.path;
  }

  async macAddress(): Promise<Uint8Array> {
    return Uint8Array.from(this.#mac);
  }

  onEvent(listener: (event: StationEvent) => void): () => void {
    const wrapped = (event: StationEvent) => listener(event);
    this.#listeners.add(wrapped);
    return () => this.#listeners.delete(wrapped);
  }

  // ---- SoftAP ----

  startSoftAp(config: SoftApConfig): Promise<void> {
    this.#assertOpen();
    return this.#track(this.#startSoftAp(config));
  }

  async #startSoftAp(config: SoftApConfig): Promise<void> {
    // protocol.md §8.8: empty password = open AP, otherwise 8–64 characters (WPA2-PSK).
    if (config.password.length !== 0 && (config.password.length < 8 || config.password.length > 64)) {
      throw new UsageError(
        `SoftAP password must be empty (open) or 8–64 characters, got ${config.password.length}`,
        {
          hint: "choose a longer password or none",
        },
      );
    }
    const channel = config.channel ?? ESP_DEFAULT_CHANNEL;
    if (!Number.isInteger(channel) || channel < 1 || channel > 13) {
      throw new UsageError(`SoftAP channel must be 1–13, got ${channel}`);
    }
    await this.stopSoftAp();
    if (this.sharedInterface && this.#lastScan === undefined) {
      // The interface cannot scan while it is an AP: scan once now so prov-scan has something to list.
      await this.scan().catch((error: unknown) =>
        this.#log.warn(`scan before the SoftAP failed: ${message(error)}`),
      );
    }
    if (this.#closing.signal.aborted) throw new AbortedError("the NetworkManager radio is closing");
    await this.#assertApInterfaceFree();
    await this.#reportForeignSoftApProfiles(config.ssid);
    const softAp: SoftAp = { config };
    this.#softAp = softAp;
    // dnsmasq reads its extra configuration when the shared connection starts: the file goes in first.
    if (this.#installPortalDns) await this.#portalDns?.install();
    const settings = softApSettings({
      ssid: config.ssid,
      password: config.password,
      channel,
      interfaceName: this.#ap.iface,
      address: this.#address,
    });
    const what = `the SoftAP ${config.ssid} on ${this.#ap.iface}`;
    try {
      const { active, connection } = await this.#addAndActivate(settings, this.#ap.path);
      softAp.activePath = active;
      softAp.connectionPath = connection;
      const outcome = await this.#waitActivated(active, this.#timeouts.softApMs);
      if (outcome !== "activated") {
        throw new WifiError(`NetworkManager could not start ${what}: ${outcome}`, {
          hint: `check that ${this.#ap.iface} supports AP mode (iw list) and is not in use by another connection`,
        });
      }
      this.#log.info(
        `SoftAP ${config.ssid} up on ${this.#ap.iface} (${this.#address}/24, channel ${channel})`,
      );
    } catch (error) {
      if (this.#softAp === softAp) this.#softAp = undefined;
      await this.#teardown(softAp.activePath, softAp.connectionPath);
      await this.#portalDns?.remove();
      if (error instanceof TimeoutError) {
        throw new WifiError(
          `NetworkManager did not bring up ${what} within ${seconds(this.#timeouts.softApMs)}`,
          {
            cause: error,
            hint: "check `journalctl -u NetworkManager` for the reason",
          },
        );
      }
      throw error;
    }
  }

  async stopSoftAp(): Promise<void> {
    this.#suspendedSoftAp = undefined;
    const softAp = this.#softAp;
    this.#softAp = undefined;
    if (softAp === undefined) return;
    await this.#teardown(softAp.activePath, softAp.connectionPath);
    await this.#portalDns?.remove();
    this.#log.info(`SoftAP ${softAp.config.ssid} stopped`);
  }

  // ---- scan ----

  scan(options: ScanOptions = {}): Promise<AccessPointInfo[]> {
    this.#assertOpen();
    return this.#track(this.#scan(options));
  }

  async #scan(options: ScanOptions): Promise<AccessPointInfo[]> {
    const signal = options.signal;
    if (signal?.aborted) throw new AbortedError("scan aborted");
    // NetworkManager has no passive/dwell/grouping knobs: one RequestScan covers what the options describe.
    const before = toNumber(await this.#bus.getOptional(NmApi.lastScan, this.#sta.path));
    const finished = this.#waitScan(before, signal);
    try {
      await this.#bus.call(NmApi.requestScan, this.#sta.path, [{}]);
    } catch (error) {
      finished.cancel();
      if (this.#lastScan !== undefined) {
        this.#log.warn(
          `NetworkManager refused a scan on ${this.#sta.iface} (${message(error)}); listing the last results`,
        );
        return this.#lastScan.map(copyAp);
      }
      throw new WifiError(`NetworkManager refused to scan on ${this.#sta.iface}: ${message(error)}`, {
        cause: error,
      });
    }
    const done = await finished.promise;
    if (done === "timeout") {
      this.#log.warn(
        before === undefined
          ? `NetworkManager has no LastScan property (older than 1.12?); listing access points after ${seconds(this.#timeouts.scanMs)}`
          : `NetworkManager did not finish scanning within ${seconds(this.#timeouts.scanMs)}; listing what it has`,
      );
    }
    const [paths] = await this.#bus.call(NmApi.getAllAccessPoints, this.#sta.path);
    const results: AccessPointInfo[] = [];
    for (const path of (paths ?? []) as string[]) {
      if (signal?.aborted) throw new AbortedError("scan aborted");
      const ap = await this.#readAccessPoint(path).catch(() => undefined); // an AP may vanish meanwhile
      if (ap !== undefined) results.push(ap);
    }
    if (signal?.aborted) throw new AbortedError("scan aborted");
    results.sort((a, b) => b.rssi - a.rssi);
    this.#lastScan = results;
    return results.map(copyAp);
  }

  // ---- station ----

  connect(config: StationConfig): Promise<void> {
    this.#assertOpen();
    return this.#track(this.#connect(config));
  }

  async #connect(config: StationConfig): Promise<void> {
    await this.#cancelAttempt();
    const ssidText = Buffer.from(config.ssid).toString("utf8");
    const attempt: Attempt = { ssid: Uint8Array.from(config.ssid), ssidText, connected: false };
    this.#attempt = attempt;
    if (this.sharedInterface && this.#softAp !== undefined) {
      // One radio: NetworkManager replaces the AP profile with the station one on this interface.
      this.#suspendedSoftAp = this.#softAp.config;
      this.#softAp = undefined;
      // The station's activation replaces the AP on this interface (NetworkManager ends it): its DNS file goes too.
      await this.#portalDns?.remove();
      this.#emitLater(attempt, {
        type: "softap-stopped",
        reason: `${this.#sta.iface} joins ${ssidText} (one interface)`,
      });
    }
    this.#emitLater(attempt, { type: "started" });
    const psk = pskText(config.passphrase);
    if (psk === undefined) {
      this.#log.error(
        `the passphrase for ${ssidText} is not text NetworkManager can hold (invalid UTF-8 or NUL)`,
      );
      this.#failLater(attempt, DisconnectReason.AUTH_FAIL);
      return;
    }
    attempt.cancelTimer = this.#clock.setTimer(this.#timeouts.activationMs, () => {
      if (this.#attempt !== attempt || attempt.connected) return;
      this.#log.error(
        `NetworkManager did not report the outcome of joining ${ssidText} within ${seconds(this.#timeouts.activationMs)}; giving up this attempt`,
      );
      void this.#fail(attempt, DisconnectReason.CONNECTION_FAIL);
    });
    const settingsOptions: Parameters<typeof stationSettings>[0] = {
      ssid: config.ssid,
      psk,
      role: "station-attempt",
      interfaceName: this.#sta.iface,
      keyMgmt: this.#keyMgmtFor(config.ssid),
    };
    if (config.bssid !== undefined) settingsOptions.bssid = config.bssid;
    if (config.channel !== undefined) settingsOptions.channel = config.channel;
    let paths: { active: string; connection: string };
    try {
      paths = await this.#addAndActivate(stationSettings(settingsOptions), this.#sta.path);
    } catch (error) {
      if (this.#attempt !== attempt) return;
      // NetworkManager validates the key itself (8–63 characters or 64 hex digits): a refused key is ESP's AUTH_FAIL.
      const invalid = error instanceof NmCallError && /InvalidProperty|InvalidSetting/.test(error.dbusName);
      this.#log.error(`NetworkManager refused to join ${ssidText}: ${message(error)}`);
      await this.#fail(attempt, invalid ? DisconnectReason.AUTH_FAIL : DisconnectReason.CONNECTION_FAIL);
      return;
    }
    if (this.#attempt !== attempt) {
      await this.#teardown(paths.active, paths.connection);
      return;
    }
    attempt.activePath = paths.active;
    attempt.connectionPath = paths.connection;
    this.#watchActive(paths.active, (state) => void this.#track(this.#onAttemptState(attempt, state)));
    const current = toNumber(
      await this.#bus.getOptional(NmApi.activeState, paths.active).catch(() => undefined),
    );
    if (this.#attempt !== attempt) return;
    if (current === undefined) await this.#onAttemptState(attempt, NmActiveState.DEACTIVATED);
    else if (current === NmActiveState.ACTIVATED || current === NmActiveState.DEACTIVATED) {
      await this.#onAttemptState(attempt, current);
    }
  }

  async disconnect(): Promise<void> {
    await this.#cancelAttempt();
  }

  /**
   * Ends what is in flight (a SoftAP or a scan waiting on NetworkManager gives up at once; a D-Bus call already
   * sent is answered or times out), removes the SoftAP and an unfinished join, and closes the bus. Safe to call
   * while start-up is still running (SIGTERM during the AP set-up): NetworkManager is left as it was found.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing.abort();
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
    this.#listeners.clear();
    const attempt = this.#attempt;
    if (attempt?.connected) {
      // A joined network stays joined when the service stops (an ESP stays connected after provisioning;
      // `systemctl stop` must not cut the device off). Its profile is volatile: NetworkManager drops it once
      // the connection ends, and the next start joins again from the stored credentials.
      this.#attempt = undefined;
      attempt.cancelTimer?.();
    }
    await this.#cancelAttempt();
    await this.stopSoftAp();
    this.#unsubscribe();
    this.#bus.close();
  }

  // ---- internals ----

  #assertOpen(): void {
    if (this.#closing.signal.aborted) throw new WifiError("the NetworkManager radio is closed");
  }

  /** Keeps `operation` in the in-flight set until it settles (close() waits for it). */
  #track<T>(operation: Promise<T>): Promise<T> {
    this.#inflight.add(operation);
    const forget = () => void this.#inflight.delete(operation);
    operation.then(forget, forget);
    return operation;
  }

  #emit(event: StationEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }

  /** Emits on a later tick, and only while `attempt` is still the current one. */
  #emitLater(attempt: Attempt, event: StationEvent): void {
    setImmediate(() => {
      if (this.#attempt === attempt) this.#emit(event);
    });
  }

  #failLater(attempt: Attempt, reason: number): void {
    setImmediate(() => {
      if (this.#attempt === attempt) void this.#fail(attempt, reason);
    });
  }

  /** WPA3-only networks (from the last scan) need key-mgmt "sae"; everything else is "wpa-psk". */
  #keyMgmtFor(ssid: Uint8Array): "wpa-psk" | "sae" {
    const seen = this.#lastScan?.find((ap) => Buffer.from(ap.ssid).equals(Buffer.from(ssid)));
    return seen?.authMode === 6 ? "sae" : "wpa-psk";
  }

  async #addAndActivate(
    settings: Settings,
    devicePath: string,
  ): Promise<{ active: string; connection: string }> {
    const reply = await this.#bus.call(NmApi.addAndActivateConnection2, NM_PATH, [
      settings,
      devicePath,
      "/",
      { persist: new dbus.Variant("s", "volatile") },
    ]);
    return { connection: reply[0] as string, active: reply[1] as string };
  }

  async #onAttemptState(attempt: Attempt, state: number): Promise<void> {
    if (this.#attempt !== attempt) return;
    if (state === NmActiveState.ACTIVATED && !attempt.connected && attempt.activated !== true) {
      // The state is both signalled and read once after the call; either may come first, both must not count.
      attempt.activated = true;
      let info: StationConnectedInfo;
      try {
        info = await this.#connectedInfo(attempt);
      } catch (error) {
        if (this.#attempt !== attempt) return;
        this.#log.error(`joined ${attempt.ssidText} but ${message(error)}`);
        await this.#fail(attempt, DisconnectReason.CONNECTION_FAIL);
        return;
      }
      if (this.#attempt !== attempt) return;
      attempt.connected = true;
      attempt.cancelTimer?.();
      this.#suspendedSoftAp = undefined;
      this.#log.info(`joined ${attempt.ssidText}, IPv4 ${info.ip4}`);
      this.#emit({ type: "connected", info });
    } else if (state === NmActiveState.DEACTIVATED) {
      // Without a device reason: a lost link after joining is CARRIER (40); otherwise unknown (0).
      const nmReason = attempt.deviceReason ?? (attempt.connected ? 40 : 0);
      const { esp } = espReasonForNm(nmReason);
      this.#log.warn(
        `${attempt.connected ? "lost" : "could not join"} ${attempt.ssidText}: ${nmReasonName(nmReason)} → ESP reason ${esp}`,
      );
      await this.#fail(attempt, esp);
    }
  }

  #fail(attempt: Attempt, reason: number): Promise<void> {
    return this.#track(this.#failNow(attempt, reason));
  }

  async #failNow(attempt: Attempt, reason: number): Promise<void> {
    if (this.#attempt !== attempt) return;
    this.#attempt = undefined;
    attempt.cancelTimer?.();
    this.#emit({ type: "disconnected", reason });
    await this.#teardown(attempt.activePath, attempt.connectionPath);
    const suspended = this.#suspendedSoftAp;
    if (suspended !== undefined && this.#attempt === undefined && !this.#closing.signal.aborted) {
      // ESP keeps its SoftAP while the station fails; on one interface we bring it back so the app can ask why.
      this.#suspendedSoftAp = undefined;
      await this.startSoftAp(suspended).catch((error: unknown) =>
        this.#log.error(`could not bring the SoftAP back: ${message(error)}`),
      );
    }
  }

  async #cancelAttempt(): Promise<void> {
    const attempt = this.#attempt;
    this.#attempt = undefined;
    if (attempt === undefined) return;
    attempt.cancelTimer?.();
    await this.#teardown(attempt.activePath, attempt.connectionPath);
  }

  async #connectedInfo(attempt: Attempt): Promise<StationConnectedInfo> {
    const ip4Path = (await this.#bus.getOptional(NmApi.deviceIp4Config, this.#sta.path)) as
      string | undefined;
    if (ip4Path === undefined || ip4Path === "/")
      throw new WifiError("NetworkManager reported no IPv4 configuration");
    const addressData = (await this.#bus.get(NmApi.ip4AddressData, ip4Path)) as Array<
      Record<string, unknown>
    >;
    const ip4 = unwrap(addressData[0]?.address);
    if (typeof ip4 !== "string") throw new WifiError("NetworkManager reported no IPv4 address");
    const apPath = (await this.#bus.getOptional(NmApi.activeAccessPoint, this.#sta.path)) as
      string | undefined;
    let bssid: Uint8Array = new Uint8Array(6);
    let channel = 0;
    let authMode = 0;
    if (apPath !== undefined && apPath !== "/") {
      const props = await this.#bus.getAll(NmInterface.ACCESS_POINT, apPath);
      bssid = parseMac(String(props.HwAddress ?? "")) ?? bssid;
      channel = channelFromFrequency(Number(props.Frequency ?? 0));
      authMode = authModeFromFlags(
        Number(props.Flags ?? 0),
        Number(props.WpaFlags ?? 0),
        Number(props.RsnFlags ?? 0),
      );
    }
    return { ip4, ssid: Uint8Array.from(attempt.ssid), bssid, channel, authMode };
  }

  async #readAccessPoint(path: string): Promise<AccessPointInfo | undefined> {
    const props = await this.#bus.getAll(NmInterface.ACCESS_POINT, path);
    const ssid = props.Ssid;
    return accessPointInfo({
      ssid: ssid instanceof Uint8Array ? ssid : new Uint8Array(0),
      hwAddress: String(props.HwAddress ?? ""),
      frequency: Number(props.Frequency ?? 0),
      strength: Number(props.Strength ?? 0),
      flags: Number(props.Flags ?? 0),
      wpaFlags: Number(props.WpaFlags ?? 0),
      rsnFlags: Number(props.RsnFlags ?? 0),
    });
  }

  #waitScan(
    before: number | undefined,
    signal: AbortSignal | undefined,
  ): { promise: Promise<"done" | "timeout">; cancel: () => void } {
    let cleanup = () => {};
    const promise = new Promise<"done" | "timeout">((resolve, reject) => {
      const watcher = (changed: Record<string, unknown>) => {
        const last = toNumber(changed.LastScan);
        if (last !== undefined ? before === undefined || last > before : false) finish(() => resolve("done"));
      };
      const cancelTimer = this.#clock.setTimer(this.#timeouts.scanMs, () => finish(() => resolve("timeout")));
      const onAbort = () => finish(() => reject(new AbortedError("scan aborted")));
      const finish = (then: () => void) => {
        cleanup();
        then();
      };
      cleanup = () => {
        cancelTimer();
        this.#scanWatchers.delete(watcher);
        signal?.removeEventListener("abort", onAbort);
        this.#closing.signal.removeEventListener("abort", onAbort);
      };
      this.#scanWatchers.add(watcher);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#closing.signal.addEventListener("abort", onAbort, { once: true });
    });
    return { promise, cancel: () => cleanup() };
  }

  /** Resolves "activated", or a reason text when the connection went away, or rejects with TimeoutError. */
  #waitActivated(activePath: string, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      let reason = 0;
      const onClosing = () => done(new AbortedError("the NetworkManager radio is closing"));
      const done = (result: string | Error) => {
        cancelTimer();
        this.#closing.signal.removeEventListener("abort", onClosing);
        this.#activeWatchers.delete(activePath);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      const cancelTimer = this.#clock.setTimer(timeoutMs, () =>
        done(new TimeoutError(`no activation signal for ${activePath} within ${seconds(timeoutMs)}`)),
      );
      if (this.#closing.signal.aborted) return onClosing();
      this.#closing.signal.addEventListener("abort", onClosing, { once: true });
      this.#activeWatchers.set(activePath, (state, acReason) => {
        reason = acReason;
        if (state === NmActiveState.ACTIVATED) done("activated");
        else if (state === NmActiveState.DEACTIVATED)
          done(`deactivated (NMActiveConnectionStateReason ${reason})`);
      });
      this.#bus
        .get(NmApi.activeState, activePath)
        .then((state) => {
          if (state === NmActiveState.ACTIVATED) done("activated");
          else if (state === NmActiveState.DEACTIVATED) done("deactivated");
        })
        .catch((error: unknown) => {
          // A slow reply is not a vanished activation: the signal or the overall timeout still decides.
          if (!(error instanceof TimeoutError)) done("the activation vanished");
        });
    });
  }

  #watchActive(path: string, onState: (state: number, reason: number) => void): void {
    this.#activeWatchers.set(path, (state, reason) => {
      if (state === NmActiveState.DEACTIVATED || state === NmActiveState.ACTIVATED) onState(state, reason);
      if (state === NmActiveState.DEACTIVATED) this.#activeWatchers.delete(path);
    });
  }

  #onSignal(signal: NmSignalMessage): void {
    const { path, member } = signal;
    if (signal.interface === NmInterface.ACTIVE && member === "StateChanged") {
      const [state, reason] = signal.body as [number, number];
      this.#activeWatchers.get(path)?.(state, reason);
      const attempt = this.#attempt;
      if (attempt !== undefined && attempt.activePath === path && state === NmActiveState.DEACTIVATED) {
        attempt.deviceReason ??= reason === AC_REASON_NO_SECRETS ? NM_REASON_NO_SECRETS : undefined;
      }
      return;
    }
    if (signal.interface === NmInterface.DEVICE && member === "StateChanged" && path === this.#sta.path) {
      const [state, , reason] = signal.body as [number, number, number];
      if (state === NmDeviceState.FAILED && this.#attempt !== undefined) this.#attempt.deviceReason = reason;
      return;
    }
    if (
      signal.interface === "org.freedesktop.DBus.Properties" &&
      member === "PropertiesChanged" &&
      path === this.#sta.path
    ) {
      const [iface, changed] = signal.body as [string, Record<string, unknown>];
      if (iface !== NmInterface.WIRELESS) return;
      const values: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(changed)) values[key] = unwrap(value);
      for (const watcher of [...this.#scanWatchers]) watcher(values);
    }
  }

  /** Deactivates and deletes what an attempt or SoftAP made; both may already be gone (volatile profiles). */
  async #teardown(activePath: string | undefined, connectionPath: string | undefined): Promise<void> {
    if (activePath !== undefined) {
      this.#activeWatchers.delete(activePath);
      await this.#bus.call(NmApi.deactivateConnection, NM_PATH, [activePath]).catch(() => {});
    }
    if (connectionPath !== undefined) {
      await this.#bus.call(NmApi.deleteConnection, connectionPath).catch(() => {});
    }
  }

  /**
   * The SoftAP takes its interface over; another connection active there (the box's own Wi-Fi, someone's
   * hotspot) would be cut off, so that is refused with a one-line reason instead. Our own profiles do not count.
   */
  async #assertApInterfaceFree(): Promise<void> {
    const activePath = (await this.#bus.getOptional(NmApi.deviceActiveConnection, this.#ap.path)) as
      string | undefined;
    if (activePath === undefined || activePath === "/") return;
    const connection = (await this.#bus.get(NmApi.activeConnection, activePath).catch(() => undefined)) as
      string | undefined;
    if (connection === undefined || connection === "/") return; // it went away meanwhile
    const reply = await this.#bus.call(NmApi.getSettings, connection).catch(() => undefined);
    if (reply === undefined) return;
    const settings = reply[0] as Record<string, Record<string, unknown>>;
    if (profileRole(settings) !== undefined) return;
    const id = String(unwrap(settings.connection?.id) ?? connection);
    throw new WifiError(
      `${this.#ap.iface} is busy: NetworkManager has the connection "${id}" active on it, which the SoftAP would cut off`,
      {
        hint: `disconnect it first (nmcli device disconnect ${this.#ap.iface}) or give the SoftAP another interface with --ap-interface`,
      },
    );
  }

  /**
   * Someone else's profile for the SSID of our SoftAP (one made by hand, or an old tool's) is left alone: ours is
   * a profile of its own, flagged as wifiprov's, and only those are ever deleted. Said once in the log, since
   * NetworkManager could bring that profile up on its own when ours goes.
   */
  async #reportForeignSoftApProfiles(ssid: string): Promise<void> {
    if (this.#checkedForeignSoftAp) return;
    this.#checkedForeignSoftAp = true;
    const wanted = Buffer.from(ssid, "utf8");
    const [paths] = await this.#bus.call(NmApi.listConnections, NM_SETTINGS_PATH);
    for (const path of (paths ?? []) as string[]) {
      const reply = await this.#bus.call(NmApi.getSettings, path).catch(() => undefined);
      if (reply === undefined) continue;
      const settings = reply[0] as Record<string, Record<string, unknown>>;
      if (profileRole(settings) !== undefined) continue;
      const profileSsid = unwrap(settings["802-11-wireless"]?.ssid);
      if (profileSsid instanceof Uint8Array && Buffer.from(profileSsid).equals(wanted)) {
        const id = String(unwrap(settings.connection?.id) ?? path);
        this.#log.warn(
          `NetworkManager also has a profile "${id}" for ${ssid} that is not wifiprov's; it is left alone and the SoftAP uses its own`,
        );
      }
    }
  }

  async #removeLeftovers(): Promise<void> {
    const [paths] = await this.#bus.call(NmApi.listConnections, NM_SETTINGS_PATH);
    for (const path of (paths ?? []) as string[]) {
      const [settings] = await this.#bus.call(NmApi.getSettings, path).catch(() => [undefined]);
      if (settings === undefined) continue;
      const role = profileRole(settings as Record<string, Record<string, unknown>>);
      if (role === "softap" || role === "station-attempt") {
        this.#log.warn(`removing a ${role} profile a previous run left behind (${path})`);
        await this.#bus.call(NmApi.deleteConnection, path).catch(() => {});
      }
    }
  }
}

async function findWifiDevice(bus: NmBus, iface: string): Promise<Device> {
  let path: string;
  try {
    [path] = (await bus.call(NmApi.getDeviceByIpIface, NM_PATH, [iface])) as [string];
  } catch (error) {
    if (error instanceof NmCallError && /UnknownDevice/.test(error.dbusName)) {
      throw new WifiError(`NetworkManager knows no interface named ${iface}`, {
        cause: error,
        hint: "list the Wi-Fi interfaces with `nmcli device status` and pass one with --ap-interface",
      });
    }
    throw error;
  }
  const type = await bus.get(NmApi.deviceType, path);
  if (type !== NM_DEVICE_TYPE_WIFI) {
    throw new WifiError(`${iface} is not a Wi-Fi interface (NetworkManager device type ${String(type)})`, {
      hint: "list the Wi-Fi interfaces with `nmcli device status` and pass one with --ap-interface",
    });
  }
  const state = toNumber(await bus.getOptional(NmApi.deviceState, path));
  if (state === NmDeviceState.UNMANAGED) {
    throw new WifiError(`NetworkManager does not manage ${iface} (it is left to another tool)`, {
      hint: `let NetworkManager manage it: nmcli device set ${iface} managed yes (and remove it from unmanaged-devices in NetworkManager.conf)`,
    });
  }
  if (state === NmDeviceState.UNAVAILABLE) {
    throw new WifiError(`${iface} is unavailable to NetworkManager (Wi-Fi switched off or blocked?)`, {
      hint: "switch Wi-Fi on: nmcli radio wifi on; rfkill unblock wifi",
    });
  }
  return { iface, path };
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return undefined;
}

function copyAp(ap: AccessPointInfo): AccessPointInfo {
  return { ...ap, ssid: Uint8Array.from(ap.ssid), bssid: Uint8Array.from(ap.bssid) };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
