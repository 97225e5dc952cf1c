/**
 * The device's HTTP server, behaving like ESP-IDF's esp_http_server + protocomm_httpd (protocol.md §2.1–§2.3).
 *
 * Built on a raw `net` server with a small strict parser rather than node:http, because node:http cannot
 * produce ESP's bytes or its failure classes: it adds Date/Connection/Keep-Alive headers, answers malformed
 * requests itself (with its own status lines and bodies), accepts chunked bodies and applies idle timeouts.
 * ESP's two failure classes (§2.2) are: an error reply from the framework then close, and — for every
 * provisioning-level failure — closing the connection without any reply. Both are reproduced here exactly.
 */
import { realClock } from "../clock.js";
import type { Clock } from "../clock.js";
import net from "node:net";
import { randomBytes } from "node:crypto";
import { TransportError, UsageError } from "../errors.js";
import { childLogger, defaultLogger, type Logger } from "../logger.js";
import type { Protocomm } from "../protocomm/index.js";
import { DeviceSessionTracker } from "./device-session-tracker.js";
import {
  headerList,
  headerValue,
  leadingBlankBytes,
  parseRequestHead,
  type HeadLimits,
  type HttpErrorStatus,
  type RequestHead,
} from "./http-request-head.js";
import { errorResponse, pageResponse, successResponse } from "./http-responses.js";
import type { PageReply, PageRequest } from "./http-responses.js";

/** protocomm_httpd refuses bodies over 4 KiB (MAX_REQ_BODY_LEN). */
export const MAX_BODY_BYTES = 4096;
/** Listen backlog of the device (esp_http_server backlog_conn = 5). */
const BACKLOG = 5;

/**
 * "esp": ESP-IDF's rules exactly — one connection (LRU purge) and a request that is not the current session's
 * replaces it, which lets any station on the SoftAP break a running session. "guarded": several connections
 * (bounded, a few per peer address), connections outside the current session evicted first, and a session
 * replaced only when another client completes a handshake (the protocomm must use the guarded policy too).
 * Failures still close without a reply, as ESP does (Espressif's Android library relies on it).
 */
export type SessionPolicy = "esp" | "guarded";

/** Guarded policy defaults: connections in all, and per peer address. */
export const GUARDED_MAX_CONNECTIONS = 8;
export const GUARDED_MAX_PER_PEER = 3;

export interface DeviceHttpServerOptions {
  protocomm: Protocomm;
  /** Default "esp". See SessionPolicy. */
  sessionPolicy?: SessionPolicy;
  /** Guarded policy: connections one peer address may hold at once (default 3). */
  maxConnectionsPerPeer?: number;
  /** true (default): v5.5 cookie + socket session rule. false: IDF v4.0, session = socket, no cookies. */
  cookies?: boolean;
  /** Header block limit. Default 1024 (CONFIG_HTTPD_MAX_REQ_HDR_LEN), or 512 when cookies is false (v4.0). */
  maxHeaderBytes?: number;
  /** Request target limit. Default 512 (CONFIG_HTTPD_MAX_URI_LEN). */
  maxUriBytes?: number;
  /** Longest wait for the next bytes of a started request (recv_wait_timeout). Default 5000 ms. */
  receiveTimeoutMs?: number;
  /** The time the timeouts run on. Default: real time. */
  clock?: Clock;
  /**
   * Simultaneous connections; a new one first closes the least recently used. Default 1 (max_open_sockets),
   * 8 under the guarded policy.
   */
  maxConnections?: number;
  logger?: Logger;
  /** Session id source, full 32-bit range (esp_random()). Injectable for tests. */
  randomSessionId?: () => number;
  /**
   * Answers GET requests on paths that are not endpoints (a captive portal's page, assets and OS probes);
   * undefined = no page there (404). Absent (default): GET is refused exactly as ESP's httpd refuses it.
   * Pages never touch the protocomm session.
   */
  pages?: (request: PageRequest) => PageReply | undefined;
}

type ConnectionState = "head" | "body" | "busy" | "closed";

interface Connection {
  readonly id: number;
  readonly socket: net.Socket;
  buffer: Buffer;
  state: ConnectionState;
  /** The request being read: its head, session and body length. */
  request:
    { head: RequestHead; endpoint: string; sessionId: number; isNew: boolean; length: number } | undefined;
  /** This connection started a session (ESP attaches the close callback to it). */
  createdSession: boolean;
  /** The session of its last request (guarded eviction spares connections of the current session). */
  sessionId: number | undefined;
  readonly peer: string;
  /** The client half-closed: finish what is buffered, then close. */
  ended: boolean;
  lastUsed: number;
  /** Cancels the pending receive/send timeout. */
  timer: (() => void) | undefined;
}

