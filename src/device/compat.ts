/**
 * The firmware generations the device can impersonate, and every behavioural difference between them that a
 * client can observe. One table so that the manager and startVirtualDevice() never branch on version strings.
 *
 * Each profile behaves exactly like the release it is named after (a real firmware, never a mixture); the
 * `covers` note says which later releases behave the same on the wire. Every row cites the ESP-IDF tag and
 * file it was read from. Facts that hold for every profile are in protocol.md, not here.
 *
 * The v5.0.9, v5.1.7, v5.2.6 and v5.3.3 point releases got the 12-byte counter nonce and `sec_patch_ver`
 * (security2.c AES_GCM_IV_SIZE 12, manager.c) but not attempt_failed (wifi_constants.proto): idf-v5.0/v5.1/v5.2
 * with sec2 patch 1 (`--sec2-patch-ver 1`), for which version-reply.ts announces sec_patch_ver.
 */
import { DisconnectReason } from "../wifi/radio.js";

export type CompatProfile =
  "idf-v4.0" | "idf-v5.0" | "idf-v5.1" | "idf-v5.2" | "idf-v5.4.1" | "idf-v5.5" | "idf-v6.0";

export const COMPAT_PROFILES: readonly CompatProfile[] = [
  "idf-v4.0",
  "idf-v5.0",
  "idf-v5.1",
  "idf-v5.2",
  "idf-v5.4.1",
  "idf-v5.5",
  "idf-v6.0",
];

export interface CompatRules {
  readonly profile: CompatProfile;
  /** The releases that behave like this profile on the wire (for help texts and the README). */
  readonly covers: string;
  /** proto-ver reply: the v4.0 example's plain "V0.1" or the manager's cJSON document (§3.3). */
  readonly versionStyle: "legacy-v0.1" | "json-no-patch" | "json";
  /** `prov.ver` of the JSON reply: WIFI_PROV_MGR_VERSION or network_provisioning's NETWORK_PROV_MGR_VERSION. */
  readonly provVersion: string;
  /** network_provisioning announces "wifi_prov" before "wifi_scan" (CONFIG_NETWORK_PROV_NETWORK_TYPE_WIFI). */
  readonly wifiProvCap: boolean;
  /** protocomm_httpd cookie rule (§2.3); v4.0 identified sessions by socket only. */
  readonly cookies: boolean;
  /** Default CONFIG_HTTPD_MAX_REQ_HDR_LEN (esp_http_server/Kconfig): 512 up to v5.4.x, 1024 from v5.5 (§2.1). */
  readonly maxHeaderBytes: number;
  /** prov-scan: the manager registers it from v5.0 on; the v4.0 softap_prov example had none (§3.2). */
  readonly scan: boolean;
  /** prov-ctrl (wifi_ctrl.c, ctrl reset/reprov) exists from v5.1 (§8.6). */
  readonly ctrl: boolean;
  readonly customEndpoints: boolean;
  readonly sec2: boolean;
  /**
   * sec0/sec1 exist only when the firmware is built with them: v6.0's protocomm Kconfig defaults
   * ESP_PROTOCOMM_SUPPORT_SECURITY_VERSION_0/1 to n (sec2 to y), so they need an explicit opt-in.
   */
  readonly legacySecurityOptIn: boolean;
  /** sec_patch_ver of sec2: 0 = one 16-byte random nonce for every message (v5.0…v5.4.0), 1 = counter nonce. */
  readonly sec2PatchVersion: 0 | 1;
  /** Restart a handshake on any Cmd0 (security1.c/security2.c since v4.3); the v4.0 code refused it (§7.7). */
  readonly restartOnCmd0: boolean;
  /** [v4.0] Apply with a pending config always answers Success and may be repeated (§8.1). */
  readonly applyRepeatable: boolean;
  /** The manager schedules the connection 1 s after Apply so the reply leaves first; v4.0 connects at once. */
  readonly applyDelayMs: number;
  /** CONN_ATTEMPT_FAILED with attempts_remaining while retrying (wifi_conn_attempts, v5.4.1+) (§8.1, §8.2). */
  readonly attemptFailed: boolean;
  /** network_provisioning zeroes the attempt counter on ctrl reset; wifi_provisioning never does. */
  readonly ctrlResetClearsAttempts: boolean;
  /** network_provisioning answers ctrl reset with Success when already back in STARTED; v5.x refuses. */
  readonly ctrlResetWhenStartedOk: boolean;
  /** Disconnect reasons that end the attempt as AuthError (§8.2). */
  readonly authErrorReasons: ReadonlySet<number>;
  /** A GetStatus that reports Connected calls wifi_prov_mgr_done() (handlers.c, v5.0+); v4.0 only has the 30 s timer. */
  readonly stopWhenConnectedReported: boolean;
}

