/** What the device answers on `proto-ver` for each compat profile (protocol.md §3.3). */
import { formatVersionInfo } from "../protocomm/index.js";
import type { AppVersionInfo } from "../protocomm/index.js";
import type { CompatRules } from "./compat.js";

export interface VersionReplyInput {
  rules: CompatRules;
  securityVersion: 0 | 1 | 2;
  securityPatchVersion: 0 | 1;
  /** sec1 only: whether a PoP is required (no PoP advertises "no_pop"). */
  hasPop: boolean;
  apps?: Record<string, AppVersionInfo>;
}

export function versionReply(input: VersionReplyInput): string {
  const { rules, securityVersion } = input;
  if (rules.versionStyle === "legacy-v0.1") return "V0.1";
  // At most one of no_sec / no_pop, then always wifi_scan; sec2 has no marker (§3.3).
  const cap: string[] = [];
  if (securityVersion === 0) cap.push("no_sec");
  else if (securityVersion === 1 && !input.hasPop) cap.push("no_pop");
  // network_provisioning (v6.0) announces what it provisions before the scan capability.
  if (rules.wifiProvCap) cap.push("wifi_prov");
  cap.push("wifi_scan");
  const patch = securityVersion === 2 ? input.securityPatchVersion : 0;
  return formatVersionInfo({
    ...(input.apps ? { apps: input.apps } : {}),
    prov: {
      ver: rules.provVersion,
      secVer: securityVersion,
      // sec2 patch 1 on a v5.0…v5.2 profile is what the v5.0.9/v5.1.7/v5.2.6/v5.3.3 backports are: counter nonce
      // and sec_patch_ver in manager.c together (announcing patch 1 nowhere would leave clients at patch 0).
      ...(rules.versionStyle === "json" || patch === 1 ? { secPatchVer: patch } : {}),
      cap,
    },
  });
}
