/**
 * A client transport on the WHATWG `fetch` API, for a page that the device itself served (the captive
 * portal) and for runtimes without node:http. It uses no Node module, so it goes into the browser bundle.
 *
 * Sessions: a v5.x device finds the session by its `session=` cookie before the socket (protocol.md §2.3), so
 * the connections fetch opens and closes by itself are harmless as long as the cookie travels. In a browser the
 * cookie jar carries it (the page is same-origin with the device); where `Set-Cookie` is readable (Node's fetch)
 * this transport keeps the pair and sends it back itself. A v4.0 device, which knows sessions only by socket,
 * needs the Node HTTP transport (one keep-alive socket).
 *
 * Failures: ESP closes the connection without a reply when a request fails (a wrong proof among them), which
 * fetch reports as a network error. A browser gives no detail, so every network error after the device was
 * reached is "closed without a reply"; where the runtime names the cause (ECONNREFUSED…), a socket that never
 * connected is reported as unreachable.
 */
import { AbortedError, ErrorCodes, TimeoutError, TransportError, UsageError } from "../errors.js";
import { childLogger, defaultLogger, type Logger } from "../logger.js";
import { CLOSED_HINT, httpStatusError, unreachableReason } from "./http-status.js";
import { DEFAULT_REQUEST_TIMEOUT_MS, type ClientTransport } from "./types.js";

export interface FetchClientTransportOptions {
  /**
   * Where the device answers: "" (the default) for the origin the page came from, or an absolute
   * "http://host:port" URL. The endpoint name is appended as "/<endpoint>".
   */
  baseUrl?: string;
  /** Longest wait for a whole request/reply. Default DEFAULT_REQUEST_TIMEOUT_MS (15 000 ms). */
  timeoutMs?: number;
  /** The fetch to use. Default: the global one. */
  fetch?: typeof globalThis.fetch;
  logger?: Logger;
}

const UNREACHABLE_HINT = "join the device's SoftAP (PROV_XXXXXX) first, and check the device's address";
function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause === null || typeof cause !== "object") return undefined;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === "string") return code;
  // Happy-eyeballs connects fail with an AggregateError whose parts carry the codes.
  const first = (cause as { errors?: unknown[] }).errors?.[0] as { code?: unknown } | undefined;
  return typeof first?.code === "string" ? first.code : undefined;
}

export class FetchClientTransport implements ClientTransport {
  readonly target: string;
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof globalThis.fetch;
  readonly #logger: Logger;
  #cookie: string | undefined;

  constructor(options: FetchClientTransportOptions = {}) {
    const baseUrl = (options.baseUrl ?? "").replace(/\/+$/, "");
    if (baseUrl !== "" && !/^https?:\/\/[^/]+$/.test(baseUrl)) {
      throw new UsageError(`not a device URL: ${JSON.stringify(options.baseUrl)}`, {
        hint: 'give "http://host:port", or "" for the origin this page came from',
      });
    }
    const fetchFn = options.fetch ?? globalThis.fetch;
    if (typeof fetchFn !== "function") {
      throw new UsageError("this runtime has no fetch()", {
        hint: "pass options.fetch, or use the HTTP transport",
      });
    }
    this.#baseUrl = baseUrl;
    this.target = baseUrl === "" ? "this page's device" : baseUrl.replace(/^https?:\/\//, "");
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    // Called unbound, a browser's fetch throws "Illegal invocation".
    this.#fetch = fetchFn.bind(globalThis);
    this.#logger = childLogger(options.logger ?? defaultLogger, "fetch-client");
  }

  async send(
    endpoint: string,
    body: Uint8Array,
    options: { signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    const { signal } = options;
    if (signal?.aborted) throw new AbortedError(`request to /${endpoint} aborted`);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
      if (this.#cookie !== undefined) headers.Cookie = this.#cookie;
      let response: Response;
      try {
        response = await this.#fetch(`${this.#baseUrl}/${endpoint}`, {
          method: "POST",
          headers,
          // A copy, so the caller may reuse its buffer, typed as a plain ArrayBuffer for BodyInit.
          body: body.slice().buffer as ArrayBuffer,
          credentials: "same-origin",
          signal: controller.signal,
        });
      } catch (cause) {
        throw this.#networkError(endpoint, cause, timedOut, signal);
      }
      let reply: Uint8Array;
      try {
        reply = new Uint8Array(await response.arrayBuffer());
      } catch (cause) {
        throw this.#networkError(endpoint, cause, timedOut, signal);
      }
      if (response.status !== 200) throw httpStatusError(this.target, endpoint, response.status, reply);
      const setCookie = response.headers.get("set-cookie");
      const pair = setCookie?.split(";")[0]?.trim();
      if (pair && pair !== this.#cookie) {
        this.#logger.debug("session cookie set", { cookie: pair });
        this.#cookie = pair;
      }
      return reply;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** fetch keeps no connection of ours open; the cookie stays, as with the HTTP transport. */
  async close(): Promise<void> {}

  #networkError(endpoint: string, cause: unknown, timedOut: boolean, signal?: AbortSignal): Error {
    if (timedOut) {
      return new TimeoutError(`no reply from ${this.target} to /${endpoint} within ${this.#timeoutMs} ms`, {
        cause,
        hint: "the request may have reached the device; start a new session before retrying",
      });
    }
    if (signal?.aborted) return new AbortedError(`request to /${endpoint} aborted`);
    const code = causeCode(cause);
    const reason = unreachableReason(code, this.target);
    if (reason !== undefined) {
      return new TransportError(`cannot reach ${this.target}: ${reason}`, { cause, hint: UNREACHABLE_HINT });
    }
    return new TransportError(`${this.target} closed the connection without replying to /${endpoint}`, {
      code: ErrorCodes.CLOSED_WITHOUT_REPLY,
      cause,
      hint: CLOSED_HINT,
    });
  }
}
