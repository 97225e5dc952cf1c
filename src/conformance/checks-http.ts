/**
 * HTTP-level checks beyond single requests: pipelining, a second connection while a session exists, the URI
 * limit, a stale session cookie, and probing the custom endpoints the user names (`--endpoint NAME`).
 *
 * The facts are the same in every release from v4.0 to v6.0 (read per tag), so they are constants here rather
 * than profile rows in expectations.ts:
 * - protocomm_httpd.c starts esp_http_server with `max_open_sockets = 1` and `lru_purge_enable = true`.
 * - esp_http_server/Kconfig HTTPD_MAX_URI_LEN defaults to 512; httpd_parse.c answers a longer request target
 *   with 414 (cb_url / verify_url), and its error handler then closes the socket.
 * - httpd_parse.c reads a request in 128-byte blocks and pushes the unparsed rest back (httpd_unrecv into the
 *   socket's pending_data); httpd_main.c serves a socket again while httpd_sess_pending() says bytes are left,
 *   so a second request written together with the first is answered after it.
 */
import { UsageError } from "../errors.js";
import type { Check, CheckResult } from "./checks.js";
import {
  CheckFailure,
  call,
  establish,
  missingCredentials,
  open,
  openWithCookie,
  request,
} from "./context.js";
import type { CheckContext, Session } from "./context.js";
import { getStatusRequest, readStatus } from "./messages.js";
import { describeOutcome, header, post } from "./wire.js";
import type { Connection, Outcome } from "./wire.js";

/** esp_http_server/Kconfig HTTPD_MAX_URI_LEN default, v4.0 … v6.0. */
export const MAX_URI_BYTES = 512;

const pass = (did: string): CheckResult => ({ verdict: "pass", did });
const deviation = (did: string, why?: string): CheckResult => ({
  verdict: "deviation",
  did,
  ...(why ? { why } : {}),
});
const fail = (did: string, why?: string): CheckResult => ({ verdict: "fail", did, ...(why ? { why } : {}) });

const isReply = (o: Outcome, status: number): boolean => o.kind === "reply" && o.status === status;
const silentClose = (o: Outcome) => o.kind === "closed" && o.partial.length === 0;

/** Runs `body` with an established session and always closes its connection. */
async function withSession<T>(ctx: CheckContext, body: (s: Session) => Promise<T>): Promise<T> {
  const session = await establish(ctx);
  try {
    return await body(session);
  } finally {
    session.conn.close();
  }
}

const pipelining: Check = {
  id: "http.pipelining",
  title: "two requests in one TCP write are both answered, in order",
  release: () =>
    "esp_http_server httpd_parse.c keeps the bytes after the first request (httpd_unrecv into pending_data) and httpd_main.c serves the socket again while httpd_sess_pending(): both answered in order, the second in the session of the first (protocomm_httpd.c: same socket, no new Set-Cookie)",
  why: "TCP may deliver a request together with the previous one (a client that writes its next request without waiting, a proxy); a device that drops the rest of the buffer leaves that client waiting for a reply that never comes",
  run: async (ctx) => {
    const one = post(ctx.hostHeader, "proto-ver", "---");
    const conn = await open(ctx);
    try {
      conn.write(Buffer.concat([one, one]));
      const first = await conn.next();
      if (!isReply(first, 200)) return fail(`the first of two pipelined requests: ${describeOutcome(first)}`);
      const second = await conn.next();
      if (second.kind === "timeout") {
        return fail(
          "answered the first of two pipelined requests; the second was neither answered nor the connection closed",
        );
      }
      if (second.kind !== "reply") {
        return deviation(`answered the first of two pipelined requests, then ${describeOutcome(second)}`);
      }
      if (second.status !== 200) return fail(`the second pipelined request: ${describeOutcome(second)}`);
      const cookies = [first, second].map((o) => (o.kind === "reply" ? header(o, "Set-Cookie") : undefined));
      if (ctx.expect.cookies && cookies[0] !== undefined && cookies[1] !== undefined) {
        return deviation(
          `both answered, but the second set a new cookie (${cookies[1]}): the device opened a new session for a request on the same socket`,
          "esp_prov takes the newest cookie, so a client whose requests were coalesced would continue in a session it never shook hands with",
        );
      }
      return pass(
        `both answered in order (HTTP 200, HTTP 200; Set-Cookie on ${cookies[0] === undefined ? "neither" : "the first only"})`,
      );
    } finally {
      conn.close();
    }
  },
};