// manager.c from v5.1.3 / v5.2 on (also v5.0.5+, and network_provisioning's manager.c): 15, 202, 204, 14 (§8.2).
const AUTH_ERRORS: ReadonlySet<number> = new Set([
  DisconnectReason.FOURWAY_HANDSHAKE_TIMEOUT,
  DisconnectReason.AUTH_FAIL,
  DisconnectReason.HANDSHAKE_TIMEOUT,
  DisconnectReason.MIC_FAILURE,
]);

// manager.c at v5.0…v5.0.4 and v5.1…v5.1.2 also counts 2 (AUTH_EXPIRE) as an auth error; later releases
// retry on it (ESP-IDF commit "Retry provisioning on WIFI_AUTH_EXPIRE event", issue #11749).
const AUTH_ERRORS_WITH_EXPIRE: ReadonlySet<number> = new Set([DisconnectReason.AUTH_EXPIRE, ...AUTH_ERRORS]);

// [v4.0] example: 2 AUTH_EXPIRE, 15, 200 BEACON_TIMEOUT, 202, 203 ASSOC_FAIL, 204 (§8.2).
const V40_AUTH_ERRORS: ReadonlySet<number> = new Set([
  DisconnectReason.AUTH_EXPIRE,
  DisconnectReason.FOURWAY_HANDSHAKE_TIMEOUT,
  DisconnectReason.BEACON_TIMEOUT,
  DisconnectReason.AUTH_FAIL,
  DisconnectReason.ASSOC_FAIL,
  DisconnectReason.HANDSHAKE_TIMEOUT,
]);

// v5.0: the first wifi_prov_mgr with sec2. Tag v5.0:
//   manager.c: JSON {"prov":{"ver":"v1.1","sec_ver":N,"cap":[…,"wifi_scan"]}}, no sec_patch_ver; registers
//     prov-session/prov-config/prov-scan, no prov-ctrl; connect via wifi_connect_timer 1000 ms after Apply;
//     Apply refused once credentials were received ("Invalid state of Provisioning app"); reasons 2, 15, 202,
//     204, 14 → AuthError, 201 → NetworkNotFound, others retried; no wifi_conn_attempts.
//   handlers.c: GetStatus Connected calls wifi_prov_mgr_done().
//   wifi_constants.proto: no WifiAttemptFailed.
//   security2.c: AES_GCM_IV_SIZE 16 (patch 0); security1.c/security2.c: Cmd0 restarts the session.
//   protocomm_httpd.c: session cookie, then socket (since v4.3). esp_http_server/Kconfig: header limit 512.
const V50: CompatRules = {
  profile: "idf-v5.0",
  covers: "v5.0–v5.0.8",
  versionStyle: "json-no-patch",
  provVersion: "v1.1",
  wifiProvCap: false,
  cookies: true,
  maxHeaderBytes: 512,
  scan: true,
  ctrl: false,
  customEndpoints: true,
  sec2: true,
  legacySecurityOptIn: false,
  sec2PatchVersion: 0,
  restartOnCmd0: true,
  applyRepeatable: false,
  applyDelayMs: 1000,
  attemptFailed: false,
  ctrlResetClearsAttempts: false,
  ctrlResetWhenStartedOk: false,
  authErrorReasons: AUTH_ERRORS_WITH_EXPIRE,
  stopWhenConnectedReported: true,
};

// v5.1: wifi_ctrl.c and wifi_ctrl.proto appear; manager.c registers prov-ctrl (0xFF4F) and
// wifi_prov_mgr_reset_sm_state_on_failure / _for_reprovision. Everything else as v5.0 (tag v5.1: manager.c
// still maps 2 → AuthError, security2.c AES_GCM_IV_SIZE 16, Kconfig 512, no WifiAttemptFailed).
const V51: CompatRules = { ...V50, profile: "idf-v5.1", covers: "v5.1–v5.1.2", ctrl: true };

// v5.2: as v5.1 but manager.c retries on reason 2 (AUTH_EXPIRE) (tags v5.1.3, v5.2 … v5.4: manager.c;
// security2.c AES_GCM_IV_SIZE 16 up to v5.4, v5.2.5, v5.3.2; Kconfig 512; no WifiAttemptFailed).
const V52: CompatRules = {
  ...V51,
  profile: "idf-v5.2",
  covers: "v5.1.3–v5.1.6, v5.2–v5.2.5, v5.3–v5.3.2, v5.4",
  authErrorReasons: AUTH_ERRORS,
};

