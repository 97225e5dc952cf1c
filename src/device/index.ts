/** The device layer's modules (internal barrel; the public `wifiprov/device` entry is src/device-entry.ts). */
export { createDevice } from "./create-device.js";
export type { DeviceParts, RunningDevice, RunningDeviceState } from "./create-device.js";
export { startVirtualDevice } from "./virtual-device.js";
export type { RunningVirtualDevice, VirtualDeviceOptions } from "./virtual-device.js";
export type { DeviceSecurityChoice } from "./device-security.js";
export { HttpProvisioningTransport } from "./provisioning-transport.js";
export type {
  HttpProvisioningTransportOptions,
  ProvisioningTransport,
  ProvisioningTransportContext,
} from "./provisioning-transport.js";
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
export { NetworkManagerStateStore } from "./networkmanager-store.js";
export type { DeviceState, StateStore, StoredCredentials } from "./store.js";
