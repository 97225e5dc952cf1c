/** The radio layer's public surface: the Radio interface, the simulated radio and its environment files. */
export type {
  AccessPointInfo,
  AuthModeNumber,
  Radio,
  ScanOptions,
  SoftApConfig,
  StationConfig,
  StationConnectedInfo,
  StationEvent,
} from "./radio.js";
export { DisconnectReason } from "./radio.js";
export { AuthMode, authModeName, authModeNames, parseAuthMode } from "./auth-mode.js";
export type {
  AccessPointFaults,
  EnvironmentFaults,
  SimulatedAccessPoint,
  SimulatedEnvironment,
  SimulatedTiming,
} from "./environment.js";
export { formatBssid, loadEnvironmentFile, parseBssid, parseEnvironment } from "./environment.js";
export { defaultEnvironment } from "./default-environment.js";
export { SimulatedRadio } from "./simulated-radio.js";
export type { SimulatedRadioOptions, SoftApStatus, StationPhase, StationStatus } from "./simulated-radio.js";
