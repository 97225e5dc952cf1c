/**
 * Checks on Wi-Fi credentials before anything is sent. The device accepts nearly anything in SetConfig
 * (protocol.md §8.1: only ssid ≥ 33 bytes / passphrase ≥ 64 bytes are refused), so a typo only shows up as
 * a failed connection tens of seconds later; we refuse what 802.11 itself cannot use.
 */
import { UsageError } from "../errors.js";

const utf8 = new TextEncoder();

/** SSID as bytes: strings are UTF-8 (what phones and routers use); raw bytes pass through. */
export function ssidBytes(ssid: string | Uint8Array): Uint8Array {
  return typeof ssid === "string" ? utf8.encode(ssid) : ssid;
}

/** 802.11: an SSID is 1–32 bytes. */
export function checkSsid(ssid: string | Uint8Array): Uint8Array {
  const bytes = ssidBytes(ssid);
  if (bytes.length === 0) {
    throw new UsageError("the SSID is empty", {
      hint: "pass --ssid <network name>, or omit it to scan and pick",
    });
  }
  if (bytes.length > 32) {
    throw new UsageError(`the SSID is ${bytes.length} bytes long; Wi-Fi allows at most 32 bytes (UTF-8)`, {
      hint: "check the network name",
    });
  }
  return bytes;
}

/**
 * WPA passphrase rules (IEEE 802.11i): empty for an open network, 8–63 printable ASCII characters, or exactly
 * 64 hex digits (a raw PSK).
 */
export function checkPassphrase(passphrase: string): Uint8Array {
  if (passphrase === "") return new Uint8Array(0);
  if (passphrase.length === 64) {
    if (/^[0-9a-fA-F]{64}$/.test(passphrase)) return utf8.encode(passphrase);
    throw new UsageError("a 64-character passphrase must be a raw key of 64 hex digits", {
      hint: "WPA passphrases are 8–63 characters; 64 characters are only allowed as hex digits",
    });
  }
  if (!/^[\x20-\x7e]*$/.test(passphrase)) {
    throw new UsageError("the passphrase contains characters other than printable ASCII", {
      hint: "WPA passphrases are 8–63 printable ASCII characters",
    });
  }
  if (passphrase.length < 8 || passphrase.length > 63) {
    throw new UsageError(`the passphrase is ${passphrase.length} characters long; WPA needs 8–63`, {
      hint: "check the passphrase, or pass --passphrase '' for an open network",
    });
  }
  return utf8.encode(passphrase);
}

/** BSSID as 12 hex digits, with or without ':' / '-' separators. */
export function parseBssid(bssid: string | Uint8Array): Uint8Array {
  if (typeof bssid !== "string") {
    if (bssid.length !== 6) throw new UsageError(`a BSSID is 6 bytes (got ${bssid.length})`);
    return bssid;
  }
  const compact = bssid.replace(/[:-]/g, "");
  if (!/^[0-9a-fA-F]{12}$/.test(compact)) {
    throw new UsageError(`not a BSSID: ${JSON.stringify(bssid)}`, { hint: "write it as aa:bb:cc:dd:ee:ff" });
  }
  return new Uint8Array(Buffer.from(compact, "hex"));
}

export function checkChannel(channel: number): number {
  if (!Number.isInteger(channel) || channel < 1 || channel > 196) {
    throw new UsageError(`not a Wi-Fi channel: ${channel}`, {
      hint: "use 1–14 (2.4 GHz) or a 5 GHz channel number",
    });
  }
  return channel;
}
