/**
 * The battery. Each check sends what a real client (esp_prov v5.5, the Android/iOS libraries) or a careless
 * one sends, and compares the device with what the release it claims does. Order matters: cheap,
 * non-destructive HTTP checks first, the session rules next, the endpoints last, and the scan request past
 * the end of the list at the very end because ESP-IDF's own firmware dies on it.
 */
import { SessionDataSchema, Status, decode } from "../proto/index.js";
import {
  CheckFailure,
  call,
  clientSession,
  establish,
  handshake,
  missingCredentials,
  open,
  openWithCookie,
  request,
} from "./context.js";
import type { CheckContext } from "./context.js";
import {
  ctrlResetRequest,
  getStatusRequest,
  readCtrl,
  readScan,
  readStatus,
  scanResultRequest,
  scanStartRequest,
  scanStatusRequest,
  statusName,
} from "./messages.js";
import { HTTP_REQUEST_CHECKS, HTTP_SESSION_CHECKS } from "./checks-http.js";
import { SRP_CHECKS } from "./checks-srp.js";
import { DESTRUCTIVE_CHECKS } from "./checks-destructive.js";
import { describeOutcome, header, post } from "./wire.js";
import type { Outcome } from "./wire.js";

export type Verdict = "pass" | "deviation" | "fail" | "skipped" | "not-run";

export interface CheckResult {
  verdict: "pass" | "deviation" | "fail" | "skipped";
  /** What the device did. */
  did: string;
  /** Overrides the check's `release` text when the outcome needs a more precise one. */
  release?: string;
  why?: string;
}

export interface Check {
  id: string;
  title: string;
  /** What the release does, with the ESP-IDF file it comes from. */
  release: (ctx: CheckContext) => string;
  /** Why it matters: which client breaks. */
  why: string;
  /** A reason not to run it against this device (feature absent, credentials missing). */
  skip?: (ctx: CheckContext) => string | undefined;
  run: (ctx: CheckContext) => Promise<CheckResult>;
  /** The release itself may stop serving after this check (provisioning succeeded): no liveness probe after it. */
  endsDevice?: boolean;
}

const pass = (did: string): CheckResult => ({ verdict: "pass", did });
const deviation = (did: string, why?: string): CheckResult => ({
  verdict: "deviation",
  did,
  ...(why ? { why } : {}),
});
const fail = (did: string, why?: string): CheckResult => ({ verdict: "fail", did, ...(why ? { why } : {}) });

const needsHandshake = (ctx: CheckContext): string | undefined =>
  ctx.securityVersion === 0 ? "security 0 has no handshake" : missingCredentials(ctx);

/** Sends raw bytes on a fresh connection and reports the outcome plus whether the device then closed. */
async function rawExchange(
  ctx: CheckContext,
  bytes: Uint8Array | string,
): Promise<{ outcome: Outcome; closedAfter: boolean }> {
  const conn = await open(ctx);
  try {
    const outcome = await conn.request(bytes);
    // Only an error reply is followed by a close; a 200 keeps the connection (keep-alive), so don't wait then.
    const closedAfter =
      outcome.kind === "closed" ||
      (outcome.kind === "reply" && outcome.status !== 200 && (await conn.closesSoon()));
    return { outcome, closedAfter };
  } finally {
    conn.close();
  }
}

/** An HTTP error reply the framework sends before any provisioning logic, then close (esp_http_server). */
async function expectErrorReply(ctx: CheckContext, bytes: string, status: number): Promise<CheckResult> {
  const { outcome, closedAfter } = await rawExchange(ctx, bytes);
  if (outcome.kind === "reply" && outcome.status === status) {
    return closedAfter
      ? pass(`HTTP ${status}, then closed`)
      : deviation(`HTTP ${status}, but kept the connection open`);
  }
  if (outcome.kind === "reply" && outcome.status === 200) return fail(`${describeOutcome(outcome)}`);
  return deviation(describeOutcome(outcome));
}

