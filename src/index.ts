/**
 * `wifiprov` on Node: the client library for ESP-IDF unified provisioning over SoftAP/HTTP (security 0/1/2,
 * ESP-IDF v4.0–v6.0 firmware). `connect`/`provision` default to HTTP on one keep-alive socket that echoes the
 * session cookie (what esp_prov does). The device role is exported separately as `wifiprov/device`; the
 * browser build of this entry is `src/browser.ts`.
 */
import { clientEntry } from "./client/entry-defaults.js";
import { HttpClientTransport } from "./transport/http-client-transport.js";

export * from "./client/public.js";
export { HttpClientTransport } from "./transport/http-client-transport.js";
export type { HttpClientTransportOptions } from "./transport/http-client-transport.js";

const entry = clientEntry(
  (options) =>
    new HttpClientTransport({
      serviceName: options.serviceName?.trim() ?? "",
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    }),
);

export const connect = entry.connect;
export const provision = entry.provision;
