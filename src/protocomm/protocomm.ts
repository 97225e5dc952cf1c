/**
 * protocomm core (protocol.md §3): the endpoint registry and dispatch of the device, holding exactly one
 * security session. It knows nothing of HTTP: the transport decides which session a request belongs to
 * (§2.3) and calls openSession/handle; any throw from handle means "fail", which the HTTP transport turns into
 * closing the connection without a reply (§2.2 class 2).
 */
import { AuthenticationError, LockedOutError, ProtocolError, SessionError, UsageError } from "../errors.js";
import { childLogger, defaultLogger, type Logger } from "../logger.js";
import type { DeviceSecurity, DeviceSecuritySession } from "../security/types.js";
import type { HandshakeGuard } from "./handshake-guard.js";
import type { EndpointHandler } from "./types.js";

export type VersionReply = Uint8Array | string | (() => Uint8Array | string);

export interface ProtocommOptions {
  security: DeviceSecurity;
  logger?: Logger;
  /** Brute-force limit for prov-session; none by default (ESP-IDF has none). */
  handshakeGuard?: HandshakeGuard;
  /**
   * "esp" (default): one session; opening a new one destroys the old (ESP-IDF). "guarded": new sessions are
   * candidates held beside the current one, and replace it only once their handshake completes, so a station
   * that merely sends requests cannot break a running session (see SessionPolicy in transport).
   */
  policy?: "esp" | "guarded";
}

/**
 * Candidate sessions kept at once under the guarded policy, a last-resort bound (the transport already limits
 * them per peer address); the least recently used goes first.
 */
const MAX_CANDIDATES = 32;

type Endpoint =
  | { kind: "version"; reply: VersionReply }
  | { kind: "security" }
  | { kind: "request"; handler: EndpointHandler };

const encoder = new TextEncoder();

export class Protocomm {
  readonly #security: DeviceSecurity;
  readonly #logger: Logger;
  readonly #guard: HandshakeGuard | undefined;
  #refusalLoggedFor = 0;
  readonly #endpoints = new Map<string, Endpoint>();
  #sessionId: number | undefined;
  #session: DeviceSecuritySession | undefined;
  readonly #guarded: boolean;
  /** Guarded policy: sessions whose handshake has not completed yet, oldest first. */
  readonly #candidates = new Map<number, DeviceSecuritySession>();

  constructor(options: ProtocommOptions) {
    this.#security = options.security;
    this.#guarded = options.policy === "guarded";
    this.#logger = childLogger(options.logger ?? defaultLogger, "protocomm");
    this.#guard = options.handshakeGuard;
  }

  /** The version endpoint: never encrypted, answered whatever the session state (§3.1, §10 item 7). */
  setVersionEndpoint(name: string, reply: VersionReply): void {
    this.#add(name, { kind: "version", reply });
  }

  /** The security endpoint: its bodies are plaintext SessionData handled by the security scheme. */
  setSecurityEndpoint(name: string): void {
    this.#add(name, { kind: "security" });
  }

  /** A request endpoint: body decrypted with the session, handler output encrypted. */
  addEndpoint(name: string, handler: EndpointHandler): void {
    this.#add(name, { kind: "request", handler });
  }

  removeEndpoint(name: string): void {
    this.#endpoints.delete(name);
  }

  hasEndpoint(name: string): boolean {
    return this.#endpoints.has(name);
  }

  /** The id of the open session, if any. */
  get sessionId(): number | undefined {
    return this.#sessionId;
  }

  /** True when a session (current or candidate) has this id. */
  hasSession(id: number): boolean {
    return this.#sessionId === id || this.#candidates.has(id);
  }

  /**
   * Starts a new transport session; the previous session's keys are destroyed first (§2.3 step 2). Under the
   * guarded policy the new session is a candidate instead, and the current one stays.
   */
  openSession(id: number): void {
    if (this.#guarded) {
      this.#candidates.get(id)?.close();
      this.#candidates.delete(id);
      this.#candidates.set(id, this.#security.createSession());
      while (this.#candidates.size > MAX_CANDIDATES) {
        const [oldest, session] = this.#candidates.entries().next().value as [number, DeviceSecuritySession];
        session.close();
        this.#candidates.delete(oldest);
      }
      this.#logger.debug("candidate session opened", { sessionId: id });
      return;
    }
    this.#closeCurrent();
    this.#session = this.#security.createSession();
    this.#sessionId = id;
    this.#logger.debug("session opened", { sessionId: id });
  }