/** A provisioning-level failure: the handler fails and protocomm_httpd closes without any reply. */
async function expectSilentClose(ctx: CheckContext, bytes: Uint8Array | string): Promise<CheckResult> {
  const { outcome } = await rawExchange(ctx, bytes);
  if (outcome.kind === "closed" && outcome.partial.length === 0)
    return pass("closed the connection without a reply");
  if (outcome.kind === "reply" && outcome.status === 200) return fail(describeOutcome(outcome));
  if (outcome.kind === "timeout")
    return fail("neither replied nor closed (the client waits for its own timeout)");
  return deviation(describeOutcome(outcome));
}

const versionCheck: Check = {
  id: "proto-ver.shape",
  title: "proto-ver reply has the release's shape",
  release: (ctx) =>
    ctx.expect.versionStyle === "plain"
      ? 'the v4.0 softap_prov example replies "V0.1" (app_prov.c)'
      : ctx.expect.versionStyle === "json-no-patch"
        ? 'JSON {"prov":{"ver","sec_ver","cap"}} without sec_patch_ver (wifi_provisioning/src/manager.c, v5.0…v5.4)'
        : 'JSON {"prov":{"ver","sec_ver","sec_patch_ver","cap"}} (manager.c, v5.4.1+ / network_provisioning)',
  why: "esp_prov and the phone apps pick the security scheme and the sec2 nonce scheme from this reply",
  run: async (ctx) => {
    const v = ctx.version;
    const style =
      v.format === "plain" ? "plain" : v.securityPatchVersion === undefined ? "json-no-patch" : "json";
    const did =
      v.format === "plain"
        ? `plain ${JSON.stringify(v.raw.slice(0, 40))}`
        : `JSON ver=${v.protocolVersion ?? "(none)"} sec_ver=${v.securityVersion ?? "(none)"} sec_patch_ver=${v.securityPatchVersion ?? "(none)"} cap=[${v.capabilities.join(",")}]`;
    if (v.format === "json") {
      if (v.protocolVersion === undefined) return fail(`${did}: no prov.ver`);
      if (v.securityVersion === undefined && ctx.expect.versionStyle !== "plain") {
        return fail(
          `${did}: no prov.sec_ver`,
          "esp_prov then assumes security 1, and cannot talk security 0 or 2 to it",
        );
      }
      if (
        v.securityPatchVersion !== undefined &&
        v.securityPatchVersion !== 0 &&
        v.securityPatchVersion !== 1
      ) {
        return fail(`${did}: sec_patch_ver must be 0 or 1`);
      }
    }
    if (style === ctx.expect.versionStyle) return pass(did);
    // Announcing sec_patch_ver 1 on an older profile is what the v5.0.9/v5.1.7/v5.2.6/v5.3.3 back-ports do.
    if (style === "json" && ctx.expect.versionStyle === "json-no-patch" && v.securityPatchVersion === 1) {
      return pass(`${did} (as the v5.0.9/v5.1.7/v5.2.6/v5.3.3 back-ports)`);
    }
    return deviation(did);
  },
};

const capsCheck: Check = {
  id: "proto-ver.caps",
  title: "capabilities match the security offered",
  release: () =>
    'manager.c adds "no_sec" for security 0 and "no_pop" for security 1 without PoP; "wifi_scan" when prov-scan exists',
  why: "the phone apps skip the PoP prompt on no_pop/no_sec and show the network list only with wifi_scan",
  run: async (ctx) => {
    const caps = ctx.version.capabilities;
    const problems: string[] = [];
    if (ctx.version.format === "json") {
      if (ctx.securityVersion === 0 && !caps.includes("no_sec")) problems.push('security 0 without "no_sec"');
      if (ctx.securityVersion !== 0 && caps.includes("no_sec"))
        problems.push(`"no_sec" with security ${ctx.securityVersion}`);
      if (ctx.securityVersion !== 1 && caps.includes("no_pop"))
        problems.push(`"no_pop" with security ${ctx.securityVersion}`);
      if (ctx.expect.scan && !caps.includes("wifi_scan")) problems.push('no "wifi_scan"');
    }
    // Does prov-scan exist as announced? An unknown path is a 404 from esp_http_server; a known one fails
    // silently on an empty-session garbage body.
    const { outcome } = await rawExchange(ctx, request(ctx, "prov-scan", "\u0000"));
    const scanExists = !(outcome.kind === "reply" && outcome.status === 404);
    if (caps.includes("wifi_scan") && !scanExists)
      problems.push('announces "wifi_scan" but prov-scan is 404');
    if (!caps.includes("wifi_scan") && scanExists && ctx.version.format === "json") {
      problems.push('prov-scan exists but "wifi_scan" is not announced');
    }
    const did = `cap=[${caps.join(",")}], security ${ctx.securityVersion}, prov-scan ${scanExists ? "present" : "absent"}`;
    return problems.length === 0 ? pass(did) : fail(`${did}: ${problems.join("; ")}`);
  },
};

