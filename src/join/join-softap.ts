/**
 * Joins a device's provisioning SoftAP from the laptop through NetworkManager, and puts the laptop back as it
 * was afterwards: the connection that was active on the interface is remembered, the SoftAP is joined with a
 * volatile profile (AddAndActivateConnection2 with {persist: "volatile"}, NetworkManager ≥ 1.16: NM deletes it
 * once it is deactivated, so even a killed wifiprov leaves no profile behind), and restore() reactivates what
 * was active before and deletes our profile should it still exist.
 */
import { randomUUID } from "node:crypto";
import dbus from "@particle/dbus-next";
import type { Clock } from "../clock.js";
import { realClock } from "../clock.js";
import { AbortedError, TimeoutError, TransportError, WifiError } from "../errors.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import { NM_PATH, NmActiveState, NmApi, NmDeviceState, NmInterface } from "../networkmanager/nm-api.js";
import type { NmBus, NmSignalMessage } from "../networkmanager/nm-bus.js";
import { scanAccessPoints } from "./scan.js";
import type { SeenAccessPoint } from "./scan.js";
import type { WifiInterface } from "./wifi-interface.js";
import { findWifiInterface } from "./wifi-interface.js";

/** ESP's SoftAP password when the firmware sets one (wifiprov's device default too). */
export const DEFAULT_SOFTAP_PASSWORD = "PROV_PASS";

export interface JoinOptions {
  /** The SoftAP's SSID, e.g. PROV_A1B2C3. */
  ssid: string;
  /**
   * Its WPA2 password. Default: none for an open SoftAP, `PROV_PASS` for a secured one (ESP's and wifiprov's
   * device default).
   */
  password?: string;
  /** Interface to join on (default: NetworkManager's first Wi-Fi interface). */
  interfaceName?: string;
  /** Longest wait for the scan, ms (default 15 000). */
  scanTimeoutMs?: number;
  /** Longest wait for the activation (association + DHCP), ms (default 30 000). */
  activateTimeoutMs?: number;
  /** Longest wait for the previous connection to come back in restore(), ms (default 30 000). */
  restoreTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Stops waiting for the activation (Ctrl-C): the laptop is put back, then this rejects with AbortedError. */
  signal?: AbortSignal;
}

export interface RestoreResult {
  /** The profile reactivated (its Id), or undefined when nothing was active before. */
  reactivated?: string;
  /** Why the previous connection did not come back (the laptop is otherwise as it was). */
  problem?: string;
}

/** A joined SoftAP; restore() is idempotent and never throws. */
export interface JoinedSoftAp {
  ssid: string;
  interfaceName: string;
  accessPoint: SeenAccessPoint;
  /** Id of the connection active on the interface before the join, if any. */
  previous?: string;
  restore(): Promise<RestoreResult>;
}

/** What was active on the interface before the join. */
interface Previous {
  connection: string;
  id: string;
}

/** NMDeviceStateReason numbers (NetworkManager's nm-dbus-types) a join can end with. */
const REASON = {
  NO_SECRETS: 7,
  SUPPLICANT_DISCONNECT: 8,
  SUPPLICANT_CONFIG_FAILED: 9,
  SUPPLICANT_FAILED: 10,
  SUPPLICANT_TIMEOUT: 11,
  IP_CONFIG_UNAVAILABLE: 5,
  DHCP_FAILED: 17,
  SSID_NOT_FOUND: 53,
} as const;
const WRONG_KEY = new Set<number>([
  REASON.NO_SECRETS,
  REASON.SUPPLICANT_DISCONNECT,
  REASON.SUPPLICANT_CONFIG_FAILED,
  REASON.SUPPLICANT_TIMEOUT,
]);
/** NMActiveConnectionStateReason NO_SECRETS. */
const AC_REASON_NO_SECRETS = 9;

const v = (signature: string, value: unknown) => new dbus.Variant(signature, value);

