/**
 * The library's default logger on Node (the `node` condition of `#default-logger`): everything at debug
 * level through `util.debuglog('wifiprov')`, silent unless NODE_DEBUG=wifiprov.
 */
import { debuglog, format } from "node:util";
import type { LogFields, Logger } from "./logger.js";

const debug = debuglog("wifiprov");

/**
 * Formats only when the line is printed: `%o` runs util.inspect over the fields, which cost more CPU than a
 * whole HTTP exchange on loopback, and the library logs a few lines per request with NODE_DEBUG unset.
 */
function line(prefix: string, message: string, fields: LogFields | undefined): void {
  if (!debug.enabled) return;
  debug(fields ? format(`${prefix}%s %o`, message, fields) : `${prefix}${message}`);
}

export const defaultLogger: Logger = {
  debug: (m, f) => line("", m, f),
  info: (m, f) => line("", m, f),
  warn: (m, f) => line("WARN ", m, f),
  error: (m, f) => line("ERROR ", m, f),
};
