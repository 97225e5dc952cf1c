// prov-scan (§8.5), prov-ctrl (§8.6), the end of provisioning (§8.4) and custom-data (§8.7) against the
// manager with plaintext protobuf.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decode,
  encode,
  Status,
  WiFiConfigMsgType,
  WiFiConfigPayloadSchema,
  WiFiScanMsgType,
  WiFiScanPayloadSchema,
} from "../../src/proto/index.js";
import { ProtocolError } from "../../src/errors.js";
import { createCustomDataHandler } from "../../src/device/custom-data-handler.js";
import type { ManagerEvent } from "../../src/device/manager.js";
import { hex, loadVector, unhex } from "../helpers/vectors.js";
import { rig } from "./helpers.js";
import type { Rig } from "./helpers.js";
import type { ScriptedNetwork } from "./scripted-radio.js";
import { HOME } from "./scripted-radio.js";

type Entry = { hex: string };
const vectors = loadVector<Record<string, Record<string, Entry>>>("protobuf_plain.json");
const scanV = (name: string) => vectors.wifi_scan![name]!.hex;
const ctrlV = (name: string) => vectors.wifi_ctrl![name]!.hex;
const cfgV = (name: string) => vectors.wifi_config![name]!.hex;
const utf8 = (s: string) => new TextEncoder().encode(s);

// The three APs of the vectors' scan_result exchange, given to the radio in a scrambled order.
const OFFICE: ScriptedNetwork = {
  ssid: "Office5",
  passphrase: "x",
  bssid: unhex("665544332211"),
  channel: 11,
  rssi: -55,
  authMode: 4,
  ip: "10.0.0.2",
};
const CAFE: ScriptedNetwork = {
  ssid: "Cafe",
  passphrase: "",
  bssid: unhex("112233445566"),
  channel: 1,
  rssi: -70,
  authMode: 0,
  ip: "10.0.0.3",
};
const HOMENET: ScriptedNetwork = { ...HOME, ssid: "HomeNet" };

const scanStatus = unhex(scanV("CmdScanStatus"));
const scanResult = (startIndex: number, count: number) =>
  encode(WiFiScanPayloadSchema, {
    msg: WiFiScanMsgType.TypeCmdScanResult,
    payload: { case: "cmdScanResult", value: { startIndex, count } },
  });
const scanStart = (blocking: boolean) =>
  encode(WiFiScanPayloadSchema, {
    msg: WiFiScanMsgType.TypeCmdScanStart,
    payload: { case: "cmdScanStart", value: { blocking, groupChannels: 5, periodMs: 120 } },
  });

test("esp_prov's scan sequence gives the vectors' replies byte for byte, sorted by RSSI", async () => {
  const r = rig({}, [CAFE, HOMENET, OFFICE]);
  assert.equal(hex(await r.scan(unhex(scanV("CmdScanStart")))), scanV("RespScanStart"));
  assert.deepEqual(r.radio.scans[0], { passive: false, dwellMs: 120, groupChannels: 5 });
  assert.equal(hex(await r.scan(scanStatus)), scanV("RespScanStatus"));
  assert.equal(hex(await r.scan(unhex(scanV("CmdScanResult")))), scanV("RespScanResult"));
});

test("results are capped at 16 entries, strongest first, and paged by start_index/count", async () => {
  const r = rig({}, []);
  r.radio.scanExtra = Array.from({ length: 20 }, (_, i) => ({
    ssid: utf8(`ap${i}`),
    bssid: new Uint8Array(6).fill(i),
    channel: 1 + (i % 13),
    rssi: -90 + i,
    authMode: 3,
  }));
  await r.scan(scanStart(true));
  const st = decode(WiFiScanPayloadSchema, await r.scan(scanStatus));
  assert.deepEqual(st.payload.value, { $typeName: "RespScanStatus", scanFinished: true, resultCount: 16 });
  const page = decode(WiFiScanPayloadSchema, await r.scan(scanResult(4, 4)));
  assert.equal(page.status, Status.Success);
  const entries = (page.payload.value as { entries: { rssi: number; ssid: Uint8Array }[] }).entries;
  assert.deepEqual(
    entries.map((e) => e.rssi),
    [-75, -76, -77, -78],
  );
});

