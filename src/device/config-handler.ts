/** The `prov-config` endpoint: GetStatus / SetConfig / ApplyConfig (protocol.md §4.7, §8.1). */
import { ProtocolError } from "../errors.js";
import {
  decode,
  encode,
  WiFiConfigMsgType,
  WiFiConfigPayloadSchema,
  WifiStationState,
} from "../proto/index.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { RespGetStatusSchema } from "../proto/index.js";
import type { EndpointHandler } from "../protocomm/types.js";
import type { ProvisioningManager, StatusReport } from "./manager.js";
import { payloadFor } from "./payload-case.js";

const EMPTY = new Uint8Array(0);

/** Never an empty RespGetStatus: that would read as Connected (§4.10). */
function statusReply(report: StatusReport): MessageInitShape<typeof RespGetStatusSchema> {
  switch (report.state) {
    case "connecting":
      return { staState: WifiStationState.Connecting };
    case "attempt-failed":
      return {
        staState: WifiStationState.Connecting,
        state: { case: "attemptFailed", value: { attemptsRemaining: report.attemptsRemaining } },
      };
    case "failed":
      // The oneof member is emitted even for AuthError (0): `50 00` (§4.10).
      return {
        staState: WifiStationState.ConnectionFailed,
        state: { case: "failReason", value: report.reason },
      };
    case "connected":
      return {
        staState: WifiStationState.Connected,
        state: {
          case: "connected",
          value: {
            ip4Addr: report.info.ip4,
            // Raw wifi_auth_mode_t, may exceed the proto enum (§8.5).
            authMode: report.info.authMode,
            ssid: report.info.ssid,
            bssid: report.info.bssid,
            channel: report.info.channel,
          },
        },
      };
  }
}

export function createConfigHandler(manager: ProvisioningManager): EndpointHandler {
  return async (request) => {
    const req = decode(WiFiConfigPayloadSchema, request);
    switch (req.msg) {
      case WiFiConfigMsgType.TypeCmdGetStatus: {
        payloadFor("prov-config", req.payload, "cmdGetStatus", {});
        return encode(WiFiConfigPayloadSchema, {
          msg: WiFiConfigMsgType.TypeRespGetStatus,
          payload: { case: "respGetStatus", value: statusReply(manager.getStatus()) },
        });
      }
      case WiFiConfigMsgType.TypeCmdSetConfig: {
        const cmd = payloadFor("prov-config", req.payload, "cmdSetConfig", {
          ssid: EMPTY,
          passphrase: EMPTY,
          bssid: EMPTY,
          channel: 0,
        });
        const status = manager.setConfig(cmd);
        return encode(WiFiConfigPayloadSchema, {
          msg: WiFiConfigMsgType.TypeRespSetConfig,
          payload: { case: "respSetConfig", value: { status } },
        });
      }
      case WiFiConfigMsgType.TypeCmdApplyConfig: {
        payloadFor("prov-config", req.payload, "cmdApplyConfig", {});
        const status = await manager.applyConfig();
        return encode(WiFiConfigPayloadSchema, {
          msg: WiFiConfigMsgType.TypeRespApplyConfig,
          payload: { case: "respApplyConfig", value: { status } },
        });
      }
      default:
        // Unknown (or reply-type) msg: the handler fails and the connection is closed (§2.2).
        throw new ProtocolError(`prov-config: unsupported message type ${req.msg}`);
    }
  };
}
