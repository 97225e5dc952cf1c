/**
 * What every check gets: where the device is, what it announced, what its release would do, the credentials,
 * and helpers that open connections and sessions the way esp_prov does (proto-ver first, its cookie echoed).
 */
import type { DeviceVersion } from "../client/version.js";
import { createClientSession } from "../security/index.js";
import type { ClientSecuritySession, SecurityVersion } from "../security/index.js";
import type { RandomBytes } from "../security/types.js";
import type { Status } from "../proto/index.js";
import type { StationStatus } from "./messages-provision.js";
import type { Expectations } from "./expectations.js";
import { Connection, describeOutcome, header, post } from "./wire.js";
import type { Outcome, Target } from "./wire.js";

export interface Credentials {
  pop?: string;
  username?: string;
  password?: string;
}

export interface CheckContext {
  readonly target: Target;
  /** host:port as the Host header carries it. */
  readonly hostHeader: string;
  readonly version: DeviceVersion;
  readonly expect: Expectations;
  readonly securityVersion: SecurityVersion;
  /** sec_patch_ver announced (missing ⇒ 0, as esp_prov and the release's clients assume). */
  readonly patchVersion: 0 | 1;
  readonly credentials: Credentials;
  /** Where the SRP checks draw their client private values (tests inject known answers). */
  readonly random: RandomBytes;
  /** How many handshakes the SRP leading-zero checks may run looking for a B or S with a leading zero. */
  readonly srpAttempts: number;
  /** The network the destructive checks may join (`--allow-provision --ssid S --passphrase P`); else absent. */
  readonly provision?: { ssid: string; passphrase: string };
  /** What the destructive checks learnt so far, in battery order. */
  readonly run: RunState;
  /** Work shared by several checks of one run (e.g. one handshake search serving two checks). */
  readonly memo: Map<string, Promise<unknown>>;
}

/** State the destructive checks hand on to the ones after them. */
export interface RunState {
  /** Set when the device ended its provisioning service as the release does: why the rest is skipped. */
  ended?: string;
  /** From CtrlReprov before provisioning: false when the firmware disabled auto-stop. */
  autoStop?: boolean;
  /** prov-ctrl answered 404 (a v5.0 device under an "auto" profile). */
  ctrlAbsent?: boolean;
  /** CtrlReset sent right after Apply, and the GetStatus after it. */
  resetWhileConnecting?: { reset: Status | "absent"; state: StationStatus };
  /** The wrong-passphrase attempt ended in a failure state. */
  failed?: boolean;
  /** CtrlReset was refused in the failed state: the device cannot take new credentials. */
  stuckFailed?: boolean;
  /** The right credentials got the device Connected. */
  connected?: boolean;
}

/** Runs `work` once per run for `key`; later callers get the same promise. */
export function memoize<T>(ctx: CheckContext, key: string, work: () => Promise<T>): Promise<T> {
  let entry = ctx.memo.get(key) as Promise<T> | undefined;
  if (entry === undefined) {
    entry = work();
    ctx.memo.set(key, entry);
  }
  return entry;
}

/** A failure the check explains itself (what the device did at which step). */
export class CheckFailure extends Error {}

export async function open(ctx: CheckContext): Promise<Connection> {
  return Connection.open(ctx.target);
}

export function request(ctx: CheckContext, endpoint: string, body: Uint8Array | string, cookie?: string) {
  return post(ctx.hostHeader, endpoint, body, cookie);
}

/** Whether the handshake of the offered level can be run with what the user gave. */
export function missingCredentials(ctx: CheckContext): string | undefined {
  if (
    ctx.securityVersion === 1 &&
    ctx.credentials.pop === undefined &&
    !ctx.version.capabilities.includes("no_pop")
  ) {
    return "needs --pop (security 1)";
  }
  if (
    ctx.securityVersion === 2 &&
    (ctx.credentials.username === undefined || ctx.credentials.password === undefined)
  ) {
    return "needs --sec2_username and --sec2_pwd (security 2)";
  }
  return undefined;
}

