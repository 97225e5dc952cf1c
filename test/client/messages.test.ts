// Requests byte-identical to esp_prov's and replies read as esp_prov reads them (protobuf_plain.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as m from "../../src/client/messages.js";
import { DeviceStatusError } from "../../src/errors.js";
import { hex, loadVector, unhex } from "../helpers/vectors.js";

type Entry = { hex: string };
const v = loadVector<Record<string, Record<string, Entry>>>("protobuf_plain.json");
const h = (group: string, name: string) => v[group]![name]!.hex;
const enc = (s: string) => new TextEncoder().encode(s);

test("requests", () => {
  assert.equal(hex(m.encodeGetStatus()), h("wifi_config", "CmdGetStatus"));
  assert.equal(
    hex(m.encodeSetConfig({ ssid: enc("myssid"), passphrase: enc("mypassword") })),
    h("wifi_config", "CmdSetConfig"),
  );
  assert.equal(
    hex(
      m.encodeSetConfig({
        ssid: enc("myssid"),
        passphrase: enc("mypassword"),
        bssid: unhex("a0b1c2d3e4f5"),
        channel: 6,
      }),
    ),
    h("wifi_config", "CmdSetConfig_with_bssid_channel"),
  );
  assert.equal(hex(m.encodeApplyConfig()), h("wifi_config", "CmdApplyConfig"));
  assert.equal(
    hex(m.encodeScanStart({ blocking: true, passive: false, groupChannels: 5, periodMs: 120 })),
    h("wifi_scan", "CmdScanStart"),
  );
  assert.equal(hex(m.encodeScanStatus()), h("wifi_scan", "CmdScanStatus"));
  assert.equal(hex(m.encodeScanResult(0, 3)), h("wifi_scan", "CmdScanResult"));
  assert.equal(hex(m.encodeScanResult(4, 4)), h("wifi_scan", "CmdScanResult_index4_count4"));
  assert.equal(hex(m.encodeCtrl("reset")), h("wifi_ctrl", "CmdCtrlReset"));
  assert.equal(hex(m.encodeCtrl("reprov")), h("wifi_ctrl", "CmdCtrlReprov"));
});

test("status replies", () => {
  assert.deepEqual(m.readGetStatus(unhex(h("wifi_config", "RespGetStatus_Connecting"))), {
    state: "connecting",
  });
  assert.deepEqual(m.readGetStatus(unhex(h("wifi_config", "RespGetStatus_AttemptFailed"))), {
    state: "connecting",
    attemptsRemaining: 3,
  });
  assert.deepEqual(m.readGetStatus(unhex(h("wifi_config", "RespGetStatus_Connected"))), {
    state: "connected",
    ip: "192.168.1.77",
    ssid: "myssid",
    bssid: "a0b1c2d3e4f5",
    channel: 6,
    authMode: 3,
    authModeName: "WPA2_PSK",
  });
  assert.deepEqual(m.readGetStatus(unhex(h("wifi_config", "RespGetStatus_Failed_AuthError"))), {
    state: "failed",
    reason: "AuthError",
  });
  assert.deepEqual(m.readGetStatus(unhex(h("wifi_config", "RespGetStatus_Failed_NetworkNotFound"))), {
    state: "failed",
    reason: "NetworkNotFound",
  });
});

test("set/apply/ctrl/scan statuses", () => {
  m.readSetConfig(unhex(h("wifi_config", "RespSetConfig_Success")));
  m.readApplyConfig(unhex(h("wifi_config", "RespApplyConfig_Success")));
  assert.throws(
    () => m.readSetConfig(unhex(h("wifi_config", "RespSetConfig_InvalidArgument"))),
    DeviceStatusError,
  );
  assert.throws(
    () => m.readApplyConfig(unhex(h("wifi_config", "RespApplyConfig_InternalError"))),
    (e: unknown) => e instanceof DeviceStatusError && e.status === 5 && !!e.hint,
  );
  m.readCtrl(unhex(h("wifi_ctrl", "RespCtrlReset_Success")), "reset");
  m.readCtrl(unhex(h("wifi_ctrl", "RespCtrlReprov_Success")), "reprov");
  assert.throws(
    () => m.readCtrl(unhex(h("wifi_ctrl", "RespCtrlReset_InternalError")), "reset"),
    DeviceStatusError,
  );
  assert.throws(
    () => m.readCtrl(unhex(h("wifi_ctrl", "RespCtrlReprov_InternalError")), "reprov"),
    DeviceStatusError,
  );
  m.readScanStart(unhex(h("wifi_scan", "RespScanStart")));
  assert.throws(
    () => m.readScanStart(unhex(h("wifi_scan", "RespScanStart_InternalError"))),
    DeviceStatusError,
  );
  assert.deepEqual(m.readScanStatus(unhex(h("wifi_scan", "RespScanStatus"))), { finished: true, count: 3 });
  const entries = m.readScanResult(unhex(h("wifi_scan", "RespScanResult")));
  assert.deepEqual(
    entries.map((e) => [e.ssid, e.bssid, e.channel, e.rssi, e.authName]),
    [
      ["HomeNet", "a0b1c2d3e4f5", 6, -40, "WPA2_PSK"],
      ["Office5", "665544332211", 11, -55, "WPA_WPA2_PSK"],
      ["Cafe", "112233445566", 1, -70, "Open"],
    ],
  );
  assert.deepEqual(entries[0]!.ssidBytes, enc("HomeNet"));
});

test("a reply of the wrong type is a protocol error", () => {
  assert.throws(
    () => m.readSetConfig(unhex(h("wifi_config", "RespApplyConfig_Success"))),
    /unexpected reply type/,
  );
});
