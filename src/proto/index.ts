/**
 * The wire messages of ESP-IDF provisioning, generated from our own .proto files (src/proto/*.proto),
 * plus encode/decode helpers that turn protobuf failures into ProtocolError.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { ProtocolError } from "../errors.js";

export * from "./gen/constants_pb.js";
export * from "./gen/session_pb.js";
export * from "./gen/sec0_pb.js";
export * from "./gen/sec1_pb.js";
export * from "./gen/sec2_pb.js";
export * from "./gen/wifi_constants_pb.js";
export * from "./gen/wifi_config_pb.js";
export * from "./gen/wifi_scan_pb.js";
export * from "./gen/wifi_ctrl_pb.js";
export { AUTH_MODE_NAMES } from "./auth-modes.js";

/** Builds and serialises a message in one step (fields in ascending number order, proto3 defaults omitted). */
export function encode<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>): Uint8Array {
  return toBinary(schema, create(schema, init));
}

/** Parses a message; any malformed input becomes a ProtocolError naming the message type. */
export function decode<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(schema, bytes);
  } catch (cause) {
    throw new ProtocolError(`malformed ${schema.typeName} (${bytes.length} bytes)`, { cause });
  }
}