const postOnly: Check = {
  id: "http.post-only",
  title: "GET on an endpoint: 405 and close",
  release: () =>
    "esp_http_server answers 405 Method Not Allowed and closes (endpoints are registered for POST only)",
  why: "a device that serves GET exposes endpoints to any web page the phone opens; clients never use GET",
  run: (ctx) => expectErrorReply(ctx, `GET /proto-ver HTTP/1.1\r\nHost: ${ctx.hostHeader}\r\n\r\n`, 405),
};

const unknownPath: Check = {
  id: "http.unknown-endpoint",
  title: "unknown endpoint: 404 and close",
  release: () => "esp_http_server answers 404 Not Found and closes",
  why: "apps probe optional endpoints (custom ones, prov-ctrl) and read 404 as absent",
  run: (ctx) =>
    expectErrorReply(
      ctx,
      post(ctx.hostHeader, "wifiprov-conformance-no-such-endpoint", "x").toString("latin1"),
      404,
    ),
};

const lengthZero: Check = {
  id: "http.content-length-zero",
  title: "Content-Length 0: close without reply",
  release: () => "protocomm_httpd.c refuses content_len 0 (handler error: no reply, connection closed)",
  why: "esp_prov and the apps treat a close as failure; a 200 to an empty body hides client bugs",
  run: (ctx) => expectSilentClose(ctx, post(ctx.hostHeader, "proto-ver", "")),
};

const lengthMax: Check = {
  id: "http.content-length-4096",
  title: "a 4096-byte body is accepted",
  release: () => "protocomm_httpd.c accepts bodies up to MAX_REQ_BODY_LEN (4096) bytes",
  why: "custom-data endpoints carry up to 4 KiB; a smaller limit breaks apps that send certificates or tokens",
  run: async (ctx) => {
    const { outcome } = await rawExchange(ctx, post(ctx.hostHeader, "proto-ver", "x".repeat(4096)));
    return outcome.kind === "reply" && outcome.status === 200
      ? pass("HTTP 200")
      : fail(describeOutcome(outcome));
  },
};

const lengthOver: Check = {
  id: "http.content-length-over",
  title: "Content-Length 4097: close without reply",
  release: () => "protocomm_httpd.c refuses content_len > 4096 before reading the body: no reply, closed",
  why: "a device that reads any length can be made to allocate without bound over the open SoftAP",
  run: async (ctx) => {
    const head = post(ctx.hostHeader, "proto-ver", "")
      .toString("latin1")
      .replace("Content-Length: 0", "Content-Length: 4097");
    return expectSilentClose(ctx, head + "x".repeat(4097));
  },
};

const queryString: Check = {
  id: "http.query-string",
  title: "endpoint with a query string: close without reply",
  release: () =>
    "protocomm_httpd.c looks the endpoint up by the whole URI: /proto-ver?x=1 names no endpoint (no reply, closed)",
  why: "clients must not rely on query strings; a device that strips them accepts URIs ESP devices refuse",
  run: (ctx) => expectSilentClose(ctx, post(ctx.hostHeader, "proto-ver?x=1", "---")),
};

function headerOfLength(ctx: CheckContext, total: number): string {
  const base = post(ctx.hostHeader, "proto-ver", "---").toString("latin1");
  const headEnd = base.indexOf("\r\n\r\n");
  const firstLine = base.indexOf("\r\n");
  const headers = base.slice(firstLine + 2, headEnd + 2);
  const pad = Math.max(0, total - headers.length - "X-Pad: \r\n".length);
  return `${base.slice(0, firstLine + 2)}${headers}X-Pad: ${"a".repeat(pad)}\r\n\r\n---`;
}

