/**
 * The prov-session messages of sec0/sec1/sec2 (protocol.md §4.2–§4.5): typed encode/parse per handshake
 * step, with the checks both roles apply to what they receive. No crypto and no state here.
 *
 * Devices check sec_ver, that the payload belongs to the scheme, and that the oneof member matches the
 * `msg` type (post-v5.5 hardening, §10 item 11). Clients check sec_ver (esp_prov: "Incorrect security
 * scheme"), the member, and the reply status.
 */
import { DeviceStatusError, ProtocolError } from "../errors.js";
import {
  decode,
  encode,
  SecSchemeVersion,
  Sec0MsgType,
  Sec1MsgType,
  Sec2MsgType,
  SessionDataSchema,
  Status,
} from "../proto/index.js";
import type { Sec0Payload, Sec1Payload, Sec2Payload, SessionData } from "../proto/index.js";

function decodeSession(bytes: Uint8Array, version: SecSchemeVersion): SessionData {
  const data = decode(SessionDataSchema, bytes);
  if (data.secVer !== version) {
    throw new ProtocolError(`SessionData sec_ver is ${data.secVer}, this session uses security ${version}`, {
      hint: "client and device disagree on the security scheme",
    });
  }
  return data;
}

function sec0Of(data: SessionData): Sec0Payload {
  if (data.proto.case !== "sec0") throw wrongPayload(data, "sec0");
  return data.proto.value;
}

function sec1Of(data: SessionData): Sec1Payload {
  if (data.proto.case !== "sec1") throw wrongPayload(data, "sec1");
  return data.proto.value;
}

function sec2Of(data: SessionData): Sec2Payload {
  if (data.proto.case !== "sec2") throw wrongPayload(data, "sec2");
  return data.proto.value;
}

function wrongPayload(data: SessionData, expected: string): ProtocolError {
  return new ProtocolError(`SessionData carries ${data.proto.case ?? "no payload"}, expected ${expected}`);
}

function checkStatus(status: Status, what: string): void {
  if (status !== Status.Success) {
    throw new DeviceStatusError(`device answered ${what} with status ${Status[status] ?? status}`, status);
  }
}

// ---------------------------------------------------------------------------------------------- sec0

export function encodeSec0Command(): Uint8Array {
  return encode(SessionDataSchema, {
    secVer: SecSchemeVersion.SecScheme0,
    proto: {
      case: "sec0",
      value: { msg: Sec0MsgType.S0_Session_Command, payload: { case: "sc", value: {} } },
    },
  });
}

export function encodeSec0Response(): Uint8Array {
  return encode(SessionDataSchema, {
    secVer: SecSchemeVersion.SecScheme0,
    proto: {
      case: "sec0",
      value: {
        msg: Sec0MsgType.S0_Session_Response,
        payload: { case: "sr", value: { status: Status.Success } },
      },
    },
  });
}

export function parseSec0Command(bytes: Uint8Array): void {
  const p = sec0Of(decodeSession(bytes, SecSchemeVersion.SecScheme0));
  if (p.msg !== Sec0MsgType.S0_Session_Command || p.payload.case !== "sc") {
    throw new ProtocolError(
      `sec0: expected S0_Session_Command, got msg ${p.msg} / ${p.payload.case ?? "none"}`,
    );
  }
}

export function parseSec0Response(bytes: Uint8Array): void {
  const p = sec0Of(decodeSession(bytes, SecSchemeVersion.SecScheme0));
  if (p.msg !== Sec0MsgType.S0_Session_Response || p.payload.case !== "sr") {
    throw new ProtocolError(
      `sec0: expected S0_Session_Response, got msg ${p.msg} / ${p.payload.case ?? "none"}`,
    );
  }
  checkStatus(p.payload.value.status, "the sec0 session command");
}

// ---------------------------------------------------------------------------------------------- sec1

export type Sec1Request =
  | { readonly step: 0; readonly clientPubkey: Uint8Array }
  | { readonly step: 1; readonly clientVerifyData: Uint8Array };

function encodeSec1(value: Omit<Sec1Payload, "$typeName">): Uint8Array {
  return encode(SessionDataSchema, { secVer: SecSchemeVersion.SecScheme1, proto: { case: "sec1", value } });
}

export function encodeSec1Command0(clientPubkey: Uint8Array): Uint8Array {
  return encodeSec1({
    msg: Sec1MsgType.Session_Command0,
    payload: { case: "sc0", value: { $typeName: "SessionCmd0", clientPubkey } },
  });
}

export function encodeSec1Response0(devicePubkey: Uint8Array, deviceRandom: Uint8Array): Uint8Array {
  return encodeSec1({
    msg: Sec1MsgType.Session_Response0,
    payload: {
      case: "sr0",
      value: { $typeName: "SessionResp0", status: Status.Success, devicePubkey, deviceRandom },
    },
  });
}

export function encodeSec1Command1(clientVerifyData: Uint8Array): Uint8Array {
  return encodeSec1({
    msg: Sec1MsgType.Session_Command1,
    payload: { case: "sc1", value: { $typeName: "SessionCmd1", clientVerifyData } },
  });
}

export function encodeSec1Response1(deviceVerifyData: Uint8Array): Uint8Array {
  return encodeSec1({
    msg: Sec1MsgType.Session_Response1,
    payload: { case: "sr1", value: { $typeName: "SessionResp1", status: Status.Success, deviceVerifyData } },
  });
}

