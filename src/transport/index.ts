/** HTTP transports: the device server with ESP's session rules, and the esp_prov-like client (protocol.md §2). */
export {
  DeviceHttpServer,
  MAX_BODY_BYTES,
  GUARDED_MAX_CONNECTIONS,
  GUARDED_MAX_PER_PEER,
} from "./device-http-server.js";
export type { DeviceHttpServerOptions, SessionPolicy } from "./device-http-server.js";
export { HttpClientTransport } from "./http-client-transport.js";
export type { HttpClientTransportOptions } from "./http-client-transport.js";
export { FetchClientTransport } from "./fetch-client-transport.js";
export type { FetchClientTransportOptions } from "./fetch-client-transport.js";
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from "./types.js";
export type { ClientTransport } from "./types.js";