const headerLimit: Check = {
  id: "http.header-limit",
  title: "request header limit of the release",
  release: (ctx) =>
    `esp_http_server/Kconfig HTTPD_MAX_REQ_HDR_LEN ${ctx.expect.maxHeaderBytes.join(" or ")}: longer headers get 431 and a close`,
  why: "browsers and phone HTTP stacks add headers (user agent, cookies); a lower limit than the release breaks them, a missing one lets a client exhaust memory",
  run: async (ctx) => {
    const limits = ctx.expect.maxHeaderBytes;
    const min = Math.min(...limits);
    const max = Math.max(...limits);
    const under = await rawExchange(ctx, headerOfLength(ctx, min - 100));
    if (!(under.outcome.kind === "reply" && under.outcome.status === 200)) {
      return fail(`${min - 100} header bytes: ${describeOutcome(under.outcome)}`);
    }
    const over = await rawExchange(ctx, headerOfLength(ctx, max + 100));
    if (!(over.outcome.kind === "reply" && over.outcome.status === 431)) {
      return deviation(`${max + 100} header bytes: ${describeOutcome(over.outcome)} (the release: 431)`);
    }
    let seen = `${min - 100} bytes accepted, ${max + 100} bytes refused with 431`;
    if (limits.length > 1) {
      const middle = await rawExchange(ctx, headerOfLength(ctx, min + 100));
      const accepted = middle.outcome.kind === "reply" && middle.outcome.status === 200;
      seen += `; ${min + 100} bytes ${accepted ? "accepted (limit ~1024, v5.5+)" : "refused (limit ~512, v5.4.x)"}`;
    }
    return over.closedAfter ? pass(seen) : deviation(`${seen}, but the connection stayed open after 431`);
  },
};

const setCookie: Check = {
  id: "session.set-cookie",
  title: "first reply of a session sets session=<u32>",
  release: (ctx) =>
    ctx.expect.cookies
      ? "protocomm_httpd.c: `Set-Cookie: session=<decimal u32>` (exact name, no attributes) on the reply that opened the session"
      : "the v4.0 protocomm_httpd.c has no cookies: sessions are bound to the socket",
  why: "esp_prov keeps the cookie only from a header named exactly Set-Cookie; the Android library opens a connection per request and is in the same session only through the cookie",
  run: async (ctx) => {
    const conn = await open(ctx);
    try {
      const outcome = await conn.request(request(ctx, "proto-ver", "---"));
      if (outcome.kind !== "reply" || outcome.status !== 200)
        return fail(`proto-ver: ${describeOutcome(outcome)}`);
      const exact = outcome.headers.find(([n]) => n === "Set-Cookie")?.[1];
      const any = header(outcome, "Set-Cookie");
      if (!ctx.expect.cookies) {
        return pass(
          any === undefined
            ? "no Set-Cookie (socket sessions)"
            : `Set-Cookie: ${any} (old clients ignore it)`,
        );
      }
      if (any === undefined) {
        // security0.c has no new_transport_session, so protocomm_httpd.c attaches no socket-close callback and a
        // new connection on the same socket number continues the session: ESP's own device sends no cookie here.
        return ctx.securityVersion === 0
          ? pass("no Set-Cookie on a new connection (security 0: the release continues the session too)")
          : fail("no Set-Cookie on the first reply");
      }
      if (exact === undefined)
        return deviation(`Set-Cookie sent with another capitalisation: esp_prov ignores it`);
      const m = /^session=(\d+)$/.exec(exact);
      if (!m || Number(m[1]) > 0xffffffff) return deviation(`Set-Cookie: ${exact}`);
      return pass(`Set-Cookie: ${exact}`);
    } finally {
      conn.close();
    }
  },
};

const handshakeCheck: Check = {
  id: "security.handshake",
  title: "handshake of the offered security, then an encrypted request",
  release: (ctx) =>
    ctx.securityVersion === 2
      ? `security2.c: SRP6a (3072-bit) + AES-256-GCM, sec_patch_ver ${ctx.patchVersion}`
      : ctx.securityVersion === 1
        ? "security1.c: X25519 + PoP + AES-256-CTR"
        : "security0.c: plaintext",
  why: "nothing else works without it",
  skip: (ctx) => missingCredentials(ctx),
  run: async (ctx) => {
    const session = await establish(ctx);
    try {
      const { status, state } = readStatus(await call(ctx, session, "prov-config", getStatusRequest()));
      return pass(
        `session established (cookie ${session.cookie ?? "none"}); GetStatus ${statusName(status)}, ${state}`,
      );
    } finally {
      session.conn.close();
    }
  },
};

