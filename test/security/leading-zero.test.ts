// The 1-in-256 leading-zero cases of protocol.md §7.6, each forced deterministically.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { bigIntToMinBytes, bytesToBigInt, queuedRandomBytes, SRP_G, srpPow } from "../../src/crypto/index.js";
import {
  createClientSession,
  createDeviceSecurity,
  generateSec2Credentials,
} from "../../src/security/index.js";
import { ProtocolError } from "../../src/errors.js";
import { decode, encode, SessionDataSchema } from "../../src/proto/index.js";
import type { Sec2Payload } from "../../src/proto/index.js";

/** Seeded search for a client private value whose A = g^a mod N is below 2^3064 (first byte 0). */
function findShortA(): Uint8Array {
  for (let i = 0; i < 20_000; i++) {
    const candidate = new Uint8Array(createHash("sha256").update(`short-A-${i}`).digest());
    candidate[0]! |= 0x80; // the client forces the top bit; search in the same space
    if (bigIntToMinBytes(srpPow(SRP_G, bytesToBigInt(candidate))).length < 384) return candidate;
  }
  throw new Error("no short A found in the seeded range");
}

test("A < 2^3064: the client still sends 384 bytes (PAD(A)) and the handshake succeeds", () => {
  const a = findShortA();
  const { salt, verifier } = generateSec2Credentials("wifiprov", "abcd1234");
  const device = createDeviceSecurity({ version: 2, patchVersion: 1, salt, verifier }).createSession();
  const client = createClientSession({
    version: 2,
    patchVersion: 1,
    username: "wifiprov",
    password: "abcd1234",
    random: queuedRandomBytes([a]),
  });
  const cmd0 = client.begin();
  const data = decode(SessionDataSchema, cmd0);
  const sc0 = (data.proto.value as Sec2Payload).payload.value as { clientPubkey: Uint8Array };
  assert.equal(sc0.clientPubkey.length, 384);
  assert.equal(sc0.clientPubkey[0], 0, "this A really has a leading zero byte");
  const resp1 = client.next(device.handshake(cmd0))!;
  assert.equal(client.next(device.handshake(resp1)), null);
  assert.equal(device.established, true);
  const reply = device.encrypt(device.decrypt(client.encrypt(Uint8Array.of(1, 2, 3))));
  assert.deepEqual(client.decrypt(reply), Uint8Array.of(1, 2, 3));

  // What esp_prov v5.5 does (MIN(A), 383 bytes) is refused by the device.
  const fresh = createDeviceSecurity({ version: 2, patchVersion: 1, salt, verifier }).createSession();
  const bad = encode(SessionDataSchema, {
    secVer: 2,
    proto: {
      case: "sec2",
      value: {
        payload: {
          case: "sc0",
          value: {
            clientUsername: new TextEncoder().encode("wifiprov"),
            clientPubkey: sc0.clientPubkey.subarray(1),
          },
        },
      },
    },
  });
  assert.throws(() => fresh.handshake(bad), ProtocolError);
});

test("salt generation redraws when the random source yields 0x00 first", () => {
  const zero1 = new Uint8Array(16); // all zero
  const zero2 = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0 : i));
  const good = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
  const { salt, verifier } = generateSec2Credentials("u", "p", {
    random: queuedRandomBytes([zero1, zero2, good]),
  });
  assert.deepEqual(salt, good);
  assert.notEqual(verifier[0], 0, "verifier is MIN(v)");
  // Other lengths are honoured.
  const long = generateSec2Credentials("u", "p", { saltLength: 32 });
  assert.equal(long.salt.length, 32);
  assert.notEqual(long.salt[0], 0);
});

// B and S leading zeros are covered byte for byte by sec2_device_kat.json (B-has-leading-zero,
// S-has-leading-zero) and sec2_edge_cases.json (sec2_short_B, sec2_short_S) in sec2-*.test.ts.
