/**
 * The simulated radio's world: which access points exist, how they behave, which faults to inject. Written by
 * hand as JSON (`--networks networks.json`), so every field is checked with an error that names the file, the
 * field and what is accepted.
 */
import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { authModeNames, parseAuthMode } from "./auth-mode.js";
import type { AuthModeNumber } from "./radio.js";
import { DisconnectReason } from "./radio.js";

/** Faults that can be set on one access point or for all of them (`faults` at the top level). */
export interface AccessPointFaults {
  /** The AP disappears while the station associates: disconnect with `vanishReason`, and it stays gone. */
  vanishMidConnect?: boolean;
  /** 201 NO_AP_FOUND (default) or 200 BEACON_TIMEOUT. */
  vanishReason?: number;
  /** Association succeeds but DHCP never answers: no "connected" event, no disconnect either. */
  dhcpNeverAnswers?: boolean;
  /** Connected, then this many ms later disconnected with `dropReason`. */
  dropAfterConnectMs?: number;
  /** 200 BEACON_TIMEOUT (default) or 8 ASSOC_LEAVE. */
  dropReason?: number;
  /**
   * Joining this AP on a channel other than the SoftAP's moves the SoftAP (an ESP32 has one radio): the
   * phone connected to the SoftAP is dropped, reported as {type: "softap-stopped"}.
   */
  channelHopDropsSoftAp?: boolean;
}

export interface EnvironmentFaults extends AccessPointFaults {
  /** "empty": scans find nothing; "stale": scans report the world as it was before its last change. */
  scan?: "empty" | "stale";
}

export interface SimulatedAccessPoint {
  /** UTF-8 SSID, 1–32 bytes. */
  ssid: string;
  bssid: Uint8Array; // 6 bytes
  channel: number; // 1–14
  rssi: number; // dBm, −100…0
  authMode: AuthModeNumber;
  /** WPA/WPA2/WPA3/WAPI: 8–63 characters; WEP: 5 or 13 characters; open/OWE: empty. */
  passphrase?: string;
  /** The address this AP's DHCP server hands out (default 192.168.<n>.100, n = 1 + index). */
  ip?: string;
  /** Authentication + association time, ms (default 250). */
  associationMs?: number;
  /** DHCP time after association, ms (default 800). */
  dhcpMs?: number;
  /** Not in scan results; still joinable by SSID (directed probe). */
  hidden?: boolean;
  faults?: AccessPointFaults;
}

export interface SimulatedTiming {
  /** The all-channel scan a station does before it joins (ESP's default ALL_CHANNEL_SCAN), ms. Default 1500. */
  connectScanMs?: number;
  /** From association until a wrong PSK is reported as 15 4WAY_HANDSHAKE_TIMEOUT, ms. Default 2000. */
  handshakeTimeoutMs?: number;
}

export interface SimulatedEnvironment {
  accessPoints: SimulatedAccessPoint[];
  /** Faults for every AP (an AP's own `faults` override these field by field) and for scans. */
  faults?: EnvironmentFaults;
  /** SoftAP channel when startSoftAp() names none (ESP default 1). */
  softApChannel?: number;
  /** Highest channel the regulatory domain allows: 11 (US), 13 (ESP default "CN"/EU), 14 (JP). Default 13. */
  maxChannel?: number;
  timing?: SimulatedTiming;
}

const apFaultKeys = [
  "vanishMidConnect",
  "vanishReason",
  "dhcpNeverAnswers",
  "dropAfterConnectMs",
  "dropReason",
  "channelHopDropsSoftAp",
] as const;
const apKeys = [
  "ssid",
  "bssid",
  "channel",
  "rssi",
  "authMode",
  "passphrase",
  "ip",
  "associationMs",
  "dhcpMs",
  "hidden",
  "faults",
  "note",
] as const;
const topKeys = ["accessPoints", "faults", "softApChannel", "maxChannel", "timing", "description"] as const;
const timingKeys = ["connectScanMs", "handshakeTimeoutMs"] as const;
/** Upper bound for any configured delay: ten minutes is already absurd for a radio. */
const maxDelayMs = 600_000;

class FieldChecker {
  constructor(readonly source: string) {}

  fail(path: string, what: string, got?: unknown): never {
    const shown = got === undefined ? "" : `, got ${got instanceof Measured ? got.text : describe(got)}`;
    throw new UsageError(`${this.source}: ${path === "" ? "the document" : path} ${what}${shown}`, {
      hint: "fix the networks file; its format is in src/wifi/README.md of the wifiprov source, with an example in src/wifi/networks.example.json",
    });
  }

