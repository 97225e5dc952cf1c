/**
 * The library's default logger on Node (the `node` condition of `#default-logger`): everything at debug
 * level through `util.debuglog('wifiprov')`, silent unless NODE_DEBUG=wifiprov.
 */
import { debuglog, format } from "node:util";
import type { Logger } from "./logger.js";

const debug = debuglog("wifiprov");

export const defaultLogger: Logger = {
  debug: (m, f) => debug(f ? format("%s %o", m, f) : m),
  info: (m, f) => debug(f ? format("%s %o", m, f) : m),
  warn: (m, f) => debug(f ? format("WARN %s %o", m, f) : `WARN ${m}`),
  error: (m, f) => debug(f ? format("ERROR %s %o", m, f) : `ERROR ${m}`),
};
