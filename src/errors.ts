/**
 * One error base class with stable `code` strings, a handful of subclasses by meaning, `cause` chaining.
 * Callers branch on `code` (or `instanceof` a subclass), never on message text: messages may be reworded,
 * codes may not.
 */

export const ErrorCodes = {
  /** A message could not be decoded, or broke a protocol rule (wrong type, wrong length, wrong state). */
  PROTOCOL: "WIFIPROV_PROTOCOL",
  /** The peer's proof did not check: wrong PoP, wrong SRP username/password, forged handshake. */
  AUTHENTICATION: "WIFIPROV_AUTHENTICATION",
  /** Encrypt/decrypt or a request endpoint used outside an established session, or the session is gone. */
  SESSION: "WIFIPROV_SESSION",
  /** Too many failed handshakes in a row: the device refuses new ones for a while. */
  LOCKED_OUT: "WIFIPROV_LOCKED_OUT",
  /** Could not reach the device, or the connection dropped. */
  TRANSPORT: "WIFIPROV_TRANSPORT",
  /** The device closed the connection without answering (ESP's way of saying "failed"). */
  CLOSED_WITHOUT_REPLY: "WIFIPROV_CLOSED_WITHOUT_REPLY",
  /** The device answered with an HTTP error status. */
  HTTP_STATUS: "WIFIPROV_HTTP_STATUS",
  /** A wait ran out of time. */
  TIMEOUT: "WIFIPROV_TIMEOUT",
  /** The operation was aborted through an AbortSignal. */
  ABORTED: "WIFIPROV_ABORTED",
  /** The device reported a non-success status inside a well-formed reply. */
  DEVICE_STATUS: "WIFIPROV_DEVICE_STATUS",
  /** The radio could not do what was asked (SoftAP, scan, connect). */
  WIFI: "WIFIPROV_WIFI",
  /** The state directory could not be read or written. */
  STORAGE: "WIFIPROV_STORAGE",
  /** The caller passed something invalid (flag, option, credential format). */
  USAGE: "WIFIPROV_USAGE",
  /** The device does not support what was asked (endpoint, capability, security level). */
  UNSUPPORTED: "WIFIPROV_UNSUPPORTED",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface WifiProvErrorOptions {
  cause?: unknown;
  /** What the user can do about it; shown by the CLI under the message. */
  hint?: string;
}

/**
 * Marks every wifiprov error, shared through the global symbol registry: when a program loads two copies of
 * the package (two versions in node_modules, or a bundle beside the Node package), an error thrown by one copy
 * still passes `instanceof` with the other copy's classes (undici does the same with its errors).
 */
const ERROR_BRAND = Symbol.for("wifiprov.error");

export class WifiProvError extends Error {
  /** The codes whose errors are instances of this class; undefined on the base class (all of them). */
  static readonly codes: readonly ErrorCode[] | undefined = undefined;

  /** `err instanceof X` by brand and code rather than by prototype, so it holds across copies. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    const branded = (value as Record<symbol, unknown>)[ERROR_BRAND] === true;
    if (!branded) return Function.prototype[Symbol.hasInstance].call(this, value);
    const codes = this.codes;
    return codes === undefined || codes.includes((value as WifiProvError).code);
  }

  readonly code: ErrorCode;
  readonly hint: string | undefined;
  declare readonly [ERROR_BRAND]: true;

  constructor(code: ErrorCode, message: string, options: WifiProvErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.name = new.target.name;
    Object.defineProperty(this, ERROR_BRAND, { value: true });
  }
}

/** Malformed or out-of-order protocol data. */
export class ProtocolError extends WifiProvError {
  static override readonly codes: readonly ErrorCode[] = [ErrorCodes.PROTOCOL];
  constructor(message: string, options?: WifiProvErrorOptions) {
    super(ErrorCodes.PROTOCOL, message, options);
  }
}

/** A handshake proof did not verify (wrong PoP or SRP credentials). */
export class AuthenticationError extends WifiProvError {
  static override readonly codes: readonly ErrorCode[] = [ErrorCodes.AUTHENTICATION];
  constructor(message: string, options?: WifiProvErrorOptions) {
    super(ErrorCodes.AUTHENTICATION, message, options);
  }
}

/** No established session where one is needed, or the session was lost. */
export class SessionError extends WifiProvError {
  static override readonly codes: readonly ErrorCode[] = [ErrorCodes.SESSION];
  constructor(message: string, options?: WifiProvErrorOptions) {
    super(ErrorCodes.SESSION, message, options);
  }
}

/** Handshakes refused for a while after too many failures. */
export class LockedOutError extends WifiProvError {
  static override readonly codes: readonly ErrorCode[] = [ErrorCodes.LOCKED_OUT];
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options?: WifiProvErrorOptions) {
    super(ErrorCodes.LOCKED_OUT, message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Network-level failures between client and device. */
export class TransportError extends WifiProvError {
  static override readonly codes: readonly ErrorCode[] = [
    ErrorCodes.TRANSPORT,
    ErrorCodes.CLOSED_WITHOUT_REPLY,
    ErrorCodes.HTTP_STATUS,
  ];
  constructor(
    message: string,
    options?: WifiProvErrorOptions & {
      code?:
        typeof ErrorCodes.TRANSPORT | typeof ErrorCodes.CLOSED_WITHOUT_REPLY | typeof ErrorCodes.HTTP_STATUS;
      status?: number;
    },
  ) {
    super(options?.code ?? ErrorCodes.TRANSPORT, message, options);
    this.status = options?.status;
  }
  readonly status: number | undefined;
}

/** Waiting for something took longer than allowed. */
export class TimeoutError extends WifiProvError {
  static override readonly codes: readonly ErrorCode[] = [ErrorCodes.TIMEOUT];
  constructor(message: string, options?: WifiProvErrorOptions) {
    super(ErrorCodes.TIMEOUT, message, options);
  }
}

/** An AbortSignal fired. */
export class AbortedError extends WifiProvError {
  static override readonly codes: readonly ErrorCode[] = [ErrorCodes.ABORTED];
  constructor(message = "aborted", options?: WifiProvErrorOptions) {
    super(ErrorCodes.ABORTED, message, options);
  }
}

/** A well-formed reply carried a failure status. */
export class DeviceStatusError extends WifiProvError {
  static override readonly codes: readonly ErrorCode[] = [ErrorCodes.DEVICE_STATUS];
  readonly status: number;
  constructor(message: string, status: number, options?: WifiProvErrorOptions) {
    super(ErrorCodes.DEVICE_STATUS, message, options);
    this.status = status;
  }
}

/** The radio backend failed. */
export class WifiError extends WifiProvError {
  static override readonly codes: readonly ErrorCode[] = [ErrorCodes.WIFI];
  constructor(message: string, options?: WifiProvErrorOptions) {
    super(ErrorCodes.WIFI, message, options);
  }
}

/** Reading or writing persistent state failed. */
export class StorageError extends WifiProvError {
  static override readonly codes: readonly ErrorCode[] = [ErrorCodes.STORAGE];
  constructor(message: string, options?: WifiProvErrorOptions) {
    super(ErrorCodes.STORAGE, message, options);
  }
}

/** Invalid input from the caller: a flag, an option, a credential. */
export class UsageError extends WifiProvError {
  static override readonly codes: readonly ErrorCode[] = [ErrorCodes.USAGE];
  constructor(message: string, options?: WifiProvErrorOptions) {
    super(ErrorCodes.USAGE, message, options);
  }
}

/** The device lacks a capability that was asked for. */
export class UnsupportedError extends WifiProvError {
  static override readonly codes: readonly ErrorCode[] = [ErrorCodes.UNSUPPORTED];
  constructor(message: string, options?: WifiProvErrorOptions) {
    super(ErrorCodes.UNSUPPORTED, message, options);
  }
}
