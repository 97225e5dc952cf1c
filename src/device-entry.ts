/**
 * `wifiprov/device`: the device role. `startVirtualDevice()` for a virtual ESP32 on a simulated radio (app
 * developers, CI), `createDevice()` to compose a device from your own radio, store and transports (a Linux
 * board). README "Library API" lists this surface; test/api/public-api.test.ts keeps the two in step.
 */
export { startVirtualDevice } from "./device/virtual-device.js";
export type { RunningVirtualDevice, VirtualDeviceOptions } from "./device/virtual-device.js";
export { createDevice } from "./device/create-device.js";
export type { DeviceParts, RunningDevice, RunningDeviceState } from "./device/create-device.js";
export type { DeviceSecurityChoice } from "./device/device-security.js";
export { HttpProvisioningTransport } from "./device/provisioning-transport.js";
export type {
  HttpProvisioningTransportOptions,
  ProvisioningTransport,
  ProvisioningTransportContext,
} from "./device/provisioning-transport.js";
export { COMPAT_PROFILES } from "./device/compat.js";
export type { CompatProfile } from "./device/compat.js";
export { FileStateStore } from "./device/file-store.js";
export type { FileStateStoreOptions } from "./device/file-store.js";
export { MemoryStateStore } from "./device/memory-store.js";
export type { DeviceState, StateStore, StoredCredentials } from "./device/store.js";
export type {
  AppVersionInfo,
  EndpointHandler,
  HandshakeGuardOptions,
  RequestContext,
} from "./protocomm/index.js";
export { HandshakeGuard } from "./protocomm/index.js";
export type {
  AccessPointInfo,
  Radio,
  ScanOptions as RadioScanOptions,
  SoftApConfig,
  StationConfig,
  StationConnectedInfo,
  StationEvent,
} from "./wifi/radio.js";
export { DisconnectReason } from "./wifi/radio.js";
export { SimulatedRadio } from "./wifi/simulated-radio.js";
export type { SimulatedRadioOptions } from "./wifi/simulated-radio.js";
export { defaultEnvironment } from "./wifi/default-environment.js";
export { loadEnvironmentFile, parseEnvironment } from "./wifi/environment.js";
export type { SimulatedAccessPoint, SimulatedEnvironment } from "./wifi/environment.js";
export { realClock, scaledClock, VirtualClock } from "./clock.js";
export type { Clock } from "./clock.js";
export { generateSec2Credentials } from "./security/credentials.js";
export { secret, silentLogger } from "./logger.js";
export type { Logger, LogFields } from "./logger.js";