const socketSession: Check = {
  id: "session.socket",
  title: "a client that never sends the cookie stays in its session on one connection",
  release: () =>
    "protocomm_httpd.c: without a Cookie header the request belongs to the session of its socket",
  why: "esp_prov before v4.3, curl-style scripts and v4.0-era apps never send the cookie",
  skip: (ctx) => missingCredentials(ctx),
  run: async (ctx) => {
    const session = await establish(ctx, false);
    try {
      readStatus(await call(ctx, session, "prov-config", getStatusRequest()));
      readStatus(await call(ctx, session, "prov-config", getStatusRequest()));
      return pass("handshake and two requests without a cookie, on one connection");
    } finally {
      session.conn.close();
    }
  },
};

const cookieResume: Check = {
  id: "session.cookie-resume",
  title: "the session continues on a new connection with its cookie",
  release: () =>
    "protocomm_httpd.c: closing the socket only forgets the socket; the cookie still names the session and its cipher state",
  why: "the Android library (HttpURLConnection per request) and browsers reconnect between requests",
  skip: (ctx) =>
    !ctx.expect.cookies
      ? "the release has no cookies"
      : ctx.securityVersion === 0
        ? "security 0 keeps no keys to resume"
        : missingCredentials(ctx),
  run: async (ctx) => {
    const session = await establish(ctx);
    if (session.cookie === undefined) {
      session.conn.close();
      return fail("no cookie was set, so no other connection can continue the session");
    }
    readStatus(await call(ctx, session, "prov-config", getStatusRequest()));
    session.conn.close();
    const second = await open(ctx);
    try {
      const { state } = readStatus(await call(ctx, session, "prov-config", getStatusRequest(), second));
      return pass(`GetStatus on a second connection with ${session.cookie}: ${state}`);
    } catch (err) {
      if (err instanceof CheckFailure) return fail(`on a second connection with the cookie: ${err.message}`);
      throw err;
    } finally {
      second.close();
    }
  },
};

const wrongProof: Check = {
  id: "security.wrong-proof",
  title: "wrong PoP / password: connection closed without a reply",
  release: (ctx) =>
    `security${ctx.securityVersion}.c fails the second handshake message; protocomm_httpd.c closes without a reply`,
  why: "the Android library waits forever for a reply that never verifies; esp_prov reports the close as a wrong PoP",
  skip: needsHandshake,
  run: async (ctx) => {
    const { conn, cookie } = await openWithCookie(ctx);
    try {
      const security = clientSession(ctx, true);
      const first = await conn.request(request(ctx, "prov-session", security.begin(), cookie));
      if (first.kind !== "reply" || first.status !== 200)
        return fail(`first handshake message: ${describeOutcome(first)}`);
      let second: Uint8Array;
      try {
        second = security.next(first.body)!;
      } catch (err) {
        return fail(`first handshake reply unusable: ${err instanceof Error ? err.message : String(err)}`);
      }
      const outcome = await conn.request(request(ctx, "prov-session", second, cookie));
      if (outcome.kind === "closed" && outcome.partial.length === 0)
        return pass("closed the connection without a reply");
      if (outcome.kind === "timeout")
        return fail("neither replied nor closed: the client waits for its own timeout");
      return fail(`answered the wrong proof: ${describeOutcome(outcome)}`);
    } finally {
      conn.close();
    }
  },
};

const beforeHandshake: Check = {
  id: "security.request-before-handshake",
  title: "a request before the handshake: close without reply",
  release: () =>
    "protocomm.c refuses request endpoints until the security session is established (no reply, closed)",
  why: "a device that answers before the handshake gives its Wi-Fi settings to anyone on the SoftAP without the PoP",
  skip: (ctx) => (ctx.securityVersion === 0 ? "security 0 has no handshake" : undefined),
  run: async (ctx) => {
    const { conn, cookie } = await openWithCookie(ctx);
    try {
      const outcome = await conn.request(request(ctx, "prov-config", getStatusRequest(), cookie));
      if (outcome.kind === "closed" && outcome.partial.length === 0)
        return pass("closed the connection without a reply");
      return fail(describeOutcome(outcome));
    } finally {
      conn.close();
    }
  },
};

