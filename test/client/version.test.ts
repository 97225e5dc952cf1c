// proto-ver parsing for every firmware generation (protocol.md §3.3) and the security auto-pick built on it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseSecurity } from "../../src/client/security-choice.js";
import {
  matchesProtocolVersion,
  parseDeviceVersion,
  provisionsWifi,
  supportsScan,
  versionGeneration,
} from "../../src/client/version.js";
import { ErrorCodes } from "../../src/errors.js";
import { loadVector } from "../helpers/vectors.js";

const vs = loadVector<Record<string, string>>("version_strings.json");

test("v5.5 JSON: sec_ver, sec_patch_ver, caps", () => {
  const v = parseDeviceVersion(new TextEncoder().encode(vs.mgr_sec2!));
  assert.equal(v.format, "json");
  assert.equal(v.protocolVersion, "v1.1");
  assert.equal(v.securityVersion, 2);
  assert.equal(v.securityPatchVersion, 1);
  assert.deepEqual(v.capabilities, ["wifi_scan"]);
  assert.equal(versionGeneration(v), "idf-v5.4.1+");
  assert.ok(supportsScan(v));
  const s0 = parseDeviceVersion(vs.mgr_sec0!);
  assert.deepEqual(s0.capabilities, ["no_sec", "wifi_scan"]);
});

test("application entries are kept in document order", () => {
  const v = parseDeviceVersion(vs.mgr_sec1_with_app_info!);
  assert.deepEqual(v.applications, { myapp: { version: "v2.0", capabilities: ["feat_a", "feat_b"] } });
  assert.equal(v.securityVersion, 1);
});

test("v5.0 JSON without sec_patch_ver and v4.x JSON without sec_ver", () => {
  const v50 = parseDeviceVersion('{"prov":{"ver":"v1.1","sec_ver":2,"cap":["wifi_scan"]}}');
  assert.equal(v50.securityPatchVersion, undefined);
  assert.equal(versionGeneration(v50), "idf-v5.0-v5.4.0");
  const v4 = parseDeviceVersion(
    '{\n\t"prov":\t{\n\t\t"ver":\t"v1.1",\n\t\t"cap":\t["no_pop", "wifi_scan"]\n\t}\n}',
  );
  assert.equal(v4.securityVersion, undefined);
  assert.equal(versionGeneration(v4), "idf-v4.x");
  assert.deepEqual(v4.capabilities, ["no_pop", "wifi_scan"]);
});

test("plain V0.1 (v4.0 example)", () => {
  const v = parseDeviceVersion(vs.legacy_v40_softap_example!);
  assert.equal(v.format, "plain");
  assert.equal(v.protocolVersion, "V0.1");
  assert.deepEqual(v.capabilities, []);
  assert.equal(versionGeneration(v), "idf-v4.0-example");
  assert.ok(!supportsScan(v));
  assert.ok(matchesProtocolVersion(v, "v0.1"));
  assert.ok(matchesProtocolVersion(parseDeviceVersion(vs.mgr_sec0!), "V1.1"));
  assert.ok(!matchesProtocolVersion(parseDeviceVersion(vs.mgr_sec0!), "v2"));
});

test("odd replies never throw", () => {
  for (const body of [
    "",
    "[]",
    "42",
    "null",
    '{"prov":7}',
    '{"prov":{"sec_ver":"2","cap":"x"}}',
    "\u00ff\u0000",
  ]) {
    const v = parseDeviceVersion(body);
    assert.ok(v.format === "json" || v.format === "plain");
    assert.equal(v.securityVersion, undefined);
  }
});

test("security auto-pick: sec_ver wins, then no_sec, then sec1", () => {
  const sec2 = parseDeviceVersion(vs.mgr_sec2!);
  const d2 = chooseSecurity(sec2, { username: "wifiprov", password: "abcd1234" });
  assert.deepEqual(d2.choice, { version: 2, patchVersion: 1, username: "wifiprov", password: "abcd1234" });
  assert.equal(d2.source, "sec_ver");
  const v50 = parseDeviceVersion('{"prov":{"ver":"v1.1","sec_ver":2,"cap":["wifi_scan"]}}');
  assert.deepEqual(chooseSecurity(v50, { username: "u", password: "p" }).choice, {
    version: 2,
    patchVersion: 0,
    username: "u",
    password: "p",
  });
  assert.deepEqual(chooseSecurity(parseDeviceVersion(vs.mgr_sec0!)).choice, { version: 0 });
  const v4NoSec = parseDeviceVersion('{"prov":{"ver":"v1.1","cap":["no_sec","wifi_scan"]}}');
  assert.deepEqual(chooseSecurity(v4NoSec).choice, { version: 0 });
  const plain = parseDeviceVersion("V0.1");
  assert.deepEqual(chooseSecurity(plain, { pop: "abcd1234" }).choice, { version: 1, pop: "abcd1234" });
  assert.equal(chooseSecurity(plain, { pop: "abcd1234" }).source, "default");
  assert.deepEqual(chooseSecurity(plain, { pop: "" }).choice, { version: 1 });
});

