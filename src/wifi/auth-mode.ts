/**
 * ESP-IDF `wifi_auth_mode_t` numbers and names. protocol.md §8.5: scan results carry the raw number, which can
 * exceed the proto enum's 0–7, so the radio layer works with plain numbers and names them only for humans.
 */
import { AUTH_MODE_NAMES } from "../proto/auth-modes.js";
import type { AuthModeNumber } from "./radio.js";

/** Names as in ESP-IDF without the `WIFI_AUTH_` prefix, indexed by their number (one table for both roles). */
export const authModeNames: readonly string[] = AUTH_MODE_NAMES;

/** Named constants for the modes the simulator treats specially. */
export const AuthMode = {
  OPEN: 0,
  WEP: 1,
  WPA_PSK: 2,
  WPA2_PSK: 3,
  WPA_WPA2_PSK: 4,
  WPA2_ENTERPRISE: 5,
  WPA3_PSK: 6,
  WPA2_WPA3_PSK: 7,
  WAPI_PSK: 8,
  OWE: 9,
  WPA3_ENT_192: 10,
  WPA3_EXT_PSK: 11,
  WPA3_EXT_PSK_MIXED_MODE: 12,
  DPP: 13,
  WPA3_ENTERPRISE: 14,
  WPA2_WPA3_ENTERPRISE: 15,
  WPA_ENTERPRISE: 16,
} as const;

/** "WPA2_PSK" for 3; "AUTH_<n>" for numbers this table does not know. */
export function authModeName(mode: AuthModeNumber): string {
  return authModeNames[mode] ?? `AUTH_${mode}`;
}

/**
 * Parses "WPA2_PSK", "wpa2_psk", "WIFI_AUTH_WPA2_PSK", "Open" (the proto enum spelling) or a number.
 * Returns undefined when the value names no mode.
 */
export function parseAuthMode(value: unknown): AuthModeNumber | undefined {
  if (typeof value === "number") {
    return Number.isInteger(value) && value >= 0 && value < authModeNames.length ? value : undefined;
  }
  if (typeof value !== "string") return undefined;
  const name = value
    .trim()
    .toUpperCase()
    .replace(/^WIFI_AUTH_/, "");
  const index = authModeNames.findIndex((known) => known.toUpperCase() === name);
  return index >= 0 ? index : undefined;
}

/** What kind of secret a mode uses, which decides how a wrong one fails (protocol.md §8.2 reason codes). */
export type AuthFamily = "open" | "wep" | "psk" | "sae" | "enterprise" | "dpp";

export function authFamily(mode: AuthModeNumber): AuthFamily {
  switch (mode) {
    case AuthMode.OPEN:
    case AuthMode.OWE: // opportunistic encryption: no secret to get wrong
      return "open";
    case AuthMode.WEP:
      return "wep";
    case AuthMode.WPA3_PSK:
    case AuthMode.WPA3_EXT_PSK:
      return "sae";
    case AuthMode.WPA2_ENTERPRISE:
    case AuthMode.WPA3_ENT_192:
    case AuthMode.WPA3_ENTERPRISE:
    case AuthMode.WPA2_WPA3_ENTERPRISE:
    case AuthMode.WPA_ENTERPRISE:
      return "enterprise";
    case AuthMode.DPP:
      return "dpp";
    default:
      // WPA_PSK, WPA2_PSK, WPA_WPA2_PSK, WPA2_WPA3_PSK (a station falls back to WPA2), WAPI_PSK, the
      // WPA3_EXT_PSK mixed mode: a 4-way handshake that times out on a wrong key.
      return "psk";
  }
}
