/** Typed views of the Wi-Fi status and scan replies (protocol.md §4.6–§4.8, §8.1, §8.5). */
import { AUTH_MODE_NAMES } from "../proto/index.js";

export function authModeName(auth: number): string {
  return AUTH_MODE_NAMES[auth] ?? `Unknown(${auth})`;
}

export interface ScanEntry {
  /** The SSID decoded as UTF-8 (latin-1 when it is not valid UTF-8). */
  ssid: string;
  /** The SSID exactly as the device sent it; pass it to setConfig for non-UTF-8 names. */
  ssidBytes: Uint8Array;
  /** 12 lowercase hex digits, like esp_prov prints it. */
  bssid: string;
  channel: number;
  /** dBm, negative. */
  rssi: number;
  /** Raw `wifi_auth_mode_t` number. */
  auth: number;
  authName: string;
}

export interface ConnectedInfo {
  ip: string;
  ssid: string;
  /** 12 lowercase hex digits ("" when the device sent none). */
  bssid: string;
  channel: number;
  authMode: number;
  authModeName: string;
}

/** One GetStatus reply. */
export type WifiStatus =
  | { state: "connecting"; attemptsRemaining?: number }
  | ({ state: "connected" } & ConnectedInfo)
  | { state: "failed"; reason: "AuthError" | "NetworkNotFound" }
  /** sta_state 2 is never produced by ESP-IDF (§8.1) but exists in the enum. */
  | { state: "disconnected" };

/** Final result of waitForConnection. */
export type ConnectionOutcome =
  | ({ state: "connected" } & ConnectedInfo)
  | { state: "failed"; reason: "AuthError" | "NetworkNotFound" }
  /** The device stopped answering: its radio moved to the home network's channel, or it finished and shut down. */
  | { state: "unknown"; why: string }
  /** The wait ran out of time while the device still said "connecting". */
  | { state: "timeout"; waitedMs: number; last: WifiStatus | undefined };

export function decodeSsid(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // Without Buffer: this runs in the browser bundle too (the captive portal page).
    return String.fromCharCode(...bytes);
  }
}

export function bssidHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