const restart: Check = {
  id: "security.restarted-handshake",
  title: "a second first message restarts the handshake",
  release: (ctx) =>
    ctx.expect.restartOnCmd0
      ? `security${ctx.securityVersion}.c (v4.3+): the first handshake message in any state starts over`
      : "security1.c at v4.0: a second first message fails (no reply, closed)",
  why: "clients retry a handshake whose reply was lost (phone apps after a Wi-Fi hiccup) on the same session",
  skip: needsHandshake,
  run: async (ctx) => {
    const { conn, cookie } = await openWithCookie(ctx);
    try {
      const first = await conn.request(request(ctx, "prov-session", clientSession(ctx).begin(), cookie));
      if (first.kind !== "reply" || first.status !== 200)
        return fail(`first message: ${describeOutcome(first)}`);
      if (!ctx.expect.restartOnCmd0) {
        const again = await conn.request(request(ctx, "prov-session", clientSession(ctx).begin(), cookie));
        return again.kind === "closed"
          ? pass("the second first message closed the connection, as the release does")
          : deviation(`second first message: ${describeOutcome(again)}`);
      }
      try {
        const session = await handshake(ctx, conn, cookie);
        readStatus(await call(ctx, session, "prov-config", getStatusRequest()));
        return pass("restarted handshake completed; GetStatus decrypts");
      } catch (err) {
        if (err instanceof CheckFailure) return fail(`after a restart: ${err.message}`);
        throw err;
      }
    } finally {
      conn.close();
    }
  },
};

const sec2Nonce: Check = {
  id: "security.sec2-nonce",
  title: "sec2 nonce length of the announced patch level",
  release: (ctx) =>
    ctx.patchVersion === 1
      ? "security2.c (v5.4.1+): 12-byte nonce = 8 random bytes + 32-bit counter"
      : "security2.c (v5.0…v5.4): AES_GCM_IV_SIZE 16, one random nonce for every message",
  why: "a client picks the nonce scheme from sec_patch_ver; a mismatch makes every encrypted reply undecryptable",
  skip: (ctx) => (ctx.securityVersion !== 2 ? "security 2 only" : missingCredentials(ctx)),
  run: async (ctx) => {
    let nonce: Uint8Array | undefined;
    try {
      const session = await establish(ctx);
      session.conn.close();
      nonce = nonceOf(session.handshakeReplies[1]);
    } catch (err) {
      if (!(err instanceof CheckFailure)) throw err;
      return fail(err.message);
    }
    if (nonce === undefined) return fail("no device_nonce in the second handshake reply");
    const did = `device_nonce of ${nonce.length} bytes`;
    if (ctx.patchVersion === 1) return nonce.length === 12 ? pass(did) : fail(did);
    if (nonce.length === 16) return pass(did);
    return nonce.length === 12 ? deviation(did) : fail(did);
  },
};

function nonceOf(reply: Uint8Array | undefined): Uint8Array | undefined {
  if (reply === undefined) return undefined;
  const data = decode(SessionDataSchema, reply);
  return data.proto.case === "sec2" && data.proto.value.payload.case === "sr1"
    ? data.proto.value.payload.value.deviceNonce
    : undefined;
}

const counter: Check = {
  id: "security.cipher-continues",
  title: "several requests in a row all decrypt",
  release: (ctx) =>
    ctx.securityVersion === 2 && ctx.patchVersion === 1
      ? "security2.c (v5.4.1+): the nonce counter advances on every message, both directions, never reused"
      : ctx.securityVersion === 1
        ? "security1.c: one AES-CTR stream per session across requests and replies"
        : "the same key and nonce for every message",
  why: "a device that reuses a nonce or restarts its stream makes the second reply undecryptable for every client",
  skip: needsHandshake,
  run: async (ctx) => {
    const session = await establish(ctx);
    try {
      for (let i = 1; i <= 3; i++) {
        try {
          readStatus(await call(ctx, session, "prov-config", getStatusRequest()));
        } catch (err) {
          if (err instanceof CheckFailure) return fail(`request ${i}: ${err.message}`);
          throw err;
        }
      }
      return pass("three GetStatus in a row decrypt");
    } finally {
      session.conn.close();
    }
  },
};

