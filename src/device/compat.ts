/**
 * The firmware generations the device can impersonate, and every behavioural difference between them that a
 * client can observe. One table so that the manager and startDevice() never branch on version strings.
 */
import { DisconnectReason } from "../wifi/radio.js";

export type CompatProfile = "idf-v4.0" | "idf-v5.0" | "idf-v5.5";

export const COMPAT_PROFILES: readonly CompatProfile[] = ["idf-v4.0", "idf-v5.0", "idf-v5.5"];

export interface CompatRules {
  readonly profile: CompatProfile;
  /** proto-ver reply: the v4.0 example's plain "V0.1" or the manager's cJSON document (§3.3). */
  readonly versionStyle: "legacy-v0.1" | "json-no-patch" | "json";
  /** protocomm_httpd cookie rule (§2.3); v4.0 identified sessions by socket only. */
  readonly cookies: boolean;
  /** HTTPD_MAX_REQ_HDR_LEN: 1024 in v5.5, 512 in v4.0 (§2.1). */
  readonly maxHeaderBytes: number;
  /** The v4.0 softap_prov example registered only proto-ver, prov-session and prov-config (§3.2). */
  readonly scanAndCtrl: boolean;
  readonly customEndpoints: boolean;
  readonly sec2: boolean;
  /** sec_patch_ver of sec2: 1 in v5.5 (counter nonce), 0 in v5.0 (fixed nonce) (§3.3). */
  readonly sec2PatchVersion: 0 | 1;
  /** v5.5 restarts a handshake on any Cmd0; the v4.0 security code did not (§7.7). */
  readonly restartOnCmd0: boolean;
  /** [v4.0] Apply with a pending config always answers Success and may be repeated (§8.1). */
  readonly applyRepeatable: boolean;
  /** v5.5 schedules the connection 1 s after Apply so the reply leaves first; v4.0 connects at once (§8.1). */
  readonly applyDelayMs: number;
  /** v5.x reports CONN_ATTEMPT_FAILED with attempts_remaining while retrying (§8.1, §8.2). */
  readonly attemptFailed: boolean;
  /** Disconnect reasons that end the attempt as AuthError (§8.2). */
  readonly authErrorReasons: ReadonlySet<number>;
  /** v5.5: a GetStatus that reports Connected schedules the stop (§8.4); v4.0 only has the 30 s timer. */
  readonly stopWhenConnectedReported: boolean;
  /** Ctrl reset/reprov exist only in v5.x (§8.6). */
  readonly ctrl: boolean;
}

const V5_AUTH_ERRORS: ReadonlySet<number> = new Set([
  DisconnectReason.FOURWAY_HANDSHAKE_TIMEOUT,
  DisconnectReason.AUTH_FAIL,
  DisconnectReason.HANDSHAKE_TIMEOUT,
  DisconnectReason.MIC_FAILURE,
]);

// [v4.0] example: 2 AUTH_EXPIRE, 15, 200 BEACON_TIMEOUT, 202, 203 ASSOC_FAIL, 204 (§8.2).
const V40_AUTH_ERRORS: ReadonlySet<number> = new Set([
  DisconnectReason.AUTH_EXPIRE,
  DisconnectReason.FOURWAY_HANDSHAKE_TIMEOUT,
  DisconnectReason.BEACON_TIMEOUT,
  DisconnectReason.AUTH_FAIL,
  DisconnectReason.ASSOC_FAIL,
  DisconnectReason.HANDSHAKE_TIMEOUT,
]);

const V55: CompatRules = {
  profile: "idf-v5.5",
  versionStyle: "json",
  cookies: true,
  maxHeaderBytes: 1024,
  scanAndCtrl: true,
  customEndpoints: true,
  sec2: true,
  sec2PatchVersion: 1,
  restartOnCmd0: true,
  applyRepeatable: false,
  applyDelayMs: 1000,
  attemptFailed: true,
  authErrorReasons: V5_AUTH_ERRORS,
  stopWhenConnectedReported: true,
  ctrl: true,
};

const RULES: Record<CompatProfile, CompatRules> = {
  "idf-v5.5": V55,
  "idf-v5.0": { ...V55, profile: "idf-v5.0", versionStyle: "json-no-patch", sec2PatchVersion: 0 },
  "idf-v4.0": {
    profile: "idf-v4.0",
    versionStyle: "legacy-v0.1",
    cookies: false,
    maxHeaderBytes: 512,
    scanAndCtrl: false,
    customEndpoints: false,
    sec2: false,
    sec2PatchVersion: 0,
    restartOnCmd0: false,
    applyRepeatable: true,
    applyDelayMs: 0,
    attemptFailed: false,
    authErrorReasons: V40_AUTH_ERRORS,
    stopWhenConnectedReported: false,
    ctrl: false,
  },
};

export function compatRules(profile: CompatProfile = "idf-v5.5"): CompatRules {
  return RULES[profile];
}

export function isCompatProfile(value: string): value is CompatProfile {
  return (COMPAT_PROFILES as readonly string[]).includes(value);
}
