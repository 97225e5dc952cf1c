/**
 * `wifiprov`: the client library for ESP-IDF unified provisioning over SoftAP/HTTP (security 0/1/2,
 * ESP-IDF v4.0–v5.5 firmware). The device role is exported separately as `wifiprov/device`.
 */
export * from "./client/index.js";
export { generateSec2Credentials } from "./security/index.js";
export type { Sec2CredentialOptions, SecurityPatchVersion, SecurityVersion } from "./security/index.js";
export { HttpClientTransport } from "./transport/index.js";
export type { ClientTransport, HttpClientTransportOptions } from "./transport/index.js";
export {
  ErrorCodes,
  WifiProvError,
  ProtocolError,
  AuthenticationError,
  SessionError,
  LockedOutError,
  TransportError,
  TimeoutError,
  AbortedError,
  DeviceStatusError,
  UsageError,
  UnsupportedError,
} from "./errors.js";
export type { ErrorCode, WifiProvErrorOptions } from "./errors.js";
export { secret, silentLogger } from "./logger.js";
export type { Logger, LogFields, Secret } from "./logger.js";
