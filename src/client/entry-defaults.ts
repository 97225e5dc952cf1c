/**
 * `connect` and `provision` with a default transport. The client core takes a `ClientTransport` and knows no
 * concrete one, so that it bundles for a browser; each entry point of the package (Node's `wifiprov`, the
 * browser bundle) calls this once with the transport its platform should use when the caller names none.
 */
import type { ClientTransport } from "../transport/types.js";
import { connect as connectWith } from "./client.js";
import type { ConnectOptions, ProvisioningClient } from "./client.js";
import { provision as provisionWith } from "./provision.js";
import type { ProvisionOptions, ProvisionResult } from "./provision.js";

export interface ClientEntry {
  /**
   * Opens a client and reads the device's version. Give `serviceName` ("host:port") for the platform's default
   * transport, or your own `transport`.
   */
  connect(options: ConnectOptions): Promise<ProvisioningClient>;
  /** Provisions one device: version → session → custom data → SetConfig → ApplyConfig → outcome. */
  provision(options: ProvisionOptions): Promise<ProvisionResult>;
}

export function clientEntry(defaultTransport: (options: ConnectOptions) => ClientTransport): ClientEntry {
  const withTransport = <T extends ConnectOptions>(options: T): T =>
    options.transport !== undefined ? options : { ...options, transport: defaultTransport(options) };
  // async, so that a bad serviceName is a rejected promise like every other failure, not a throw.
  return {
    connect: async (options) => connectWith(withTransport(options)),
    provision: async (options) => provisionWith(withTransport(options)),
  };
}
