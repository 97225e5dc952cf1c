/** The client library: everything a tool needs to provision a device that speaks ESP-IDF provisioning. */
export { connect, ProvisioningClient } from "./client.js";
export { clientEntry } from "./entry-defaults.js";
export type {
  ConnectOptions,
  ScanOptions,
  SessionInfo,
  WaitOptions,
  WaitProgress,
  WifiConfig,
} from "./client.js";
export { provision } from "./provision.js";
export type { ProvisionOptions, ProvisionProgress, ProvisionResult, ProvisionStep } from "./provision.js";
export { parseDeviceVersion, versionGeneration, supportsScan, matchesProtocolVersion } from "./version.js";
export type { DeviceVersion, ReportedAppVersion, VersionGeneration } from "./version.js";
export { chooseSecurity } from "./security-choice.js";
export type { SecurityChoice, SecurityDecision, SessionOptions } from "./security-choice.js";
export { checkSsid, checkPassphrase, parseBssid } from "./credentials.js";
export { parseQrPayload, formatQrPayload, qrSessionOptions } from "./qr.js";
export type { QrPayload } from "./qr.js";
export { authModeName } from "./wifi-types.js";
export type { ScanEntry, WifiStatus, ConnectionOutcome, ConnectedInfo } from "./wifi-types.js";
export { backoffDelay, pollSchedule, realClock } from "./polling.js";
export type { BackoffOptions, Clock } from "./polling.js";