const replay: Check = {
  id: "security.replay",
  title: "a replayed request is refused",
  release: () =>
    "security2.c (v5.4.1+): the counter moved on, so the replayed ciphertext fails GCM: no reply, closed",
  why: "someone on the open SoftAP who recorded a request must not be able to repeat it",
  skip: (ctx) =>
    ctx.securityVersion !== 2
      ? "sec2 only (sec1's stream cipher has no integrity check)"
      : ctx.patchVersion !== 1
        ? "sec2 patch 0 reuses one nonce, so the release itself accepts replays"
        : missingCredentials(ctx),
  run: async (ctx) => {
    const session = await establish(ctx);
    try {
      const body = session.security.encrypt(getStatusRequest());
      const bytes = request(ctx, "prov-config", body, session.cookie);
      const first = await session.conn.request(bytes);
      if (first.kind !== "reply" || first.status !== 200)
        return fail(`the original request: ${describeOutcome(first)}`);
      const again = await session.conn.request(bytes);
      if (again.kind === "closed" && again.partial.length === 0)
        return pass("closed the connection without a reply");
      return fail(`the replay: ${describeOutcome(again)}`);
    } finally {
      session.conn.close();
    }
  },
};

const getStatus: Check = {
  id: "config.get-status-before-set",
  title: "GetStatus before any credentials",
  release: () => "handlers.c get_status_handler answers Success with the manager's station state",
  why: "apps poll GetStatus first to learn whether the device is already provisioned",
  skip: (ctx) => missingCredentials(ctx),
  run: async (ctx) => {
    const session = await establish(ctx);
    try {
      const { status, state } = readStatus(await call(ctx, session, "prov-config", getStatusRequest()));
      return status === Status.Success ? pass(`Success, ${state}`) : fail(`status ${statusName(status)}`);
    } finally {
      session.conn.close();
    }
  },
};

const ctrlReset: Check = {
  id: "ctrl.reset-when-started",
  title: "CtrlReset while nothing failed",
  release: (ctx) =>
    ctx.expect.ctrlResetWhenStarted === "accepted"
      ? "network_provisioning manager.c: reset in the started state answers Success"
      : "wifi_ctrl.c / manager.c (v5.1+): reset only after a failed attempt, otherwise InternalError",
  why: "apps send CtrlReset before retrying with new credentials and read the status",
  skip: (ctx) => (ctx.expect.ctrl === false ? "the release has no prov-ctrl" : missingCredentials(ctx)),
  run: async (ctx) => {
    const session = await establish(ctx);
    try {
      const outcome = await session.conn.request(
        request(ctx, "prov-ctrl", session.security.encrypt(ctrlResetRequest()), session.cookie),
      );
      if (outcome.kind === "reply" && outcome.status === 404) {
        return ctx.expect.ctrl === "optional" ? pass("no prov-ctrl (v5.0)") : fail("prov-ctrl is 404");
      }
      if (outcome.kind !== "reply" || outcome.status !== 200)
        return fail(`prov-ctrl: ${describeOutcome(outcome)}`);
      const reply = readCtrl(session.security.decrypt(outcome.body));
      const accepted = reply.status === Status.Success;
      const did = `status ${statusName(reply.status)}`;
      const expected = ctx.expect.ctrlResetWhenStarted;
      if (expected === "either" || (expected === "accepted") === accepted) return pass(did);
      return deviation(did);
    } finally {
      session.conn.close();
    }
  },
};

async function scanCount(ctx: CheckContext, session: Awaited<ReturnType<typeof establish>>): Promise<number> {
  const status = readScan(await call(ctx, session, "prov-scan", scanStatusRequest()));
  if (status.payload.case !== "respScanStatus") throw new CheckFailure("ScanStatus: wrong reply type");
  return status.payload.value.resultCount;
}

