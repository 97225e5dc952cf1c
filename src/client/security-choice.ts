/**
 * Picks the security scheme and patch level for a session from what the device announces (protocol.md §3.3)
 * and what the caller forces. esp_prov never detects sec2 (it falls back to sec1 and asks for a PoP, §9.2);
 * we read `sec_ver` when it is there.
 */
import { UsageError } from "../errors.js";
import type { SecurityPatchVersion, SecurityVersion } from "../security/types.js";
import { patchLevel } from "./version.js";
import type { DeviceVersion } from "./version.js";

export interface SessionOptions {
  /** Force the security scheme instead of reading it from `proto-ver`. */
  secVer?: SecurityVersion;
  /** Force the sec2 patch level (0 = fixed nonce, 1 = counter nonce) instead of `sec_patch_ver`. */
  patchVersion?: SecurityPatchVersion;
  /** sec1 proof of possession. An empty string means "no PoP" explicitly. */
  pop?: string | Uint8Array;
  /** sec2 SRP username. */
  username?: string;
  /** sec2 SRP password. */
  password?: string;
}

/** The argument for `createClientSession` (src/security/index.ts). */
export type SecurityChoice =
  | { version: 0 }
  | { version: 1; pop?: Uint8Array | string }
  | { version: 2; patchVersion: SecurityPatchVersion; username: string; password: string };

/** Why the level was chosen; shown by `wifiprov -v` and in --json output. */
export interface SecurityDecision {
  choice: SecurityChoice;
  source: "forced" | "sec_ver" | "cap" | "default";
  /** True when a PoP was given but the device announced `no_pop`, so it was not used (esp_prov does the same). */
  popIgnored: boolean;
}

/**
 * The security level alone (forced, else `sec_ver`, else the capabilities), before any credential is checked:
 * what chooseSecurity decides on, and what the CLI asks credentials for.
 */
export function securityLevel(
  version: DeviceVersion | undefined,
  options: SessionOptions = {},
): { level: SecurityVersion; source: SecurityDecision["source"] } {
  const caps = version?.capabilities ?? [];
  if (options.secVer !== undefined) {
    if (![0, 1, 2].includes(options.secVer)) {
      throw new UsageError(`security version must be 0, 1 or 2 (got ${String(options.secVer)})`);
    }
    return { level: options.secVer, source: "forced" };
  }
  if (version?.securityVersion !== undefined) return { level: version.securityVersion, source: "sec_ver" };
  if (caps.includes("no_sec")) return { level: 0, source: "cap" };
  // v4.x manager JSON without no_sec, or the v4.0 example's plain V0.1: sec1 (its default), as esp_prov does.
  return { level: 1, source: caps.length > 0 ? "cap" : "default" };
}

/**
 * Decides the security level. Throws UsageError (before anything is sent) when the chosen level needs a
 * credential that is missing.
 */
export function chooseSecurity(
  version: DeviceVersion | undefined,
  options: SessionOptions = {},
): SecurityDecision {
  const { level, source } = securityLevel(version, options);
  const caps = version?.capabilities ?? [];

  if (level === 0) return { choice: { version: 0 }, source, popIgnored: false };

  if (level === 1) {
    const noPop = caps.includes("no_pop");
    if (noPop) {
      // protocol.md §9.2 step 3: with no_pop the device uses an empty PoP; sending ours would break the key.
      const given = options.pop !== undefined && options.pop.length > 0;
      return { choice: { version: 1 }, source, popIgnored: given };
    }
    if (options.pop === undefined) {
      throw new UsageError("this device needs a proof of possession (security 1) and none was given", {
        hint: "pass --pop <PoP> (printed on the device label or in its QR code; ESP-IDF examples use abcd1234), or --pop '' if the firmware was built without one",
      });
    }
    return {
      choice: options.pop.length > 0 ? { version: 1, pop: options.pop } : { version: 1 },
      source,
      popIgnored: false,
    };
  }

  const missing = [
    options.username ? undefined : "username",
    options.password ? undefined : "password",
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) {
    throw new UsageError(`this device uses security 2 (SRP6a) and needs a ${missing.join(" and ")}`, {
      hint: "pass --sec2_username <user> --sec2_pwd <password> (ESP-IDF's wifi_prov_mgr example uses wifiprov / abcd1234)",
    });
  }
  const patchVersion = options.patchVersion ?? patchLevel(version);
  return {
    choice: { version: 2, patchVersion, username: options.username!, password: options.password! },
    source,
    popIgnored: false,
  };
}
