/**
 * NetworkManager AccessPoint properties → the radio's AccessPointInfo: channel from frequency, RSSI from NM's
 * 0–100 strength, ESP auth mode from the privacy/WPA/RSN flags.
 */
import { AuthMode } from "../auth-mode.js";
import type { AccessPointInfo, AuthModeNumber } from "../radio.js";
import { channelFromFrequency, rssiFromStrength } from "../../networkmanager/access-point-units.js";

export { channelFromFrequency, rssiFromStrength };

/** NM80211ApFlags / NM80211ApSecurityFlags bits (nm-dbus-types). */
const PRIVACY = 0x1;
const KEY_MGMT_PSK = 0x100;
const KEY_MGMT_802_1X = 0x200;
const KEY_MGMT_SAE = 0x400;
const KEY_MGMT_OWE = 0x800;
const KEY_MGMT_OWE_TM = 0x1000;
const KEY_MGMT_EAP_SUITE_B_192 = 0x2000;

/** 2.4 GHz centre frequency of a channel (for profiles that pin one). */
export function bandForChannel(channel: number): "bg" | "a" {
  return channel <= 14 ? "bg" : "a";
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
