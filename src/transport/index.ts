/** HTTP transports: the device server with ESP's session rules, and the esp_prov-like client (protocol.md §2). */
export { DeviceHttpServer, MAX_BODY_BYTES } from "./device-http-server.js";
export type { DeviceHttpServerOptions } from "./device-http-server.js";
export { HttpClientTransport } from "./http-client-transport.js";
export type { HttpClientTransportOptions } from "./http-client-transport.js";
export type { ClientTransport } from "./types.js";
