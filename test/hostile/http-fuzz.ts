/**
 * Level (b) fuzzing: random HTTP on raw sockets — bad request lines, huge or malformed headers, wrong
 * Content-Length, chunked bodies, pipelined requests, bodies dribbled in slowly, plain random bytes, and
 * clients that half-close, stay silent or vanish. The device must answer each with one of its two failure
 * classes or a reply (protocol.md §2.2), and a client that half-closes must always see the device close too.
 */
import net from "node:net";
import fc from "fast-check";

const ENDPOINT_PATHS = [
  "/prov-session",
  "/prov-config",
  "/prov-scan",
  "/prov-ctrl",
  "/custom-data",
  "/proto-ver",
  "/",
  "/prov-config?x=1",
  "/nope",
];

export interface HttpInput {
  /** The bytes to send, already cut into the pieces written one by one. */
  chunks: Uint8Array[];
  /** Pause between pieces (a slow client), ms. */
  pauseMs: number;
  /** After writing: half-close, stay open (then we give up after a short wait), or reset. */
  ending: "half-close" | "stay" | "reset";
}

const latin1 = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));

const tokenArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant("POST") },
  fc.constantFrom("POST", "GET", "PUT", "HEAD", "OPTIONS", "PRI", "post", "BREW", "M-SEARCH"),
  fc.string({ minLength: 0, maxLength: 20 }),
);
const targetArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ENDPOINT_PATHS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 400, max: 1200 }).map((n) => "/" + "a".repeat(n)) },
);
const versionArb = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom("HTTP/1.1", "HTTP/1.0") },
  { weight: 1, arbitrary: fc.constantFrom("HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/1", "http/1.1", "") },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const headerArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.tuple(
      fc.constantFrom("Host", "Content-Type", "Accept", "Cookie", "Connection", "X-Junk"),
      fc.string({ maxLength: 40 }),
    ),
  },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 60 })) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constant("X-Big"),
      fc.integer({ min: 100, max: 3000 }).map((n) => "v".repeat(n)),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constant("Cookie"),
      fc.oneof(
        fc.nat().map((n) => `session=${n}`),
        fc.string({ maxLength: 30 }),
      ),
    ),
  },
);
type Framing =
  | { kind: "length"; delta: number }
  | { kind: "bad-length"; text: string }
  | { kind: "none" }
  | { kind: "chunked"; withLength: boolean }
  | { kind: "double-length" };
const framingArb: fc.Arbitrary<Framing> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("length" as const),
      delta: fc.oneof(fc.constant(0), fc.integer({ min: -20, max: 20 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("bad-length" as const),
      text: fc.constantFrom("-1", "abc", "1e3", "99999999999999999999", "4097", " 12", "0x10", ""),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("none" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("chunked" as const), withLength: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("double-length" as const) }) },
);

