/**
 * What each ESP-IDF release does on the wire, as far as the conformance checks look at it. The device side
 * has the same facts in src/device/compat.ts; this layer may not import the device (a conformance run must
 * not trust the implementation it judges), so the few facts it needs are restated here, each with the tag and
 * file it comes from, and test/conformance/expectations.test.ts keeps the two tables in step.
 */
import { UsageError } from "../errors.js";
import type { DeviceVersion } from "../client/version.js";

export const PROFILE_NAMES = [
  "idf-v4.0",
  "idf-v5.0",
  "idf-v5.1",
  "idf-v5.2",
  "idf-v5.4.1",
  "idf-v5.5",
  "idf-v6.0",
] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface Expectations {
  /** The profile name, or "auto (…)" with what proto-ver allowed to conclude. */
  readonly label: string;
  /** proto-ver reply: the v4.0 example's "V0.1", the manager's JSON without or with sec_patch_ver. */
  readonly versionStyle: "plain" | "json-no-patch" | "json";
  /** protocomm_httpd.c sends `Set-Cookie: session=<u32>` on the first reply of a session (v4.3+). */
  readonly cookies: boolean;
  /** esp_http_server/Kconfig HTTPD_MAX_REQ_HDR_LEN default: 512 up to v5.4.x, 1024 from v5.5. */
  readonly maxHeaderBytes: readonly number[];
  /**
   * Bytes esp_http_server holds for the request line up to the first header byte (httpd_parse.c read_block):
   * the fixed scratch[HTTPD_SCRATCH_BUF + 1] = 513 up to v5.4.x, scratch_size_limit = max_uri_len = 512 from
   * v5.5 (the same change that made the header limit 1024). Fuller, the request gets 414.
   */
  readonly requestLineBuffer: readonly number[];
  /** prov-scan is registered by the manager from v5.0 (manager.c); the v4.0 example had none. */
  readonly scan: boolean;
  /** prov-ctrl from v5.1 (manager.c, wifi_ctrl.c); "optional" when proto-ver cannot tell v5.0 from v5.1+. */
  readonly ctrl: boolean | "optional";
  /** security1.c / security2.c restart the handshake on any Cmd0 since v4.3; v4.0's security1.c refused. */
  readonly restartOnCmd0: boolean;
  /** CtrlReset while no attempt failed: v5.x wifi_ctrl.c answers InternalError, network_provisioning Success. */
  readonly ctrlResetWhenStarted: "refused" | "accepted" | "either";
  /** GetStatus may carry attempt_failed (wifi_config.proto field 12, with wifi_conn_attempts): v5.4.1+. */
  readonly attemptFailed: boolean;
}

const V50: Expectations = {
  label: "idf-v5.0",
  versionStyle: "json-no-patch",
  cookies: true,
  maxHeaderBytes: [512],
  requestLineBuffer: [513],
  scan: true,
  ctrl: false,
  restartOnCmd0: true,
  ctrlResetWhenStarted: "refused",
  attemptFailed: false,
};
const V51: Expectations = { ...V50, label: "idf-v5.1", ctrl: true };
// tag v5.4.1 wifi_config.proto / wifi_constants.proto add WifiAttemptFailed (RespGetStatus field 12).
const V541: Expectations = { ...V51, label: "idf-v5.4.1", versionStyle: "json", attemptFailed: true };

const PROFILES: Record<ProfileName, Expectations> = {
  // tag v4.0 examples/provisioning/softap_prov: app_prov.c replies "V0.1", registers only prov-session and
  // prov-config; protocomm_httpd.c has no cookies; security1.c refuses a second Cmd0; Kconfig 512.
  "idf-v4.0": {
    label: "idf-v4.0",
    versionStyle: "plain",
    cookies: false,
    maxHeaderBytes: [512],
    requestLineBuffer: [513],
    scan: false,
    ctrl: false,
    restartOnCmd0: false,
    ctrlResetWhenStarted: "refused",
    attemptFailed: false,
  },
  // tag v5.0 wifi_provisioning/src/manager.c: JSON without sec_patch_ver, prov-scan, no prov-ctrl.
  "idf-v5.0": V50,
  // tag v5.1: manager.c registers prov-ctrl; wifi_ctrl.c refuses CtrlReset outside the failed state.
  "idf-v5.1": V51,
  "idf-v5.2": { ...V51, label: "idf-v5.2" },
  // tag v5.4.1 manager.c adds sec_patch_ver; esp_http_server/Kconfig still 512.
  "idf-v5.4.1": V541,
  // tag v5.5 esp_http_server/Kconfig: HTTPD_MAX_REQ_HDR_LEN 1024.
  "idf-v5.5": { ...V541, label: "idf-v5.5", maxHeaderBytes: [1024], requestLineBuffer: [512] },
  // network_provisioning 1.2 src/manager.c (with ESP-IDF v6.0): "netprov-v1.2"; CtrlReset in STARTED answers
  // Success (network_prov_mgr_reset_wifi_sm_state_on_failure); esp_http_server/Kconfig 1024.
  "idf-v6.0": {
    ...V541,
    label: "idf-v6.0",
    maxHeaderBytes: [1024],
    requestLineBuffer: [512],
    ctrlResetWhenStarted: "accepted",
  },
};

export function parseProfile(value: string): ProfileName | "auto" {
  if (value === "auto" || (PROFILE_NAMES as readonly string[]).includes(value)) {
    return value as ProfileName | "auto";
  }
  throw new UsageError(`unknown profile ${JSON.stringify(value)}`, {
    hint: `use auto or one of ${PROFILE_NAMES.join(", ")}`,
  });
}

export function profileExpectations(name: ProfileName): Expectations {
  return PROFILES[name];
}

/**
 * The releases a proto-ver reply can come from. Where replies look the same (v5.4.1 and v5.5; v5.0 and
 * v5.1+; the v5.0.9/v5.1.7/v5.2.6/v5.3.3 back-ports that announce sec_patch_ver), the expectation allows
 * every release of the group, so "auto" never reports a deviation that one of them would also show.
 */
export function expectationsFromVersion(version: DeviceVersion): Expectations {
  if (version.format === "plain") return { ...PROFILES["idf-v4.0"], label: "auto (idf-v4.0: plain V0.1)" };
  const netprov =
    (version.protocolVersion ?? "").startsWith("netprov") || version.capabilities.includes("wifi_prov");
  if (netprov) return { ...PROFILES["idf-v6.0"], label: "auto (idf-v6.0: netprov)" };
  if (version.securityPatchVersion !== undefined) {
    return {
      ...PROFILES["idf-v5.5"],
      label: "auto (idf-v5.4.1…v5.5 or a sec_patch_ver back-port)",
      maxHeaderBytes: [512, 1024],
      requestLineBuffer: [512, 513],
      ctrl: "optional",
    };
  }
  return { ...PROFILES["idf-v5.2"], label: "auto (idf-v5.0…v5.4: no sec_patch_ver)", ctrl: "optional" };
}
