/**
 * Request builders and reply readers for prov-config, prov-scan and prov-ctrl. Requests are byte-identical to
 * esp_prov's (protocol.md §4.10 table; checked against protobuf_plain.json in the tests).
 */
import { DeviceStatusError, ProtocolError } from "../errors.js";
import {
  decode,
  encode,
  Status,
  WiFiConfigMsgType,
  WiFiConfigPayloadSchema,
  WiFiCtrlMsgType,
  WiFiCtrlPayloadSchema,
  WiFiScanMsgType,
  WiFiScanPayloadSchema,
  WifiConnectFailedReason,
  WifiStationState,
} from "../proto/index.js";
import { authModeName, bssidHex, decodeSsid } from "./wifi-types.js";
import type { ScanEntry, WifiStatus } from "./wifi-types.js";

function statusName(status: number): string {
  return Status[status] ?? `status ${status}`;
}

function expectMsg(got: number, want: number, what: string): void {
  // §4.10: replies always carry msg = request msg + 1.
  if (got !== want) throw new ProtocolError(`${what}: unexpected reply type ${got} (expected ${want})`);
}

// ---- prov-config -------------------------------------------------------------------------------------------

export function encodeGetStatus(): Uint8Array {
  // §4.10: the empty cmd_get_status must be present (52 00); an empty body would be rejected by HTTP.
  return encode(WiFiConfigPayloadSchema, {
    msg: WiFiConfigMsgType.TypeCmdGetStatus,
    payload: { case: "cmdGetStatus", value: {} },
  });
}

export function encodeSetConfig(fields: {
  ssid: Uint8Array;
  passphrase: Uint8Array;
  bssid?: Uint8Array;
  channel?: number;
}): Uint8Array {
  return encode(WiFiConfigPayloadSchema, {
    msg: WiFiConfigMsgType.TypeCmdSetConfig,
    payload: {
      case: "cmdSetConfig",
      value: {
        ssid: fields.ssid,
        passphrase: fields.passphrase,
        ...(fields.bssid ? { bssid: fields.bssid } : {}),
        ...(fields.channel ? { channel: fields.channel } : {}),
      },
    },
  });
}

export function encodeApplyConfig(): Uint8Array {
  // esp_prov omits the empty cmd_apply_config sub-message (08 04); devices do not read it.
  return encode(WiFiConfigPayloadSchema, { msg: WiFiConfigMsgType.TypeCmdApplyConfig });
}

export function readGetStatus(body: Uint8Array): WifiStatus {
  const reply = decode(WiFiConfigPayloadSchema, body);
  expectMsg(reply.msg, WiFiConfigMsgType.TypeRespGetStatus, "GetStatus");
  if (reply.payload.case !== "respGetStatus")
    throw new ProtocolError("GetStatus reply without resp_get_status");
  const resp = reply.payload.value;
  if (resp.status !== Status.Success) {
    throw new DeviceStatusError(
      `device could not report its Wi-Fi state (${statusName(resp.status)})`,
      resp.status,
    );
  }
  switch (resp.staState) {
    case WifiStationState.Connected: {
      // §4.10: an empty RespGetStatus reads as Connected; without details we still report it, as esp_prov does.
      const c = resp.state.case === "connected" ? resp.state.value : undefined;
      const auth = c?.authMode ?? 0;
      return {
        state: "connected",
        ip: c?.ip4Addr ?? "",
        ssid: c ? decodeSsid(c.ssid) : "",
        bssid: c ? bssidHex(c.bssid) : "",
        channel: c?.channel ?? 0,
        authMode: auth,
        authModeName: authModeName(auth),
      };
    }
    case WifiStationState.Connecting:
      return resp.state.case === "attemptFailed"
        ? { state: "connecting", attemptsRemaining: resp.state.value.attemptsRemaining }
        : { state: "connecting" };
    case WifiStationState.ConnectionFailed:
      return {
        state: "failed",
        reason:
          resp.state.case === "failReason" && resp.state.value === WifiConnectFailedReason.NetworkNotFound
            ? "NetworkNotFound"
            : "AuthError",
      };
    case WifiStationState.Disconnected:
      return { state: "disconnected" };
    default:
      throw new ProtocolError(`GetStatus: unknown station state ${String(resp.staState)}`);
  }
}

