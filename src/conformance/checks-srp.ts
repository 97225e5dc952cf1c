/**
 * The SRP (security 2) leading-zero cases, forced instead of waited for: each happens in about 1 handshake
 * in 256, which is exactly why a firmware's own testing misses them and a phone app fails "sometimes".
 *
 * What the release does (ESP-IDF v5.0 … v6.0 security2.c and srp6a/esp_srp.c, the same at every tag):
 * - A: `client_pubkey.len != PUBLIC_KEY_LEN` (384) ⇒ ESP_ERR_INVALID_ARG, so protocomm_httpd closes without a
 *   reply; A is used as received (384 bytes, leading zero kept) in u = H(PAD(A)||PAD(B)) and in M.
 * - B: esp_mpi_to_bin(B) — minimal bytes (383 when the first would be 0), sent and hashed in M as such.
 * - S: K = SHA-512(esp_mpi_to_bin(S)) — minimal again.
 * esp_prov v5.5 (srp6a.py) sends MIN(A) and hashes MIN(A), MIN(B) through long_to_bytes: against ESP's own
 * device it fails the handshakes whose A has a leading zero; against a device that pads B it fails those too.
 */
import { WiFiConfigMsgType, WiFiConfigPayloadSchema, decode } from "../proto/index.js";
import { createClientSession } from "../security/index.js";
import type { ClientSecuritySession } from "../security/index.js";
import { encodeSec2Command0, parseSec2Response0 } from "../security/messages.js";
import type { Check, CheckResult } from "./checks.js";
import { CheckFailure, memoize, missingCredentials, openWithCookie, request } from "./context.js";
import type { CheckContext } from "./context.js";
import { getStatusRequest } from "./messages.js";
import {
  PRIVATE_VALUE_LENGTH,
  PremasterCalculator,
  asPrivateValue,
  findLeadingZeroA,
  minimalLength,
} from "./srp-forcing.js";
import type { ForcedClientKey } from "./srp-forcing.js";
import { describeOutcome } from "./wire.js";
import type { Connection } from "./wire.js";

const result = (verdict: CheckResult["verdict"], did: string, why?: string): CheckResult => ({
  verdict,
  did,
  ...(why ? { why } : {}),
});

const sec2Only = (ctx: CheckContext): string | undefined =>
  ctx.securityVersion !== 2 ? "security 2 only (SRP6a)" : missingCredentials(ctx);

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function sessionWith(ctx: CheckContext, privateValue: Uint8Array): ClientSecuritySession {
  return createClientSession({
    version: 2,
    patchVersion: ctx.patchVersion,
    username: ctx.credentials.username ?? "",
    password: ctx.credentials.password ?? "",
    // A copy per draw: the session wipes what it was given.
    random: () => Uint8Array.from(privateValue),
  });
}

/** One forced A per run, shared by the padded and the minimal check. */
function forcedA(ctx: CheckContext): Promise<ForcedClientKey> {
  return memoize(ctx, "srp.forced-a", async () => {
    const found = findLeadingZeroA(ctx.random(PRIVATE_VALUE_LENGTH));
    if (found === undefined) throw new CheckFailure("no A with a leading zero among 4096 candidates");
    return found;
  });
}

interface Completion {
  ok: boolean;
  /** What the device did with the rest of the handshake and one GetStatus. */
  did: string;
}

/**
 * Finishes a handshake whose first reply already came: sends the proof, checks the device's, and sends one
 * encrypted GetStatus. A failure here is what a client would see.
 */
async function complete(
  ctx: CheckContext,
  conn: Connection,
  cookie: string | undefined,
  session: ClientSecuritySession,
  firstReply: Uint8Array,
): Promise<Completion> {
  let proof: Uint8Array | null;
  try {
    proof = session.next(firstReply);
  } catch (err) {
    return { ok: false, did: `the device's first reply is unusable (${message(err)})` };
  }
  const second = await conn.request(request(ctx, "prov-session", proof!, cookie));
  if (second.kind !== "reply" || second.status !== 200) {
    return { ok: false, did: `the client proof was refused: the device ${describeOutcome(second)}` };
  }
  try {
    session.next(second.body);
  } catch (err) {
    return { ok: false, did: `the device's proof does not verify (${message(err)})` };
  }
  const status = await conn.request(request(ctx, "prov-config", session.encrypt(getStatusRequest()), cookie));
  if (status.kind !== "reply" || status.status !== 200) {
    return { ok: false, did: `handshake completed, then GetStatus: the device ${describeOutcome(status)}` };
  }
  try {
    const reply = decode(WiFiConfigPayloadSchema, session.decrypt(status.body));
    if (reply.msg !== WiFiConfigMsgType.TypeRespGetStatus) throw new Error(`message type ${reply.msg}`);
  } catch (err) {
    return { ok: false, did: `handshake completed, but GetStatus does not decrypt (${message(err)})` };
  }
  return { ok: true, did: "handshake completed, GetStatus decrypts" };
}