export function clientSession(ctx: CheckContext, wrong = false): ClientSecuritySession {
  const c = ctx.credentials;
  switch (ctx.securityVersion) {
    case 0:
      return createClientSession({ version: 0 });
    case 1:
      return createClientSession({ version: 1, pop: wrong ? `${c.pop ?? ""}-wrong` : (c.pop ?? "") });
    case 2:
      return createClientSession({
        version: 2,
        patchVersion: ctx.patchVersion,
        username: c.username ?? "",
        password: wrong ? `${c.password ?? ""}-wrong` : (c.password ?? ""),
      });
  }
}

export interface Session {
  conn: Connection;
  /** The cookie the device set (undefined: none, a v4.0-style device). */
  cookie: string | undefined;
  security: ClientSecuritySession;
  /** The prov-session replies in order (for nonce checks). */
  handshakeReplies: Uint8Array[];
}

/** Opens a connection, reads proto-ver (keeping its cookie, as esp_prov does) and returns both. */
export async function openWithCookie(
  ctx: CheckContext,
  useCookie = true,
): Promise<{ conn: Connection; cookie: string | undefined; first: Outcome }> {
  const conn = await open(ctx);
  const first = await conn.request(request(ctx, "proto-ver", "---"));
  if (first.kind !== "reply" || first.status !== 200) {
    conn.close();
    throw new CheckFailure(`proto-ver on a new connection: ${describeOutcome(first)}`);
  }
  return { conn, cookie: useCookie ? header(first, "Set-Cookie") : undefined, first };
}

/** Runs the handshake of the offered level on `conn`; throws CheckFailure with the step that failed. */
export async function handshake(
  ctx: CheckContext,
  conn: Connection,
  cookie: string | undefined,
  security = clientSession(ctx),
): Promise<Session> {
  const replies: Uint8Array[] = [];
  let message: Uint8Array | null = security.begin();
  let step = 0;
  while (message !== null) {
    const outcome = await conn.request(request(ctx, "prov-session", message, cookie));
    if (outcome.kind !== "reply" || outcome.status !== 200) {
      throw new CheckFailure(`handshake message ${step}: the device ${describeOutcome(outcome)}`);
    }
    replies.push(outcome.body);
    try {
      message = security.next(outcome.body);
    } catch (err) {
      throw new CheckFailure(
        `handshake reply ${step} does not verify: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    step++;
  }
  return { conn, cookie, security, handshakeReplies: replies };
}

/** A connection with an established session, made as esp_prov makes it. */
export async function establish(ctx: CheckContext, useCookie = true): Promise<Session> {
  const { conn, cookie } = await openWithCookie(ctx, useCookie);
  try {
    return await handshake(ctx, conn, cookie);
  } catch (err) {
    conn.close();
    throw err;
  }
}

/** Sends an encrypted request on the session and decrypts the reply; CheckFailure otherwise. */
export async function call(
  ctx: CheckContext,
  session: Session,
  endpoint: string,
  plain: Uint8Array,
  conn = session.conn,
): Promise<Uint8Array> {
  const outcome = await conn.request(request(ctx, endpoint, session.security.encrypt(plain), session.cookie));
  return decryptReply(session, endpoint, outcome);
}

/**
 * The plaintext of a 200 reply to a request on `endpoint`; CheckFailure naming `label` (default the endpoint)
 * for anything else, and the endpoint when the reply does not decrypt.
 */
export function decryptReply(
  session: Session,
  endpoint: string,
  outcome: Outcome,
  label = endpoint,
): Uint8Array {
  if (outcome.kind !== "reply" || outcome.status !== 200) {
    throw new CheckFailure(`${label}: the device ${describeOutcome(outcome)}`);
  }
  try {
    return session.security.decrypt(outcome.body);
  } catch (err) {
    throw new CheckFailure(
      `${endpoint}: the reply does not decrypt (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}