  object(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(path, "must be an object", value);
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!allowed.includes(key)) {
        this.fail(
          `${path === "" ? "" : `${path}.`}${key}`,
          `is not a known field (known: ${allowed.join(", ")})`,
        );
      }
    }
    return record;
  }

  integer(value: unknown, path: string, min: number, max: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `must be an integer ${min}–${max}`, value);
    }
    return value;
  }

  delay(value: unknown, path: string): number {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > maxDelayMs) {
      this.fail(path, `must be a number of milliseconds 0–${maxDelayMs}`, value);
    }
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== "boolean") this.fail(path, "must be true or false", value);
    return value;
  }

  oneOf<T extends number | string>(value: unknown, path: string, allowed: readonly T[], labels: string): T {
    if (!allowed.includes(value as T)) this.fail(path, `must be ${labels}`, value);
    return value as T;
  }
}

/** A description of a value ("5 bytes") shown as is, for values that must not be echoed or are measured. */
class Measured {
  constructor(readonly text: string) {}
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Parses "aa:bb:cc:dd:ee:ff", "aa-bb-cc-dd-ee-ff" or "aabbccddeeff". */
export function parseBssid(text: string): Uint8Array | undefined {
  const digits = text.trim().replace(/[:-]/g, "");
  if (!/^[0-9a-fA-F]{12}$/.test(digits)) return undefined;
  if (/[:-]/.test(text) && !/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(text.trim())) return undefined;
  return new Uint8Array(Buffer.from(digits, "hex"));
}

export function formatBssid(bssid: Uint8Array): string {
  return Array.from(bssid, (b) => b.toString(16).padStart(2, "0")).join(":");
}

function parseIpv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

const vanishReasons = [DisconnectReason.NO_AP_FOUND, DisconnectReason.BEACON_TIMEOUT];
const dropReasons = [DisconnectReason.BEACON_TIMEOUT, DisconnectReason.ASSOC_LEAVE];

function parseFaults(check: FieldChecker, value: unknown, path: string, top: boolean): EnvironmentFaults {
  const record = check.object(value, path, top ? [...apFaultKeys, "scan"] : apFaultKeys);
  const faults: EnvironmentFaults = {};
  if (record.vanishMidConnect !== undefined) {
    faults.vanishMidConnect = check.boolean(record.vanishMidConnect, `${path}.vanishMidConnect`);
  }
  if (record.vanishReason !== undefined) {
    faults.vanishReason = check.oneOf(
      record.vanishReason,
      `${path}.vanishReason`,
      vanishReasons,
      "201 or 200",
    );
  }
  if (record.dhcpNeverAnswers !== undefined) {
    faults.dhcpNeverAnswers = check.boolean(record.dhcpNeverAnswers, `${path}.dhcpNeverAnswers`);
  }
  if (record.dropAfterConnectMs !== undefined) {
    faults.dropAfterConnectMs = check.delay(record.dropAfterConnectMs, `${path}.dropAfterConnectMs`);
  }
  if (record.dropReason !== undefined) {
    faults.dropReason = check.oneOf(record.dropReason, `${path}.dropReason`, dropReasons, "200 or 8");
  }
  if (record.channelHopDropsSoftAp !== undefined) {
    faults.channelHopDropsSoftAp = check.boolean(
      record.channelHopDropsSoftAp,
      `${path}.channelHopDropsSoftAp`,
    );
  }
  if (record.scan !== undefined) {
    faults.scan = check.oneOf(record.scan, `${path}.scan`, ["empty", "stale"] as const, '"empty" or "stale"');
  }
  return faults;
}

function checkPassphrase(check: FieldChecker, path: string, passphrase: string, authMode: number): void {
  // Values are never echoed: a networks file may hold real-looking passwords.
  const length = Buffer.byteLength(passphrase, "utf8");
  const family = authModeNames[authMode];
  const got = new Measured(`${length} bytes`);
  if (authMode === 0 || authMode === 9) {
    if (length !== 0) check.fail(path, `must be empty for an ${family} network`, got);
  } else if (authMode === 1) {
    if (![5, 13, 10, 26].includes(length))
      check.fail(path, "must be 5 or 13 characters (or 10/26 hex) for WEP", got);
  } else if ([2, 3, 4, 6, 7, 8, 11, 12].includes(authMode)) {
    const hexKey = length === 64 && /^[0-9a-fA-F]{64}$/.test(passphrase);
    if (!hexKey && (length < 8 || length > 63)) {
      check.fail(path, `must be 8–63 characters (or 64 hex digits) for ${family}`, got);
    }
  }
}

function parseAccessPoint(check: FieldChecker, value: unknown, path: string): SimulatedAccessPoint {
  const r = check.object(value, path, apKeys);
  if (typeof r.ssid !== "string") check.fail(`${path}.ssid`, "must be a string of 1–32 bytes", r.ssid);
  const ssidBytes = Buffer.byteLength(r.ssid, "utf8");
  if (ssidBytes < 1 || ssidBytes > 32)
    check.fail(`${path}.ssid`, "must be 1–32 bytes of UTF-8", new Measured(`${ssidBytes} bytes`));
  const bssid = typeof r.bssid === "string" ? parseBssid(r.bssid) : undefined;
  if (bssid === undefined) {
    check.fail(`${path}.bssid`, 'must be 6 hex bytes like "aa:bb:cc:dd:ee:ff" or "aabbccddeeff"', r.bssid);
  }
  const channel = check.integer(r.channel, `${path}.channel`, 1, 14);
  const rssi = check.integer(r.rssi, `${path}.rssi`, -100, 0);
  const authMode = parseAuthMode(r.authMode);
  if (authMode === undefined) {
    check.fail(
      `${path}.authMode`,
      `must be one of ${authModeNames.join(", ")} or their ESP-IDF numbers 0–${authModeNames.length - 1}`,
      r.authMode,
    );
  }
  const ap: SimulatedAccessPoint = { ssid: r.ssid, bssid, channel, rssi, authMode };
  if (r.passphrase !== undefined) {
    if (typeof r.passphrase !== "string") check.fail(`${path}.passphrase`, "must be a string");
    ap.passphrase = r.passphrase;
  }
  checkPassphrase(check, `${path}.passphrase`, ap.passphrase ?? "", authMode);
  if (r.ip !== undefined) {
    if (typeof r.ip !== "string" || !parseIpv4(r.ip)) {
      check.fail(`${path}.ip`, 'must be a dotted IPv4 address like "192.168.1.23"', r.ip);
    }
    ap.ip = r.ip;
  }
  if (r.associationMs !== undefined) ap.associationMs = check.delay(r.associationMs, `${path}.associationMs`);
  if (r.dhcpMs !== undefined) ap.dhcpMs = check.delay(r.dhcpMs, `${path}.dhcpMs`);
  if (r.hidden !== undefined) ap.hidden = check.boolean(r.hidden, `${path}.hidden`);
  if (r.faults !== undefined) ap.faults = parseFaults(check, r.faults, `${path}.faults`, false);
  return ap;
}

/**
 * Checks a parsed JSON document and returns the environment it describes. `source` (usually the file name)
 * starts every error message: "networks.json: accessPoints[2].channel must be an integer 1–14, got 0".
 */
export function parseEnvironment(json: unknown, source: string): SimulatedEnvironment {
  const check: FieldChecker = new FieldChecker(source); // annotated so fail() narrows (TS2775)
  const top = check.object(json, "", topKeys);
  if (!Array.isArray(top.accessPoints)) check.fail("accessPoints", "must be an array", top.accessPoints);
  const accessPoints = top.accessPoints.map((ap, i) => parseAccessPoint(check, ap, `accessPoints[${i}]`));
  const seen = new Map<string, number>();
  accessPoints.forEach((ap, i) => {
    const key = formatBssid(ap.bssid);
    const earlier = seen.get(key);
    if (earlier !== undefined)
      check.fail(`accessPoints[${i}].bssid`, `repeats accessPoints[${earlier}].bssid`, key);
    seen.set(key, i);
  });
  const env: SimulatedEnvironment = { accessPoints };
  if (top.faults !== undefined) env.faults = parseFaults(check, top.faults, "faults", true);
  if (top.softApChannel !== undefined)
    env.softApChannel = check.integer(top.softApChannel, "softApChannel", 1, 14);
  if (top.maxChannel !== undefined) {
    env.maxChannel = check.oneOf(top.maxChannel, "maxChannel", [11, 13, 14], "11, 13 or 14");
  }
  if (top.timing !== undefined) {
    const t = check.object(top.timing, "timing", timingKeys);
    env.timing = {};
    if (t.connectScanMs !== undefined)
      env.timing.connectScanMs = check.delay(t.connectScanMs, "timing.connectScanMs");
    if (t.handshakeTimeoutMs !== undefined) {
      env.timing.handshakeTimeoutMs = check.delay(t.handshakeTimeoutMs, "timing.handshakeTimeoutMs");
    }
  }
  return env;
}

/** Reads and checks a networks file; every problem is a UsageError that names the file. */
export async function loadEnvironmentFile(path: string): Promise<SimulatedEnvironment> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? "read error";
    throw new UsageError(`${path}: cannot read the networks file (${reason})`, {
      cause,
      hint: "check the path given to --networks",
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    // V8's message quotes a slice of the text, which may hold a passphrase: keep only the position.
    const position = /position (\d+)/.exec((cause as Error).message)?.[1];
    throw new UsageError(
      `${path}: not valid JSON${position === undefined ? "" : ` (at character ${position})`}`,
    );
  }
  return parseEnvironment(json, path);
}
