/** The contract between the client library and whatever carries its messages to a device. */

export interface ClientTransport {
  /** Where the messages go, for messages and logs: "host:port", a URL, a BLE device name. */
  readonly target: string;
  /** POSTs one message to `/<endpoint>` and resolves with the reply body. */
  send(endpoint: string, body: Uint8Array, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** Closes the connection; further sends reconnect. */
  close(): Promise<void>;
}

/**
 * The one set of client timeouts, shared by every transport. 15 s per request covers a blocking scan of all
 * channels with esp_prov's settings (about 3 s) with room to spare while still failing fast on a dead link;
 * 5 s to connect is the Android library's value.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
