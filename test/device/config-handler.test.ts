// prov-config against the manager with plaintext protobuf: every row of protocol.md §8.1, the station state
// machine of §8.2 and every disconnect reason, byte-exact where the golden vectors have the reply.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decode,
  encode,
  Status,
  WiFiConfigMsgType,
  WiFiConfigPayloadSchema,
  WifiConnectFailedReason,
  WifiStationState,
} from "../../src/proto/index.js";
import { ProtocolError } from "../../src/errors.js";
import { hex, loadVector, unhex } from "../helpers/vectors.js";
import { rig } from "./helpers.js";
import type { Rig } from "./helpers.js";
import { HOME } from "./scripted-radio.js";

type Entry = { hex: string };
const plain = loadVector<Record<string, Record<string, Entry>>>("protobuf_plain.json").wifi_config!;
const v = (name: string) => plain[name]!.hex;

const utf8 = (s: string) => new TextEncoder().encode(s);
const GET_STATUS = unhex(v("CmdGetStatus"));
const APPLY = unhex(v("CmdApplyConfig"));
const setConfig = (ssid: Uint8Array | string, passphrase: Uint8Array | string, bssid = new Uint8Array()) =>
  encode(WiFiConfigPayloadSchema, {
    msg: WiFiConfigMsgType.TypeCmdSetConfig,
    payload: {
      case: "cmdSetConfig",
      value: {
        ssid: typeof ssid === "string" ? utf8(ssid) : ssid,
        passphrase: typeof passphrase === "string" ? utf8(passphrase) : passphrase,
        bssid,
      },
    },
  });

async function status(r: Rig) {
  const reply = decode(WiFiConfigPayloadSchema, await r.config(GET_STATUS));
  assert.equal(reply.msg, WiFiConfigMsgType.TypeRespGetStatus);
  assert.equal(reply.payload.case, "respGetStatus");
  return reply.payload.value!;
}

async function provision(r: Rig, ssid = "myssid", pass = "mypassword") {
  assert.equal(hex(await r.config(setConfig(ssid, pass))), v("RespSetConfig_Success"));
  assert.equal(hex(await r.config(APPLY)), v("RespApplyConfig_Success"));
}

const settled = (r: Rig) => r.until(() => r.manager.stationState !== "connecting", "station outcome");

test("GetStatus before any Apply reads Connecting with no oneof member", async () => {
  const r = rig();
  assert.equal(hex(await r.config(GET_STATUS)), v("RespGetStatus_Connecting"));
});

test("Set + Apply + connect: Connecting, then the exact Connected reply of the vectors", async () => {
  const r = rig({ autoStopMs: false });
  await provision(r);
  assert.equal(r.radio.connects.length, 0, "v5.5 connects only after the apply delay");
  assert.equal(hex(await r.config(GET_STATUS)), v("RespGetStatus_Connecting"));
  await settled(r);
  assert.equal(hex(await r.config(GET_STATUS)), v("RespGetStatus_Connected"));
  assert.equal(r.manager.state, "success");
});

test("SetConfig validation: ssid < 33, passphrase < 64, bssid 0 or 6 bytes", async () => {
  const r = rig();
  const invalid = v("RespSetConfig_InvalidArgument");
  const ok = v("RespSetConfig_Success");
  assert.equal(hex(await r.config(setConfig("x".repeat(33), "p"))), invalid);
  assert.equal(hex(await r.config(setConfig("x".repeat(32), "p"))), ok);
  assert.equal(hex(await r.config(setConfig("s", "p".repeat(64)))), invalid);
  assert.equal(hex(await r.config(setConfig("s", "p".repeat(63)))), ok);
  assert.equal(hex(await r.config(setConfig("s", "p", new Uint8Array(5)))), invalid);
  assert.equal(hex(await r.config(setConfig("s", "p", new Uint8Array(7)))), invalid);
  assert.equal(hex(await r.config(setConfig("s", "p", new Uint8Array(6)))), ok);
  // Content is not checked: empty SSID and short WPA passphrases pass.
  assert.equal(hex(await r.config(setConfig("", "short"))), ok);
  assert.equal(r.manager.stationState, "connecting", "Set does not change the connection state");
  assert.equal(r.radio.connects.length, 0);
});