const scanPaging: Check = {
  id: "scan.paging",
  title: "scan start, status and results in pages of 4",
  release: () =>
    "wifi_scan.c: ScanStart (blocking), ScanStatus gives result_count, ScanResult(start, count) returns that slice",
  why: "esp_prov and the apps read the list in pages of 4 up to result_count",
  skip: (ctx) => (ctx.expect.scan ? missingCredentials(ctx) : "the release has no prov-scan"),
  run: async (ctx) => {
    const session = await establish(ctx);
    try {
      const start = readScan(await call(ctx, session, "prov-scan", scanStartRequest()));
      if (start.status !== Status.Success) return fail(`ScanStart: ${statusName(start.status)}`);
      const count = await scanCount(ctx, session);
      let got = 0;
      for (let index = 0; index < count; index += 4) {
        const n = Math.min(4, count - index);
        const page = readScan(await call(ctx, session, "prov-scan", scanResultRequest(index, n)));
        if (page.status !== Status.Success || page.payload.case !== "respScanResult") {
          return fail(`ScanResult(${index}, ${n}): status ${statusName(page.status)}`);
        }
        const entries = page.payload.value.entries;
        if (entries.length !== n) return fail(`ScanResult(${index}, ${n}) gave ${entries.length} entries`);
        const bad = entries.find((e) => e.ssid.length > 32 || e.bssid.length !== 6);
        if (bad) return fail(`an entry with a ${bad.ssid.length}-byte SSID / ${bad.bssid.length}-byte BSSID`);
        got += n;
      }
      return pass(`${got} of ${count} networks, read in ${Math.ceil(count / 4)} pages`);
    } finally {
      session.conn.close();
    }
  },
};

const scanOutOfRange: Check = {
  id: "scan.out-of-range",
  title: "ScanResult past the end of the list",
  release: () =>
    "wifi_scan.c (v5.5) sets n_entries = count, breaks out of its loop at the first missing index with InternalError and leaves NULL entries the reply packer dereferences: the release itself crashes here",
  why: "an app that asks for one page too many, or a list that shrank between ScanStatus and ScanResult, takes the device down; a robust device answers InternalError",
  skip: (ctx) => (ctx.expect.scan ? missingCredentials(ctx) : "the release has no prov-scan"),
  run: async (ctx) => {
    const session = await establish(ctx);
    let count: number;
    try {
      count = await scanCount(ctx, session);
      if (count === 0) {
        readScan(await call(ctx, session, "prov-scan", scanStartRequest()));
        count = await scanCount(ctx, session);
      }
    } catch (err) {
      session.conn.close();
      throw err;
    }
    const outcome = await session.conn.request(
      request(ctx, "prov-scan", session.security.encrypt(scanResultRequest(count, 1)), session.cookie),
    );
    session.conn.close();
    const alive = await stillAnswers(ctx);
    const asked = `ScanResult(start ${count}, count 1) with ${count} results`;
    if (!alive) return fail(`${asked}: ${describeOutcome(outcome)}, then the device stopped answering`);
    if (outcome.kind !== "reply" || outcome.status !== 200) {
      return deviation(`${asked}: ${describeOutcome(outcome)} (the device survived)`);
    }
    const reply = readScan(session.security.decrypt(outcome.body));
    const entries = reply.payload.case === "respScanResult" ? reply.payload.value.entries.length : 0;
    if (reply.status !== Status.Success)
      return pass(`${asked}: status ${statusName(reply.status)}, device still answers`);
    return deviation(`${asked}: Success with ${entries} entries`);
  },
};

/** One proto-ver on a new connection: is anyone still there? */
export async function stillAnswers(ctx: CheckContext): Promise<boolean> {
  try {
    const conn = await open(ctx);
    try {
      const outcome = await conn.request(request(ctx, "proto-ver", "---"));
      return outcome.kind === "reply" && outcome.status === 200;
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

export const CHECKS: readonly Check[] = [
  versionCheck,
  capsCheck,
  postOnly,
  unknownPath,
  lengthZero,
  lengthMax,
  lengthOver,
  queryString,
  headerLimit,
  ...HTTP_REQUEST_CHECKS,
  setCookie,
  handshakeCheck,
  socketSession,
  cookieResume,
  ...HTTP_SESSION_CHECKS,
  wrongProof,
  beforeHandshake,
  restart,
  ...SRP_CHECKS,
  sec2Nonce,
  counter,
  replay,
  getStatus,
  ctrlReset,
  scanPaging,
  ...DESTRUCTIVE_CHECKS,
  scanOutOfRange,
];