test("a request beyond result_count answers InternalError, never a crash", async () => {
  const r = rig({}, [CAFE, HOMENET, OFFICE]);
  await r.scan(scanStart(true));
  for (const [start, count] of [
    [0, 4],
    [3, 1],
    [2, 100],
    [0xffffffff, 0xffffffff],
  ] as const) {
    const reply = decode(WiFiScanPayloadSchema, await r.scan(scanResult(start, count)));
    assert.equal(reply.msg, WiFiScanMsgType.TypeRespScanResult);
    assert.equal(reply.status, Status.InternalError, `start ${start} count ${count}`);
  }
  const none = decode(WiFiScanPayloadSchema, await r.scan(scanResult(0, 0)));
  assert.equal(none.status, Status.Success);
});

test("raw auth mode numbers above the proto enum pass through unchanged", async () => {
  const r = rig({}, []);
  r.radio.scanExtra = [{ ssid: utf8("owe"), bssid: new Uint8Array(6), channel: 3, rssi: -30, authMode: 9 }];
  await r.scan(scanStart(true));
  const reply = decode(WiFiScanPayloadSchema, await r.scan(scanResult(0, 1)));
  assert.equal((reply.payload.value as { entries: { auth: number }[] }).entries[0]!.auth, 9);
});

test("non-blocking scan returns at once; status shows it running, then finished", async () => {
  const r = rig({}, [CAFE]);
  let open!: () => void;
  r.radio.scanGate = new Promise((resolve) => (open = resolve));
  assert.equal(hex(await r.scan(scanStart(false))), scanV("RespScanStart"));
  let st = decode(WiFiScanPayloadSchema, await r.scan(scanStatus));
  assert.deepEqual(st.payload.value, { $typeName: "RespScanStatus", scanFinished: false, resultCount: 0 });
  // A second start while one runs answers Success without starting another scan.
  assert.equal(hex(await r.scan(scanStart(true))), scanV("RespScanStart"));
  assert.equal(r.radio.scans.length, 1);
  open();
  await r.until(() => r.manager.scanStatus().finished, "scan end");
  st = decode(WiFiScanPayloadSchema, await r.scan(scanStatus));
  assert.deepEqual(st.payload.value, { $typeName: "RespScanStatus", scanFinished: true, resultCount: 1 });
});

test("a failing blocking scan answers InternalError in the outer status", async () => {
  const r = rig({}, []);
  r.radio.scanFails = true;
  assert.equal(hex(await r.scan(scanStart(true))), scanV("RespScanStart_InternalError"));
  r.radio.scanFails = false;
  assert.equal(hex(await r.scan(scanStart(true))), scanV("RespScanStart"));
});

test("malformed prov-scan requests throw", async () => {
  const r = rig();
  await assert.rejects(r.scan(unhex("0801")), ProtocolError);
  await assert.rejects(r.scan(unhex("0807")), ProtocolError);
  const mismatched = encode(WiFiScanPayloadSchema, {
    msg: WiFiScanMsgType.TypeCmdScanStatus,
    payload: { case: "cmdScanResult", value: { count: 1 } },
  });
  await assert.rejects(r.scan(mismatched), ProtocolError);
  await assert.rejects(r.scan(unhex("0a")), ProtocolError);
});

// ---- prov-ctrl ----

const RESET = unhex(ctrlV("CmdCtrlReset"));
const REPROV = unhex(ctrlV("CmdCtrlReprov"));
const GET_STATUS = unhex(cfgV("CmdGetStatus"));
const APPLY = unhex(cfgV("CmdApplyConfig"));
const setConfig = (ssid: string, passphrase: string) =>
  encode(WiFiConfigPayloadSchema, {
    msg: WiFiConfigMsgType.TypeCmdSetConfig,
    payload: { case: "cmdSetConfig", value: { ssid: utf8(ssid), passphrase: utf8(passphrase) } },
  });
async function provision(r: Rig, pass = "mypassword") {
  assert.equal(hex(await r.config(setConfig("myssid", pass))), cfgV("RespSetConfig_Success"));
  assert.equal(hex(await r.config(APPLY)), cfgV("RespApplyConfig_Success"));
}

