/**
 * The client's HTTP transport, shaped like esp_prov's (protocol.md §2.4): one persistent connection,
 * esp_prov's request headers in its order and spelling, and the session cookie echoed on every request.
 *
 * node:http with a keep-alive Agent limited to one socket: global fetch would silently open new connections
 * after idle time, and a new connection without the cookie starts a new session on the device.
 * A request is never retried by itself: it may have reached the device, and resending an encrypted message
 * would desynchronise the cipher stream (sec1 CTR offset, sec2 nonce counter).
 */
import http from "node:http";
import { realClock, type Clock } from "../clock.js";
import { AbortedError, ErrorCodes, TimeoutError, TransportError } from "../errors.js";
import { childLogger, defaultLogger, type Logger } from "../logger.js";
import { formatHostPort, parseHostPort } from "./host-port.js";
import { CLOSED_HINT, httpStatusError, unreachableReason } from "./http-status.js";
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, type ClientTransport } from "./types.js";

export interface HttpClientTransportOptions {
  /** "host:port", "[v6]:port" or "http://host:port" of the device (esp_prov's --service_name). Port 80 if omitted. */
  serviceName: string;
  /** Longest wait for a whole request/reply. Default DEFAULT_REQUEST_TIMEOUT_MS (15 000 ms). */
  timeoutMs?: number;
  /** Longest wait for the TCP connection. Default DEFAULT_CONNECT_TIMEOUT_MS (5000 ms). */
  connectTimeoutMs?: number;
  /** Open a new connection (with the cookie) when the previous one was closed. Default true. */
  reconnect?: boolean;
  /** The clock both timeouts run on. Default real time; tests pass a VirtualClock and never wait. */
  clock?: Clock;
  logger?: Logger;
}

const UNREACHABLE_HINT =
  "join the device's Wi-Fi access point (its SoftAP, PROV_XXXXXX) with this computer first, and check " +
  "--service_name (ESP devices answer at 192.168.4.1:80)";
export class HttpClientTransport implements ClientTransport {
  readonly target: string;
  readonly #serviceName: string;
  readonly #host: string;
  readonly #port: number;
  readonly #timeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #reconnect: boolean;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #agent: http.Agent | undefined;
  #cookie: string | undefined;
  /** A connection was opened before and is known to be closed now. */
  #connectionLost = false;
  #connectedOnce = false;
  /** Sockets whose closing we already listen for. */
  readonly #watched = new WeakSet<object>();