test("a rejected Set leaves no pending config: Apply then fails", async () => {
  const r = rig();
  await r.config(setConfig("x".repeat(40), "p"));
  assert.equal(hex(await r.config(APPLY)), v("RespApplyConfig_InternalError"));
});

test("Apply without a pending config and a second Apply fail with InternalError", async () => {
  const r = rig();
  assert.equal(hex(await r.config(APPLY)), v("RespApplyConfig_InternalError"));
  await provision(r);
  assert.equal(hex(await r.config(APPLY)), v("RespApplyConfig_InternalError"), "pending config consumed");
});

test("v5.5: Apply after credentials were accepted is refused until ctrl reset", async () => {
  const r = rig({ connAttempts: 0 });
  await provision(r, "myssid", "wrong");
  assert.equal(hex(await r.config(setConfig("myssid", "mypassword"))), v("RespSetConfig_Success"));
  assert.equal(hex(await r.config(APPLY)), v("RespApplyConfig_InternalError"), "state CRED_RECV");
  await settled(r);
  assert.equal(r.manager.state, "fail");
  await r.config(setConfig("myssid", "mypassword"));
  assert.equal(hex(await r.config(APPLY)), v("RespApplyConfig_InternalError"), "state FAIL");
});

test("credentials reach the store at Apply, before the outcome (a wrong password is persisted)", async () => {
  const r = rig({ connAttempts: 0 });
  await r.config(setConfig("myssid", "wrong"));
  assert.equal(r.store.state.credentials, undefined, "Set alone stores nothing");
  await r.config(APPLY);
  assert.deepEqual(r.store.state.credentials, { ssid: utf8("myssid"), passphrase: utf8("wrong") });
  await settled(r);
  assert.equal(hex(await r.config(GET_STATUS)), v("RespGetStatus_Failed_AuthError"));
  assert.ok(r.store.state.credentials, "still stored after the failure");
});

test("a store failure at Apply answers InternalError", async () => {
  const r = rig();
  r.store.save = async () => {
    throw new Error("disk full");
  };
  await r.config(setConfig("myssid", "mypassword"));
  assert.equal(hex(await r.config(APPLY)), v("RespApplyConfig_InternalError"));
  assert.equal(r.manager.state, "started");
});

test("unknown SSID: ConnectionFailed + NetworkNotFound (v5.5, no attempt limit)", async () => {
  const r = rig({ connAttempts: 0 });
  await provision(r, "nowhere", "x");
  await settled(r);
  assert.equal(hex(await r.config(GET_STATUS)), v("RespGetStatus_Failed_NetworkNotFound"));
});

for (const [profile, reasons] of [
  ["idf-v5.5", [15, 202, 204, 14]],
  ["idf-v5.2", [15, 202, 204, 14]],
  // manager.c at v5.0 and v5.1 (until v5.0.5 / v5.1.3) also maps 2 (AUTH_EXPIRE) to AuthError.
  ["idf-v5.0", [2, 15, 202, 204, 14]],
  ["idf-v5.1", [2, 15, 202, 204, 14]],
  ["idf-v5.4.1", [15, 202, 204, 14]],
  ["idf-v6.0", [15, 202, 204, 14]],
  ["idf-v4.0", [2, 15, 200, 202, 203, 204]],
] as const) {
  for (const reason of reasons) {
    test(`${profile}: disconnect reason ${reason} ends as AuthError`, async () => {
      const r = rig({ compat: profile, connAttempts: 0 });
      r.radio.forced.push(reason);
      await provision(r);
      await settled(r);
      const s = await status(r);
      assert.equal(s.staState, WifiStationState.ConnectionFailed);
      assert.deepEqual(s.state, { case: "failReason", value: WifiConnectFailedReason.AuthError });
      assert.equal(r.radio.connects.length, 1, "no reconnect after a mapped failure");
    });
  }
  test(`${profile}: reason 201 ends as NetworkNotFound`, async () => {
    const r = rig({ compat: profile, connAttempts: 0 });
    r.radio.forced.push(201);
    await provision(r);
    await settled(r);
    assert.equal(hex(await r.config(GET_STATUS)), v("RespGetStatus_Failed_NetworkNotFound"));
  });
}

