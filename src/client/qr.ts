/**
 * Espressif's provisioning QR payload: a small JSON object that the ESP-IDF examples print (protocol.md §8.8)
 * and the Android/iOS provisioning libraries read:
 *   {"ver":"v1","name":"PROV_XXXXXX","username":"wifiprov","pop":"abcd1234","transport":"softap"}
 * Keys: ver, name, pop, transport, username, security (number), password, network. Key order and extra keys
 * do not matter to the readers. For sec2 the example puts the SRP password in `pop`.
 */
import { UsageError } from "../errors.js";
import type { SessionOptions } from "./security-choice.js";

export interface QrPayload {
  /** Payload format version; the examples print "v1". */
  ver: string;
  /** Device name: the SoftAP SSID (PROV_XXXXXX) for softap, the BLE name for ble. */
  name: string;
  /** "softap" (HTTP over the device's access point) or "ble". */
  transport: string;
  /** sec1 proof of possession, or (sec2 examples) the SRP password. */
  pop?: string;
  /** sec2 SRP username. */
  username?: string;
  /** Security scheme 0/1/2 when the payload states it. */
  security?: number;
  /** sec2 SRP password when given separately from pop. */
  password?: string;
  /** Network kind ("wifi" or "thread") when the payload states it. */
  network?: string;
  /** Keys we do not know, kept so a payload round-trips. */
  extra?: Record<string, unknown>;
}

const KNOWN = ["ver", "name", "pop", "transport", "username", "security", "password", "network"] as const;
const EXAMPLE = '{"ver":"v1","name":"PROV_123456","pop":"abcd1234","transport":"softap"}';

function optionalString(doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new UsageError(`QR payload: "${key}" must be a string`);
  return v;
}

/** Parses a scanned payload. Throws UsageError with an example when it is not Espressif's JSON. */
export function parseQrPayload(text: string): QrPayload {
  let doc: unknown;
  try {
    doc = JSON.parse(text.trim());
  } catch (cause) {
    throw new UsageError("the QR payload is not JSON", {
      cause,
      hint: `an Espressif provisioning QR code holds JSON like ${EXAMPLE}`,
    });
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new UsageError("the QR payload is not a JSON object", {
      hint: `expected something like ${EXAMPLE}`,
    });
  }
  const o = doc as Record<string, unknown>;
  const name = optionalString(o, "name");
  if (!name)
    throw new UsageError('the QR payload has no "name"', { hint: `expected something like ${EXAMPLE}` });
  const transport = optionalString(o, "transport") ?? "softap";
  let security: number | undefined;
  if (o.security !== undefined && o.security !== null) {
    const s = typeof o.security === "string" ? Number(o.security) : o.security;
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0 || s > 2) {
      throw new UsageError('QR payload: "security" must be 0, 1 or 2');
    }
    security = s;
  }
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!(KNOWN as readonly string[]).includes(k)) extra[k] = v;
  const out: QrPayload = { ver: optionalString(o, "ver") ?? "v1", name, transport: transport.toLowerCase() };
  const pop = optionalString(o, "pop");
  const username = optionalString(o, "username");
  const password = optionalString(o, "password");
  const network = optionalString(o, "network");
  if (pop !== undefined) out.pop = pop;
  if (username !== undefined) out.username = username;
  if (security !== undefined) out.security = security;
  if (password !== undefined) out.password = password;
  if (network !== undefined) out.network = network;
  if (Object.keys(extra).length > 0) out.extra = extra;
  return out;
}

/** Formats a payload in the examples' key order (ver, name, username, pop, transport, then the rest). */
export function formatQrPayload(
  p: Omit<QrPayload, "ver" | "transport"> & { ver?: string; transport?: string },
): string {
  if (!p.name) throw new UsageError("a QR payload needs a name (the device's SoftAP SSID)");
  const doc: Record<string, unknown> = { ver: p.ver ?? "v1", name: p.name };
  if (p.username !== undefined) doc.username = p.username;
  if (p.pop !== undefined) doc.pop = p.pop;
  doc.transport = p.transport ?? "softap";
  if (p.security !== undefined) doc.security = p.security;
  if (p.password !== undefined) doc.password = p.password;
  if (p.network !== undefined) doc.network = p.network;
  for (const [k, v] of Object.entries(p.extra ?? {})) if (!(k in doc)) doc[k] = v;
  return JSON.stringify(doc);
}

/**
 * The session credentials a payload implies. Like the phone apps, the sec2 password is `password` or else
 * `pop` (the ESP-IDF example prints it as pop). The security level itself still comes from the device's
 * `proto-ver`, so a stale `security` key in a printed label cannot force the wrong scheme.
 */
export function qrSessionOptions(p: QrPayload): SessionOptions {
  const out: SessionOptions = {};
  if (p.pop !== undefined) out.pop = p.pop;
  if (p.username !== undefined) out.username = p.username;
  const password = p.password ?? (p.username !== undefined || p.security === 2 ? p.pop : undefined);
  if (password !== undefined) out.password = password;
  return out;
}
