/**
 * The injectable logger used by every layer. The library default (`#default-logger`, chosen by package
 * `imports` conditions) writes through `util.debuglog('wifiprov')` on Node (silent unless
 * NODE_DEBUG=wifiprov) and is silent in a browser unless the page sets `WIFIPROV_DEBUG`; the device
 * service passes a pino logger.
 *
 * Secrets (passphrases, PoP, SRP passwords, keys) are never handed to a logger as such: callers wrap them
 * with `secret()`, which prints as a mask unless the logger was created with `logSecrets`.
 */

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

/** The library default: NODE_DEBUG=wifiprov on Node, WIFIPROV_DEBUG in a browser. */
export { defaultLogger } from "#default-logger";

/** Prefixes every message with a component name, like ESP's log tags. */
export function childLogger(parent: Logger, tag: string): Logger {
  return {
    debug: (m, f) => parent.debug(`${tag}: ${m}`, f),
    info: (m, f) => parent.info(`${tag}: ${m}`, f),
    warn: (m, f) => parent.warn(`${tag}: ${m}`, f),
    error: (m, f) => parent.error(`${tag}: ${m}`, f),
  };
}
