/**
 * A fresh scan on one of the laptop's interfaces: RequestScan, then wait until the Wireless device's LastScan
 * moves (NetworkManager ≥ 1.12 sets it to the CLOCK_BOOTTIME ms of the finished scan, -1 before any), then read
 * the access points. Used by `wifiprov discover` and by `--join` to find the device's SoftAP.
 */
import type { Clock } from "../clock.js";
import { realClock } from "../clock.js";
import { channelFromFrequency, rssiFromStrength } from "../networkmanager/access-point-units.js";
import { NmApi, NmInterface } from "../networkmanager/nm-api.js";
import type { NmBus } from "../networkmanager/nm-bus.js";
import type { WifiInterface } from "./wifi-interface.js";

/** What a scan saw of one access point. */
export interface SeenAccessPoint {
  /** The SSID bytes as broadcast (not necessarily UTF-8). */
  ssidBytes: Uint8Array;
  /** The SSID as text: UTF-8 when it is, else one character per byte (display it escaped). */
  ssid: string;
  /** aa:bb:cc:dd:ee:ff, lower case. */
  bssid: string;
  /** NetworkManager's object path, for AddAndActivateConnection2's specific object. */
  path: string;
  channel: number;
  /** dBm, from NetworkManager's 0–100 strength. */
  rssi: number;
  security: "open" | "WEP" | "WPA" | "WPA2" | "WPA3" | "WPA2/WPA3" | "802.1X" | "OWE";
}

export interface ScanOptions {
  /** Longest wait for LastScan to move, ms (default 15 000; NetworkManager scans take 3–10 s). */
  scanTimeoutMs?: number;
  clock?: Clock;
}

/** NM80211ApFlags PRIVACY and NM80211ApSecurityFlags key-management bits (NetworkManager's nm-dbus-types). */
const PRIVACY = 0x1;
const KEY_MGMT_PSK = 0x100;
const KEY_MGMT_802_1X = 0x200;
const KEY_MGMT_SAE = 0x400;
const KEY_MGMT_OWE = 0x800;

export function securityFromFlags(flags: number, wpa: number, rsn: number): SeenAccessPoint["security"] {
  if (rsn & KEY_MGMT_SAE) return rsn & KEY_MGMT_PSK ? "WPA2/WPA3" : "WPA3";
  if ((rsn | wpa) & KEY_MGMT_802_1X) return "802.1X";
  if (rsn & KEY_MGMT_OWE) return "OWE";
  if (rsn & KEY_MGMT_PSK) return "WPA2";
  if (wpa & KEY_MGMT_PSK) return "WPA";
  if (flags & PRIVACY) return "WEP";
  return "open";
}

function ssidText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return String.fromCharCode(...bytes);
  }
}

const num = (value: unknown): number =>
  typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : 0;

async function readAccessPoint(bus: NmBus, path: string): Promise<SeenAccessPoint | undefined> {
  const props = await bus.getAll(NmInterface.ACCESS_POINT, path);
  const raw = props.Ssid;
  const ssidBytes =
    raw instanceof Uint8Array ? Uint8Array.from(raw) : Uint8Array.from((raw ?? []) as number[]);
  if (ssidBytes.length === 0) return undefined; // a hidden network: nothing to join by name
  return {
    ssidBytes,
    ssid: ssidText(ssidBytes),
    bssid: String(props.HwAddress ?? "").toLowerCase(),
    path,
    channel: channelFromFrequency(num(props.Frequency)),
    rssi: rssiFromStrength(num(props.Strength)),
    security: securityFromFlags(num(props.Flags), num(props.WpaFlags), num(props.RsnFlags)),
  };
}

/**
 * Scans on `iface` and returns every named access point, strongest first. A scan NetworkManager refuses
 * (one ran moments ago, the device is busy) is not an error: what it last saw is listed.
 */
export async function scanAccessPoints(
  bus: NmBus,
  iface: WifiInterface,
  options: ScanOptions = {},
): Promise<SeenAccessPoint[]> {
  const clock = options.clock ?? realClock;
  const timeoutMs = options.scanTimeoutMs ?? 15_000;
  const before = await bus.getOptional(NmApi.lastScan, iface.path);
  let cancelTimer = () => {};
  let unsubscribe = () => {};
  const finished = new Promise<void>((resolve) => {
    cancelTimer = clock.setTimer(timeoutMs, resolve);
    unsubscribe = bus.onSignal((signal) => {
      if (
        signal.path === iface.path &&
        signal.member === "PropertiesChanged" &&
        signal.body[0] === NmInterface.WIRELESS
      ) {
        const changed = (signal.body[1] ?? {}) as Record<string, { value?: unknown } | undefined>;
        // Without LastScan (NetworkManager < 1.12), a new AccessPoints list is the best sign of a finished scan.
        if (changed.LastScan !== undefined || (before === undefined && changed.AccessPoints !== undefined))
          resolve();
      }
    });
  });
  try {
    let scanning = true;
    try {
      await bus.call(NmApi.requestScan, iface.path, [{}]);
    } catch {
      scanning = false; // list what NetworkManager already has
    }
    if (scanning) await finished;
  } finally {
    cancelTimer();
    unsubscribe();
  }
  // A scan that finishes while we read replaces NetworkManager's AccessPoint objects: read the list again.
  let seen: SeenAccessPoint[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const [paths] = await bus.call(NmApi.getAllAccessPoints, iface.path);
    seen = [];
    let vanished = false;
    for (const path of (paths ?? []) as string[]) {
      const ap = await readAccessPoint(bus, path).catch(() => null);
      if (ap === null) vanished = true;
      else if (ap !== undefined) seen.push(ap);
    }
    if (!vanished) break;
  }
  return seen.sort((a, b) => b.rssi - a.rssi);
}
