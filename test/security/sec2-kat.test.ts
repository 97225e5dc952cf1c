// sec2_device_kat.json (ESP-IDF's own device SRP code: typical, S leading zero, B leading zero) and
// sec2_known_answer.json (the example's wifiprov/abcd1234 salt + verifier), through the sessions of both roles.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  bytesToBigInt,
  queuedRandomBytes,
  sha512,
  SRP_G,
  SRP_K,
  srpComputeVerifier,
  srpComputeX,
  srpPow,
} from "../../src/crypto/index.js";
import { ClientSession2, DeviceSession2 } from "../../src/security/session2.js";
import {
  createClientSession,
  createDeviceSecurity,
  generateSec2Credentials,
} from "../../src/security/index.js";
import { decode, encode, SecSchemeVersion, Sec2MsgType, SessionDataSchema } from "../../src/proto/index.js";
import type { Sec2Payload } from "../../src/proto/index.js";
import { hex, loadVector, unhex } from "../helpers/vectors.js";
import { chunks } from "./helpers.js";

interface KatVector {
  name: string;
  I: string;
  P: string;
  salt: string;
  verifier: string;
  a: string;
  b: string;
  A: string;
  B: string;
  u: string;
  K: string;
  M1: string;
  M2: string;
  Blen: number;
  Slen: number;
}

const kat = loadVector<{ vectors: KatVector[] }>("sec2_device_kat.json");

function sec2(bytes: Uint8Array): Sec2Payload {
  const data = decode(SessionDataSchema, bytes);
  assert.equal(data.secVer, SecSchemeVersion.SecScheme2);
  assert.equal(data.proto.case, "sec2");
  return data.proto.value as Sec2Payload;
}

function message(value: Omit<Sec2Payload, "$typeName">): Uint8Array {
  return encode(SessionDataSchema, { secVer: SecSchemeVersion.SecScheme2, proto: { case: "sec2", value } });
}

/**
 * How a session gets its private value: drawn from its random source, or handed over with its power already
 * computed (as the pool of crypto/power-pool.ts does). Either way the session must send the vector's bytes,
 * so a precomputed power that were not the one used would fail the test.
 */
const PRIVATE_SOURCES = ["drawn", "precomputed"] as const;
const precomputed = (hexValue: string) => {
  const value = unhex(hexValue);
  return { value, power: srpPow(SRP_G, bytesToBigInt(value)) };
};

assert.equal(kat.vectors.length, 3);
for (const v of kat.vectors) {
  for (const source of PRIVATE_SOURCES) {
    test(`device KAT ${v.name}: device session sends B (${v.Blen} bytes) and M2 (b ${source})`, () => {
      const nonce = "0102030405060708";
      const device =
        source === "drawn"
          ? createDeviceSecurity({
              version: 2,
              patchVersion: 1,
              salt: unhex(v.salt),
              verifier: unhex(v.verifier),
              random: queuedRandomBytes(chunks(v.b, nonce)),
            }).createSession()
          : new DeviceSession2({
              patchVersion: 1,
              salt: unhex(v.salt),
              verifier: unhex(v.verifier),
              restartOnCmd0: true,
              random: queuedRandomBytes(chunks(nonce)),
              precomputed: () => precomputed(v.b),
            });
      const resp0 = sec2(
        device.handshake(
          message({
            msg: Sec2MsgType.S2Session_Command0,
            payload: {
              case: "sc0",
              value: {
                $typeName: "S2SessionCmd0",
                clientUsername: new TextEncoder().encode(v.I),
                clientPubkey: unhex(v.A),
              },
            },
          }),
        ),
      );
      assert.equal(resp0.payload.case, "sr0");
      const sr0 = resp0.payload.value as { devicePubkey: Uint8Array; deviceSalt: Uint8Array };
      assert.equal(hex(sr0.devicePubkey), v.B);
      assert.equal(sr0.devicePubkey.length, v.Blen);
      assert.equal(hex(sr0.deviceSalt), v.salt);
      const resp1 = sec2(
        device.handshake(
          message({
            msg: Sec2MsgType.S2Session_Command1,
            payload: { case: "sc1", value: { $typeName: "S2SessionCmd1", clientProof: unhex(v.M1) } },
          }),
        ),
      );
      assert.equal(resp1.payload.case, "sr1");
      const sr1 = resp1.payload.value as { deviceProof: Uint8Array; deviceNonce: Uint8Array };
      assert.equal(hex(sr1.deviceProof), v.M2);
      assert.equal(hex(sr1.deviceNonce), nonce + "00000001");
    });
  }

  for (const source of PRIVATE_SOURCES) {
    test(`device KAT ${v.name}: client session sends PAD(A), M1 and accepts M2 (a ${source})`, () => {
      assert.equal(hex(srpComputeVerifier(unhex(v.salt), v.I, v.P)), v.verifier);
      const client =
        source === "drawn"
          ? createClientSession({
              version: 2,
              patchVersion: 1,
              username: v.I,
              password: v.P,
              random: queuedRandomBytes(chunks(v.a)),
            })
          : new ClientSession2({
              patchVersion: 1,
              username: v.I,
              password: v.P,
              random: () => assert.fail("a comes precomputed: no random bytes are drawn"),
              precomputed: () => precomputed(v.a),
            });
      const cmd0 = sec2(client.begin());
      const sc0 = cmd0.payload.value as { clientPubkey: Uint8Array; clientUsername: Uint8Array };
      assert.equal(hex(sc0.clientPubkey), v.A);
      assert.equal(new TextDecoder().decode(sc0.clientUsername), v.I);
      const cmd1 = sec2(
        client.next(
          message({
            msg: Sec2MsgType.S2Session_Response0,
            payload: {
              case: "sr0",
              value: {
                $typeName: "S2SessionResp0",
                status: 0,
                devicePubkey: unhex(v.B),
                deviceSalt: unhex(v.salt),
              },
            },
          }),
        )!,
      );
      assert.equal(hex((cmd1.payload.value as { clientProof: Uint8Array }).clientProof), v.M1);
      const done = client.next(
        message({
          msg: Sec2MsgType.S2Session_Response1,
          payload: {
            case: "sr1",
            value: {
              $typeName: "S2SessionResp1",
              status: 0,
              deviceProof: unhex(v.M2),
              deviceNonce: unhex("aabbccddeeff001100000001"),
            },
          },
        }),
      );
      assert.equal(done, null);
      assert.equal(client.established, true);
    });
  }
}

test("sec2_known_answer.json: the IDF example's salt/verifier for wifiprov/abcd1234", () => {
  const v = loadVector<Record<string, string | number>>("sec2_known_answer.json");
  const salt = unhex(v.salt as string);
  const inner = sha512(new TextEncoder().encode(`${String(v.username)}:${String(v.password)}`));
  assert.equal(hex(inner), v.inner_digest);
  assert.equal(srpComputeX(salt, v.username as string, v.password as string), BigInt("0x" + String(v.x)));
  assert.equal(SRP_K, BigInt("0x" + String(v.k)));
  const verifier = srpComputeVerifier(salt, v.username as string, v.password as string);
  assert.equal(hex(verifier), v.verifier);
  assert.equal(verifier.length, v.verifier_len);
  // generateSec2Credentials with the same salt drawn from the random source gives the same pair.
  const made = generateSec2Credentials("wifiprov", "abcd1234", { random: queuedRandomBytes([salt]) });
  assert.equal(hex(made.salt), v.salt);
  assert.equal(hex(made.verifier), v.verifier);
});