for (const [profile, reason] of [
  ["idf-v5.5", 205],
  ["idf-v5.5", 2],
  ["idf-v5.2", 2],
  ["idf-v5.4.1", 2],
  ["idf-v6.0", 2],
  ["idf-v5.5", 200],
  ["idf-v4.0", 14],
  ["idf-v4.0", 205],
] as const) {
  test(`${profile}: other reason ${reason} keeps Connecting and reconnects`, async () => {
    const r = rig({ compat: profile, connAttempts: 0 });
    r.radio.forced.push(reason, reason);
    await provision(r);
    await r.until(() => r.radio.connects.length >= 3, "two reconnects");
    await settled(r);
    assert.equal(r.manager.stationState, "connected", "third attempt succeeds");
    // The manager read FAIL in between, which only matters for CtrlReset (§8.2).
    assert.equal(hex(await r.config(GET_STATUS)), v("RespGetStatus_Connected"));
  });
}

test("attempt_failed sequence with connAttempts 4: remaining 3, 2, 1, then ConnectionFailed", async () => {
  const r = rig({ connAttempts: 4 });
  const seen: string[] = [];
  r.radio.connect = async function (config) {
    r.radio.connects.push(config);
    // Each attempt fails with NO_AP_FOUND; the test samples GetStatus after each one.
  };
  await provision(r);
  await r.until(() => r.radio.connects.length === 1, "first attempt");
  for (let i = 1; i <= 4; i++) {
    r.radio.emit({ type: "disconnected", reason: 201 });
    const reply = await r.config(GET_STATUS);
    seen.push(hex(reply));
    if (i < 4) assert.equal(r.radio.connects.length, i + 1, "reconnected after attempt " + i);
  }
  assert.equal(seen[0], v("RespGetStatus_AttemptFailed"), "Connecting + attempt_failed{3}");
  const remaining = seen.slice(0, 3).map((h) => {
    const s = decode(WiFiConfigPayloadSchema, unhex(h)).payload.value as {
      state: { value: { attemptsRemaining: number } };
    };
    return s.state.value.attemptsRemaining;
  });
  assert.deepEqual(remaining, [3, 2, 1]);
  assert.equal(seen[3], v("RespGetStatus_Failed_NetworkNotFound"));
  assert.equal(r.radio.connects.length, 4, "no fifth attempt");
  assert.equal(r.manager.state, "fail");
});

test("with an attempt limit, an unmapped final reason keeps the stored reason (initially AuthError)", async () => {
  const r = rig({ connAttempts: 2 });
  r.radio.forced.push(205, 205);
  await provision(r);
  await settled(r);
  await r.until(() => r.manager.stationState === "disconnected", "final failure");
  assert.equal(hex(await r.config(GET_STATUS)), v("RespGetStatus_Failed_AuthError"));
});

test("idf-v4.0: no attempt_failed, Apply repeatable and connects without delay", async () => {
  const r = rig({ compat: "idf-v4.0", connAttempts: 3 });
  r.radio.forced.push(15);
  await provision(r, "myssid", "wrong");
  await settled(r);
  assert.equal(
    hex(await r.config(GET_STATUS)),
    v("RespGetStatus_Failed_AuthError"),
    "first failure is final",
  );
  await provision(r);
  await r.until(() => r.manager.stationState === "connected", "connected");
  await provision(r);
  assert.equal(r.radio.connects.length >= 2, true);
  await r.until(() => r.manager.stationState === "connected", "connected again");
  assert.equal(
    hex(await r.config(APPLY)),
    v("RespApplyConfig_InternalError"),
    "still needs a pending config",
  );
});