const paddedA: Check = {
  id: "security.srp-a-padded",
  title: "an A with a leading zero byte, sent as 384 bytes, completes the handshake",
  release: () =>
    "security2.c takes client_pubkey of exactly 384 bytes and uses those bytes in u and M (esp_srp.c), leading zero included",
  why: "correct clients (the phone libraries, wifiprov) send PAD(A); a device that strips or mishashes it fails 1 handshake in 256",
  skip: sec2Only,
  run: async (ctx) => {
    const forced = await forcedA(ctx);
    const { conn, cookie } = await openWithCookie(ctx);
    try {
      const session = sessionWith(ctx, forced.privateValue);
      const cmd0 = session.begin();
      const first = await conn.request(request(ctx, "prov-session", cmd0, cookie));
      const what = `A = 0x00${hex(forced.paddedA.subarray(1, 4))}… (384 bytes, found after ${forced.tried} candidates)`;
      if (first.kind !== "reply" || first.status !== 200) {
        return result("fail", `${what}: the device ${describeOutcome(first)}`);
      }
      const done = await complete(ctx, conn, cookie, session, first.body);
      return result(done.ok ? "pass" : "fail", `${what}: ${done.did}`);
    } finally {
      conn.close();
    }
  },
};

const minimalA: Check = {
  id: "security.srp-a-minimal",
  title: "the same A as 383 bytes (leading zero stripped) is refused",
  release: () =>
    "security2.c: client_pubkey.len != PUBLIC_KEY_LEN (384) ⇒ ESP_ERR_INVALID_ARG; protocomm_httpd closes without a reply",
  why: "esp_prov v5.5 sends MIN(A) and fails exactly these handshakes against ESP's firmware; a device that accepts them differs from the release (more lenient, no client breaks)",
  skip: sec2Only,
  run: async (ctx) => {
    const forced = await forcedA(ctx);
    const { conn, cookie } = await openWithCookie(ctx);
    try {
      const username = new TextEncoder().encode(ctx.credentials.username ?? "");
      const cmd0 = encodeSec2Command0(username, forced.paddedA.subarray(1));
      const outcome = await conn.request(request(ctx, "prov-session", cmd0, cookie));
      if (outcome.kind === "closed" && outcome.partial.length === 0) {
        return result("pass", "a 383-byte A: closed the connection without a reply");
      }
      if (outcome.kind === "timeout") {
        return result(
          "fail",
          "a 383-byte A: neither replied nor closed (the client waits for its own timeout)",
        );
      }
      if (outcome.kind === "reply" && outcome.status === 200) {
        return result("deviation", `a 383-byte A: accepted (${describeOutcome(outcome)})`);
      }
      return result("deviation", `a 383-byte A: ${describeOutcome(outcome)}`);
    } finally {
      conn.close();
    }
  },
};

interface Seen {
  attempt: number;
  /** Bytes on the wire (B) or of MIN(S). */
  length: number;
  /** B only: 384 bytes whose first is 0 (padded) instead of 383. */
  padded: boolean;
  /** The same handshake also had the other leading zero (its outcome then can't be told apart). */
  both: boolean;
  completion: Completion;
}

interface Search {
  attempts: number;
  b?: Seen;
  s?: Seen;
}

/**
 * Restarts the handshake (a new first message on the same session, allowed by every sec2 release) with one
 * client key until a B with a leading zero and an S with a leading zero have each been seen and their
 * handshakes completed, or the budget is spent. The handshake is finished only for those attempts.
 */
