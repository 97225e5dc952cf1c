// Every plaintext encoding in protobuf_plain.json, byte for byte, and every reply decoded the way esp_prov
// reads it (protocol.md §4.10).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  encode,
  decode,
  WiFiConfigPayloadSchema,
  WiFiConfigMsgType,
  WiFiScanPayloadSchema,
  WiFiScanMsgType,
  WiFiCtrlPayloadSchema,
  WiFiCtrlMsgType,
  SessionDataSchema,
  SecSchemeVersion,
  Sec0MsgType,
  Status,
  WifiStationState,
  WifiConnectFailedReason,
  WifiAuthMode,
} from "../../src/proto/index.js";
import { hex, loadVector, unhex } from "../helpers/vectors.js";

type Entry = { hex: string; esp_prov_reads?: unknown };
const v = loadVector<Record<string, Record<string, Entry>>>("protobuf_plain.json");
const cfg = v.wifi_config!;
const scan = v.wifi_scan!;
const ctrl = v.wifi_ctrl!;
const session = v.session!;
const enc = (e: Entry | undefined) => e!.hex;

test("wifi_config requests encode as esp_prov sends them", () => {
  assert.equal(
    hex(encode(WiFiConfigPayloadSchema, { payload: { case: "cmdGetStatus", value: {} } })),
    enc(cfg.CmdGetStatus),
    "empty cmd_get_status must still be emitted (52 00)",
  );
  const ssid = new TextEncoder().encode("myssid");
  const passphrase = new TextEncoder().encode("mypassword");
  assert.equal(
    hex(
      encode(WiFiConfigPayloadSchema, {
        msg: WiFiConfigMsgType.TypeCmdSetConfig,
        payload: { case: "cmdSetConfig", value: { ssid, passphrase } },
      }),
    ),
    enc(cfg.CmdSetConfig),
  );
  assert.equal(
    hex(
      encode(WiFiConfigPayloadSchema, {
        msg: WiFiConfigMsgType.TypeCmdSetConfig,
        payload: {
          case: "cmdSetConfig",
          value: { ssid, passphrase, bssid: unhex("a0b1c2d3e4f5"), channel: 6 },
        },
      }),
    ),
    enc(cfg.CmdSetConfig_with_bssid_channel),
  );
  assert.equal(
    hex(encode(WiFiConfigPayloadSchema, { msg: WiFiConfigMsgType.TypeCmdApplyConfig })),
    enc(cfg.CmdApplyConfig),
  );
});

test("wifi_config replies encode as the device encodes them", () => {
  const resp = (state: Parameters<typeof encode<typeof WiFiConfigPayloadSchema>>[1]) =>
    hex(encode(WiFiConfigPayloadSchema, state));
  assert.equal(
    resp({
      msg: WiFiConfigMsgType.TypeRespGetStatus,
      payload: { case: "respGetStatus", value: { staState: WifiStationState.Connecting } },
    }),
    enc(cfg.RespGetStatus_Connecting),
  );
  assert.equal(
    resp({
      msg: WiFiConfigMsgType.TypeRespGetStatus,
      payload: {
        case: "respGetStatus",
        value: {
          staState: WifiStationState.ConnectionFailed,
          state: { case: "failReason", value: WifiConnectFailedReason.AuthError },
        },
      },
    }),
    enc(cfg.RespGetStatus_Failed_AuthError),
    "a oneof member set to 0 is still emitted (50 00)",
  );
  assert.equal(
    resp({
      msg: WiFiConfigMsgType.TypeRespGetStatus,
      payload: {
        case: "respGetStatus",
        value: {
          staState: WifiStationState.ConnectionFailed,
          state: { case: "failReason", value: WifiConnectFailedReason.NetworkNotFound },
        },
      },
    }),
    enc(cfg.RespGetStatus_Failed_NetworkNotFound),
  );
  assert.equal(
    resp({
      msg: WiFiConfigMsgType.TypeRespGetStatus,
      payload: {
        case: "respGetStatus",
        value: {
          staState: WifiStationState.Connecting,
          state: { case: "attemptFailed", value: { attemptsRemaining: 3 } },
        },
      },
    }),
    enc(cfg.RespGetStatus_AttemptFailed),
  );
  assert.equal(
    resp({
      msg: WiFiConfigMsgType.TypeRespGetStatus,
      payload: {
        case: "respGetStatus",
        value: {
          staState: WifiStationState.Connected,
          state: {
            case: "connected",
            value: {
              ip4Addr: "192.168.1.77",
              authMode: WifiAuthMode.WPA2_PSK,
              ssid: new TextEncoder().encode("myssid"),
              bssid: unhex("a0b1c2d3e4f5"),
              channel: 6,
            },
          },
        },
      },
    }),
    enc(cfg.RespGetStatus_Connected),
  );
  assert.equal(
    resp({ msg: WiFiConfigMsgType.TypeRespSetConfig, payload: { case: "respSetConfig", value: {} } }),
    enc(cfg.RespSetConfig_Success),
  );
  assert.equal(
    resp({
      msg: WiFiConfigMsgType.TypeRespSetConfig,
      payload: { case: "respSetConfig", value: { status: Status.InvalidArgument } },
    }),
    enc(cfg.RespSetConfig_InvalidArgument),
  );
  assert.equal(
    resp({ msg: WiFiConfigMsgType.TypeRespApplyConfig, payload: { case: "respApplyConfig", value: {} } }),
    enc(cfg.RespApplyConfig_Success),
  );
  assert.equal(
    resp({
      msg: WiFiConfigMsgType.TypeRespApplyConfig,
      payload: { case: "respApplyConfig", value: { status: Status.InternalError } },
    }),
    enc(cfg.RespApplyConfig_InternalError),
  );
});