test("security auto-pick: no_pop ignores a given PoP (like esp_prov)", () => {
  const d = chooseSecurity(parseDeviceVersion(vs.mgr_sec1_no_pop!), { pop: "abcd1234" });
  assert.deepEqual(d.choice, { version: 1 });
  assert.equal(d.popIgnored, true);
});

test("forced levels override the device and still check credentials", () => {
  const sec1 = parseDeviceVersion(vs.mgr_sec1_pop!);
  assert.deepEqual(chooseSecurity(sec1, { secVer: 0 }).choice, { version: 0 });
  assert.equal(chooseSecurity(sec1, { secVer: 0 }).source, "forced");
  assert.deepEqual(
    chooseSecurity(sec1, { secVer: 2, username: "u", password: "p", patchVersion: 1 }).choice,
    {
      version: 2,
      patchVersion: 1,
      username: "u",
      password: "p",
    },
  );
});

test("missing credentials are usage errors with hints", () => {
  const cases: [string, Parameters<typeof chooseSecurity>[1]][] = [
    [vs.mgr_sec1_pop!, {}],
    [vs.mgr_sec2!, { username: "wifiprov" }],
    [vs.mgr_sec2!, { password: "x" }],
    [vs.mgr_sec2!, { pop: "abcd1234" }],
    ["V0.1", {}],
  ];
  for (const [body, opts] of cases) {
    assert.throws(
      () => chooseSecurity(parseDeviceVersion(body), opts),
      (e: { code: string; hint?: string }) => e.code === ErrorCodes.USAGE && typeof e.hint === "string",
    );
  }
});

// network_provisioning 1.2 (ESP-IDF v6.0, idf-extra-components src/manager.c) as cJSON_Print formats it.
const NETPROV_WIFI = `{
	"prov":	{
		"ver":	"netprov-v1.2",
		"sec_ver":	2,
		"sec_patch_ver":	1,
		"cap":	["wifi_prov", "wifi_scan"]
	}
}`;

test("network_provisioning (v6.0) Wi-Fi build: a normal Wi-Fi device with scan, sec2 patch 1", () => {
  const v = parseDeviceVersion(NETPROV_WIFI);
  assert.equal(v.protocolVersion, "netprov-v1.2");
  assert.equal(v.securityVersion, 2);
  assert.equal(v.securityPatchVersion, 1);
  assert.deepEqual(v.capabilities, ["wifi_prov", "wifi_scan"]);
  assert.equal(versionGeneration(v), "idf-v6.0");
  assert.ok(supportsScan(v));
  assert.ok(provisionsWifi(v));
  const choice = chooseSecurity(v, { username: "wifiprov", password: "abcd1234" });
  assert.equal(choice.choice.version, 2);
});

test("network_provisioning Thread builds: Thread-only is not a Wi-Fi device; Wi-Fi + Thread is", () => {
  const threadOnly = parseDeviceVersion(
    NETPROV_WIFI.replace(`"wifi_prov", "wifi_scan"`, `"thread_prov", "thread_scan"`),
  );
  assert.equal(versionGeneration(threadOnly), "idf-v6.0");
  assert.equal(provisionsWifi(threadOnly), false);
  assert.equal(supportsScan(threadOnly), false);
  const both = parseDeviceVersion(
    NETPROV_WIFI.replace(
      `"wifi_prov", "wifi_scan"`,
      `"wifi_prov", "wifi_scan", "thread_prov", "thread_scan"`,
    ),
  );
  assert.ok(provisionsWifi(both));
  // wifi_provisioning never names a network type: always Wi-Fi.
  assert.ok(provisionsWifi(parseDeviceVersion(vs.mgr_sec2!)));
  assert.ok(provisionsWifi(parseDeviceVersion("V0.1")));
});