test("CtrlReset outside FAIL answers InternalError", async () => {
  const r = rig({ connAttempts: 1 });
  assert.equal(hex(await r.ctrl(RESET)), ctrlV("RespCtrlReset_InternalError"), "STARTED");
  await provision(r);
  assert.equal(hex(await r.ctrl(RESET)), ctrlV("RespCtrlReset_InternalError"), "CRED_RECV");
  await r.until(() => r.manager.state === "success", "success");
  assert.equal(hex(await r.ctrl(RESET)), ctrlV("RespCtrlReset_InternalError"), "SUCCESS");
});

test("CtrlReset after a failure: erases stored credentials, failure still reported, new Apply accepted", async () => {
  const r = rig({ connAttempts: 1, autoStopMs: false });
  await provision(r, "wrong");
  await r.until(() => r.manager.state === "fail", "failure");
  assert.ok(r.store.state.credentials);
  assert.equal(hex(await r.ctrl(RESET)), ctrlV("RespCtrlReset_Success"));
  assert.equal(r.store.state.credentials, undefined);
  assert.equal(r.manager.state, "started");
  assert.equal(hex(await r.config(GET_STATUS)), cfgV("RespGetStatus_Failed_AuthError"));
  await provision(r);
  await r.until(() => r.manager.stationState === "connected", "connected");
  assert.equal(hex(await r.config(GET_STATUS)), cfgV("RespGetStatus_Connected"));
});

for (const [profile, connectsAfterSecondRun] of [
  ["idf-v5.5", 3],
  ["idf-v5.4.1", 3],
  ["idf-v6.0", 4],
] as const) {
  test(`${profile}: the attempt counter after CtrlReset (${connectsAfterSecondRun - 2} attempt(s) in the second run)`, async () => {
    // wifi_provisioning's manager.c (v5.4.1, v5.5) never zeroes connection_attempts_completed; network_provisioning
    // zeroes it in network_prov_mgr_reset_wifi_sm_state_on_failure().
    const r = rig({ compat: profile, connAttempts: 2, autoStopMs: false });
    await provision(r, "wrong");
    await r.until(() => r.manager.state === "fail", "first failure");
    assert.equal(r.radio.connects.length, 2);
    assert.equal(hex(await r.ctrl(RESET)), ctrlV("RespCtrlReset_Success"));
    await provision(r, "wrong");
    await r.until(() => r.manager.state === "fail", "second failure");
    assert.equal(r.radio.connects.length, connectsAfterSecondRun);
  });
}

test("idf-v6.0: CtrlReset when already reset (STARTED) answers Success; wifi_provisioning refuses it", async () => {
  assert.equal(hex(await rig({ compat: "idf-v6.0" }).ctrl(RESET)), ctrlV("RespCtrlReset_Success"));
  assert.equal(hex(await rig({ compat: "idf-v5.5" }).ctrl(RESET)), ctrlV("RespCtrlReset_InternalError"));
  const r = rig({ compat: "idf-v6.0", connAttempts: 1 });
  await provision(r);
  assert.equal(hex(await r.ctrl(RESET)), ctrlV("RespCtrlReset_InternalError"), "CRED_RECV is still refused");
});

test("CtrlReprov is refused while auto-stop is enabled", async () => {
  const r = rig();
  assert.equal(hex(await r.ctrl(REPROV)), ctrlV("RespCtrlReprov_InternalError"));
});

test("CtrlReprov with auto-stop disabled: back to STARTED, flash keeps the old credentials", async () => {
  const r = rig({ autoStopMs: false });
  const events: ManagerEvent["type"][] = [];
  r.manager.onEvent((e) => events.push(e.type));
  await provision(r);
  await r.until(() => r.manager.state === "success", "success");
  assert.equal(hex(await r.ctrl(REPROV)), ctrlV("RespCtrlReprov_Success"));
  assert.equal(r.manager.state, "started");
  assert.equal(r.radio.disconnects, 1);
  assert.ok(r.store.state.credentials, "only the RAM config is blanked");
  await provision(r);
  await r.until(() => r.manager.state === "success", "success again");
  assert.deepEqual(events, ["cred-recv", "cred-success", "reprovision", "cred-recv", "cred-success"]);
  assert.equal(r.radio.connects.length, 2);
});