test("wifi_config replies decode to what esp_prov reads", () => {
  const read = (h: string) => {
    const m = decode(WiFiConfigPayloadSchema, unhex(h));
    assert.equal(m.payload.case, "respGetStatus");
    const s = m.payload.value;
    if (s.staState === WifiStationState.Connected) return "connected";
    if (s.staState === WifiStationState.Connecting) return "connecting";
    return "failed";
  };
  for (const [name, entry] of Object.entries(cfg)) {
    if (entry.esp_prov_reads !== undefined) assert.equal(read(entry.hex), entry.esp_prov_reads, name);
  }
  // The trap: an empty RespGetStatus reads as Connected, so a device must never send one by accident.
  assert.equal(
    read(hex(encode(WiFiConfigPayloadSchema, { msg: 1, payload: { case: "respGetStatus", value: {} } }))),
    "connected",
  );
});

test("wifi_scan messages, both directions", () => {
  assert.equal(
    hex(
      encode(WiFiScanPayloadSchema, {
        payload: { case: "cmdScanStart", value: { blocking: true, groupChannels: 5, periodMs: 120 } },
      }),
    ),
    enc(scan.CmdScanStart),
  );
  assert.equal(
    hex(
      encode(WiFiScanPayloadSchema, {
        payload: { case: "cmdScanStart", value: { blocking: true, periodMs: 120 } },
      }),
    ),
    enc(scan.CmdScanStart_ble_defaults),
  );
  assert.equal(
    hex(encode(WiFiScanPayloadSchema, { msg: WiFiScanMsgType.TypeCmdScanStatus })),
    enc(scan.CmdScanStatus),
  );
  assert.equal(
    hex(
      encode(WiFiScanPayloadSchema, {
        msg: WiFiScanMsgType.TypeCmdScanResult,
        payload: { case: "cmdScanResult", value: { startIndex: 0, count: 3 } },
      }),
    ),
    enc(scan.CmdScanResult),
  );
  assert.equal(
    hex(
      encode(WiFiScanPayloadSchema, {
        msg: WiFiScanMsgType.TypeCmdScanResult,
        payload: { case: "cmdScanResult", value: { startIndex: 4, count: 4 } },
      }),
    ),
    enc(scan.CmdScanResult_index4_count4),
  );
  assert.equal(
    hex(encode(WiFiScanPayloadSchema, { msg: 1, payload: { case: "respScanStart", value: {} } })),
    enc(scan.RespScanStart),
  );
  assert.equal(
    hex(
      encode(WiFiScanPayloadSchema, {
        msg: 1,
        status: Status.InternalError,
        payload: { case: "respScanStart", value: {} },
      }),
    ),
    enc(scan.RespScanStart_InternalError),
  );
  assert.equal(
    hex(
      encode(WiFiScanPayloadSchema, {
        msg: 3,
        payload: { case: "respScanStatus", value: { scanFinished: true, resultCount: 3 } },
      }),
    ),
    enc(scan.RespScanStatus),
  );
  const expected = scan.RespScanResult!.esp_prov_reads as {
    ssid: string;
    bssid: string;
    channel: number;
    rssi: number;
    auth: string;
  }[];
  const entries = expected.map((e) => ({
    ssid: new TextEncoder().encode(e.ssid),
    channel: e.channel,
    rssi: e.rssi,
    bssid: unhex(e.bssid),
    auth: WifiAuthMode[e.auth as keyof typeof WifiAuthMode],
  }));
  assert.equal(
    hex(encode(WiFiScanPayloadSchema, { msg: 5, payload: { case: "respScanResult", value: { entries } } })),
    enc(scan.RespScanResult),
  );
  const decoded = decode(WiFiScanPayloadSchema, unhex(enc(scan.RespScanResult)));
  assert.equal(decoded.payload.case, "respScanResult");
  const read = decoded.payload.value.entries.map((e) => ({
    ssid: new TextDecoder().decode(e.ssid),
    bssid: hex(e.bssid),
    channel: e.channel,
    rssi: e.rssi,
    auth: WifiAuthMode[e.auth],
  }));
  assert.deepEqual(read, expected);
});

