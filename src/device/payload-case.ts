/**
 * The oneof check shared by the config/scan/ctrl handlers (protocol.md §4.10, §10 item 11): a request's
 * payload must be absent (read as all-defaults, as esp_prov omits empty sub-messages) or match its `msg`.
 */
import { ProtocolError } from "../errors.js";

export function payloadFor<Value>(
  endpoint: string,
  payload: { case: string | undefined; value?: unknown },
  expected: string,
  defaults: Value,
): Value {
  if (payload.case === undefined) return defaults;
  if (payload.case !== expected) {
    throw new ProtocolError(`${endpoint}: payload ${payload.case} does not match the message type`);
  }
  return payload.value as Value;
}