test("malformed prov-ctrl requests throw", async () => {
  const r = rig();
  await assert.rejects(r.ctrl(unhex("0800")), ProtocolError, "reserved type 0");
  await assert.rejects(r.ctrl(unhex("0802")), ProtocolError, "reply type");
  await assert.rejects(r.ctrl(unhex("0805")), ProtocolError, "unknown");
});

// ---- end of provisioning (§8.4) ----

test("v5.5: the GetStatus that reports Connected schedules the stop after autoStopMs", async () => {
  const r = rig({ autoStopMs: 1000, stopAfterGotIpMs: 1_000_000 });
  const stops: ManagerEvent[] = [];
  r.manager.onEvent((e) => e.type === "stop-requested" && stops.push(e));
  await provision(r);
  await r.until(() => r.manager.state === "success", "success");
  await r.clock.advance(10_000);
  assert.equal(stops.length, 0, "no stop before Connected was reported");
  assert.equal(hex(await r.config(GET_STATUS)), cfgV("RespGetStatus_Connected"), "the reply still leaves");
  await r.until(() => stops.length === 1, "stop");
  assert.deepEqual(stops[0], { type: "stop-requested", why: "connected-reported" });
});

test("v5.5: the stop also comes stopAfterGotIpMs after Got IP without polling", async () => {
  const r = rig({ stopAfterGotIpMs: 30_000 });
  const stops: ManagerEvent[] = [];
  r.manager.onEvent((e) => e.type === "stop-requested" && stops.push(e));
  await provision(r);
  await r.until(() => stops.length === 1, "stop");
  assert.deepEqual(stops[0], { type: "stop-requested", why: "got-ip-timeout" });
});

test("v4.0: reporting Connected does not shorten the 30 s stop", async () => {
  const r = rig({ compat: "idf-v4.0", autoStopMs: 1, stopAfterGotIpMs: 100_000 });
  const stops: ManagerEvent[] = [];
  r.manager.onEvent((e) => e.type === "stop-requested" && stops.push(e));
  await provision(r);
  await r.until(() => r.manager.state === "success", "success");
  await r.config(GET_STATUS);
  await r.clock.advance(20_000);
  assert.equal(stops.length, 0);
  await r.until(() => stops.length === 1, "the got-ip stop");
  assert.equal(stops[0]!.type === "stop-requested" && stops[0]!.why, "got-ip-timeout");
});

test("auto-stop disabled: no stop at all", async () => {
  const r = rig({ autoStopMs: false, stopAfterGotIpMs: 1 });
  const stops: ManagerEvent[] = [];
  r.manager.onEvent((e) => e.type === "stop-requested" && stops.push(e));
  await provision(r);
  await r.until(() => r.manager.state === "success", "success");
  await r.config(GET_STATUS);
  await r.clock.advance(3_600_000);
  assert.equal(stops.length, 0);
});

test("after stop(), Apply is refused and station events are ignored", async () => {
  const r = rig({ connAttempts: 0 });
  await provision(r, "wrong");
  r.manager.stop();
  await r.clock.advance(60_000);
  assert.equal(r.clock.pending, 0, "the pending connect timer was cleared");
  assert.equal(r.radio.connects.length, 0, "and no connect happened");
  await r.config(setConfig("myssid", "mypassword"));
  assert.equal(hex(await r.config(APPLY)), cfgV("RespApplyConfig_InternalError"));
});

// ---- custom-data (§8.7) ----

test("custom-data logs the text and answers SUCCESS\\0 (vector exchange)", async () => {
  const sec0 = loadVector<{ exchanges: { name: string; request_plain: string; response_plain: string }[] }>(
    "sec0.json",
  );
  const exchange = sec0.exchanges.find((e) => e.name === "custom_data")!;
  const lines: string[] = [];
  const handler = createCustomDataHandler({
    debug() {},
    info: (m) => lines.push(m),
    warn() {},
    error() {},
  });
  const reply = await handler(unhex(exchange.request_plain), { sessionId: 1, endpoint: "custom-data" });
  assert.equal(hex(reply), exchange.response_plain);
  assert.deepEqual(lines, ["app: Received data: hello"]);
});
