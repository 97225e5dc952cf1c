/**
 * `wifiprov` in a browser (the package's "browser" export condition): the same client as on Node, with
 * `fetch` as the default transport, to the origin the page came from unless `serviceName` names another
 * device. Nothing reachable from here imports a Node module; CI bundles it and runs it in Chromium.
 */
import { clientEntry } from "./client/entry-defaults.js";
import { FetchClientTransport } from "./transport/fetch-client-transport.js";

export * from "./client/public.js";

const entry = clientEntry(
  (options) =>
    new FetchClientTransport({
      baseUrl: options.serviceName ? `http://${options.serviceName.trim()}` : "",
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    }),
);

export const connect = entry.connect;
export const provision = entry.provision;
