/** The `prov-ctrl` endpoint (v5.x): CtrlReset / CtrlReprov (protocol.md §4.9, §8.6). */
import { ProtocolError } from "../errors.js";
import { decode, encode, WiFiCtrlMsgType, WiFiCtrlPayloadSchema } from "../proto/index.js";
import type { EndpointHandler } from "../protocomm/types.js";
import type { ProvisioningManager } from "./manager.js";
import { payloadFor } from "./payload-case.js";

export function createCtrlHandler(manager: ProvisioningManager): EndpointHandler {
  return async (request) => {
    const req = decode(WiFiCtrlPayloadSchema, request);
    switch (req.msg) {
      case WiFiCtrlMsgType.TypeCmdCtrlReset: {
        payloadFor("prov-ctrl", req.payload, "cmdCtrlReset", {});
        const status = await manager.ctrlReset();
        return encode(WiFiCtrlPayloadSchema, {
          msg: WiFiCtrlMsgType.TypeRespCtrlReset,
          status,
          payload: { case: "respCtrlReset", value: {} },
        });
      }
      case WiFiCtrlMsgType.TypeCmdCtrlReprov: {
        payloadFor("prov-ctrl", req.payload, "cmdCtrlReprov", {});
        const status = await manager.ctrlReprov();
        return encode(WiFiCtrlPayloadSchema, {
          msg: WiFiCtrlMsgType.TypeRespCtrlReprov,
          status,
          payload: { case: "respCtrlReprov", value: {} },
        });
      }
      default:
        throw new ProtocolError(`prov-ctrl: unsupported message type ${req.msg}`);
    }
  };
}
