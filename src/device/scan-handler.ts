/** The `prov-scan` endpoint: ScanStart / ScanStatus / ScanResult (protocol.md §4.8, §8.5). */
import { ProtocolError } from "../errors.js";
import { decode, encode, WiFiScanMsgType, WiFiScanPayloadSchema } from "../proto/index.js";
import type { EndpointHandler } from "../protocomm/types.js";
import type { ProvisioningManager } from "./manager.js";
import { payloadFor } from "./payload-case.js";

export function createScanHandler(manager: ProvisioningManager): EndpointHandler {
  return async (request) => {
    const req = decode(WiFiScanPayloadSchema, request);
    // Unlike prov-config, the status lives in the outer payload (§4.8, §10 item 8).
    switch (req.msg) {
      case WiFiScanMsgType.TypeCmdScanStart: {
        const cmd = payloadFor("prov-scan", req.payload, "cmdScanStart", {
          blocking: false,
          passive: false,
          groupChannels: 0,
          periodMs: 0,
        });
        const status = await manager.scanStart(cmd);
        return encode(WiFiScanPayloadSchema, {
          msg: WiFiScanMsgType.TypeRespScanStart,
          status,
          payload: { case: "respScanStart", value: {} },
        });
      }
      case WiFiScanMsgType.TypeCmdScanStatus: {
        payloadFor("prov-scan", req.payload, "cmdScanStatus", {});
        const { finished, count } = manager.scanStatus();
        return encode(WiFiScanPayloadSchema, {
          msg: WiFiScanMsgType.TypeRespScanStatus,
          payload: { case: "respScanStatus", value: { scanFinished: finished, resultCount: count } },
        });
      }
      case WiFiScanMsgType.TypeCmdScanResult: {
        const cmd = payloadFor("prov-scan", req.payload, "cmdScanResult", { startIndex: 0, count: 0 });
        const { status, entries } = manager.scanResults(cmd.startIndex, cmd.count);
        return encode(WiFiScanPayloadSchema, {
          msg: WiFiScanMsgType.TypeRespScanResult,
          status,
          payload: {
            case: "respScanResult",
            value: {
              entries: entries.map((ap) => ({
                ssid: ap.ssid.subarray(0, 32),
                channel: ap.channel,
                rssi: ap.rssi,
                bssid: ap.bssid,
                // The raw wifi_auth_mode_t number goes out unchanged, also above 7 (§8.5).
                auth: ap.authMode,
              })),
            },
          },
        });
      }
      default:
        throw new ProtocolError(`prov-scan: unsupported message type ${req.msg}`);
    }
  };
}
