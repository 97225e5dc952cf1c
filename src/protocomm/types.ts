/** The contract between protocomm (endpoint dispatch) and the endpoint handlers and transports. */

/** What a handler knows about the request it serves. */
export interface RequestContext {
  /** The transport session id (cookie value or socket number). */
  readonly sessionId: number;
  /** Endpoint name without the leading '/'. */
  readonly endpoint: string;
}

/**
 * A request endpoint handler: plaintext in, plaintext out (protocomm decrypts and encrypts around it).
 * Throwing means "failure": the transport closes the connection without a reply, as ESP-IDF does.
 */
export type EndpointHandler = (
  request: Uint8Array,
  context: RequestContext,
) => Uint8Array | Promise<Uint8Array>;
