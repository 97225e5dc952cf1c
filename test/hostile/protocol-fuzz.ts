/**
 * Level (a) fuzzing: random and mutated bodies for every endpoint, sent inside a valid session. Request
 * endpoints get the fuzzed plaintext encrypted with the client's session keys, so it passes decryption and
 * reaches the handler; "raw" inputs send garbage as ciphertext instead. prov-session gets mutated handshake
 * messages at step 0 (fresh session) and step 1 (after a correct step 0); proto-ver gets any bytes.
 *
 * Every input must end in one of the device's legal answers: a reply, or closing without a reply (protocol.md
 * §2.2 class 2). A hang (no answer within the timeout) or an unexpected client-side exception is a finding.
 */
import fc from "fast-check";
import { ErrorCodes, WifiProvError } from "../../src/errors.js";
import {
  encode,
  WiFiConfigMsgType,
  WiFiConfigPayloadSchema,
  WiFiCtrlMsgType,
  WiFiCtrlPayloadSchema,
  WiFiScanMsgType,
  WiFiScanPayloadSchema,
} from "../../src/proto/index.js";
import { createClientSession } from "../../src/security/index.js";
import type { ClientSecuritySession } from "../../src/security/index.js";
import { HttpClientTransport } from "../../src/transport/index.js";
import { clientSecurity } from "./harness.js";
import type { SecurityLevel } from "./harness.js";

export const FUZZ_ENDPOINTS = [
  "prov-session",
  "prov-config",
  "prov-scan",
  "prov-ctrl",
  "custom-data",
  "proto-ver",
] as const;
export type FuzzEndpoint = (typeof FUZZ_ENDPOINTS)[number];

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Valid plaintext bodies per request endpoint: the starting points for mutation. */
const SEEDS: Record<Exclude<FuzzEndpoint, "prov-session">, Uint8Array[]> = {
  "prov-config": [
    encode(WiFiConfigPayloadSchema, { payload: { case: "cmdGetStatus", value: {} } }),
    encode(WiFiConfigPayloadSchema, {
      msg: WiFiConfigMsgType.TypeCmdSetConfig,
      payload: {
        case: "cmdSetConfig",
        value: {
          ssid: utf8("fuzz-net"),
          passphrase: utf8("password1"),
          bssid: new Uint8Array(6),
          channel: 6,
        },
      },
    }),
    encode(WiFiConfigPayloadSchema, { msg: WiFiConfigMsgType.TypeCmdApplyConfig }),
  ],
  "prov-scan": [
    encode(WiFiScanPayloadSchema, {
      payload: { case: "cmdScanStart", value: { blocking: true, groupChannels: 5, periodMs: 120 } },
    }),
    encode(WiFiScanPayloadSchema, { msg: WiFiScanMsgType.TypeCmdScanStatus }),
    encode(WiFiScanPayloadSchema, {
      msg: WiFiScanMsgType.TypeCmdScanResult,
      payload: { case: "cmdScanResult", value: { startIndex: 0, count: 4 } },
    }),
  ],
  "prov-ctrl": [
    encode(WiFiCtrlPayloadSchema, { msg: WiFiCtrlMsgType.TypeCmdCtrlReset }),
    encode(WiFiCtrlPayloadSchema, { msg: WiFiCtrlMsgType.TypeCmdCtrlReprov }),
  ],
  "custom-data": [utf8("hello device"), utf8("")],
  "proto-ver": [utf8("---"), utf8("none"), utf8('{"ver":"v1.1"}')],
};

export type Mutation =
  | { op: "flip"; at: number; bit: number }
  | { op: "set"; at: number; value: number }
  | { op: "insert"; at: number; bytes: Uint8Array }
  | { op: "delete"; at: number; count: number }
  | { op: "truncate"; at: number }
  | { op: "duplicate" };

export type FuzzBody =
  /** A valid message with mutations applied. */
  | { kind: "mutate"; seed: number; mutations: Mutation[] }
  /** Random bytes as plaintext. */
  | { kind: "bytes"; bytes: Uint8Array }
  /** Random protobuf fields (field numbers 1–20, every wire type), nested up to two levels. */
  | { kind: "fields"; bytes: Uint8Array }
  /** Random bytes sent as ciphertext (not encrypted with the session). */
  | { kind: "raw"; bytes: Uint8Array };

export interface FuzzInput {
  body: FuzzBody;
  /** prov-session only: 0 = first handshake message of a fresh session, 1 = after a correct step 0. */
  stage: 0 | 1;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant("set" as const), at: fc.nat(), value: fc.constantFrom(0, 0x7f, 0x80, 0xff) }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 12 }) }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("duplicate" as const) }),
);

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

type Field = { no: number; wire: 0 | 1 | 2 | 5; value: number | Uint8Array | Field[] };