function readConfigStatus(body: Uint8Array, want: WiFiConfigMsgType, what: string): void {
  const reply = decode(WiFiConfigPayloadSchema, body);
  expectMsg(reply.msg, want, what);
  const c = reply.payload;
  // Status lives inside the oneof member for prov-config (§10 item 8).
  const status = c.case === "respSetConfig" || c.case === "respApplyConfig" ? c.value.status : Status.Success;
  if (status !== Status.Success) {
    throw new DeviceStatusError(`device refused ${what} (${statusName(status)})`, status, {
      hint:
        what === "ApplyConfig"
          ? "the device already took credentials in this run; if it failed, send --reset first (v5.x) or restart provisioning on the device"
          : "check the SSID (≤ 32 bytes) and passphrase (≤ 63 characters)",
    });
  }
}

export function readSetConfig(body: Uint8Array): void {
  readConfigStatus(body, WiFiConfigMsgType.TypeRespSetConfig, "SetConfig");
}

export function readApplyConfig(body: Uint8Array): void {
  readConfigStatus(body, WiFiConfigMsgType.TypeRespApplyConfig, "ApplyConfig");
}

// ---- prov-scan ---------------------------------------------------------------------------------------------

export function encodeScanStart(o: {
  blocking: boolean;
  passive: boolean;
  groupChannels: number;
  periodMs: number;
}): Uint8Array {
  return encode(WiFiScanPayloadSchema, {
    msg: WiFiScanMsgType.TypeCmdScanStart,
    payload: { case: "cmdScanStart", value: o },
  });
}

export function encodeScanStatus(): Uint8Array {
  return encode(WiFiScanPayloadSchema, { msg: WiFiScanMsgType.TypeCmdScanStatus });
}

export function encodeScanResult(startIndex: number, count: number): Uint8Array {
  return encode(WiFiScanPayloadSchema, {
    msg: WiFiScanMsgType.TypeCmdScanResult,
    payload: { case: "cmdScanResult", value: { startIndex, count } },
  });
}

function readScan(body: Uint8Array, want: WiFiScanMsgType, what: string) {
  const reply = decode(WiFiScanPayloadSchema, body);
  expectMsg(reply.msg, want, what);
  // Scan status lives on the outer payload (§4.8).
  if (reply.status !== Status.Success) {
    throw new DeviceStatusError(`device refused ${what} (${statusName(reply.status)})`, reply.status, {
      hint: "the device could not scan right now; retry, or pass --ssid to skip the scan",
    });
  }
  return reply;
}

export function readScanStart(body: Uint8Array): void {
  readScan(body, WiFiScanMsgType.TypeRespScanStart, "ScanStart");
}

export function readScanStatus(body: Uint8Array): { finished: boolean; count: number } {
  const reply = readScan(body, WiFiScanMsgType.TypeRespScanStatus, "ScanStatus");
  const s = reply.payload.case === "respScanStatus" ? reply.payload.value : undefined;
  return { finished: s?.scanFinished ?? false, count: s?.resultCount ?? 0 };
}

export function readScanResult(body: Uint8Array): ScanEntry[] {
  const reply = readScan(body, WiFiScanMsgType.TypeRespScanResult, "ScanResult");
  const entries = reply.payload.case === "respScanResult" ? reply.payload.value.entries : [];
  return entries.map((e) => ({
    ssid: decodeSsid(e.ssid),
    ssidBytes: e.ssid,
    bssid: bssidHex(e.bssid),
    channel: e.channel,
    rssi: e.rssi,
    auth: e.auth,
    authName: authModeName(e.auth),
  }));
}

// ---- prov-ctrl ---------------------------------------------------------------------------------------------

export function encodeCtrl(kind: "reset" | "reprov"): Uint8Array {
  // esp_prov omits the empty command sub-message (08 01 / 08 03).
  return encode(WiFiCtrlPayloadSchema, {
    msg: kind === "reset" ? WiFiCtrlMsgType.TypeCmdCtrlReset : WiFiCtrlMsgType.TypeCmdCtrlReprov,
  });
}

export function readCtrl(body: Uint8Array, kind: "reset" | "reprov"): void {
  const reply = decode(WiFiCtrlPayloadSchema, body);
  const want = kind === "reset" ? WiFiCtrlMsgType.TypeRespCtrlReset : WiFiCtrlMsgType.TypeRespCtrlReprov;
  expectMsg(reply.msg, want, kind === "reset" ? "CtrlReset" : "CtrlReprov");
  if (reply.status !== Status.Success) {
    throw new DeviceStatusError(`device refused ${kind} (${statusName(reply.status)})`, reply.status, {
      hint:
        kind === "reset"
          ? "the device accepts a reset only after a failed connection attempt (its status says whether the last one failed)"
          : "re-provisioning needs firmware that disabled auto-stop (wifi_prov_mgr_disable_auto_stop)",
    });
  }
}
