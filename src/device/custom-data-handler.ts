/**
 * The wifi_prov_mgr example's application endpoint `custom-data` (protocol.md §8.7): logs the received text
 * and answers the 8 bytes "SUCCESS\0" (the NUL is part of the reply).
 */
import { childLogger, silentLogger } from "../logger.js";
import type { Logger } from "../logger.js";
import type { EndpointHandler } from "../protocomm/types.js";

export const CUSTOM_DATA_ENDPOINT = "custom-data";

const SUCCESS_REPLY = new TextEncoder().encode("SUCCESS\0");

export function createCustomDataHandler(logger: Logger = silentLogger): EndpointHandler {
  const log = childLogger(logger, "app");
  return (request) => {
    // The example prints the bytes as a string; latin-1 keeps every byte visible without throwing.
    log.info(`Received data: ${Buffer.from(request).toString("latin1")}`);
    return SUCCESS_REPLY.slice();
  };
}
