// AES-GCM helper (protocol.md §7.4), bytes helpers, the injectable random queue, X25519 input checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  bigIntToMinBytes,
  bigIntToPaddedBytes,
  bytesEqual,
  queuedRandomBytes,
  stripLeadingZeros,
  x25519KeyPairFromPrivate,
  x25519SharedSecret,
} from "../../src/crypto/index.js";
import { AuthenticationError, ProtocolError, UsageError } from "../../src/errors.js";
import { hex } from "../helpers/vectors.js";

const key = new Uint8Array(32).fill(7);
const nonce = new Uint8Array(12).fill(1);

test("AES-GCM: ciphertext || 16-byte tag, tamper ⇒ AuthenticationError, short ⇒ ProtocolError", () => {
  const body = aesGcmEncrypt(key, nonce, new TextEncoder().encode("hello"));
  assert.equal(body.length, 5 + 16);
  assert.equal(new TextDecoder().decode(aesGcmDecrypt(key, nonce, body)), "hello");
  const tampered = Uint8Array.from(body);
  tampered[tampered.length - 1]! ^= 1;
  assert.throws(() => aesGcmDecrypt(key, nonce, tampered), AuthenticationError);
  assert.throws(() => aesGcmDecrypt(key, nonce, body.subarray(0, 15)), ProtocolError);
  // An empty plaintext is the bare tag (16 bytes) and still authenticates.
  assert.equal(aesGcmDecrypt(key, nonce, aesGcmEncrypt(key, nonce, new Uint8Array(0))).length, 0);
});

test("MIN / PAD encodings", () => {
  assert.equal(hex(bigIntToMinBytes(0n)), "");
  assert.equal(hex(bigIntToMinBytes(0x1ffn)), "01ff");
  assert.equal(hex(bigIntToPaddedBytes(5n, 4)), "00000005");
  assert.equal(hex(stripLeadingZeros(Uint8Array.of(0, 0, 3, 0))), "0300");
  assert.equal(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 0)), false);
});

test("queuedRandomBytes hands out chunks in order and checks lengths", () => {
  const r = queuedRandomBytes([Uint8Array.of(1, 2), Uint8Array.of(3)]);
  assert.deepEqual(r(2), Uint8Array.of(1, 2));
  assert.throws(() => r(2), UsageError);
  const r2 = queuedRandomBytes([]);
  assert.throws(() => r2(1), UsageError);
});

test("X25519: a low-order peer key (all zero) is a ProtocolError, wrong length too", () => {
  const pair = x25519KeyPairFromPrivate(new Uint8Array(32).fill(9));
  assert.throws(() => x25519SharedSecret(pair.privateKey, new Uint8Array(32)), ProtocolError);
  assert.throws(() => x25519SharedSecret(pair.privateKey, new Uint8Array(31)), ProtocolError);
});