test("a rejected connect() counts as a failed attempt instead of hanging in Connecting", async () => {
  const r = rig({ connAttempts: 1 });
  r.radio.connect = async () => {
    throw new Error("radio busy");
  };
  await provision(r);
  await r.until(() => r.manager.stationState === "disconnected", "failure");
  assert.equal(hex(await r.config(GET_STATUS)), v("RespGetStatus_Failed_AuthError"));
});

test("malformed and out-of-protocol prov-config requests throw (connection closed)", async () => {
  const r = rig();
  await assert.rejects(r.config(unhex("ff")), ProtocolError, "garbage");
  await assert.rejects(r.config(unhex("0801")), ProtocolError, "reply type RespGetStatus");
  await assert.rejects(r.config(unhex("0809")), ProtocolError, "unknown msg 9");
  const mismatched = encode(WiFiConfigPayloadSchema, {
    msg: WiFiConfigMsgType.TypeCmdApplyConfig,
    payload: { case: "cmdSetConfig", value: { ssid: utf8("a") } },
  });
  await assert.rejects(r.config(mismatched), ProtocolError, "oneof does not match msg");
});

test("missing sub-messages read as defaults (esp_prov omits cmd_apply_config)", async () => {
  const r = rig();
  // msg=2 without cmd_set_config: an empty SSID, accepted like ESP's zeroed request.
  const reply = decode(WiFiConfigPayloadSchema, await r.config(unhex("0802")));
  assert.deepEqual(reply.payload.value, { $typeName: "RespSetConfig", status: Status.Success });
  // Plain GetStatus without the empty member still answers.
  assert.equal(hex(await r.config(new Uint8Array())), v("RespGetStatus_Connecting"));
});

test("bssid and channel are validated but the station joins by SSID", async () => {
  const r = rig({ autoStopMs: false });
  await r.config(unhex(plain.CmdSetConfig_with_bssid_channel!.hex));
  await r.config(APPLY);
  await settled(r);
  assert.equal(r.manager.stationState, "connected");
  assert.equal(hex(r.radio.connects[0]!.ssid), hex(utf8(HOME.ssid)));
});

for (const profile of ["idf-v5.0", "idf-v5.1", "idf-v5.2"] as const) {
  test(`${profile}: no wifi_conn_attempts before v5.4.1: the first auth failure is final, no attempt_failed`, async () => {
    const r = rig({ compat: profile, connAttempts: 4 });
    r.radio.forced.push(15);
    await provision(r);
    await settled(r);
    const s = await status(r);
    assert.equal(s.staState, WifiStationState.ConnectionFailed);
    assert.deepEqual(s.state, { case: "failReason", value: WifiConnectFailedReason.AuthError });
    assert.equal(r.radio.connects.length, 1);
  });
}

for (const profile of ["idf-v5.4.1", "idf-v6.0"] as const) {
  test(`${profile}: wifi_conn_attempts: attempt_failed while retrying`, async () => {
    const r = rig({ compat: profile, connAttempts: 2 });
    r.radio.connect = async function (config) {
      r.radio.connects.push(config);
    };
    await provision(r);
    await r.until(() => r.radio.connects.length === 1, "first attempt");
    r.radio.emit({ type: "disconnected", reason: 15 });
    const s = await status(r);
    assert.equal(s.staState, WifiStationState.Connecting);
    assert.equal(s.state.case, "attemptFailed");
    assert.equal((s.state.value as { attemptsRemaining: number }).attemptsRemaining, 1);
    assert.equal(r.radio.connects.length, 2);
  });
}