test("wifi_ctrl messages", () => {
  assert.equal(
    hex(encode(WiFiCtrlPayloadSchema, { msg: WiFiCtrlMsgType.TypeCmdCtrlReset })),
    enc(ctrl.CmdCtrlReset),
  );
  assert.equal(
    hex(encode(WiFiCtrlPayloadSchema, { msg: WiFiCtrlMsgType.TypeCmdCtrlReprov })),
    enc(ctrl.CmdCtrlReprov),
  );
  assert.equal(
    hex(encode(WiFiCtrlPayloadSchema, { msg: 2, payload: { case: "respCtrlReset", value: {} } })),
    enc(ctrl.RespCtrlReset_Success),
  );
  assert.equal(
    hex(
      encode(WiFiCtrlPayloadSchema, {
        msg: 2,
        status: Status.InternalError,
        payload: { case: "respCtrlReset", value: {} },
      }),
    ),
    enc(ctrl.RespCtrlReset_InternalError),
  );
  assert.equal(
    hex(encode(WiFiCtrlPayloadSchema, { msg: 4, payload: { case: "respCtrlReprov", value: {} } })),
    enc(ctrl.RespCtrlReprov_Success),
  );
  assert.equal(
    hex(
      encode(WiFiCtrlPayloadSchema, {
        msg: 4,
        status: Status.InternalError,
        payload: { case: "respCtrlReprov", value: {} },
      }),
    ),
    enc(ctrl.RespCtrlReprov_InternalError),
  );
});

test("sec0 session messages", () => {
  assert.equal(
    hex(
      encode(SessionDataSchema, {
        secVer: SecSchemeVersion.SecScheme0,
        proto: {
          case: "sec0",
          value: { msg: Sec0MsgType.S0_Session_Command, payload: { case: "sc", value: {} } },
        },
      }),
    ),
    enc(session.Sec0_SessionCmd),
  );
  assert.equal(
    hex(
      encode(SessionDataSchema, {
        proto: {
          case: "sec0",
          value: { msg: Sec0MsgType.S0_Session_Response, payload: { case: "sr", value: {} } },
        },
      }),
    ),
    enc(session.Sec0_SessionResp),
  );
});

test("decoding garbage gives a ProtocolError, never a crash", () => {
  assert.throws(() => decode(WiFiConfigPayloadSchema, unhex("ff")), { code: "WIFIPROV_PROTOCOL" });
  assert.throws(() => decode(SessionDataSchema, unhex("0a05")), { code: "WIFIPROV_PROTOCOL" });
});