/** A request whose target is exactly `length` bytes long: "/" and an unknown endpoint name. */
const targetOf = (length: number) => `wifiprov-conformance-${"u".repeat(Math.max(0, length - 22))}`;

/** "POST " before the target and " HTTP/1.1\r\n" plus the first header byte after it share the buffer. */
const REQUEST_LINE_OVERHEAD = "POST ".length + " HTTP/1.1\r\n".length + 1;
/** Targets every release answers (404 for an unknown one), and one that every release refuses with 414. */
const SURELY_ACCEPTED = 256;
const SURELY_REFUSED = MAX_URI_BYTES + 88;

type Probe =
  { kind: "found" } | { kind: "too-long" } | { kind: "other"; outcome: Outcome; closedAfter: boolean };

async function probeTarget(ctx: CheckContext, length: number): Promise<Probe> {
  const conn = await open(ctx);
  try {
    const outcome = await conn.request(post(ctx.hostHeader, targetOf(length), "x"));
    if (isReply(outcome, 404)) return { kind: "found" };
    // Only the refusal has to close; a device that keeps the connection after a 404 costs no wait here.
    const closedAfter = outcome.kind === "closed" || (outcome.kind === "reply" && (await conn.closesSoon()));
    if (isReply(outcome, 414) && closedAfter) return { kind: "too-long" };
    return { kind: "other", outcome, closedAfter };
  } finally {
    conn.close();
  }
}

const uriLimit: Check = {
  id: "http.uri-limit",
  title: "request target limit of the release",
  release: (ctx) => {
    const longest = ctx.expect.requestLineBuffer.map((b) => b - REQUEST_LINE_OVERHEAD).join(" or ");
    return `esp_http_server httpd_parse.c holds the request line up to the first header byte in ${ctx.expect.requestLineBuffer.join(" or ")} bytes (HTTPD_MAX_URI_LEN ${MAX_URI_BYTES}): the longest POST target it looks up is ${longest} bytes (an unknown one gets 404), a longer one gets 414, then close; a device passes when it accepts what the release accepts and refuses targets over ${MAX_URI_BYTES} bytes`;
  },
  why: "a device with a lower limit refuses URIs ESP devices accept; a device without one lets any station on the SoftAP make it buffer an endless request line",
  run: async (ctx) => {
    const tell = (length: number, p: Probe) =>
      p.kind === "other"
        ? `${length}-byte target: ${describeOutcome(p.outcome)}${p.outcome.kind === "reply" && !p.closedAfter ? " and the connection stayed open" : ""}`
        : `${length}-byte target: ${p.kind === "found" ? "404" : "414, then closed"}`;
    const low = await probeTarget(ctx, SURELY_ACCEPTED);
    if (low.kind !== "found") {
      const seen = tell(SURELY_ACCEPTED, low);
      return low.kind === "other" && low.outcome.kind === "timeout"
        ? fail(`${seen} (the client waits for its own timeout)`)
        : deviation(`${seen} (every release: 404)`);
    }
    const high = await probeTarget(ctx, SURELY_REFUSED);
    if (high.kind !== "too-long") {
      const seen = tell(SURELY_REFUSED, high);
      return high.kind === "other" && high.outcome.kind === "timeout"
        ? fail(`${seen} (the client waits for its own timeout)`)
        : deviation(`${seen} (every release: 414, then close)`);
    }
    // The device's limit lies between: find the longest target it still looks up.
    let found = SURELY_ACCEPTED;
    let refused = SURELY_REFUSED;
    while (refused - found > 1) {
      const middle = Math.floor((found + refused) / 2);
      const p = await probeTarget(ctx, middle);
      if (p.kind === "found") found = middle;
      else if (p.kind === "too-long") refused = middle;
      else return deviation(`${tell(middle, p)} (the release: 404 or 414, then close)`);
    }
    const releaseLongest = ctx.expect.requestLineBuffer.map((b) => b - REQUEST_LINE_OVERHEAD);
    const seen = `longest target looked up: ${found} bytes, ${refused} bytes: 414, then closed`;
    if (found < Math.min(...releaseLongest)) {
      return deviation(`${seen}: the release looks up targets up to ${releaseLongest.join(" or ")} bytes`);
    }
    if (found > MAX_URI_BYTES) return deviation(`${seen}: more than HTTPD_MAX_URI_LEN (${MAX_URI_BYTES})`);
    return pass(
      releaseLongest.includes(found)
        ? `${seen}, as the release`
        : `${seen} (the release: ${releaseLongest.join(" or ")}; the few longer targets it also accepts break no client)`,
    );
  },
};

