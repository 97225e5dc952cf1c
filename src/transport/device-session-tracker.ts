/**
 * Which protocomm session does a request belong to? ESP-IDF v5.5 protocomm_httpd's rules, step by step
 * (protocol.md §2.3), or the v4.0 rule (session = socket) when cookies are off.
 */
import type { Logger } from "../logger.js";
import type { Protocomm } from "../protocomm/index.js";

export interface SessionDecision {
  sessionId: number;
  /** This request started the session: its successful reply carries Set-Cookie (v5.5 mode only). */
  isNew: boolean;
}

/** v4.0 session ids are socket descriptors; we number connections instead (a new socket = a new session). */
export class DeviceSessionTracker {
  readonly #protocomm: Protocomm;
  readonly #cookies: boolean;
  readonly #guarded: boolean;
  /** Guarded policy: the session each connection started (cookie-less clients are known by their socket). */
  readonly #byConnection = new Map<number, number>();
  /** Guarded policy: candidate sessions per peer address, oldest first, so one station cannot evict another's. */
  readonly #byPeer = new Map<string, number[]>();
  readonly #maxPerPeer: number;
  readonly #randomId: () => number;
  readonly #logger: Logger;
  /** cookie_session_id: the random id of the one session, or none. */
  #cookieSessionId: number | undefined;
  /** sock_session_id: the connection that created the session, until a cookie is presented or it closes. */
  #sockSession: number | undefined;

  constructor(options: {
    protocomm: Protocomm;
    cookies: boolean;
    guarded?: boolean;
    /** Guarded policy: candidate sessions one peer address may hold (default 3). */
    maxSessionsPerPeer?: number;
    randomId: () => number;
    logger: Logger;
  }) {
    this.#protocomm = options.protocomm;
    this.#cookies = options.cookies;
    this.#guarded = options.guarded ?? false;
    this.#maxPerPeer = options.maxSessionsPerPeer ?? 3;
    this.#randomId = options.randomId;
    this.#logger = options.logger;
  }

  /**
   * Decides the session of a request on `connection` carrying `cookie` (the first Cookie header, undefined
   * when absent). Opens a new session (destroying the old keys) when needed: this runs before the body is
   * validated, so even a request that fails later replaces the previous session (§2.3 step 2).
   */
  resolve(connection: number, cookie: string | undefined, peer = ""): SessionDecision {
    if (this.#guarded) return this.#resolveGuarded(connection, cookie, peer);
    if (!this.#cookies) {
      // [v4.0] session id = socket; the Cookie header is ignored and never set.
      if (this.#sockSession === connection) return { sessionId: connection, isNew: false };
      this.#sockSession = connection;
      this.#protocomm.openSession(connection);
      this.#logger.debug("new socket session", { sessionId: connection });
      return { sessionId: connection, isNew: true };
    }

    let same = false;
    // The device copies the value into a 20-byte buffer; a longer value does not fit and counts as absent.
    if (cookie !== undefined && Buffer.byteLength(cookie, "latin1") < 20) {
      // Exact string comparison: attributes or a second cookie never match (§2.3 step 1).
      if (this.#cookieSessionId !== undefined && cookie === `session=${this.#cookieSessionId}`) {
        // From now on this client is known by its cookie only.
        this.#sockSession = undefined;
        same = true;
      }
    } else if (this.#sockSession !== undefined && connection === this.#sockSession) {
      same = true;
    }
    if (same && this.#cookieSessionId !== undefined)
      return { sessionId: this.#cookieSessionId, isNew: false };

    if (this.#cookieSessionId !== undefined) {
      this.#logger.warn("closing session: a request did not belong to it", {
        sessionId: this.#cookieSessionId,
      });
    }
    const id = this.#randomId() >>> 0;
    this.#protocomm.openSession(id);
    this.#cookieSessionId = id;
    this.#sockSession = connection;
    this.#logger.debug("new session", { sessionId: id });
    return { sessionId: id, isNew: true };
  }

  /**
   * Guarded policy: a cookie naming any live session (current or candidate) selects it; otherwise the session
   * this connection started; otherwise a new candidate session, which leaves the current one alone (protocomm
   * promotes a candidate only when its handshake completes).
   */
  #resolveGuarded(connection: number, cookie: string | undefined, peer: string): SessionDecision {
    if (this.#cookies && cookie !== undefined && Buffer.byteLength(cookie, "latin1") < 20) {
      const match = /^session=(\d{1,10})$/.exec(cookie);
      const id = match === null ? undefined : Number(match[1]);
      if (id !== undefined && this.#protocomm.hasSession(id)) return { sessionId: id, isNew: false };
    }
    const own = this.#byConnection.get(connection);
    if (own !== undefined && this.#protocomm.hasSession(own)) return { sessionId: own, isNew: false };
    const id = this.#randomId() >>> 0;
    const mine = (this.#byPeer.get(peer) ?? []).filter(
      (s) => s !== this.#protocomm.sessionId && this.#protocomm.hasSession(s),
    );
    while (mine.length >= this.#maxPerPeer) this.#protocomm.closeSession(mine.shift()!);
    mine.push(id);
    this.#byPeer.set(peer, mine);
    this.#protocomm.openSession(id);
    this.#byConnection.set(connection, id);
    this.#logger.debug("new candidate session", { sessionId: id, peer });
    return { sessionId: id, isNew: true };
  }

  /**
   * A connection closed. If it created a session, only the socket association is forgotten: the session and
   * its keys survive and a client may continue it with the cookie on a new connection (§2.3 step 5).
   */
  connectionClosed(connection: number, createdSession: boolean): void {
    this.#byConnection.delete(connection);
    if (this.#cookies && createdSession && this.#sockSession !== undefined) {
      this.#logger.debug("socket of the session closed; cookie still valid", {
        sessionId: this.#cookieSessionId,
      });
      this.#sockSession = undefined;
    }
  }

  /** Provisioning stopped: the session is destroyed (§2.3 step 6). */
  reset(): void {
    const id = this.#cookies ? this.#cookieSessionId : this.#sockSession;
    if (id !== undefined) this.#protocomm.closeSession(id);
    this.#cookieSessionId = undefined;
    this.#sockSession = undefined;
    this.#byConnection.clear();
    this.#byPeer.clear();
  }
}
