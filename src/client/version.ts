/**
 * What a device announces on `proto-ver` (protocol.md §3.3), parsed into one typed shape for every firmware
 * generation we must talk to:
 * - v5.4.1 on, and the back-ports v5.0.9, v5.1.7, v5.2.6, v5.3.3 (components/protocomm/src/common/protocomm.c
 *   at those tags): JSON with `prov.sec_ver` and `prov.sec_patch_ver`;
 * - v5.0–v5.4.0: JSON with `sec_ver` but no `sec_patch_ver` (sec2 then uses a fixed nonce ⇒ patch 0);
 * - v4.x manager: JSON without `sec_ver`/`sec_patch_ver` (security is inferred from `cap`);
 * - v4.0 softap_prov example: the plain string `V0.1`;
 * - ESP-IDF v6.0's network_provisioning (idf-extra-components, src/manager.c): JSON with `ver` "netprov-v1.2"
 *   and the network types it provisions in `cap` ("wifi_prov", "wifi_scan"; "thread_prov", "thread_scan" on
 *   Thread builds). Its Wi-Fi messages are byte-identical to wifi_provisioning's (proto/network_*.proto keep
 *   the field numbers, types and enum values), so such a device is provisioned like any other.
 */
import { UnsupportedError } from "../errors.js";
import type { SecurityPatchVersion, SecurityVersion } from "../security/types.js";

/** One application entry of the JSON (`wifi_prov_mgr_set_app_info(label, ver, caps)`). */
export interface ReportedAppVersion {
  /** `ver` of the entry, when it is a string. */
  version: string | undefined;
  /** `cap` of the entry (non-string items dropped). */
  capabilities: string[];
}

export interface DeviceVersion {
  /** "json" for the manager's JSON document, "plain" for anything else (the v4.0 example's `V0.1`). */
  format: "json" | "plain";
  /** The reply body exactly as received (decoded as UTF-8). */
  raw: string;
  /** `prov.ver` (e.g. "v1.1"), or the plain string (e.g. "V0.1"), or undefined when JSON lacks it. */
  protocolVersion: string | undefined;
  /** `prov.sec_ver` when the device announces it (v5.0+); undefined otherwise. */
  securityVersion: SecurityVersion | undefined;
  /** `prov.sec_patch_ver` when announced (v5.5 and back-ports); undefined otherwise (⇒ treat as 0). */
  securityPatchVersion: number | undefined;
  /** `prov.cap`: `no_sec`, `no_pop`, `wifi_scan`, … (empty for plain replies). */
  capabilities: string[];
  /** Application entries (every top-level key other than `prov`), in document order. */
  applications: Record<string, ReportedAppVersion>;
}

/** Which firmware generation the reply looks like; useful in summaries and diagnostics. */
export type VersionGeneration =
  | "idf-v6.0" // network_provisioning: "netprov-…" version or wifi_prov/thread_prov caps
  // sec_patch_ver present: v5.4.1 on, or a back-port release (v5.0.9, v5.1.7, v5.2.6, v5.3.3 on their branches).
  // The reply cannot tell those apart, so the label names the range, not one release.
  | "idf-v5.4.1+"
  // sec_ver present, sec_patch_ver absent: v5.0 to v5.4.0 (before the back-ports), sec2 with patch 0.
  | "idf-v5.0-v5.4.0"
  | "idf-v4.x" // JSON without sec_ver
  | "idf-v4.0-example" // plain V0.1
  | "unknown";

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a `proto-ver` reply body. Never throws: anything that is not the manager's JSON is "plain". */
export function parseDeviceVersion(body: Uint8Array | string): DeviceVersion {
  const raw = typeof body === "string" ? body : new TextDecoder().decode(body);
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    doc = undefined;
  }
  if (!isRecord(doc)) {
    const text = raw.trim();
    return {
      format: "plain",
      raw,
      protocolVersion: text === "" ? undefined : text,
      securityVersion: undefined,
      securityPatchVersion: undefined,
      capabilities: [],
      applications: {},
    };
  }
  const prov = isRecord(doc.prov) ? doc.prov : {};
  const secVer = prov.sec_ver;
  const patch = prov.sec_patch_ver;
  const applications: Record<string, ReportedAppVersion> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key === "prov" || !isRecord(value)) continue;
    applications[key] = {
      version: typeof value.ver === "string" ? value.ver : undefined,
      capabilities: stringList(value.cap),
    };
  }
  return {
    format: "json",
    raw,
    protocolVersion: typeof prov.ver === "string" ? prov.ver : undefined,
    securityVersion: secVer === 0 || secVer === 1 || secVer === 2 ? secVer : undefined,
    securityPatchVersion:
      typeof patch === "number" && Number.isInteger(patch) && patch >= 0 ? patch : undefined,
    capabilities: stringList(prov.cap),
    applications,
  };
}

export function versionGeneration(v: DeviceVersion): VersionGeneration {
  if (v.format === "plain")
    return v.protocolVersion?.toUpperCase() === "V0.1" ? "idf-v4.0-example" : "unknown";
  if (
    v.protocolVersion?.startsWith("netprov-") ||
    v.capabilities.includes("wifi_prov") ||
    v.capabilities.includes("thread_prov")
  )
    return "idf-v6.0";
  if (v.securityPatchVersion !== undefined) return "idf-v5.4.1+";
  if (v.securityVersion !== undefined) return "idf-v5.0-v5.4.0";
  return "idf-v4.x";
}

/** protocol.md §3.3: `wifi_scan` is advertised by every manager; the v4.0 example has no scan endpoint. */
export function supportsScan(v: DeviceVersion): boolean {
  return v.capabilities.includes("wifi_scan");
}

/**
 * False only for a network_provisioning device built for Thread alone (`thread_prov` without `wifi_prov`): it has
 * no Wi-Fi station to configure. Every other device (wifi_provisioning never announces a network type) takes Wi-Fi.
 */
export function provisionsWifi(v: DeviceVersion): boolean {
  return !(v.capabilities.includes("thread_prov") && !v.capabilities.includes("wifi_prov"));
}

/**
 * esp_prov's `--proto_ver` check (protocol.md §9.2 step 5): accepted when the reply equals the expected string
 * case-insensitively, or is JSON whose `prov.ver` does.
 */
export function matchesProtocolVersion(v: DeviceVersion, expected: string): boolean {
  const want = expected.toLowerCase();
  if (v.raw.toLowerCase() === want) return true;
  return v.format === "json" && v.protocolVersion?.toLowerCase() === want;
}

/** Throws UnsupportedError when `expected` (esp_prov's --proto_ver) is set and the device announces another. */
export function checkProtocolVersion(v: DeviceVersion, expected: string | undefined): void {
  if (expected === undefined || expected === "" || matchesProtocolVersion(v, expected)) return;
  throw new UnsupportedError(
    `the device speaks protocol ${JSON.stringify(v.protocolVersion ?? v.raw)}, not ${JSON.stringify(expected)}`,
    { hint: "drop --proto_ver, or check that this is the device you meant" },
  );
}

/** sec_patch_ver as a usable patch level: missing ⇒ 0 (protocol.md §7.4); unknown future values ⇒ 1. */
export function patchLevel(v: DeviceVersion | undefined): SecurityPatchVersion {
  const p = v?.securityPatchVersion;
  return p === undefined || p === 0 ? 0 : 1;
}