function leadingZeroSearch(ctx: CheckContext): Promise<Search> {
  return memoize(ctx, "srp.search", async () => {
    const privateValue = asPrivateValue(ctx.random(PRIVATE_VALUE_LENGTH));
    const calc = new PremasterCalculator(
      privateValue,
      ctx.credentials.username ?? "",
      ctx.credentials.password ?? "",
    );
    const search: Search = { attempts: 0 };
    let { conn, cookie } = await openWithCookie(ctx);
    try {
      for (let attempt = 1; attempt <= ctx.srpAttempts && !(search.b && search.s); attempt++) {
        search.attempts = attempt;
        const session = sessionWith(ctx, privateValue);
        const cmd0 = session.begin();
        let first = await conn.request(request(ctx, "prov-session", cmd0, cookie));
        if (first.kind !== "reply" || first.status !== 200) {
          // One fresh connection, in case the device does not take restarts on one session.
          conn.close();
          ({ conn, cookie } = await openWithCookie(ctx));
          first = await conn.request(request(ctx, "prov-session", cmd0, cookie));
          if (first.kind !== "reply" || first.status !== 200) {
            throw new CheckFailure(
              `handshake ${attempt}, first message: the device ${describeOutcome(first)}`,
            );
          }
        }
        let B: Uint8Array;
        let salt: Uint8Array;
        try {
          ({ devicePubkey: B, deviceSalt: salt } = parseSec2Response0(first.body));
        } catch (err) {
          throw new CheckFailure(`handshake ${attempt}: the first reply is unusable (${message(err)})`);
        }
        const bZero = B.length < 384 || B[0] === 0;
        const sLength = minimalLength(calc.premaster(salt, B));
        const sZero = sLength < 384;
        if (!((bZero && !search.b) || (sZero && !search.s))) continue;
        const completion = await complete(ctx, conn, cookie, session, first.body);
        const both = bZero && sZero;
        if (bZero && !search.b) {
          search.b = { attempt, length: B.length, padded: B.length === 384, both, completion };
        }
        if (sZero && !search.s) search.s = { attempt, length: sLength, padded: false, both, completion };
        if (!completion.ok || conn.closed) {
          conn.close();
          ({ conn, cookie } = await openWithCookie(ctx));
        }
      }
      return search;
    } finally {
      conn.close();
    }
  });
}

const notObserved = (what: string, search: Search): CheckResult =>
  result(
    "skipped",
    `not observed: no ${what} with a leading zero in ${search.attempts} handshakes (1 in 256 each; raise --srp-attempts)`,
  );

const shortB: Check = {
  id: "security.srp-b-minimal",
  title: "a B with a leading zero is sent minimal (383 bytes) and hashed as sent",
  release: () =>
    "esp_srp.c: bytes_B = esp_mpi_to_bin(B) (mbedtls_mpi_write_binary into mbedtls_mpi_size bytes): 383 bytes, the same bytes in M",
  why: "esp_prov v5.5 hashes MIN(B) in its proof (srp6a.py long_to_bytes): a device that pads B, or hashes other bytes than it sent, fails 1 handshake in 256",
  skip: sec2Only,
  run: async (ctx) => {
    const search = await leadingZeroSearch(ctx);
    const seen = search.b;
    if (seen === undefined) return notObserved("B", search);
    const where = `handshake ${seen.attempt} of ${search.attempts}`;
    if (seen.padded) {
      return result(
        "fail",
        `B with a leading zero sent as 384 bytes (padded), ${where}; then ${seen.completion.did}`,
      );
    }
    const did = `B of ${seen.length} bytes (minimal), ${where}: ${seen.completion.did}`;
    if (seen.completion.ok) return result("pass", did);
    return result(
      "fail",
      seen.both ? `${did} (S also had a leading zero in that handshake)` : did,
      "the device sends MIN(B) but its proof check uses other bytes: every client fails these handshakes",
    );
  },
};

const shortS: Check = {
  id: "security.srp-s-minimal",
  title: "an S with a leading zero: K = SHA-512(MIN(S))",
  release: () => "esp_srp.c esp_srp_get_session_key: K = SHA-512(esp_mpi_to_bin(S)), minimal bytes",
  why: "esp_prov and the phone libraries hash MIN(S): a device that pads S fails 1 handshake in 256 with every client",
  skip: sec2Only,
  run: async (ctx) => {
    const search = await leadingZeroSearch(ctx);
    const seen = search.s;
    if (seen === undefined) return notObserved("S", search);
    const did = `S of ${seen.length} bytes, handshake ${seen.attempt} of ${search.attempts}: ${seen.completion.did}`;
    if (seen.completion.ok) return result("pass", did);
    return result(
      "fail",
      seen.both
        ? `${did} (B also had a leading zero in that handshake)`
        : `${did}: the device's K is not SHA-512(MIN(S))`,
    );
  },
};

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** In battery order: after the restarted-handshake check, before the nonce checks. */
export const SRP_CHECKS: readonly Check[] = [paddedA, minimalA, shortB, shortS];
