/**
 * The client's HTTP transport, shaped like esp_prov's (protocol.md §2.4): one persistent connection,
 * esp_prov's request headers in its order and spelling, and the session cookie echoed on every request.
 *
 * A small HTTP/1.1 client on `net`, not node:http: a provisioning session is a new connection and a handful of
 * small exchanges, and node:http's agent and request/response objects cost more CPU than everything else in it
 * but the crypto (a connection and six exchanges on loopback: 1.25 ms of CPU through node:http, 0.47 ms on a raw
 * socket; README "Where the time went"). Never global fetch: it silently opens new connections after idle
 * time, and a new connection without the cookie starts a new session on a v4.0 device.
 *
 * One request at a time, in call order. A reply is framed by Content-Length (ESP's httpd always sends it),
 * chunked encoding, or the end of the connection. A request is never retried by itself: it may have reached
 * the device, and resending an encrypted message would desynchronise the cipher stream (sec1 CTR offset, sec2
 * nonce counter).
 */
import net from "node:net";
import { AbortedError, ErrorCodes, TimeoutError, TransportError, UsageError } from "../errors.js";
import { childLogger, defaultLogger, type Logger } from "../logger.js";
import { formatHostPort, parseHostPort } from "./host-port.js";
import { CLOSED_HINT, httpStatusError, unreachableReason } from "./http-status.js";
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, type ClientTransport } from "./types.js";
import { parseReply, type ReplyParse } from "./http-reply.js";

export interface HttpClientTransportOptions {
  /** "host:port", "[v6]:port" or "http://host:port" of the device (esp_prov's --service_name). Port 80 if omitted. */
  serviceName: string;
  /** Longest wait for a whole request/reply. Default DEFAULT_REQUEST_TIMEOUT_MS (15 000 ms). */
  timeoutMs?: number;
  /** Longest wait for the TCP connection. Default DEFAULT_CONNECT_TIMEOUT_MS (5000 ms). */
  connectTimeoutMs?: number;
  /** Open a new connection (with the cookie) when the previous one was closed. Default true. */
  reconnect?: boolean;
  logger?: Logger;
}

const UNREACHABLE_HINT =
  "join the device's Wi-Fi access point (its SoftAP, PROV_XXXXXX) with this computer first, and check " +
  "--service_name (ESP devices answer at 192.168.4.1:80)";

/** Characters an endpoint may have to stand in a request line as it is (no encoding is applied). */
const PLAIN_PATH = /^[\x21-\x7e]*$/;

interface Request {
  readonly endpoint: string;
  readonly body: Uint8Array;
  readonly resolve: (reply: Uint8Array) => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
}

/** One TCP connection and what arrived on it. */
interface Connection {
  readonly socket: net.Socket;
  connected: boolean;
  buffer: Buffer;
  connectTimer: NodeJS.Timeout | undefined;
}

export class HttpClientTransport implements ClientTransport {
  readonly target: string;
  readonly #serviceName: string;
  readonly #host: string;
  readonly #port: number;
  readonly #timeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #reconnect: boolean;
  readonly #logger: Logger;
  #cookie: string | undefined;
  /** A connection was opened before and is known to be closed now. */
  #connectionLost = false;
  #connectedOnce = false;
  #connection: Connection | undefined;
  /** The request on the wire, and those waiting for it to finish. */
  #active: Request | undefined;
  readonly #waiting: Request[] = [];

