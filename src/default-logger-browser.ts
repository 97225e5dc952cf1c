/**
 * The library's default logger in a browser (the `browser` and `default` conditions of `#default-logger`):
 * silent, unless the page sets `globalThis.WIFIPROV_DEBUG = true` (also from the devtools console, read on
 * every call), which sends everything to console.debug — the browser's counterpart of NODE_DEBUG=wifiprov.
 */
import type { LogFields, Logger } from "./logger.js";

function debug(level: string, message: string, fields?: LogFields): void {
  if (!(globalThis as { WIFIPROV_DEBUG?: unknown }).WIFIPROV_DEBUG) return;
  const line = `wifiprov ${level === "" ? "" : `${level} `}${message}`;
  if (fields === undefined) console.debug(line);
  else console.debug(line, fields);
}

export const defaultLogger: Logger = {
  debug: (m, f) => debug("", m, f),
  info: (m, f) => debug("", m, f),
  warn: (m, f) => debug("WARN", m, f),
  error: (m, f) => debug("ERROR", m, f),
};