function clientSettings(ssid: string, password: string, interfaceName: string) {
  const settings: Record<string, Record<string, dbus.Variant>> = {
    connection: {
      id: v("s", `wifiprov join ${ssid}`),
      uuid: v("s", randomUUID()),
      type: v("s", "802-11-wireless"),
      autoconnect: v("b", false),
      "interface-name": v("s", interfaceName),
    },
    "802-11-wireless": { ssid: v("ay", Buffer.from(ssid, "utf8")), mode: v("s", "infrastructure") },
    // The SoftAP leads nowhere but to the device: never a default route, and no IPv6 to wait for.
    ipv4: { method: v("s", "auto"), "never-default": v("b", true) },
    ipv6: { method: v("s", "ignore") },
  };
  if (password !== "") {
    settings["802-11-wireless-security"] = { "key-mgmt": v("s", "wpa-psk"), psk: v("s", password) };
  }
  return settings;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/** A safe rendering of SSIDs for one-line messages: JSON-quoted, so control bytes show escaped. */
function quoted(ssid: string): string {
  return JSON.stringify(ssid);
}

async function previousOn(bus: NmBus, iface: WifiInterface): Promise<Previous | undefined> {
  const active = await bus.getOptional(NmApi.deviceActiveConnection, iface.path);
  if (typeof active !== "string" || active === "/") return undefined;
  try {
    const connection = await bus.get(NmApi.activeConnection, active);
    const id = await bus.getOptional(NmApi.activeId, active);
    if (typeof connection !== "string" || connection === "/") return undefined;
    return { connection, id: typeof id === "string" ? id : connection };
  } catch {
    return undefined; // it went away while we looked: nothing to restore
  }
}

/**
 * Waits until the active connection `path` is activated, or fails with the device's state reason. Signals are
 * collected from before the call that creates the connection (`collect`), so none is missed.
 */
class ActivationWatch {
  readonly #bus: NmBus;
  readonly #devicePath: string;
  readonly #buffer: NmSignalMessage[] = [];
  #unsubscribe: () => void;
  #deviceReason = 0;
  #wake: (() => void) | undefined;

  constructor(bus: NmBus, devicePath: string) {
    this.#bus = bus;
    this.#devicePath = devicePath;
    this.#unsubscribe = bus.onSignal((signal) => {
      this.#buffer.push(signal);
      this.#wake?.();
    });
  }

  /** Resolves "activated", or { reason } when the connection was deactivated, or "timeout". */
  async wait(
    activePath: string,
    timeoutMs: number,
    clock: Clock,
    signal?: AbortSignal,
  ): Promise<"activated" | "timeout" | "aborted" | { reason: number; acReason: number }> {
    let timedOut = false;
    const cancel = clock.setTimer(timeoutMs, () => {
      timedOut = true;
      this.#wake?.();
    });
    const onAbort = () => this.#wake?.();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      // The state may already be final (a fast NetworkManager): read it once after subscribing.
      const state = await this.#bus.getOptional(NmApi.activeState, activePath).catch(() => undefined);
      if (state === NmActiveState.ACTIVATED) return "activated";
      for (;;) {
        while (this.#buffer.length > 0) {
          const signal = this.#buffer.shift()!;
          const result = this.#judge(signal, activePath);
          if (result !== undefined) return result;
        }
        if (signal?.aborted) return "aborted";
        if (timedOut) return "timeout";
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
      }
    } finally {
      cancel();
      signal?.removeEventListener("abort", onAbort);
    }
  }

  #judge(
    signal: NmSignalMessage,
    activePath: string,
  ): "activated" | { reason: number; acReason: number } | undefined {
    if (
      signal.path === this.#devicePath &&
      signal.interface === NmInterface.DEVICE &&
      signal.member === "StateChanged"
    ) {
      const [state, , reason] = signal.body as number[];
      if (state === NmDeviceState.FAILED || state === NmDeviceState.DISCONNECTED) {
        if (reason !== undefined && reason !== 0) this.#deviceReason = reason;
      }
      return undefined;
    }
    if (
      signal.path === activePath &&
      signal.interface === NmInterface.ACTIVE &&
      signal.member === "StateChanged"
    ) {
      const [state, acReason] = signal.body as number[];
      if (state === NmActiveState.ACTIVATED) return "activated";
      if (state === NmActiveState.DEACTIVATED) return { reason: this.#deviceReason, acReason: acReason ?? 0 };
    }
    return undefined;
  }

  close(): void {
    this.#unsubscribe();
    this.#wake?.();
  }
}

function joinFailure(
  ssid: string,
  reason: number,
  acReason: number,
  passwordGiven: boolean,
): WifiError | TransportError {
  if (WRONG_KEY.has(reason) || acReason === AC_REASON_NO_SECRETS) {
    return new WifiError(`wrong SoftAP password for ${quoted(ssid)} (NetworkManager reason ${reason})`, {
      hint: passwordGiven
        ? "check the password printed on the device or its label and pass it with --softap-password"
        : `the SoftAP is secured and its default password ${DEFAULT_SOFTAP_PASSWORD} was refused: pass the device's with --softap-password`,
    });
  }
  if (reason === REASON.SSID_NOT_FOUND) {
    return new TransportError(`${quoted(ssid)} went out of range while joining (NetworkManager reason 53)`, {
      hint: "move closer to the device, check that it is still in provisioning mode, and try again",
    });
  }
  if (reason === REASON.IP_CONFIG_UNAVAILABLE || reason === REASON.DHCP_FAILED) {
    return new WifiError(
      `${quoted(ssid)} gave this computer no IP address (NetworkManager reason ${reason})`,
      {
        hint: "the device's SoftAP runs no DHCP server? Join it yourself with a static 192.168.4.x address and use --service_name",
      },
    );
  }
  return new WifiError(`NetworkManager could not join ${quoted(ssid)} (device state reason ${reason})`, {
    hint: "`journalctl -u NetworkManager` says why; try again closer to the device",
  });
}

/**
 * Joins `options.ssid` on the laptop. On any failure the laptop is put back as it was before this throws. The
 * bus stays the caller's (close it after restore()).
 */
