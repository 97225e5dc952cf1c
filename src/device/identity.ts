/** The names a device shows to the world: MAC, SoftAP SSID / service name, QR payload (protocol.md §8.8). */
import { randomBytes } from "node:crypto";
import { UsageError } from "../errors.js";

/**
 * A MAC for a virtual device, drawn once per state directory: locally administered, unicast (bit 1 of the
 * first byte set, bit 0 clear), so it can never collide with a vendor-assigned address.
 */
export function randomMac(): Uint8Array {
  const mac = Uint8Array.from(randomBytes(6));
  mac[0] = (mac[0]! & 0xfc) | 0x02;
  return mac;
}

/** "PROV_" + the last three STA MAC bytes as uppercase hex (§8.8). */
export function softApSsidFromMac(mac: Uint8Array): string {
  if (mac.length !== 6) throw new UsageError(`a MAC address has 6 bytes, got ${mac.length}`);
  return `PROV_${Buffer.from(mac.subarray(3)).toString("hex").toUpperCase()}`;
}

/** SoftAP password rule of ESP-IDF: empty (open network) or 8–64 characters (WPA/WPA2-PSK) (§8.8). */
export function checkSoftApPassword(password: string): void {
  if (password.length !== 0 && (password.length < 8 || password.length > 64)) {
    throw new UsageError(`SoftAP password must be empty (open) or 8–64 characters, got ${password.length}`, {
      hint: "use --softap-password '' for an open SoftAP",
    });
  }
}

export interface QrPayloadFields {
  name: string;
  /** sec2 only; printed before "pop". */
  username?: string;
  /** Omitted when there is none (sec0, sec1 without PoP). */
  pop?: string;
}

/**
 * The JSON the v5.5 wifi_prov_mgr example encodes in its QR code for the phone apps:
 * `{"ver":"v1","name":"…","username":"…","pop":"…","transport":"softap"}` with key order exactly so.
 */
export function qrPayload(fields: QrPayloadFields): string {
  const payload: Record<string, string> = { ver: "v1", name: fields.name };
  if (fields.username !== undefined) payload.username = fields.username;
  if (fields.pop !== undefined && fields.pop !== "") payload.pop = fields.pop;
  payload.transport = "softap";
  return JSON.stringify(payload);
}

/** A PoP or SRP password as a factory prints it on a device label: 8 characters without look-alikes. */
export function randomSecret(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}
