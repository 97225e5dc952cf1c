// Property tests: client ↔ device round trips for sec1/sec2 with arbitrary PoPs and credentials, and
// arbitrary payloads in interleaved order (both directions share one CTR stream / one GCM counter).
// Run counts stay small: every sec2 handshake costs a few ms of 3072-bit arithmetic.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  createClientSession,
  createDeviceSecurity,
  generateSec2Credentials,
} from "../../src/security/index.js";
import type { ClientSecuritySession, DeviceSecuritySession } from "../../src/security/index.js";
import { handshake } from "./helpers.js";

const secretArb = fc.oneof(
  fc.constant(""),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ minLength: 64, maxLength: 200 }),
  fc.uint8Array({ maxLength: 80 }),
);

/** Messages in conversation order: true = client → device, false = device → client. */
const conversationArb = fc.array(fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 300 })), {
  maxLength: 12,
});

function converse(
  client: ClientSecuritySession,
  device: DeviceSecuritySession,
  messages: [boolean, Uint8Array][],
): void {
  for (const [fromClient, payload] of messages) {
    const [sender, receiver] = fromClient ? [client, device] : [device, client];
    const wire = sender.encrypt(payload);
    assert.equal(wire.length, payload.length + (client.version === 2 ? 16 : 0));
    assert.deepEqual(receiver.decrypt(wire), payload);
  }
}

test("sec1 round trips with any PoP (empty, unicode, long, binary)", () => {
  fc.assert(
    fc.property(secretArb, conversationArb, (pop, messages) => {
      const device = createDeviceSecurity({ version: 1, pop }).createSession();
      const client = createClientSession({ version: 1, pop });
      assert.equal(handshake(client, device), 4);
      assert.equal(client.established && device.established, true);
      converse(client, device, messages);
    }),
    { numRuns: 40 },
  );
});

test("sec1 with different PoPs never establishes", () => {
  fc.assert(
    fc.property(secretArb, secretArb, (a, b) => {
      const bytes = (s: string | Uint8Array) => (typeof s === "string" ? new TextEncoder().encode(s) : s);
      fc.pre(Buffer.compare(Buffer.from(bytes(a)), Buffer.from(bytes(b))) !== 0);
      const device = createDeviceSecurity({ version: 1, pop: a }).createSession();
      const client = createClientSession({ version: 1, pop: b });
      assert.throws(() => handshake(client, device), { code: "WIFIPROV_AUTHENTICATION" });
    }),
    { numRuns: 20 },
  );
});

test("sec2 round trips with any username/password, both patch levels", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }),
      ),
      secretArb,
      fc.constantFrom(0 as const, 1 as const),
      conversationArb,
      (username, password, patchVersion, messages) => {
        const { salt, verifier } = generateSec2Credentials(username, password);
        const device = createDeviceSecurity({ version: 2, patchVersion, salt, verifier }).createSession();
        const client = createClientSession({ version: 2, patchVersion, username, password });
        assert.equal(handshake(client, device), 4);
        converse(client, device, messages);
      },
    ),
    { numRuns: 12 },
  );
});

test("sec0 passes any payload through unchanged", () => {
  fc.assert(
    fc.property(conversationArb, (messages) => {
      const device = createDeviceSecurity({ version: 0 }).createSession();
      const client = createClientSession({ version: 0 });
      assert.equal(handshake(client, device), 2);
      converse(client, device, messages);
    }),
    { numRuns: 20 },
  );
});
