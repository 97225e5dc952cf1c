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
 * WPA passphrase rules: empty for an open network, or 8–63 BYTES of UTF-8. 802.11 also allows a raw key of 64 hex
 * digits, but no provisioning device takes one: wifi_config.c (ESP-IDF v4.0–v5.5) and network_config.c
 * (network_provisioning) refuse a passphrase of sizeof(wifi_sta_config_t.password) = 64 bytes or more with
 * InvalidArgument, so we say so before anything is sent.
 * 802.11i asks for printable ASCII, but the PSK is derived from the bytes (PBKDF2) and ESP-IDF takes bytes:
 * wifi_config.c copies `passphrase` into wifi_sta_config_t.password as sent and only refuses 64 bytes or
 * more, and esp_prov sends its argument's UTF-8 bytes. Routers that allow non-ASCII passphrases store them as
 * UTF-8, so UTF-8 that fits is accepted. Control characters are refused: they are never typed on purpose (a
 * trailing newline pasted from a file is the usual way one gets in).
 */
export function checkPassphrase(passphrase: string): Uint8Array {
  if (passphrase === "") return new Uint8Array(0);
  if (/^[0-9a-fA-F]{64}$/.test(passphrase)) {
    throw new UsageError(
      "the passphrase is 64 hex digits, a raw WPA key; provisioning devices take at most 63 bytes",
      {
        hint: "give the network's passphrase (8–63 characters) instead of its raw key",
      },
    );
  }
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/.test(passphrase)) {
    throw new UsageError("the passphrase contains a control character (a tab, a newline…)", {
      hint: "check for a pasted line break or tab; WPA passphrases are 8–63 bytes of text",
    });
  }
  const bytes = utf8.encode(passphrase);
  const chars = [...passphrase].length;
  const counted =
    bytes.length === chars ? `${chars} characters` : `${bytes.length} bytes in UTF-8 (${chars} characters)`;
  if (bytes.length < 8 || bytes.length > 63) {
    throw new UsageError(`the passphrase is ${counted}; WPA needs 8–63 bytes`, {
      hint:
        bytes.length > 63 && bytes.length !== chars
          ? "characters beyond ASCII take 2–4 bytes each in UTF-8, which is what the device receives; use a shorter passphrase"
          : "check the passphrase, or pass --passphrase '' for an open network",
    });
  }
  return bytes;
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
  return Uint8Array.from({ length: 6 }, (_, i) => parseInt(compact.slice(2 * i, 2 * i + 2), 16));
}

export function checkChannel(channel: number): number {
  if (!Number.isInteger(channel) || channel < 1 || channel > 196) {
    throw new UsageError(`not a Wi-Fi channel: ${channel}`, {
      hint: "use 1–14 (2.4 GHz) or a 5 GHz channel number",
    });
  }
  return channel;
}
