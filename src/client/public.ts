/**
 * The client's public surface, the same on every platform: the package's entry points (`src/index.ts` for
 * Node, `src/browser.ts` for the browser bundle) re-export this and add `connect`/`provision` with their
 * platform's default transport. Nothing here imports a Node module. README "Library API" lists it; the test
 * test/api/public-api.test.ts fails when an export appears or disappears without the README changing.
 */
export { ProvisioningClient } from "./client.js";
export type {
  ConnectOptions,
  ScanOptions,
  SessionInfo,
  WaitOptions,
  WaitProgress,
  WifiConfig,
} from "./client.js";
export type { ClientEntry } from "./entry-defaults.js";
export type { ProvisionOptions, ProvisionProgress, ProvisionResult, ProvisionStep } from "./provision.js";
export type { DeviceVersion, ReportedAppVersion } from "./version.js";
export type { SessionOptions } from "./security-choice.js";
export { parseQrPayload, formatQrPayload } from "./qr.js";
export type { QrPayload } from "./qr.js";
export type { ScanEntry, WifiStatus, ConnectionOutcome, ConnectedInfo } from "./wifi-types.js";
export { FetchClientTransport } from "../transport/fetch-client-transport.js";
export type { FetchClientTransportOptions } from "../transport/fetch-client-transport.js";
export type { ClientTransport } from "../transport/types.js";
export { generateSec2Credentials } from "../security/credentials.js";
export type { Sec2CredentialOptions } from "../security/credentials.js";
export type { SecurityPatchVersion, SecurityVersion } from "../security/types.js";
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
} from "../errors.js";
export type { ErrorCode, WifiProvErrorOptions } from "../errors.js";
export { secret, silentLogger } from "../logger.js";
export type { Logger, LogFields, Secret } from "../logger.js";
