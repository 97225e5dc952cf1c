/** The device role (`wifiprov/device`): startDevice(), the provisioning manager, its handlers and the stores. */
export { startDevice } from "./device.js";
export type { DeviceOptions, DeviceSecurityChoice, RunningDevice, RunningDeviceState } from "./device.js";
export { ProvisioningManager } from "./manager.js";
export type {
  ManagerEvent,
  ProvisioningManagerOptions,
  ProvisioningState,
  ScanRequest,
  StationState,
  StatusReport,
  WifiCredentialsRequest,
} from "./manager.js";
export { COMPAT_PROFILES, compatRules, isCompatProfile } from "./compat.js";
export type { CompatProfile, CompatRules } from "./compat.js";
export { createConfigHandler } from "./config-handler.js";
export { createScanHandler } from "./scan-handler.js";
export { createCtrlHandler } from "./ctrl-handler.js";
export { createCustomDataHandler, CUSTOM_DATA_ENDPOINT } from "./custom-data-handler.js";
export { qrPayload, softApSsidFromMac } from "./identity.js";
export type { QrPayloadFields } from "./identity.js";
export { versionReply } from "./version-reply.js";
export { StationKeeper } from "./station.js";
export { FileStateStore } from "./file-store.js";
export type { FileStateStoreOptions } from "./file-store.js";
export { MemoryStateStore } from "./memory-store.js";
export type { DeviceState, StateStore, StoredCredentials } from "./store.js";