export async function joinSoftAp(bus: NmBus, options: JoinOptions): Promise<JoinedSoftAp> {
  const clock = options.clock ?? realClock;
  const log = options.logger ?? silentLogger;
  if (options.signal?.aborted) throw new AbortedError(`joining ${quoted(options.ssid)} was interrupted`);
  const iface = await findWifiInterface(bus, options.interfaceName);
  const seen = await scanAccessPoints(bus, iface, {
    clock,
    ...(options.scanTimeoutMs !== undefined ? { scanTimeoutMs: options.scanTimeoutMs } : {}),
  });
  const ap = seen.find((a) => a.ssid === options.ssid);
  if (ap === undefined) {
    const names = [...new Set(seen.map((a) => quoted(a.ssid)))];
    // Not in range is "cannot reach the device" (a transport failure): a fleet retries it, the CLI exits 3.
    throw new TransportError(`SoftAP ${quoted(options.ssid)} not found on ${iface.name}`, {
      hint:
        names.length > 0
          ? `seen: ${names.slice(0, 12).join(", ")}${names.length > 12 ? `, … (${names.length} in all)` : ""}; is the device in provisioning mode and in range? (\`wifiprov discover\` lists provisioning SoftAPs)`
          : "no access point was seen at all: is Wi-Fi switched on (`nmcli radio wifi on`)?",
    });
  }
  const password = options.password ?? (ap.security === "open" ? "" : DEFAULT_SOFTAP_PASSWORD);
  if (ap.security === "open" && password !== "") {
    log.warn(`${options.ssid} is an open access point; --softap-password is not used`);
  }
  const previous = await previousOn(bus, iface);
  log.info(
    `joining ${options.ssid} on ${iface.name}${previous !== undefined ? ` (was on ${previous.id})` : ""}`,
  );

  let ours: { connection: string; active: string } | undefined;
  let restored: Promise<RestoreResult> | undefined;
  const restore = (): Promise<RestoreResult> =>
    (restored ??= restoreLaptop(bus, iface, previous, ours, options, clock, log));

  const watch = new ActivationWatch(bus, iface.path);
  try {
    let reply: unknown[];
    try {
      reply = await bus.call(NmApi.addAndActivateConnection2, NM_PATH, [
        clientSettings(options.ssid, ap.security === "open" ? "" : password, iface.name),
        iface.path,
        ap.path,
        { persist: v("s", "volatile") },
      ]);
    } catch (error) {
      await restore();
      throw error;
    }
    ours = { connection: reply[0] as string, active: reply[1] as string };
    const timeoutMs = options.activateTimeoutMs ?? 30_000;
    const outcome = await watch.wait(ours.active, timeoutMs, clock, options.signal);
    if (outcome !== "activated") {
      await restore();
      if (outcome === "aborted") throw new AbortedError(`joining ${quoted(options.ssid)} was interrupted`);
      if (outcome === "timeout") {
        throw new TimeoutError(
          `joining ${quoted(options.ssid)} did not finish within ${seconds(timeoutMs)}`,
          {
            hint: "the device's SoftAP may be busy or out of range; try again closer to it",
          },
        );
      }
      throw joinFailure(options.ssid, outcome.reason, outcome.acReason, options.password !== undefined);
    }
  } finally {
    watch.close();
  }
  log.info(`joined ${options.ssid} on ${iface.name}`);
  return {
    ssid: options.ssid,
    interfaceName: iface.name,
    accessPoint: ap,
    ...(previous !== undefined ? { previous: previous.id } : {}),
    restore,
  };
}

async function restoreLaptop(
  bus: NmBus,
  iface: WifiInterface,
  previous: Previous | undefined,
  ours: { connection: string; active: string } | undefined,
  options: JoinOptions,
  clock: Clock,
  log: Logger,
): Promise<RestoreResult> {
  const result: RestoreResult = {};
  if (previous !== undefined) {
    // Activating the previous profile on the interface replaces ours (NetworkManager deactivates it, and the
    // volatile profile goes with it).
    const watch = new ActivationWatch(bus, iface.path);
    try {
      const [active] = await bus.call(NmApi.activateConnection, NM_PATH, [
        previous.connection,
        iface.path,
        "/",
      ]);
      result.reactivated = previous.id;
      const timeoutMs = options.restoreTimeoutMs ?? 30_000;
      const outcome = await watch.wait(active as string, timeoutMs, clock);
      if (outcome === "timeout")
        result.problem = `${previous.id} was not active again within ${seconds(timeoutMs)}`;
      else if (typeof outcome === "object")
        result.problem = `${previous.id} did not come back (NetworkManager reason ${outcome.reason})`;
    } catch (error) {
      result.problem = `could not reactivate ${previous.id}: ${message(error)}`;
    } finally {
      watch.close();
    }
  } else if (ours !== undefined) {
    await bus.call(NmApi.deactivateConnection, NM_PATH, [ours.active]).catch(() => undefined);
  }
  if (ours !== undefined) {
    // Gone already when NetworkManager honoured "volatile"; deleted here when it did not.
    await bus.call(NmApi.deleteConnection, ours.connection).catch(() => undefined);
  }
  if (result.problem !== undefined) log.warn(result.problem);
  else if (result.reactivated !== undefined)
    log.info(`${result.reactivated} is active again on ${iface.name}`);
  return result;
}