const fieldArb: fc.Arbitrary<Field> = fc.letrec<{ field: Field; fields: Field[] }>((tie) => ({
  field: fc.oneof(
    { depthSize: "small" },
    fc.record({
      no: fc.integer({ min: 1, max: 20 }),
      wire: fc.constant(0 as const),
      value: fc.oneof(fc.nat(), fc.constantFrom(0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 53 - 1)),
    }),
    fc.record({
      no: fc.integer({ min: 1, max: 20 }),
      wire: fc.constantFrom(1 as const, 5 as const),
      value: fc.nat(),
    }),
    fc.record({ no: fc.integer({ min: 1, max: 20 }), wire: fc.constant(2 as const), value: fc.uint8Array() }),
    fc.record({ no: fc.integer({ min: 1, max: 20 }), wire: fc.constant(2 as const), value: tie("fields") }),
  ),
  fields: fc.array(tie("field"), { maxLength: 4 }),
})).field;

function encodeFields(fields: Field[]): Uint8Array {
  const out: number[] = [];
  for (const f of fields) {
    out.push(...varint(f.no * 8 + f.wire));
    if (f.wire === 0) out.push(...varint(f.value as number));
    else if (f.wire === 1 || f.wire === 5) {
      const width = f.wire === 1 ? 8 : 4;
      for (let i = 0; i < width; i++) out.push(((f.value as number) >>> ((i % 4) * 8)) & 0xff);
    } else {
      const inner = f.value instanceof Uint8Array ? f.value : encodeFields(f.value as Field[]);
      out.push(...varint(inner.length), ...inner);
    }
  }
  return Uint8Array.from(out);
}

export const fuzzInputArb: fc.Arbitrary<FuzzInput> = fc.record({
  stage: fc.constantFrom(0 as const, 1 as const),
  body: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("mutate" as const),
        seed: fc.nat(),
        mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant("bytes" as const), bytes: fc.uint8Array({ maxLength: 300 }) }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("fields" as const),
        bytes: fc.array(fieldArb, { maxLength: 6 }).map(encodeFields),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("raw" as const), bytes: fc.uint8Array({ maxLength: 300 }) }),
    },
  ),
});

export function mutate(seed: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = Array.from(seed);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : ("at" in m ? m.at : 0) % bytes.length;
    switch (m.op) {
      case "flip":
        if (bytes.length > 0) bytes[at] = bytes[at]! ^ (1 << m.bit);
        break;
      case "set":
        if (bytes.length > 0) bytes[at] = m.value;
        break;
      case "insert":
        bytes.splice(at, 0, ...m.bytes);
        break;
      case "delete":
        bytes.splice(at, m.count);
        break;
      case "truncate":
        bytes = bytes.slice(0, at);
        break;
      case "duplicate":
        bytes = bytes.concat(bytes);
        break;
    }
  }
  // The device refuses bodies over 4 KiB before decryption; keep the fuzzed ones below.
  return Uint8Array.from(bytes.slice(0, 4000));
}

export type Outcome = "reply" | "closed-without-reply" | "http-status" | "timeout";

export interface FuzzStats {
  inputs: number;
  outcomes: Record<Outcome, number>;
  /** Fresh handshakes the fuzzer needed (after a state-changing input or a lost keystream). */
  handshakes: number;
}

export function emptyStats(): FuzzStats {
  return {
    inputs: 0,
    outcomes: { reply: 0, "closed-without-reply": 0, "http-status": 0, timeout: 0 },
    handshakes: 0,
  };
}

/** The fuzzing client: one transport and one session, re-established whenever they may be out of step. */
export class SessionFuzzer {
  readonly #serviceName: string;
  readonly #level: SecurityLevel;
  readonly #timeoutMs: number;
  readonly #passLockout: () => void;
  readonly stats = emptyStats();
  #transport: HttpClientTransport | undefined;
  #session: ClientSecuritySession | undefined;

  /**
   * `passLockout`: how to get past the handshake guard's lockout after fuzzed wrong proofs (a target's
   * `guardTime.passLockout`, which moves the guard's own time instead of waiting).
   */
  constructor(
    serviceName: string,
    level: SecurityLevel,
    options: { timeoutMs?: number; passLockout: () => void },
  ) {
    this.#serviceName = serviceName;
    this.#level = level;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#passLockout = options.passLockout;
  }

