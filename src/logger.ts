/**
 * The injectable logger used by every layer. The library default writes through
 * `util.debuglog('wifiprov')` (silent unless NODE_DEBUG=wifiprov); the device service passes a pino logger.
 *
 * Secrets (passphrases, PoP, SRP passwords, keys) are never handed to a logger as such: callers wrap them
 * with `secret()`, which prints as a mask unless the logger was created with `logSecrets`.
 */
import { debuglog, format } from "node:util";

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A value that must not appear in logs unless the user asked for it. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The real value: only for code that must use it, never for logging. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return "********";
  }
  toJSON(): string {
    return "********";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "********";
  }
}

export function secret(value: string): Secret {
  return new Secret(value);
}

/** Renders a Secret for a log line: masked, or in clear when the user passed --log-secrets. */
export function showSecret(value: Secret | string, logSecrets: boolean): string {
  if (typeof value === "string") return logSecrets ? value : "********";
  return logSecrets ? value.reveal() : "********";
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

const debug = debuglog("wifiprov");

/** The library default: everything at debug level through NODE_DEBUG=wifiprov. */
export const defaultLogger: Logger = {
  debug: (m, f) => debug(f ? format("%s %o", m, f) : m),
  info: (m, f) => debug(f ? format("%s %o", m, f) : m),
  warn: (m, f) => debug(f ? format("WARN %s %o", m, f) : `WARN ${m}`),
  error: (m, f) => debug(f ? format("ERROR %s %o", m, f) : `ERROR ${m}`),
};

/** Prefixes every message with a component name, like ESP's log tags. */
export function childLogger(parent: Logger, tag: string): Logger {
  return {
    debug: (m, f) => parent.debug(`${tag}: ${m}`, f),
    info: (m, f) => parent.info(`${tag}: ${m}`, f),
    warn: (m, f) => parent.warn(`${tag}: ${m}`, f),
    error: (m, f) => parent.error(`${tag}: ${m}`, f),
  };
}