  constructor(options: HttpClientTransportOptions) {
    const address = parseHostPort(options.serviceName, { defaultPort: 80, what: "service name" });
    // Sent as the Host header too, so always in host:port form (esp_prov sends --service_name verbatim,
    // which users write as host:port).
    this.#serviceName = this.target = formatHostPort(address);
    ({ host: this.#host, port: this.#port } = address);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#reconnect = options.reconnect ?? true;
    this.#clock = options.clock ?? realClock;
    this.#logger = childLogger(options.logger ?? defaultLogger, "http-client");
  }

  /** The exact `session=<id>` the device set, echoed as the Cookie header. */
  get cookie(): string | undefined {
    return this.#cookie;
  }

  send(endpoint: string, body: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new AbortedError(`request to /${endpoint} aborted`));
    if (this.#connectionLost && !this.#reconnect) {
      return Promise.reject(
        new TransportError(`the connection to ${this.#serviceName} was closed and reconnect is disabled`, {
          hint: "create a new transport to open a new connection",
        }),
      );
    }
    this.#agent ??= new http.Agent({ keepAlive: true, maxSockets: 1 });
    const agent = this.#agent;

    return new Promise<Uint8Array>((resolve, reject) => {
      let settled = false;
      let connected = false;
      let cancelConnectTimer: (() => void) | undefined;
      const settle = (error: Error | undefined, value?: Uint8Array) => {
        if (settled) return;
        settled = true;
        cancelOverallTimer();
        cancelConnectTimer?.();
        signal?.removeEventListener("abort", onAbort);
        if (error !== undefined) reject(error);
        else resolve(value!);
      };

      // Header order and spelling exactly as esp_prov (Python http.client) sends them (§2.4).
      const headers: Record<string, string> = {
        Host: this.#serviceName,
        "Accept-Encoding": "identity",
        "Content-Length": String(body.length),
        "Content-type": "application/x-www-form-urlencoded",
        Accept: "text/plain",
      };
      if (this.#cookie !== undefined) headers.Cookie = this.#cookie;
      const req = http.request({
        host: this.#host,
        port: this.#port,
        method: "POST",
        path: `/${endpoint}`,
        agent,
        headers,
      });
      // node:http would add "Connection: keep-alive"; esp_prov sends no Connection header.
      req.removeHeader("Connection");

      const fail = (error: Error) => {
        settle(error);
        req.destroy();
      };
      const cancelOverallTimer = this.#clock.setTimer(this.#timeoutMs, () => {
        fail(
          new TimeoutError(
            `no reply from ${this.#serviceName} to /${endpoint} within ${this.#timeoutMs} ms`,
            {
              hint: "the request may have reached the device; start a new session before retrying",
            },
          ),
        );
      });
      const onAbort = () => fail(new AbortedError(`request to /${endpoint} aborted`));
      signal?.addEventListener("abort", onAbort, { once: true });

      req.on("socket", (socket) => {
        const onConnected = () => {
          connected = true;
          cancelConnectTimer?.();
          if (!this.#connectedOnce || this.#connectionLost) {
            this.#logger.debug(`connected to ${this.#serviceName}`, { reconnect: this.#connectedOnce });
          }
          this.#connectedOnce = true;
          this.#connectionLost = false;
          if (!this.#watched.has(socket)) {
            this.#watched.add(socket);
            socket.once("close", () => {
              this.#connectionLost = true;
            });
          }
        };
        if (socket.connecting) {
          cancelConnectTimer = this.#clock.setTimer(this.#connectTimeoutMs, () => {
            // Never connected: unreachable, not a slow device (the request never left this machine).
            fail(
              new TransportError(
                `cannot reach ${this.#serviceName}: no connection within ${this.#connectTimeoutMs} ms`,
                { hint: UNREACHABLE_HINT },
              ),
            );
          });
          socket.once("connect", onConnected);
        } else if (!socket.destroyed && socket.remoteAddress !== undefined) {
          onConnected(); // a kept-alive socket, reused
        }
        // Otherwise the connect failed before this event (ENETUNREACH / EHOSTUNREACH fail inside the connect
        // call itself): `connected` stays false and the error below is reported as unreachable.
      });

      req.on("response", (res) => {
        // The device closes the connection after an error reply (§2.2 class 1): never hand that socket to
        // the next request.
        if (res.statusCode !== 200) req.shouldKeepAlive = false;
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (cause) => settle(this.#closedError(endpoint, cause)));
        res.on("end", () => {
          const reply = new Uint8Array(Buffer.concat(chunks));
          if (res.statusCode !== 200) {
            settle(httpStatusError(this.#serviceName, endpoint, res.statusCode ?? 0, reply));
            return;
          }
          this.#storeCookie(res.rawHeaders);
          settle(undefined, reply);
        });
      });

      req.on("error", (cause: NodeJS.ErrnoException) => {
        if (settled) return;
        settle(connected ? this.#closedError(endpoint, cause) : this.#unreachableError(cause));
      });

      req.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    });
  }

  /** Closes the connection; a later send opens a new one and still presents the cookie. */
  async close(): Promise<void> {
    this.#agent?.destroy();
    this.#agent = undefined;
  }

  /** esp_prov keeps the value of a header named exactly "Set-Cookie"; we keep its first name=value pair. */
  #storeCookie(rawHeaders: string[]): void {
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      if (rawHeaders[i] !== "Set-Cookie") continue;
      const pair = rawHeaders[i + 1]!.split(";")[0]!.trim();
      if (pair.length > 0 && pair !== this.#cookie) {
        this.#logger.debug("session cookie set", { cookie: pair });
        this.#cookie = pair;
      }
    }
  }

  #closedError(endpoint: string, cause: unknown): TransportError {
    this.#connectionLost = true;
    return new TransportError(`${this.#serviceName} closed the connection without replying to /${endpoint}`, {
      code: ErrorCodes.CLOSED_WITHOUT_REPLY,
      cause,
      hint: CLOSED_HINT,
    });
  }

  #unreachableError(cause: NodeJS.ErrnoException): TransportError {
    const reason = unreachableReason(cause.code, this.#host) ?? cause.message;
    return new TransportError(`cannot reach ${this.#serviceName}: ${reason}`, {
      cause,
      hint: UNREACHABLE_HINT,
    });
  }
}