const secondConnection: Check = {
  id: "session.second-connection",
  title: "a second connection while a session's connection is open",
  release: (ctx) =>
    ctx.expect.cookies
      ? "protocomm_httpd.c starts esp_http_server with max_open_sockets 1 and lru_purge_enable: the new connection is served and the older one closed (httpd_main.c httpd_accept_conn → httpd_sess_close_lru); the cookie carries the session to the new socket"
      : "protocomm_httpd.c (v4.0) starts esp_http_server with max_open_sockets 1 and lru_purge_enable: the new connection is served and the older one closed; sessions belong to the socket",
  why: "phone HTTP stacks and browsers open a new connection while their previous keep-alive one is still open; a device that leaves the new one waiting (no LRU purge) makes them time out, one that loses the session on it makes every later request fail",
  skip: (ctx) => (ctx.securityVersion === 0 ? undefined : missingCredentials(ctx)),
  run: async (ctx) => {
    // v4.0 binds the session to the socket, so there only the new connection being served can be checked.
    const useSession = ctx.expect.cookies;
    const first = useSession ? await establish(ctx) : undefined;
    const firstConn: Connection = first?.conn ?? (await openWithCookie(ctx)).conn;
    let second: Connection | undefined;
    try {
      try {
        second = await open(ctx);
      } catch (err) {
        return fail(`no second TCP connection: ${err instanceof Error ? err.message : String(err)}`);
      }
      let served: string;
      if (first !== undefined) {
        try {
          const { state } = readStatus(await call(ctx, first, "prov-config", getStatusRequest(), second));
          served = `GetStatus ${first.cookie === undefined ? "without a cookie" : "with the cookie"} on the second connection ${ctx.securityVersion === 0 ? "answered" : "decrypts"} (${state})`;
        } catch (err) {
          if (!(err instanceof CheckFailure)) throw err;
          return fail(`the session's request on a second connection while the first is open: ${err.message}`);
        }
      } else {
        const outcome = await second.request(request(ctx, "proto-ver", "---"));
        if (!isReply(outcome, 200))
          return fail(`proto-ver on the second connection: ${describeOutcome(outcome)}`);
        served = "proto-ver on the second connection: HTTP 200";
      }
      // The purge happened when the second one was accepted, so the close is already there (or never comes).
      const older = await firstConn.next();
      if (older.kind === "closed") return pass(`${served}; the first connection was closed (LRU purge)`);
      return deviation(
        `${served}; the first connection ${older.kind === "timeout" ? "stayed open" : `got ${describeOutcome(older)}`} (the release allows one open socket)`,
      );
    } finally {
      firstConn.close();
      second?.close();
    }
  },
};