  constructor(options: HttpClientTransportOptions) {
    const address = parseHostPort(options.serviceName, { defaultPort: 80, what: "service name" });
    // Sent as the Host header too, so always in host:port form (esp_prov sends --service_name verbatim,
    // which users write as host:port).
    this.#serviceName = this.target = formatHostPort(address);
    ({ host: this.#host, port: this.#port } = address);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#reconnect = options.reconnect ?? true;
    this.#logger = childLogger(options.logger ?? defaultLogger, "http-client");
  }

  /** The exact `session=<id>` the device set, echoed as the Cookie header. */
  get cookie(): string | undefined {
    return this.#cookie;
  }

  send(endpoint: string, body: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new AbortedError(`request to /${endpoint} aborted`));
    if (!PLAIN_PATH.test(endpoint)) {
      return Promise.reject(
        new UsageError(`the endpoint name ${JSON.stringify(endpoint)} cannot be sent as an HTTP path`, {
          hint: "use an endpoint name without spaces or control characters, as the device registered it",
        }),
      );
    }
    return new Promise<Uint8Array>((resolve, reject) => {
      const request: Request = {
        endpoint,
        body,
        resolve,
        reject,
        signal,
        onAbort: undefined,
        timer: undefined,
        settled: false,
      };
      // The timeout and the abort count from the call, also while the request waits for an earlier one.
      request.timer = setTimeout(() => {
        this.#fail(
          request,
          new TimeoutError(
            `no reply from ${this.#serviceName} to /${endpoint} within ${this.#timeoutMs} ms`,
            {
              hint: "the request may have reached the device; start a new session before retrying",
            },
          ),
        );
      }, this.#timeoutMs);
      if (signal !== undefined) {
        request.onAbort = () => this.#fail(request, new AbortedError(`request to /${endpoint} aborted`));
        signal.addEventListener("abort", request.onAbort, { once: true });
      }
      this.#waiting.push(request);
      this.#next();
    });
  }

  /** Closes the connection; a later send opens a new one and still presents the cookie. */
  async close(): Promise<void> {
    const connection = this.#connection;
    if (connection === undefined) return;
    this.#drop(connection);
    // A request on that connection was cut off without its reply.
    const active = this.#active;
    if (active !== undefined) this.#fail(active, this.#closedError(active.endpoint, undefined));
  }

  /** Starts the next waiting request when none is on the wire. */
  #next(): void {
    while (this.#active === undefined) {
      const request = this.#waiting.shift();
      if (request === undefined) return;
      if (request.settled) continue;
      if (this.#connectionLost && !this.#reconnect && this.#connection === undefined) {
        this.#settle(
          request,
          new TransportError(`the connection to ${this.#serviceName} was closed and reconnect is disabled`, {
            hint: "create a new transport to open a new connection",
          }),
        );
        continue;
      }
      this.#active = request;
      const connection = this.#connection ?? this.#open();
      if (connection.connected) this.#write(connection, request);
      // Otherwise it is written once the connection opens.
    }
  }

  #open(): Connection {
    const socket = net.connect({ host: this.#host, port: this.#port, noDelay: true });
    const connection: Connection = {
      socket,
      connected: false,
      buffer: Buffer.alloc(0),
      connectTimer: undefined,
    };
    this.#connection = connection;
    connection.connectTimer = setTimeout(() => {
      // Never connected: unreachable, not a slow device (the request never left this machine).
      const error = new TransportError(
        `cannot reach ${this.#serviceName}: no connection within ${this.#connectTimeoutMs} ms`,
        { hint: UNREACHABLE_HINT },
      );
      this.#drop(connection);
      this.#failActive(error);
    }, this.#connectTimeoutMs);
    socket.once("connect", () => {
      clearTimeout(connection.connectTimer);
      connection.connected = true;
      if (!this.#connectedOnce || this.#connectionLost) {
        this.#logger.debug(`connected to ${this.#serviceName}`, { reconnect: this.#connectedOnce });
      }
      this.#connectedOnce = true;
      this.#connectionLost = false;
      if (this.#connection !== connection) return;
      if (this.#active !== undefined) this.#write(connection, this.#active);
    });
    socket.on("data", (chunk: Buffer) => this.#onData(connection, chunk));
    socket.on("end", () => this.#onEnd(connection));
    socket.on("error", (cause: NodeJS.ErrnoException) => {
      if (this.#connection !== connection) return;
      const active = this.#active;
      this.#drop(connection);
      if (active === undefined) return;
      this.#fail(
        active,
        connection.connected ? this.#closedError(active.endpoint, cause) : this.#unreachableError(cause),
      );
    });
    socket.on("close", () => {
      if (this.#connection !== connection) return;
      const active = this.#active;
      this.#drop(connection);
      if (active !== undefined) this.#fail(active, this.#closedError(active.endpoint, undefined));
    });
    return connection;
  }

  #write(connection: Connection, request: Request): void {
    // Header order and spelling exactly as esp_prov (Python http.client) sends them (§2.4).
    let head =
      `POST /${request.endpoint} HTTP/1.1\r\nHost: ${this.#serviceName}\r\nAccept-Encoding: identity\r\n` +
      `Content-Length: ${request.body.length}\r\nContent-type: application/x-www-form-urlencoded\r\n` +
      `Accept: text/plain\r\n`;
    if (this.#cookie !== undefined) head += `Cookie: ${this.#cookie}\r\n`;
    head += "\r\n";
    // One write, so that head and body leave in one segment (the socket has Nagle off).
    const bytes = Buffer.allocUnsafe(Buffer.byteLength(head, "latin1") + request.body.length);
    const headLength = bytes.write(head, 0, "latin1");
    bytes.set(request.body, headLength);
    connection.socket.write(bytes);
  }

  #onData(connection: Connection, chunk: Buffer): void {
    if (this.#connection !== connection) return;
    connection.buffer = connection.buffer.length === 0 ? chunk : Buffer.concat([connection.buffer, chunk]);
    this.#readReply(connection, false);
  }

  /** The device closed its side: a reply framed by the end of the connection is complete now. */
  #onEnd(connection: Connection): void {
    if (this.#connection !== connection) return;
    if (this.#active !== undefined && connection.buffer.length > 0) this.#readReply(connection, true);
    if (this.#connection !== connection) return;
    const active = this.#active;
    this.#drop(connection);
    if (active !== undefined) this.#fail(active, this.#closedError(active.endpoint, undefined));
  }

  #readReply(connection: Connection, ended: boolean): void {
    const request = this.#active;
    if (request === undefined) {
      // Bytes nobody asked for: the connection is out of step, so it is not used again.
      this.#drop(connection);
      return;
    }
    let parsed: ReplyParse;
    for (;;) {
      parsed = parseReply(connection.buffer, ended);
      // An interim 1xx reply is followed by the real one.
      if (parsed.kind === "reply" && parsed.status >= 100 && parsed.status < 200) {
        connection.buffer = connection.buffer.subarray(parsed.length);
        continue;
      }
      break;
    }
    if (parsed.kind === "incomplete") return;
    if (parsed.kind === "malformed") {
      this.#drop(connection);
      this.#fail(
        request,
        new TransportError(
          `${this.#serviceName} sent a malformed HTTP reply to /${request.endpoint} (${parsed.reason})`,
          {
            code: ErrorCodes.CLOSED_WITHOUT_REPLY,
            hint: "check --service_name: the server there does not answer as a provisioning device does",
          },
        ),
      );
      return;
    }
    connection.buffer = connection.buffer.subarray(parsed.length);
    // The device closes the connection after an error reply (§2.2 class 1), and a reply may ask for it; bytes
    // after the reply mean the connection is out of step: none of these is used for the next request.
    if (parsed.status !== 200 || parsed.close || connection.buffer.length > 0) this.#drop(connection);
    if (parsed.status !== 200) {
      this.#fail(request, httpStatusError(this.#serviceName, request.endpoint, parsed.status, parsed.body));
      return;
    }
    this.#storeCookie(parsed.rawHeaders);
    this.#settle(request, undefined, parsed.body);
  }

  /** Forgets a connection and closes its socket. */
  #drop(connection: Connection): void {
    clearTimeout(connection.connectTimer);
    if (connection.connected) this.#connectionLost = true;
    if (this.#connection === connection) this.#connection = undefined;
    connection.buffer = Buffer.alloc(0);
    connection.socket.destroy();
  }

  #failActive(error: Error): void {
    if (this.#active !== undefined) this.#fail(this.#active, error);
  }

  /** Ends a request with an error; one on the wire takes its connection down with it (its reply is lost). */
  #fail(request: Request, error: Error): void {
    if (request.settled) return;
    if (request === this.#active && this.#connection !== undefined) this.#drop(this.#connection);
    this.#settle(request, error);
  }

  #settle(request: Request, error: Error | undefined, reply?: Uint8Array): void {
    if (request.settled) return;
    request.settled = true;
    clearTimeout(request.timer);
    if (request.onAbort !== undefined) request.signal?.removeEventListener("abort", request.onAbort);
    if (this.#active === request) this.#active = undefined;
    if (error !== undefined) request.reject(error);
    else request.resolve(reply!);
    this.#next();
  }

  /** esp_prov keeps the value of a header named exactly "Set-Cookie"; we keep its first name=value pair. */
  #storeCookie(rawHeaders: readonly string[]): void {
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
      ...(cause !== undefined ? { cause } : {}),
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
