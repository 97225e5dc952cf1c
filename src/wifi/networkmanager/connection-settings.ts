/**
 * The NetworkManager profiles (a{sa{sv}} "connection settings") the backend creates. Each carries
 * user.data "wifiprov.role" so that wifiprov finds its own profiles again (and only those) after a restart or a
 * crash; see NetworkManager's "user" setting (free-form key/values NM keeps with a profile).
 */
import { randomUUID } from "node:crypto";
import dbus from "@particle/dbus-next";
import { bandForChannel } from "./access-points.js";

export const ROLE_KEY = "wifiprov.role";
export type ProfileRole = "softap" | "station" | "station-attempt";

export type Settings = Record<string, Record<string, dbus.Variant>>;

const v = (signature: string, value: unknown) => new dbus.Variant(signature, value);

function formatMac(mac: Uint8Array): string {
  return [...mac].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

/** The ESP SoftAP (protocol.md §8.8) as an NM AP-mode profile: IPv4 "shared" at 192.168.4.1/24 (NM runs dnsmasq). */
export function softApSettings(options: {
  ssid: string;
  password: string;
  channel: number;
  interfaceName: string;
  address: string;
}): Settings {
  const settings: Settings = {
    connection: {
      id: v("s", `wifiprov SoftAP ${options.ssid}`),
      uuid: v("s", randomUUID()),
      type: v("s", "802-11-wireless"),
      autoconnect: v("b", false),
      "interface-name": v("s", options.interfaceName),
    },
    "802-11-wireless": {
      ssid: v("ay", Buffer.from(options.ssid, "utf8")),
      mode: v("s", "ap"),
      band: v("s", bandForChannel(options.channel)),
      channel: v("u", options.channel),
    },
    ipv4: {
      method: v("s", "shared"),
      "address-data": v("aa{sv}", [{ address: v("s", options.address), prefix: v("u", 24) }]),
    },
    ipv6: { method: v("s", "ignore") },
    user: { data: v("a{ss}", { [ROLE_KEY]: "softap" }) },
  };
  if (options.password !== "") {
    // ESP's SoftAP is WPA2-PSK (CCMP); "rsn" keeps NM from offering WPA1/TKIP.
    settings["802-11-wireless-security"] = {
      "key-mgmt": v("s", "wpa-psk"),
      psk: v("s", options.password),
      proto: v("as", ["rsn"]),
      pairwise: v("as", ["ccmp"]),
      group: v("as", ["ccmp"]),
    };
  }
  return settings;
}

/** A station profile for the credentials a client sent (bytes as received; psk as NM's string). */
export function stationSettings(options: {
  ssid: Uint8Array;
  psk: string;
  role: ProfileRole;
  interfaceName?: string;
  bssid?: Uint8Array;
  channel?: number;
  keyMgmt?: "wpa-psk" | "sae";
}): Settings {
  const connection: Record<string, dbus.Variant> = {
    id: v("s", profileName(options.ssid)),
    uuid: v("s", randomUUID()),
    type: v("s", "802-11-wireless"),
    autoconnect: v("b", false),
  };
  if (options.interfaceName !== undefined) connection["interface-name"] = v("s", options.interfaceName);
  const wireless: Record<string, dbus.Variant> = {
    ssid: v("ay", Buffer.from(options.ssid)),
    mode: v("s", "infrastructure"),
  };
  if (options.bssid !== undefined && options.bssid.length === 6)
    wireless.bssid = v("ay", Buffer.from(options.bssid));
  if (options.channel !== undefined && options.channel > 0) {
    wireless.band = v("s", bandForChannel(options.channel));
    wireless.channel = v("u", options.channel);
  }
  const settings: Settings = {
    connection,
    "802-11-wireless": wireless,
    ipv4: { method: v("s", "auto") },
    user: { data: v("a{ss}", { [ROLE_KEY]: options.role }) },
  };
  if (options.psk !== "") {
    settings["802-11-wireless-security"] = {
      "key-mgmt": v("s", options.keyMgmt ?? "wpa-psk"),
      psk: v("s", options.psk),
    };
  }
  return settings;
}

/**
 * A profile's name from the SSID bytes. connection.id is a D-Bus string (UTF-8 without NUL) while an SSID is any
 * 32 bytes: a NUL made the D-Bus library throw before anything was sent (found by the real-daemon tests), so
 * control characters become "?" and invalid UTF-8 U+FFFD. The SSID itself goes as bytes, exactly.
 */
function profileName(ssid: Uint8Array): string {
  const text = new TextDecoder("utf-8").decode(ssid);
  return `wifiprov ${[...text].map((c) => (c.charCodeAt(0) < 0x20 || c === "\x7f" ? "?" : c)).join("")}`;
}

/** The role a profile's user.data gives it, or undefined for profiles that are not ours. */
export function profileRole(settings: Record<string, Record<string, unknown>>): string | undefined {
  const data = unwrap(settings.user?.data) as Record<string, unknown> | undefined;
  const role = data?.[ROLE_KEY];
  return typeof role === "string" ? role : undefined;
}

export function unwrap(value: unknown): unknown {
  return value instanceof dbus.Variant ? (value.value as unknown) : value;
}

/**
 * A passphrase as NetworkManager can hold it: D-Bus strings are UTF-8 without NUL. Returns undefined for bytes
 * that are not (such a key could not be typed into any NM client either).
 */
export function pskText(passphrase: Uint8Array): string | undefined {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(passphrase);
    return text.includes("\0") ? undefined : text;
  } catch {
    return undefined;
  }
}

export { formatMac };
