/** protocomm: endpoint registry and dispatch on the device (protocol.md §3). */
export { Protocomm } from "./protocomm.js";
export type { ProtocommOptions, VersionReply } from "./protocomm.js";
export { HandshakeGuard } from "./handshake-guard.js";
export type { HandshakeGuardOptions } from "./handshake-guard.js";
export { formatVersionInfo } from "./version-info.js";
export type { VersionInfo, AppVersionInfo } from "./version-info.js";
export type { EndpointHandler, RequestContext } from "./types.js";
