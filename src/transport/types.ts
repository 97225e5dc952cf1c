/** The contract between the client library and whatever carries its messages to a device. */

export interface ClientTransport {
  /** POSTs one message to `/<endpoint>` and resolves with the reply body. */
  send(endpoint: string, body: Uint8Array, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** Closes the connection; further sends reconnect. */
  close(): Promise<void>;
}
