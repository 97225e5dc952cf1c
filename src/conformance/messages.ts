/** The plaintext requests the checks send and the replies they read (wifi_config/scan/ctrl.proto). */
import {
  Status,
  WiFiConfigMsgType,
  WiFiConfigPayloadSchema,
  WiFiCtrlMsgType,
  WiFiCtrlPayloadSchema,
  WiFiScanMsgType,
  WiFiScanPayloadSchema,
  WifiStationState,
  decode,
  encode,
} from "../proto/index.js";
import { CheckFailure } from "./context.js";

export const getStatusRequest = (): Uint8Array =>
  encode(WiFiConfigPayloadSchema, {
    msg: WiFiConfigMsgType.TypeCmdGetStatus,
    payload: { case: "cmdGetStatus", value: {} },
  });

/** Decodes a reply; a decoding error becomes the check's failure, named by `what`. */
export function parse<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new CheckFailure(
      `${what}: not a valid protobuf reply (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

export function readStatus(plain: Uint8Array): { status: Status; state: string } {
  const reply = parse("GetStatus", () => decode(WiFiConfigPayloadSchema, plain));
  if (reply.payload.case !== "respGetStatus") {
    throw new CheckFailure(`GetStatus answered with message type ${reply.msg}, not RespGetStatus`);
  }
  const r = reply.payload.value;
  return { status: r.status, state: WifiStationState[r.staState] ?? String(r.staState) };
}

export const scanStartRequest = (): Uint8Array =>
  encode(WiFiScanPayloadSchema, {
    msg: WiFiScanMsgType.TypeCmdScanStart,
    payload: {
      case: "cmdScanStart",
      value: { blocking: true, passive: false, groupChannels: 0, periodMs: 120 },
    },
  });

export const scanStatusRequest = (): Uint8Array =>
  encode(WiFiScanPayloadSchema, {
    msg: WiFiScanMsgType.TypeCmdScanStatus,
    payload: { case: "cmdScanStatus", value: {} },
  });

export const scanResultRequest = (startIndex: number, count: number): Uint8Array =>
  encode(WiFiScanPayloadSchema, {
    msg: WiFiScanMsgType.TypeCmdScanResult,
    payload: { case: "cmdScanResult", value: { startIndex, count } },
  });

export function readScan(plain: Uint8Array) {
  return parse("prov-scan", () => decode(WiFiScanPayloadSchema, plain));
}

export const ctrlResetRequest = (): Uint8Array =>
  encode(WiFiCtrlPayloadSchema, {
    msg: WiFiCtrlMsgType.TypeCmdCtrlReset,
    payload: { case: "cmdCtrlReset", value: {} },
  });

export function readCtrl(plain: Uint8Array) {
  return parse("prov-ctrl", () => decode(WiFiCtrlPayloadSchema, plain));
}

export function statusName(status: Status): string {
  return Status[status] ?? String(status);
}