const defaultRandomSessionId = () => randomBytes(4).readUInt32BE(0);

export class DeviceHttpServer {
  readonly #protocomm: Protocomm;
  readonly #cookies: boolean;
  readonly #limits: HeadLimits;
  readonly #receiveTimeoutMs: number;
  readonly #clock: Clock;
  readonly #maxConnections: number;
  readonly #maxPerPeer: number;
  readonly #guarded: boolean;
  readonly #logger: Logger;
  readonly #tracker: DeviceSessionTracker;
  readonly #connections = new Map<number, Connection>();
  /** Most bytes buffered per connection before reading pauses: head limits plus one full body. */
  readonly #bufferBound: number;
  readonly #pages: ((request: PageRequest) => PageReply | undefined) | undefined;
  #server: net.Server | undefined;
  #nextConnectionId = 1;
  #useCounter = 0;

  constructor(options: DeviceHttpServerOptions) {
    this.#protocomm = options.protocomm;
    this.#cookies = options.cookies ?? true;
    this.#limits = {
      maxHeaderBytes: options.maxHeaderBytes ?? (this.#cookies ? 1024 : 512),
      maxUriBytes: options.maxUriBytes ?? 512,
    };
    this.#receiveTimeoutMs = options.receiveTimeoutMs ?? 5000;
    this.#clock = options.clock ?? realClock;
    this.#guarded = options.sessionPolicy === "guarded";
    this.#maxConnections = Math.max(
      1,
      options.maxConnections ?? (this.#guarded ? GUARDED_MAX_CONNECTIONS : 1),
    );
    this.#maxPerPeer = Math.max(1, options.maxConnectionsPerPeer ?? GUARDED_MAX_PER_PEER);
    this.#logger = childLogger(options.logger ?? defaultLogger, "httpd");
    this.#tracker = new DeviceSessionTracker({
      protocomm: options.protocomm,
      cookies: this.#cookies,
      guarded: this.#guarded,
      maxSessionsPerPeer: Math.max(1, options.maxConnectionsPerPeer ?? GUARDED_MAX_PER_PEER),
      randomId: options.randomSessionId ?? defaultRandomSessionId,
      logger: this.#logger,
    });
    this.#pages = options.pages;
    this.#bufferBound = this.#limits.maxUriBytes + 64 + this.#limits.maxHeaderBytes + MAX_BODY_BYTES;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  async listen(address: { host: string; port: number }): Promise<{ host: string; port: number }> {
    if (this.#server !== undefined) throw new UsageError("the HTTP server is already listening");
    // allowHalfOpen: a client that half-closes after its last request still gets the reply (esp_prov does).
    const server = net.createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (cause: Error) => {
        this.#server = undefined;
        reject(
          new TransportError(`cannot listen on ${address.host}:${address.port}: ${cause.message}`, {
            cause,
            hint:
              (cause as NodeJS.ErrnoException).code === "EADDRINUSE"
                ? `another service uses port ${address.port}: stop it, or choose a free port`
                : `check that ${address.host} is an address of this machine and the port is allowed`,
          }),
        );
      };
      server.once("error", onError);
      server.listen({ host: address.host, port: address.port, backlog: BACKLOG }, () => {
        server.off("error", onError);
        resolve();
      });
    });
    server.on("error", (error) => this.#logger.error("server error", { error: error.message }));
    const bound = server.address() as net.AddressInfo;
    this.#logger.info("listening", { host: bound.address, port: bound.port });
    return { host: bound.address, port: bound.port };
  }

  /** Stops listening, closes every connection and destroys the session (protocol.md §2.3 item 6). */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const connection of [...this.#connections.values()]) this.#drop(connection, "server stopping");
    this.#tracker.reset();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(socket: net.Socket): void {
    const peer = socket.remoteAddress ?? "";
    if (this.#guarded) {
      // A few connections per peer address: a flood from one station only recycles its own slots.
      const own = [...this.#connections.values()].filter((c) => c.peer === peer);
      if (own.length >= this.#maxPerPeer)
        this.#drop(this.#victim(own)!, "purged: too many connections from this peer");
    }
    // max_open_sockets with LRU purge: the least recently used connection is closed before the new one is served.
    while (this.#connections.size >= this.#maxConnections) {
      const victim = this.#victim([...this.#connections.values()]);
      if (victim === undefined) break;
      this.#drop(victim, "purged for a new connection (LRU)");
    }
    const connection: Connection = {
      id: this.#nextConnectionId++,
      socket,
      buffer: Buffer.alloc(0),
      state: "head",
      request: undefined,
      createdSession: false,
      sessionId: undefined,
      peer,
      ended: false,
      lastUsed: ++this.#useCounter,
      timer: undefined,
    };
    this.#connections.set(connection.id, connection);
    this.#logger.debug("connection opened", { connection: connection.id, remote: socket.remoteAddress });
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#onData(connection, chunk));
    socket.on("end", () => {
      connection.ended = true;
      this.#pump(connection);
    });
    socket.on("error", (error) =>
      this.#logger.debug("socket error", { connection: connection.id, error: error.message }),
    );
    socket.on("close", () => this.#drop(connection, "closed"));
  }

  /**
   * The connection to close for a new one: the least recently used, and under the guarded policy the least
   * recently used of those outside the current session when there is one.
   */
  #victim(candidates: Connection[]): Connection | undefined {
    const current = this.#protocomm.sessionId;
    const outside = this.#guarded
      ? candidates.filter((c) => c.sessionId === undefined || c.sessionId !== current)
      : [];
    let oldest: Connection | undefined;
    for (const c of outside.length > 0 ? outside : candidates)
      if (oldest === undefined || c.lastUsed < oldest.lastUsed) oldest = c;
    return oldest;
  }

  #onData(connection: Connection, chunk: Buffer): void {
    if (connection.state === "closed") return;
    connection.buffer = connection.buffer.length === 0 ? chunk : Buffer.concat([connection.buffer, chunk]);
    connection.lastUsed = ++this.#useCounter;
    // The receive timeout is per recv(): every arrival restarts it.
    this.#clearTimer(connection);
    if (connection.buffer.length > this.#bufferBound) connection.socket.pause();
    this.#pump(connection);
  }

  /** Advances the connection as far as the buffered bytes allow; requests are handled strictly in order. */
  #pump(connection: Connection): void {
    while (connection.state === "head" || connection.state === "body") {
      if (connection.state === "head" && !this.#readHead(connection)) break;
      if (connection.state === "body" && !this.#readBody(connection)) break;
    }
    if (connection.state !== "closed" && connection.state !== "busy") {
      if (connection.buffer.length <= this.#bufferBound) connection.socket.resume();
    }
  }

  /** Returns true when the state moved on and the loop should continue. */
  #readHead(connection: Connection): boolean {
    const blank = leadingBlankBytes(connection.buffer);
    if (blank > 0) connection.buffer = connection.buffer.subarray(blank);
    if (connection.buffer.length === 0) {
      // Idle keep-alive connection: ESP never times it out; close only when the client has gone.
      if (connection.ended) this.#finish(connection);
      return false;
    }
    const parsed = parseRequestHead(connection.buffer, this.#limits);
    if (parsed.kind === "incomplete") {
      // A client that stops mid-head and closes gets no reply; one that stalls gets 408 after the timeout.
      if (connection.ended) this.#closeWithoutReply(connection, "connection ended inside a request head");
      else this.#armTimer(connection, () => this.#sendError(connection, 408, "request head stalled"));
      return false;
    }
    if (parsed.kind === "error") {
      this.#sendError(connection, parsed.status, parsed.reason);
      return false;
    }
    const head = parsed.head;
    connection.buffer = connection.buffer.subarray(parsed.length);

    // URI handler lookup matches the path only; the endpoint name handed to protocomm is the full target
    // minus '/', so a query string matches the handler but not the endpoint (§2.2 class 2).
    const cut = head.uri.search(/[?#]/);
    const path = cut === -1 ? head.uri : head.uri.slice(0, cut);
    const registered = path.startsWith("/") && this.#protocomm.hasEndpoint(path.slice(1));
    if (!registered && head.method === "GET" && this.#pages !== undefined) {
      const page = this.#pages({
        path,
        host: headerValue(head, "Host"),
        acceptEncoding: headerList(head, "Accept-Encoding"),
        ifNoneMatch: headerList(head, "If-None-Match"),
      });
      if (page !== undefined) {
        connection.socket.write(pageResponse(page));
        this.#logger.debug("page served", { connection: connection.id, path, status: page.status });
        return true;
      }
    }
    if (!registered) {
      this.#sendError(connection, 404, `no handler for ${path}`);
      return false;
    }
    if (head.method !== "POST") {
      this.#sendError(connection, 405, `${head.method} on ${path}`);
      return false;
    }

    const decision = this.#tracker.resolve(
      connection.id,
      this.#cookies ? headerValue(head, "Cookie") : undefined,
      connection.peer,
    );
    if (decision.isNew) connection.createdSession = true;
    connection.sessionId = decision.sessionId;

    const length = head.contentLength ?? 0;
    if (head.chunked || length <= 0 || length > MAX_BODY_BYTES) {
      this.#closeWithoutReply(connection, `unacceptable body length (${head.chunked ? "chunked" : length})`);
      return false;
    }
    connection.request = { head, endpoint: head.uri.slice(1), ...decision, length };
    connection.state = "body";
    return true;
  }

  #readBody(connection: Connection): boolean {
    const request = connection.request!;
    if (connection.buffer.length < request.length) {
      // A short body is a provisioning-level failure: no reply, just close (§2.2).
      if (connection.ended) this.#closeWithoutReply(connection, "connection ended inside a body");
      else this.#armTimer(connection, () => this.#closeWithoutReply(connection, "body stalled"));
      return false;
    }
    this.#clearTimer(connection);
    const body = new Uint8Array(connection.buffer.subarray(0, request.length));
    connection.buffer = connection.buffer.subarray(request.length);
    connection.state = "busy";
    connection.socket.pause();
    void this.#process(connection, body);
    return false;
  }

  async #process(connection: Connection, body: Uint8Array): Promise<void> {
    const request = connection.request!;
    let reply: Uint8Array;
    try {
      reply = await this.#protocomm.handle(request.sessionId, request.endpoint, body);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#closeWithoutReply(connection, `${request.endpoint} failed: ${message}`);
      return;
    }
    if (connection.state === "closed") return;
    // Set-Cookie only on the successful reply of the request that started the session (§2.3 step 4).
    const setCookie = this.#cookies && request.isNew ? `session=${request.sessionId}` : undefined;
    const flushed = connection.socket.write(successResponse(reply, setCookie));
    this.#logger.debug("request served", {
      connection: connection.id,
      endpoint: request.endpoint,
      request: body.length,
      reply: reply.length,
    });
    connection.request = undefined;
    if (!flushed) {
      // The client pipelines requests but does not read the replies: read nothing more from it until the
      // reply has left, or a pipelining client could make the device queue replies without bound. Like
      // esp_http_server's send_wait_timeout (5 s), a reply that cannot leave in time closes the connection.
      this.#armTimer(connection, () => this.#closeWithoutReply(connection, "reply not read in time"));
      connection.socket.once("drain", () => {
        if (connection.state !== "busy") return;
        this.#clearTimer(connection);
        connection.state = "head";
        this.#pump(connection);
      });
      return;
    }
    connection.state = "head";
    this.#pump(connection);
  }

  #armTimer(connection: Connection, onTimeout: () => void): void {
    this.#clearTimer(connection);
    connection.timer = this.#clock.setTimer(this.#receiveTimeoutMs, onTimeout);
  }

  #clearTimer(connection: Connection): void {
    connection.timer?.();
    connection.timer = undefined;
  }

  /** Class 1 (§2.2): the framework's error reply, then close. */
  #sendError(connection: Connection, status: HttpErrorStatus, reason: string): void {
    if (connection.state === "closed") return;
    this.#logger.debug("HTTP error reply", { connection: connection.id, status, reason });
    const socket = connection.socket;
    this.#markClosed(connection);
    socket.end(errorResponse(status), () => socket.destroy());
  }

  /** Class 2 (§2.2): ESP's way of saying "failed" — no reply at all. */
  #closeWithoutReply(connection: Connection, reason: string): void {
    if (connection.state === "closed") return;
    this.#logger.debug("closing without reply", { connection: connection.id, reason });
    this.#markClosed(connection);
    connection.socket.destroy();
  }

  /** The client half-closed and everything it sent is answered: close our side too. */
  #finish(connection: Connection): void {
    const socket = connection.socket;
    this.#markClosed(connection);
    socket.end(() => socket.destroy());
  }

  #drop(connection: Connection, reason: string): void {
    if (connection.state !== "closed") {
      this.#markClosed(connection);
      connection.socket.destroy();
    }
    if (this.#connections.delete(connection.id)) {
      this.#logger.debug("connection closed", { connection: connection.id, reason });
      this.#tracker.connectionClosed(connection.id, connection.createdSession);
    }
  }

  #markClosed(connection: Connection): void {
    connection.state = "closed";
    connection.buffer = Buffer.alloc(0);
    connection.request = undefined;
    this.#clearTimer(connection);
  }
}
