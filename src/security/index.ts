/** security layer: sec0/sec1/sec2 sessions for both roles (protocol.md §5–§7). */
export type {
  ClientSecuritySession,
  DeviceSecurity,
  DeviceSecuritySession,
  RandomBytes,
  SecurityPatchVersion,
  SecurityVersion,
} from "./types.js";
export { createClientSession, createDeviceSecurity } from "./create.js";
export type { ClientSessionOptions, DeviceSecurityOptions } from "./create.js";
export { generateSec2Credentials } from "./credentials.js";
export type { Sec2CredentialOptions } from "./credentials.js";
export { ClientSession0, DeviceSession0 } from "./session0.js";
export { ClientSession1, DeviceSession1, SEC1_DEVICE_RANDOM_LENGTH } from "./session1.js";
export type { ClientSession1Options, DeviceSession1Options } from "./session1.js";
export { ClientSession2, DeviceSession2 } from "./session2.js";
export type { ClientSession2Options, DeviceSession2Options } from "./session2.js";
export { Sec2Cipher } from "./sec2-cipher.js";
export type { ClientHandshakeState, DeviceHandshakeState } from "./state.js";
export { SrpClient, SrpServer } from "../crypto/srp.js";
export { queuedRandomBytes } from "../crypto/random.js";