  async #fresh(): Promise<HttpClientTransport> {
    this.#session?.close();
    this.#session = undefined;
    await this.#transport?.close();
    this.#transport = new HttpClientTransport({ serviceName: this.#serviceName, timeoutMs: this.#timeoutMs });
    return this.#transport;
  }

  async #established(): Promise<{ transport: HttpClientTransport; session: ClientSecuritySession }> {
    if (this.#transport !== undefined && this.#session?.established) {
      return { transport: this.#transport, session: this.#session };
    }
    // The guard may be refusing handshakes after fuzzed wrong proofs: get past its lockout and retry.
    for (let attempt = 0; ; attempt++) {
      const transport = await this.#fresh();
      const session = createClientSession(clientSecurity(this.#level));
      try {
        let request: Uint8Array | null = session.begin();
        while (request !== null) request = session.next(await transport.send("prov-session", request));
        this.stats.handshakes++;
        this.#session = session;
        return { transport, session };
      } catch (error) {
        session.close();
        if (attempt >= 20) throw error;
        this.#passLockout();
      }
    }
  }

  /** Sends one fuzz input to `endpoint`; returns how the device answered. */
  async send(endpoint: FuzzEndpoint, input: FuzzInput): Promise<Outcome> {
    this.stats.inputs++;
    const outcome = await this.#send(endpoint, input);
    this.stats.outcomes[outcome]++;
    return outcome;
  }

  async #send(endpoint: FuzzEndpoint, input: FuzzInput): Promise<Outcome> {
    if (endpoint === "prov-session") return this.#sendSession(input);
    if (endpoint === "proto-ver") {
      const { transport } = await this.#established();
      return this.#exchange(transport, endpoint, this.#plaintext(endpoint, input.body));
    }
    const { transport, session } = await this.#established();
    let body: Uint8Array;
    if (input.body.kind === "raw") {
      body = input.body.bytes;
      // sec1 decrypts anything (AES-CTR): the device's keystream moves on, so ours must too.
      if (this.#level === 1) session.encrypt(new Uint8Array(body.length));
    } else {
      body = session.encrypt(this.#plaintext(endpoint, input.body));
    }
    const outcome = await this.#exchange(transport, endpoint, body, (reply) => session.decrypt(reply));
    // A sec0/sec1 raw body of length 0 never reaches the cipher; the device refuses it before. Everything
    // else either kept both sides in step or failed before either side moved, so the session stays usable.
    if (outcome === "timeout") this.#session = undefined;
    return outcome;
  }

  async #sendSession(input: FuzzInput): Promise<Outcome> {
    // Every prov-session input starts from a fresh session (a new connection without cookie), after any
    // lockout earlier wrong proofs caused, so that the fuzzed message reaches the handshake code rather than
    // the guard's refusal (which brute-force.test.ts covers).
    this.#passLockout();
    for (let attempt = 0; ; attempt++) {
      const transport = await this.#fresh();
      const session = createClientSession(clientSecurity(this.#level));
      try {
        let seed = session.begin();
        if (input.stage === 1) {
          const next = session.next(await transport.send("prov-session", seed));
          if (next === null) {
            // sec0 has a single step: fuzz step 0 again on the open session.
            seed = createClientSession(clientSecurity(this.#level)).begin();
          } else seed = next;
        }
        const body =
          input.body.kind === "mutate"
            ? mutate(seed, input.body.mutations)
            : input.body.bytes.length > 0
              ? input.body.bytes
              : seed;
        return await this.#exchange(transport, "prov-session", body);
      } catch (error) {
        // Step 0 itself failed: the guard was refusing handshakes (a lockout). Get past it and retry.
        if (!isDeviceAnswer(error) || attempt >= 20) throw error;
        this.#passLockout();
      } finally {
        session.close();
      }
    }
  }

  #plaintext(endpoint: Exclude<FuzzEndpoint, "prov-session">, body: FuzzBody): Uint8Array {
    if (body.kind !== "mutate") return body.bytes;
    const seeds = SEEDS[endpoint];
    return mutate(seeds[body.seed % seeds.length]!, body.mutations);
  }

  async #exchange(
    transport: HttpClientTransport,
    endpoint: string,
    body: Uint8Array,
    open: (reply: Uint8Array) => Uint8Array = (r) => r,
  ): Promise<Outcome> {
    let reply: Uint8Array;
    try {
      reply = await transport.send(endpoint, body);
    } catch (error) {
      if (error instanceof WifiProvError) {
        if (error.code === ErrorCodes.CLOSED_WITHOUT_REPLY) return "closed-without-reply";
        if (error.code === ErrorCodes.HTTP_STATUS) return "http-status";
        if (error.code === ErrorCodes.TIMEOUT) return "timeout";
      }
      throw error;
    }
    // The reply must be readable with our keys: the session stayed in step.
    open(reply);
    return "reply";
  }

  async close(): Promise<void> {
    this.#session?.close();
    await this.#transport?.close();
  }
}

function isDeviceAnswer(error: unknown): boolean {
  return (
    error instanceof WifiProvError &&
    (error.code === ErrorCodes.CLOSED_WITHOUT_REPLY || error.code === ErrorCodes.TRANSPORT)
  );
}

/** Runs `runs` inputs against one endpoint with fast-check (seeded, so a failure can be replayed). */
export async function fuzzEndpoint(
  fuzzer: SessionFuzzer,
  endpoint: FuzzEndpoint,
  runs: number,
  seed: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fuzzInputArb, async (input) => {
      const outcome = await fuzzer.send(endpoint, input);
      if (outcome === "timeout") throw new Error(`no answer from /${endpoint} within the timeout`);
    }),
    { numRuns: runs, seed, endOnFailure: true },
  );
}
