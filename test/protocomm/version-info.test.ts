// formatVersionInfo reproduces every proto-ver body of version_strings.json byte for byte (protocol.md §3.3).
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatVersionInfo } from "../../src/protocomm/index.js";
import { loadVector } from "../helpers/vectors.js";

const v = loadVector<Record<string, string>>("version_strings.json");
const prov = (secVer: number, secPatchVer: number, cap: string[]) => ({
  ver: "v1.1",
  secVer,
  secPatchVer,
  cap,
});

test("manager JSON for sec0, sec1 with and without PoP, sec2", () => {
  assert.equal(formatVersionInfo({ prov: prov(0, 0, ["no_sec", "wifi_scan"]) }), v.mgr_sec0);
  assert.equal(formatVersionInfo({ prov: prov(1, 0, ["wifi_scan"]) }), v.mgr_sec1_pop);
  assert.equal(formatVersionInfo({ prov: prov(1, 0, ["no_pop", "wifi_scan"]) }), v.mgr_sec1_no_pop);
  assert.equal(formatVersionInfo({ prov: prov(2, 1, ["wifi_scan"]) }), v.mgr_sec2);
});

test("application entries come first, in insertion order", () => {
  assert.equal(
    formatVersionInfo({
      prov: prov(1, 0, ["wifi_scan"]),
      apps: { myapp: { ver: "v2.0", cap: ["feat_a", "feat_b"] } },
    }),
    v.mgr_sec1_with_app_info,
  );
});

test("older formats: v4.x without sec_ver, empty cap array, escaping like cJSON", () => {
  assert.equal(
    formatVersionInfo({ prov: { ver: "v1.1", cap: [] } }),
    '{\n\t"prov":\t{\n\t\t"ver":\t"v1.1",\n\t\t"cap":\t[]\n\t}\n}',
  );
  assert.equal(
    formatVersionInfo({ prov: { ver: 'a"b\\c\n\u0001é', secVer: 0, cap: [] } }),
    '{\n\t"prov":\t{\n\t\t"ver":\t"a\\"b\\\\c\\n\\u0001é",\n\t\t"sec_ver":\t0,\n\t\t"cap":\t[]\n\t}\n}',
  );
  // Whatever the formatting, the result is JSON that clients parse (esp_prov json.loads()).
  const parsed = JSON.parse(formatVersionInfo({ prov: prov(2, 1, ["wifi_scan"]) })) as unknown;
  assert.deepEqual(parsed, { prov: { ver: "v1.1", sec_ver: 2, sec_patch_ver: 1, cap: ["wifi_scan"] } });
});