export function parseSec1Request(bytes: Uint8Array): Sec1Request {
  const p = sec1Of(decodeSession(bytes, SecSchemeVersion.SecScheme1));
  if (p.msg === Sec1MsgType.Session_Command0 && p.payload.case === "sc0") {
    return { step: 0, clientPubkey: p.payload.value.clientPubkey };
  }
  if (p.msg === Sec1MsgType.Session_Command1 && p.payload.case === "sc1") {
    return { step: 1, clientVerifyData: p.payload.value.clientVerifyData };
  }
  throw new ProtocolError(`sec1: unexpected request msg ${p.msg} with payload ${p.payload.case ?? "none"}`);
}

export function parseSec1Response0(bytes: Uint8Array): {
  devicePubkey: Uint8Array;
  deviceRandom: Uint8Array;
} {
  const p = sec1Of(decodeSession(bytes, SecSchemeVersion.SecScheme1));
  if (p.msg !== Sec1MsgType.Session_Response0 || p.payload.case !== "sr0") {
    throw new ProtocolError(
      `sec1: expected Session_Response0, got msg ${p.msg} / ${p.payload.case ?? "none"}`,
    );
  }
  checkStatus(p.payload.value.status, "SessionCmd0");
  return { devicePubkey: p.payload.value.devicePubkey, deviceRandom: p.payload.value.deviceRandom };
}

export function parseSec1Response1(bytes: Uint8Array): Uint8Array {
  const p = sec1Of(decodeSession(bytes, SecSchemeVersion.SecScheme1));
  if (p.msg !== Sec1MsgType.Session_Response1 || p.payload.case !== "sr1") {
    throw new ProtocolError(
      `sec1: expected Session_Response1, got msg ${p.msg} / ${p.payload.case ?? "none"}`,
    );
  }
  checkStatus(p.payload.value.status, "SessionCmd1");
  return p.payload.value.deviceVerifyData;
}

// ---------------------------------------------------------------------------------------------- sec2

export type Sec2Request =
  | { readonly step: 0; readonly clientUsername: Uint8Array; readonly clientPubkey: Uint8Array }
  | { readonly step: 1; readonly clientProof: Uint8Array };

function encodeSec2(value: Omit<Sec2Payload, "$typeName">): Uint8Array {
  return encode(SessionDataSchema, { secVer: SecSchemeVersion.SecScheme2, proto: { case: "sec2", value } });
}

export function encodeSec2Command0(clientUsername: Uint8Array, clientPubkey: Uint8Array): Uint8Array {
  return encodeSec2({
    msg: Sec2MsgType.S2Session_Command0,
    payload: { case: "sc0", value: { $typeName: "S2SessionCmd0", clientUsername, clientPubkey } },
  });
}

export function encodeSec2Response0(devicePubkey: Uint8Array, deviceSalt: Uint8Array): Uint8Array {
  return encodeSec2({
    msg: Sec2MsgType.S2Session_Response0,
    payload: {
      case: "sr0",
      value: { $typeName: "S2SessionResp0", status: Status.Success, devicePubkey, deviceSalt },
    },
  });
}

export function encodeSec2Command1(clientProof: Uint8Array): Uint8Array {
  return encodeSec2({
    msg: Sec2MsgType.S2Session_Command1,
    payload: { case: "sc1", value: { $typeName: "S2SessionCmd1", clientProof } },
  });
}

export function encodeSec2Response1(deviceProof: Uint8Array, deviceNonce: Uint8Array): Uint8Array {
  return encodeSec2({
    msg: Sec2MsgType.S2Session_Response1,
    payload: {
      case: "sr1",
      value: { $typeName: "S2SessionResp1", status: Status.Success, deviceProof, deviceNonce },
    },
  });
}

export function parseSec2Request(bytes: Uint8Array): Sec2Request {
  const p = sec2Of(decodeSession(bytes, SecSchemeVersion.SecScheme2));
  if (p.msg === Sec2MsgType.S2Session_Command0 && p.payload.case === "sc0") {
    return {
      step: 0,
      clientUsername: p.payload.value.clientUsername,
      clientPubkey: p.payload.value.clientPubkey,
    };
  }
  if (p.msg === Sec2MsgType.S2Session_Command1 && p.payload.case === "sc1") {
    return { step: 1, clientProof: p.payload.value.clientProof };
  }
  throw new ProtocolError(`sec2: unexpected request msg ${p.msg} with payload ${p.payload.case ?? "none"}`);
}

export function parseSec2Response0(bytes: Uint8Array): { devicePubkey: Uint8Array; deviceSalt: Uint8Array } {
  const p = sec2Of(decodeSession(bytes, SecSchemeVersion.SecScheme2));
  if (p.msg !== Sec2MsgType.S2Session_Response0 || p.payload.case !== "sr0") {
    throw new ProtocolError(
      `sec2: expected S2Session_Response0, got msg ${p.msg} / ${p.payload.case ?? "none"}`,
    );
  }
  checkStatus(p.payload.value.status, "S2SessionCmd0");
  return { devicePubkey: p.payload.value.devicePubkey, deviceSalt: p.payload.value.deviceSalt };
}

export function parseSec2Response1(bytes: Uint8Array): { deviceProof: Uint8Array; deviceNonce: Uint8Array } {
  const p = sec2Of(decodeSession(bytes, SecSchemeVersion.SecScheme2));
  if (p.msg !== Sec2MsgType.S2Session_Response1 || p.payload.case !== "sr1") {
    throw new ProtocolError(
      `sec2: expected S2Session_Response1, got msg ${p.msg} / ${p.payload.case ?? "none"}`,
    );
  }
  checkStatus(p.payload.value.status, "S2SessionCmd1");
  return { deviceProof: p.payload.value.deviceProof, deviceNonce: p.payload.value.deviceNonce };
}