/** An encrypted GetStatus under a replaced session's keys and cookie; a result unless it closed silently. */
async function staleRequest(
  ctx: CheckContext,
  old: Session,
  replaced: string,
): Promise<CheckResult | undefined> {
  const conn = await open(ctx);
  try {
    const outcome = await conn.request(
      request(ctx, "prov-config", old.security.encrypt(getStatusRequest()), old.cookie),
    );
    if (silentClose(outcome)) return undefined;
    if (outcome.kind === "timeout") {
      return fail(`${replaced}; GetStatus with the stale cookie: neither replied nor closed`);
    }
    if (outcome.kind === "reply" && outcome.status === 200) {
      try {
        readStatus(old.security.decrypt(outcome.body));
      } catch {
        return fail(
          `${replaced}; GetStatus with the stale cookie: HTTP 200 that the old keys cannot decrypt`,
        );
      }
      return deviation(
        `${replaced}; GetStatus with the stale cookie still answered in the old session (the device keeps more than one session)`,
      );
    }
    return deviation(`${replaced}; GetStatus with the stale cookie: ${describeOutcome(outcome)}`);
  } finally {
    conn.close();
  }
}

const staleCookie: Check = {
  id: "session.stale-cookie",
  title: "a request with the cookie of a replaced session",
  release: () =>
    "protocomm_httpd.c keeps one session: a request without its cookie from another socket replaces it; a cookie naming no session opens a new one, so an encrypted request under the old keys fails (no reply, closed) and proto-ver answers with a fresh Set-Cookie",
  why: "esp_prov and the apps take the cookie of every Set-Cookie; a client that reconnects with an old cookie (after another client took over, or a device restart) gets back into a session only through that fresh cookie, and must never be answered with another session's keys",
  skip: (ctx) =>
    !ctx.expect.cookies
      ? "the release has no cookies"
      : ctx.securityVersion === 0
        ? "security 0 keeps no keys a stale cookie could reach (and the release sets no new cookie on a reused socket)"
        : missingCredentials(ctx),
  run: async (ctx) => {
    const old = await withSession(ctx, async (s) => {
      readStatus(await call(ctx, s, "prov-config", getStatusRequest()));
      return s;
    });
    if (old.cookie === undefined) return fail("no cookie was set, so no session can go stale");
    // Another client arrives without a cookie: its proto-ver replaces the session.
    const other = await openWithCookie(ctx);
    other.conn.close();
    if (other.cookie === old.cookie) return fail(`the new client got the old session's cookie ${old.cookie}`);
    const replaced = `${old.cookie} replaced by ${other.cookie ?? "(a session without Set-Cookie)"}`;

    const answered = await staleRequest(ctx, old, replaced);
    if (answered !== undefined) return answered;

    const again = await open(ctx);
    try {
      const outcome = await again.request(request(ctx, "proto-ver", "---", old.cookie));
      if (outcome.kind !== "reply" || outcome.status !== 200)
        return fail(`${replaced}; proto-ver with the stale cookie: ${describeOutcome(outcome)}`);
      const fresh = header(outcome, "Set-Cookie");
      if (fresh === undefined || fresh === old.cookie) {
        return fail(
          `${replaced}; proto-ver with the stale cookie: HTTP 200 ${fresh === undefined ? "without a Set-Cookie" : `setting the stale cookie again`}`,
          "esp_prov keeps sending the stale cookie, each request then opens yet another session, and the handshake never completes",
        );
      }
      return pass(
        `${replaced}; GetStatus with the stale cookie: closed without a reply; proto-ver with it: a fresh ${fresh}`,
      );
    } finally {
      again.close();
    }
  },
};

/** The checks above, in the order the battery runs them. */
export const HTTP_REQUEST_CHECKS: readonly Check[] = [pipelining, uriLimit];
export const HTTP_SESSION_CHECKS: readonly Check[] = [secondConnection, staleCookie];

/** What the endpoint probe sends: text, as the wifi_prov_mgr example's custom-data handler logs it. */
const PROBE_TEXT = "wifiprov-conformance";

/** The provisioning service's own endpoints: the battery checks them already. */
const SERVICE_ENDPOINTS = ["proto-ver", "prov-session", "prov-config", "prov-scan", "prov-ctrl"];