const requestArb: fc.Arbitrary<Uint8Array> = fc
  .record({
    method: tokenArb,
    target: targetArb,
    version: versionArb,
    headers: fc.array(headerArb, { maxLength: 8 }),
    framing: framingArb,
    body: fc.uint8Array({ maxLength: 200 }),
    lineEnd: fc.constantFrom("\r\n", "\r\n", "\r\n", "\n", "\r"),
  })
  .map(({ method, target, version, headers, framing, body, lineEnd }) => {
    const lines = [`${method} ${target} ${version}`.trimEnd(), ...headers.map(([n, v]) => `${n}: ${v}`)];
    let payload = body;
    if (framing.kind === "length") lines.push(`Content-Length: ${Math.max(0, body.length + framing.delta)}`);
    if (framing.kind === "bad-length") lines.push(`Content-Length: ${framing.text}`);
    if (framing.kind === "double-length")
      lines.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`);
    if (framing.kind === "chunked") {
      lines.push("Transfer-Encoding: chunked");
      if (framing.withLength) lines.push(`Content-Length: ${body.length}`);
      payload = Uint8Array.from([
        ...latin1(`${body.length.toString(16)}\r\n`),
        ...body,
        ...latin1("\r\n0\r\n\r\n"),
      ]);
    }
    return Uint8Array.from([...latin1(lines.join(lineEnd) + lineEnd + lineEnd), ...payload]);
  });

/** Well-formed requests with a random body: these get past HTTP into protocomm (and get 200 on proto-ver). */
const wellFormedArb: fc.Arbitrary<Uint8Array> = fc
  .record({
    target: fc.constantFrom(...ENDPOINT_PATHS.slice(0, 6)),
    body: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  })
  .map(({ target, body }) =>
    Uint8Array.from([
      ...latin1(
        `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n`,
      ),
      ...latin1(`Content-Length: ${body.length}\r\n\r\n`),
      ...body,
    ]),
  );

const streamArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc
      .array(fc.oneof(wellFormedArb, requestArb), { minLength: 1, maxLength: 4 })
      .map((rs) => Uint8Array.from(rs.flatMap((r) => [...r]))),
  },
  {
    weight: 4,
    arbitrary: fc
      .array(requestArb, { minLength: 1, maxLength: 4 })
      .map((rs) => Uint8Array.from(rs.flatMap((r) => [...r]))),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 2000 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 600 }).map(latin1) },
);

export const httpInputArb: fc.Arbitrary<HttpInput> = fc
  .record({
    bytes: streamArb,
    cuts: fc.array(fc.nat(), { maxLength: 6 }),
    slow: fc.oneof(
      { weight: 9, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) },
    ),
    ending: fc.constantFrom("half-close" as const, "half-close" as const, "stay" as const, "reset" as const),
  })
  .map(({ bytes, cuts, slow, ending }) => {
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const chunks: Uint8Array[] = [];
    let last = 0;
    for (const p of [...points, bytes.length]) {
      if (p > last) chunks.push(bytes.subarray(last, p));
      last = p;
    }
    return { chunks, pauseMs: slow, ending };
  });

export type HttpOutcome = "replied" | "closed-silently" | "left-open" | "reset-by-us";

export interface HttpFuzzStats {
  inputs: number;
  outcomes: Record<HttpOutcome, number>;
  /** Status codes of the first response line seen on each connection. */
  statuses: Record<string, number>;
}

export function emptyHttpStats(): HttpFuzzStats {
  return {
    inputs: 0,
    outcomes: { replied: 0, "closed-silently": 0, "left-open": 0, "reset-by-us": 0 },
    statuses: {},
  };
}

/** How long a half-closed connection may stay open before we call it a hang. */
const HALF_CLOSE_LIMIT_MS = 3000;
/** How long we wait on a connection we leave open before giving up on it. */
const STAY_WAIT_MS = 20;

/** Plays one input against the device on a fresh socket. Throws when a half-closed connection hangs. */
export async function playHttpInput(port: number, input: HttpInput, stats: HttpFuzzStats): Promise<void> {
  stats.inputs++;
  const socket = net.connect({ host: "127.0.0.1", port });
  let received = Buffer.alloc(0);
  let closed = false;
  const closedPromise = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("data", (chunk: Buffer) => (received = Buffer.concat([received, chunk]).subarray(0, 4096)));
  socket.on("error", () => {});
  void closedPromise.then(() => (closed = true));
  await new Promise<void>((resolve) => {
    socket.once("connect", () => resolve());
    socket.once("close", () => resolve());
  });
  for (const chunk of input.chunks) {
    if (closed) break;
    socket.write(chunk);
    if (input.pauseMs > 0) await new Promise((r) => setTimeout(r, input.pauseMs));
  }
  let outcome: HttpOutcome;
  if (input.ending === "reset") {
    socket.resetAndDestroy();
    await closedPromise;
    outcome = "reset-by-us";
  } else if (input.ending === "half-close") {
    if (!closed) socket.end();
    let timer: NodeJS.Timeout | undefined;
    const hung = await Promise.race([
      closedPromise.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), HALF_CLOSE_LIMIT_MS))),
    ]);
    clearTimeout(timer);
    if (hung) {
      socket.destroy();
      throw new Error(`the device kept a half-closed connection open for ${HALF_CLOSE_LIMIT_MS} ms`);
    }
    outcome = received.length > 0 ? "replied" : "closed-silently";
  } else {
    await Promise.race([closedPromise, new Promise((r) => setTimeout(r, STAY_WAIT_MS))]);
    outcome = closed ? (received.length > 0 ? "replied" : "closed-silently") : "left-open";
    socket.destroy();
    await closedPromise;
  }
  stats.outcomes[outcome]++;
  const status = /^HTTP\/1\.1 (\d{3})/.exec(received.toString("latin1", 0, 16))?.[1];
  if (status !== undefined) stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
}

/** Runs `runs` inputs with fast-check (seeded). */
export async function fuzzHttp(
  port: number,
  runs: number,
  seed: number,
  stats: HttpFuzzStats,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(httpInputArb, (input) => playHttpInput(port, input, stats)),
    { numRuns: runs, seed, endOnFailure: true },
  );
}