// v5.4.1: security2.c AES_GCM_IV_SIZE 12 (8 random bytes + BE32 counter, patch_ver 1); manager.c adds
// "sec_patch_ver" to the JSON, wifi_conn_attempts and CONN_ATTEMPT_FAILED; wifi_constants.proto and
// wifi_config.proto add WifiAttemptFailed / attempt_failed (field 12); handlers.c fills attempts_remaining.
// esp_http_server/Kconfig still 512. manager.c never resets connection_attempts_completed.
const V541: CompatRules = {
  ...V52,
  profile: "idf-v5.4.1",
  covers: "v5.4.1–v5.4.x",
  versionStyle: "json",
  sec2PatchVersion: 1,
  attemptFailed: true,
};

// v5.5: esp_http_server/Kconfig HTTPD_MAX_REQ_HDR_LEN default 1024; provisioning sources as v5.4.1
// (manager.c, handlers.c, wifi_ctrl.c, protos, security2.c unchanged on the wire).
const V55: CompatRules = { ...V541, profile: "idf-v5.5", covers: "v5.5–v5.5.x", maxHeaderBytes: 1024 };

// v6.0: ESP-IDF v6.0 has no wifi_provisioning component; network_provisioning 1.2 (idf-extra-components,
// src/manager.c) replaces it: NETWORK_PROV_MGR_VERSION "netprov-v1.2", caps [no_sec|no_pop,] "wifi_prov",
// "wifi_scan" (thread_prov/thread_scan only on Thread builds), same endpoint names and UUIDs, 1 s apply delay,
// wifi_conn_attempts as v5.5, same reason mapping (15/202/204/14, 201), ctrl reset zeroes the attempt
// counter and answers Success when already in STARTED (network_prov_mgr_reset_wifi_sm_state_on_failure).
// proto/network_*.proto: message and enum names differ, field numbers, types and values of the Wi-Fi
// messages are those of wifi_*.proto, so the bytes are the same. ESP-IDF v6.0 protocomm/Kconfig:
// SECURITY_VERSION_0/1 default n, 2 default y; security2.c patch_ver 1; esp_http_server/Kconfig 1024.
const V60: CompatRules = {
  ...V55,
  profile: "idf-v6.0",
  covers: "v6.0 with network_provisioning 1.2",
  provVersion: "netprov-v1.2",
  wifiProvCap: true,
  legacySecurityOptIn: true,
  ctrlResetClearsAttempts: true,
  ctrlResetWhenStartedOk: true,
};

// v4.0: the softap_prov example (tag v4.0: examples/provisioning/softap_prov/main/app_prov.c, app_prov_handlers.c):
// plain "V0.1", prov-session/prov-config only, sec0/sec1 only; protocomm_httpd.c without cookies (they arrive
// in v4.3); security1.c refuses Cmd0 outside the initial state (restart from v4.3); Apply repeatable and
// connecting at once; esp_http_server/Kconfig 512.
const V40: CompatRules = {
  profile: "idf-v4.0",
  covers: "the v4.0 softap_prov example",
  versionStyle: "legacy-v0.1",
  provVersion: "V0.1",
  wifiProvCap: false,
  cookies: false,
  maxHeaderBytes: 512,
  scan: false,
  ctrl: false,
  customEndpoints: false,
  sec2: false,
  legacySecurityOptIn: false,
  sec2PatchVersion: 0,
  restartOnCmd0: false,
  applyRepeatable: true,
  applyDelayMs: 0,
  attemptFailed: false,
  ctrlResetClearsAttempts: false,
  ctrlResetWhenStartedOk: false,
  authErrorReasons: V40_AUTH_ERRORS,
  stopWhenConnectedReported: false,
};

const RULES: Record<CompatProfile, CompatRules> = {
  "idf-v4.0": V40,
  "idf-v5.0": V50,
  "idf-v5.1": V51,
  "idf-v5.2": V52,
  "idf-v5.4.1": V541,
  "idf-v5.5": V55,
  "idf-v6.0": V60,
};

export function compatRules(profile: CompatProfile = "idf-v5.5"): CompatRules {
  return RULES[profile];
}

export function isCompatProfile(value: string): value is CompatProfile {
  return (COMPAT_PROFILES as readonly string[]).includes(value);
}