  closeSession(id: number): void {
    const candidate = this.#candidates.get(id);
    if (candidate !== undefined) {
      candidate.close();
      this.#candidates.delete(id);
    }
    if (this.#sessionId !== id) return;
    this.#closeCurrent();
  }

  /** Processes one request; resolves with the reply body, throws on any failure. */
  async handle(sessionId: number, endpoint: string, body: Uint8Array): Promise<Uint8Array> {
    const entry = this.#endpoints.get(endpoint);
    if (entry === undefined) {
      // §3.1: lookup is by exact name; a query string or suffix makes the name unknown ⇒ failure.
      throw new ProtocolError(`no endpoint named ${JSON.stringify(endpoint)}`);
    }
    switch (entry.kind) {
      case "version":
        return this.#versionReply(entry.reply);
      case "security":
        return this.#handshake(sessionId, body);
      case "request":
        return this.#request(sessionId, endpoint, entry.handler, body);
    }
  }

  /** Destroys the session (provisioning stopped). Endpoints stay registered. */
  close(): void {
    this.#closeCurrent();
    for (const session of this.#candidates.values()) session.close();
    this.#candidates.clear();
  }

  #add(name: string, endpoint: Endpoint): void {
    if (name.length === 0 || name.startsWith("/")) {
      throw new UsageError(
        `invalid endpoint name ${JSON.stringify(name)}: give the name without a leading '/'`,
      );
    }
    this.#endpoints.set(name, endpoint);
  }

  #closeCurrent(): void {
    if (this.#session !== undefined) {
      this.#session.close();
      this.#logger.debug("session closed", { sessionId: this.#sessionId });
    }
    this.#session = undefined;
    this.#sessionId = undefined;
  }

  #versionReply(reply: VersionReply): Uint8Array {
    const value = typeof reply === "function" ? reply() : reply;
    return typeof value === "string" ? encoder.encode(value) : value;
  }

  #sessionFor(sessionId: number): DeviceSecuritySession {
    const candidate = this.#candidates.get(sessionId);
    if (candidate !== undefined) {
      // Most recently used last, so the bound evicts idle candidates first.
      this.#candidates.delete(sessionId);
      this.#candidates.set(sessionId, candidate);
      return candidate;
    }
    if (this.#session === undefined || this.#sessionId !== sessionId) {
      throw new SessionError(`no security session with id ${sessionId}`);
    }
    return this.#session;
  }

  #handshake(sessionId: number, body: Uint8Array): Uint8Array {
    try {
      this.#guard?.check();
    } catch (error) {
      // Once per lockout, so a flood of refused handshakes does not flood the log. The wait is said here
      // because a refusal reaches the client only as a closed connection.
      if (error instanceof LockedOutError && this.#refusalLoggedFor !== this.#guard!.lockedUntil) {
        this.#refusalLoggedFor = this.#guard!.lockedUntil;
        this.#logger.warn(
          `refusing handshakes after ${this.#guard!.failures} failed in a row; retry in ${Math.ceil(error.retryAfterMs / 1000)} s`,
          { failures: this.#guard!.failures, retryInMs: error.retryAfterMs },
        );
      }
      throw error;
    }
    const session = this.#sessionFor(sessionId);
    let reply: Uint8Array;
    try {
      reply = session.handshake(body);
    } catch (error) {
      if (error instanceof AuthenticationError) {
        this.#logger.warn("handshake failed: proof did not verify", { sessionId });
        this.#guard?.recordFailure();
      }
      // A candidate that failed its handshake is of no use to anyone.
      if (this.#candidates.get(sessionId) === session) this.closeSession(sessionId);
      throw error;
    }
    if (session.established) {
      this.#guard?.recordSuccess();
      this.#promote(sessionId, session);
    }
    return reply;
  }

  /** Guarded policy: a candidate whose handshake completed replaces the current session. */
  #promote(sessionId: number, session: DeviceSecuritySession): void {
    if (this.#candidates.get(sessionId) !== session) return;
    this.#candidates.delete(sessionId);
    if (this.#session !== undefined) {
      this.#logger.warn("session replaced: another client completed a handshake", {
        sessionId: this.#sessionId,
      });
    }
    this.#closeCurrent();
    this.#session = session;
    this.#sessionId = sessionId;
  }

  async #request(
    sessionId: number,
    endpoint: string,
    handler: EndpointHandler,
    body: Uint8Array,
  ): Promise<Uint8Array> {
    const session = this.#sessionFor(sessionId);
    if (!session.established) {
      // §3.1: no automatic handshake; request endpoints before prov-session completes fail.
      throw new SessionError(`request to ${endpoint} before the handshake completed`);
    }
    if (this.#candidates.get(sessionId) === session) {
      // Guarded: a candidate is served only when nobody holds the device (sec0 needs no prov-session).
      if (this.#session !== undefined) {
        throw new SessionError(`request to ${endpoint} from a session that has not completed a handshake`);
      }
      this.#promote(sessionId, session);
    }
    const plaintext = session.decrypt(body);
    if (session.version === 2 && plaintext.length === 0) {
      // §3.1 note: an ESP32 fails a zero-byte allocation, so an empty sec2 plaintext is a failure.
      throw new ProtocolError(`empty request to ${endpoint}`);
    }
    const output = await handler(plaintext, { sessionId, endpoint });
    if (this.#session !== session) {
      // A new client took over while the handler ran: its keys are not ours to use.
      throw new SessionError(`session ${sessionId} was replaced while ${endpoint} was being handled`);
    }
    if (session.version === 1 && output.length === 0) {
      // §3.1 note: sec1 devices fail on an empty handler reply (zero-byte allocation).
      throw new ProtocolError(`empty reply from ${endpoint}`);
    }
    return session.encrypt(output);
  }
}
