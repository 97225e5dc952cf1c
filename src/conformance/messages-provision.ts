/** The plaintext requests the destructive checks send (wifi_config.proto, wifi_ctrl.proto) and their replies. */
import type { Status } from "../proto/index.js";
import {
  WiFiConfigMsgType,
  WiFiConfigPayloadSchema,
  WiFiCtrlMsgType,
  WiFiCtrlPayloadSchema,
  WifiConnectFailedReason,
  WifiStationState,
  decode,
  encode,
} from "../proto/index.js";
import { CheckFailure } from "./context.js";
import { parse } from "./messages.js";

const utf8 = new TextEncoder();

export const setConfigRequest = (ssid: string, passphrase: string): Uint8Array =>
  encode(WiFiConfigPayloadSchema, {
    msg: WiFiConfigMsgType.TypeCmdSetConfig,
    payload: {
      case: "cmdSetConfig",
      value: { ssid: utf8.encode(ssid), passphrase: utf8.encode(passphrase) },
    },
  });

export const applyConfigRequest = (): Uint8Array =>
  encode(WiFiConfigPayloadSchema, {
    msg: WiFiConfigMsgType.TypeCmdApplyConfig,
    payload: { case: "cmdApplyConfig", value: {} },
  });

export const ctrlReprovRequest = (): Uint8Array =>
  encode(WiFiCtrlPayloadSchema, {
    msg: WiFiCtrlMsgType.TypeCmdCtrlReprov,
    payload: { case: "cmdCtrlReprov", value: {} },
  });

/** Status of a RespSetConfig / RespApplyConfig. */
export function readConfigStatus(plain: Uint8Array, expected: "respSetConfig" | "respApplyConfig"): Status {
  const reply = parse(expected, () => decode(WiFiConfigPayloadSchema, plain));
  if (reply.payload.case !== expected) {
    throw new CheckFailure(`${expected}: the device answered with message type ${reply.msg}`);
  }
  return reply.payload.value.status;
}

export interface StationStatus {
  status: Status;
  /** Connected, Connecting, Disconnected, ConnectionFailed. */
  state: string;
  failReason?: string;
  attemptsRemaining?: number;
  ip?: string;
  ssid?: string;
}

/** The whole RespGetStatus, with the oneof the release fills for each state (wifi_config.c). */
export function readStationStatus(plain: Uint8Array): StationStatus {
  const reply = parse("GetStatus", () => decode(WiFiConfigPayloadSchema, plain));
  if (reply.payload.case !== "respGetStatus") {
    throw new CheckFailure(`GetStatus answered with message type ${reply.msg}, not RespGetStatus`);
  }
  const r = reply.payload.value;
  const out: StationStatus = {
    status: r.status,
    state: WifiStationState[r.staState] ?? String(r.staState),
  };
  switch (r.state.case) {
    case "failReason":
      out.failReason = WifiConnectFailedReason[r.state.value] ?? String(r.state.value);
      break;
    case "attemptFailed":
      out.attemptsRemaining = r.state.value.attemptsRemaining;
      break;
    case "connected":
      out.ip = r.state.value.ip4Addr;
      out.ssid = new TextDecoder().decode(r.state.value.ssid);
      break;
    default:
      break;
  }
  return out;
}

/** One line for the report: "Connecting", "Connecting (attempt failed, 2 left)", "ConnectionFailed (AuthError)". */
export function describeStation(s: StationStatus): string {
  if (s.attemptsRemaining !== undefined) return `${s.state} (attempt failed, ${s.attemptsRemaining} left)`;
  if (s.failReason !== undefined) return `${s.state} (${s.failReason})`;
  if (s.ip !== undefined) return `${s.state} (${s.ip || "no IP"})`;
  return s.state;
}

export function readCtrlStatus(plain: Uint8Array, expected: "respCtrlReset" | "respCtrlReprov"): Status {
  const reply = parse("prov-ctrl", () => decode(WiFiCtrlPayloadSchema, plain));
  if (reply.payload.case !== expected && reply.payload.case !== undefined) {
    throw new CheckFailure(`prov-ctrl answered with message type ${reply.msg}`);
  }
  return reply.status;
}
