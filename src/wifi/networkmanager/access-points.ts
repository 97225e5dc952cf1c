/**
 * NetworkManager AccessPoint properties → the radio's AccessPointInfo: channel from frequency, RSSI from NM's
 * 0–100 strength, ESP auth mode from the privacy/WPA/RSN flags.
 */
import { AuthMode } from "../auth-mode.js";
import type { AccessPointInfo, AuthModeNumber } from "../radio.js";

/** NM80211ApFlags / NM80211ApSecurityFlags bits (nm-dbus-types). */
const PRIVACY = 0x1;
const KEY_MGMT_PSK = 0x100;
const KEY_MGMT_802_1X = 0x200;
const KEY_MGMT_SAE = 0x400;
const KEY_MGMT_OWE = 0x800;
const KEY_MGMT_OWE_TM = 0x1000;
const KEY_MGMT_EAP_SUITE_B_192 = 0x2000;

/** IEEE 802.11 channel numbering: 2.4 GHz ch 1–13 at 2412 + 5(n−1), ch 14 at 2484; 5 GHz (f−5000)/5; 6 GHz (f−5950)/5. */
export function channelFromFrequency(mhz: number): number {
  if (mhz === 2484) return 14;
  if (mhz >= 2412 && mhz <= 2472) return (mhz - 2407) / 5;
  if (mhz >= 5160 && mhz <= 5885) return (mhz - 5000) / 5;
  if (mhz >= 5955 && mhz <= 7115) return (mhz - 5950) / 5;
  return 0;
}

/** 2.4 GHz centre frequency of a channel (for profiles that pin one). */
export function bandForChannel(channel: number): "bg" | "a" {
  return channel <= 14 ? "bg" : "a";
}

/**
 * NetworkManager derives Strength from dBm linearly, clamping to −100…−40 dBm (nm_wifi_utils_level_to_quality):
 * 0 % = −100 dBm, 100 % = −40 dBm. This is its inverse.
 */
export function rssiFromStrength(strength: number): number {
  const clamped = Math.min(100, Math.max(0, strength));
  return Math.round(-100 + (clamped * 60) / 100);
}

export function authModeFromFlags(flags: number, wpaFlags: number, rsnFlags: number): AuthModeNumber {
  if (rsnFlags & KEY_MGMT_EAP_SUITE_B_192) return AuthMode.WPA3_ENT_192;
  if (rsnFlags & KEY_MGMT_SAE) return rsnFlags & KEY_MGMT_PSK ? AuthMode.WPA2_WPA3_PSK : AuthMode.WPA3_PSK;
  if ((rsnFlags | wpaFlags) & KEY_MGMT_802_1X) return AuthMode.WPA2_ENTERPRISE;
  if (rsnFlags & (KEY_MGMT_OWE | KEY_MGMT_OWE_TM)) return AuthMode.OWE;
  if (rsnFlags & KEY_MGMT_PSK) return wpaFlags & KEY_MGMT_PSK ? AuthMode.WPA_WPA2_PSK : AuthMode.WPA2_PSK;
  if (wpaFlags & KEY_MGMT_PSK) return AuthMode.WPA_PSK;
  if (flags & PRIVACY) return AuthMode.WEP;
  return AuthMode.OPEN;
}

export interface NmAccessPointProps {
  ssid: Uint8Array;
  hwAddress: string;
  frequency: number;
  strength: number;
  flags: number;
  wpaFlags: number;
  rsnFlags: number;
}

export function parseMac(text: string): Uint8Array | undefined {
  const parts = text.trim().split(":");
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) return undefined;
  return Uint8Array.from(parts.map((p) => Number.parseInt(p, 16)));
}

/** undefined for hidden networks (empty SSID), unknown frequencies or a malformed BSSID: nothing to offer. */
export function accessPointInfo(props: NmAccessPointProps): AccessPointInfo | undefined {
  const bssid = parseMac(props.hwAddress);
  const channel = channelFromFrequency(props.frequency);
  if (props.ssid.length === 0 || props.ssid.length > 32 || bssid === undefined || channel === 0)
    return undefined;
  return {
    ssid: Uint8Array.from(props.ssid),
    bssid,
    channel,
    rssi: rssiFromStrength(props.strength),
    authMode: authModeFromFlags(props.flags, props.wpaFlags, props.rsnFlags),
  };
}