/** Endpoint names as protocomm registers them: a URI path without the leading slash. */
export function parseEndpointName(name: string): string {
  if (SERVICE_ENDPOINTS.includes(name)) {
    throw new UsageError(
      `${name} is an endpoint of the provisioning service itself, which the battery checks already`,
      {
        hint: "--endpoint is for the endpoints your firmware adds, e.g. --endpoint custom-data",
      },
    );
  }
  if (!/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(name) || name.length > MAX_URI_BYTES - 1) {
    throw new UsageError(`invalid endpoint name ${JSON.stringify(name)}`, {
      hint: "give the name the firmware registers, without the leading slash, e.g. --endpoint custom-data",
    });
  }
  return name;
}

function preview(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.subarray(0, 32)).toString("latin1");
  const shown = text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return `${bytes.length} bytes "${shown}${bytes.length > 32 ? "…" : ""}"`;
}

export const ENDPOINT_CHECK_PREFIX = "endpoint.";

/** What an endpoint probe found, for the list under the table and in the JSON. */
export function endpointFound(finding: { id: string; verdict: string; did: string }) {
  const name = finding.id.slice(ENDPOINT_CHECK_PREFIX.length);
  if (finding.verdict === "skipped" || finding.verdict === "not-run") return { name, found: "not probed" };
  return { name, found: finding.did.startsWith("absent") ? "absent" : "present" };
}

/** One check per endpoint named with --endpoint: present, refused before the handshake, answered within it. */
export function endpointCheck(name: string): Check {
  const absent = `you named ${name}: the app that uses it gets 404 and breaks`;
  return {
    id: `${ENDPOINT_CHECK_PREFIX}${name}`,
    title: `custom endpoint ${name}`,
    release: () =>
      `protocomm.c: an endpoint added with wifi_prov_mgr_endpoint_create/_register is a POST path; esp_http_server answers 404 for an unknown path; protocomm decrypts the request and encrypts the handler's reply within the session (security 1/2), and refuses it before the handshake (no reply, closed)`,
    why: `the app that uses ${name} needs it present, answering within the session only`,
    skip: (ctx) => missingCredentials(ctx),
    run: async (ctx) => {
      const facts: string[] = [];
      if (ctx.securityVersion !== 0) {
        const { conn, cookie } = await openWithCookie(ctx);
        try {
          const outcome = await conn.request(request(ctx, name, PROBE_TEXT, cookie));
          if (isReply(outcome, 404)) return fail("absent: HTTP 404", absent);
          if (outcome.kind === "reply" && outcome.status === 200) {
            return fail(
              `answered before the handshake: ${describeOutcome(outcome)}`,
              "anyone on the SoftAP can call it without the PoP / password",
            );
          }
          if (outcome.kind === "timeout") return fail("before the handshake: neither replied nor closed");
          facts.push(
            silentClose(outcome)
              ? "refused before the handshake (closed)"
              : `before the handshake: ${describeOutcome(outcome)}`,
          );
        } finally {
          conn.close();
        }
      }
      const head = ["present", ...facts].join("; ");
      return withSession(ctx, async (session) => {
        const outcome = await session.conn.request(
          request(ctx, name, session.security.encrypt(new TextEncoder().encode(PROBE_TEXT)), session.cookie),
        );
        if (isReply(outcome, 404)) return fail("absent: HTTP 404", absent);
        if (outcome.kind === "timeout") {
          return fail(`${head}; in the session: neither replied nor closed`);
        }
        if (outcome.kind === "closed") {
          // A handler that rejects our probe text fails the request the way every handler error does.
          return pass(
            `${head}; in the session it closed without a reply on the probe text (its handler refused it — its own request format is not checked)`,
          );
        }
        if (outcome.status !== 200) return deviation(`${head}; in the session: ${describeOutcome(outcome)}`);
        let plain: Uint8Array;
        try {
          plain = session.security.decrypt(outcome.body);
        } catch (err) {
          return fail(
            `${head}; in the session: HTTP 200 that does not decrypt (${err instanceof Error ? err.message : String(err)})`,
          );
        }
        return pass(`${head}; answered within the session: ${preview(plain)}`);
      });
    },
  };
}
