// sec2 patch 0 devices (ESP-IDF v5.0…v5.4.0 security2.c, AES_GCM_IV_SIZE 16) use a 16-byte GCM IV. GCM turns
// an IV that is not 96 bits into its first counter block by GHASH (NIST SP 800-38D §7.1):
//   J0 = GHASH_H(IV || 0-pad to 16 || 0^64 || [bitlen(IV)]_64)
// This test computes the whole GCM from that definition (AES-ECB for the block cipher, GHASH written out here)
// and checks that aesGcmEncrypt/aesGcmDecrypt with a 16-byte IV give the same answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { aesGcmDecrypt, aesGcmEncrypt } from "../../src/crypto/index.js";
import { hex, loadVector, unhex } from "../helpers/vectors.js";
import type { Sec2Vector } from "./helpers.js";

const R = 0xe1n << 120n;

function toBig(block: Uint8Array): bigint {
  return BigInt("0x" + (hex(block) || "0"));
}

function fromBig(x: bigint): Uint8Array {
  return unhex(x.toString(16).padStart(32, "0"));
}

/** GF(2^128) multiplication in GCM's bit order (SP 800-38D Algorithm 1). */
function gmul(x: bigint, y: bigint): bigint {
  let z = 0n;
  let v = y;
  for (let i = 127n; i >= 0n; i--) {
    if ((x >> i) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z;
}

function ghash(h: bigint, data: Uint8Array): bigint {
  let y = 0n;
  for (let i = 0; i < data.length; i += 16) {
    const block = new Uint8Array(16);
    block.set(data.subarray(i, i + 16));
    y = gmul(y ^ toBig(block), h);
  }
  return y;
}

function aesBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv("aes-256-ecb", key, null);
  c.setAutoPadding(false);
  return new Uint8Array(c.update(block));
}

function lengthBlock(aBits: number, cBits: number): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(aBits));
  view.setBigUint64(8, BigInt(cBits));
  return out;
}

function padded(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 16) * 16);
  out.set(bytes);
  return out;
}

/** GCM from its definition, no AAD: returns ciphertext || tag. */
function referenceGcm(key: Uint8Array, iv: Uint8Array, plain: Uint8Array): Uint8Array {
  const h = toBig(aesBlock(key, new Uint8Array(16)));
  const j0 =
    iv.length === 12
      ? Uint8Array.from([...iv, 0, 0, 0, 1])
      : fromBig(ghash(h, Uint8Array.from([...padded(iv), ...lengthBlock(0, iv.length * 8)])));
  const counter = Uint8Array.from(j0);
  const view = new DataView(counter.buffer);
  const cipher = new Uint8Array(plain.length);
  for (let i = 0; i < plain.length; i += 16) {
    view.setUint32(12, (view.getUint32(12) + 1) >>> 0);
    const ks = aesBlock(key, counter);
    for (let j = i; j < Math.min(i + 16, plain.length); j++) cipher[j] = plain[j]! ^ ks[j - i]!;
  }
  const s = ghash(h, Uint8Array.from([...padded(cipher), ...lengthBlock(0, plain.length * 8)]));
  const tag = fromBig(s ^ toBig(aesBlock(key, j0)));
  return Uint8Array.from([...cipher, ...tag]);
}

test("reference GCM agrees with aesGcmEncrypt for a 12-byte IV (checks the reference itself)", () => {
  const key = unhex("00".repeat(32));
  const iv = unhex("000102030405060708090a0b");
  const plain = new TextEncoder().encode("a 12-byte IV uses J0 = IV || 00000001, no GHASH");
  assert.equal(hex(aesGcmEncrypt(key, iv, plain)), hex(referenceGcm(key, iv, plain)));
});

test("a 16-byte IV is hashed into J0 (sec2 patch 0 of v5.0…v5.4.0), both directions", () => {
  const v = loadVector<Sec2Vector>("sec2_patch0.json");
  const key = unhex(v.aes_gcm_key);
  const iv = unhex(v.device_nonce);
  assert.equal(iv.length, 16);
  for (const e of v.exchanges) {
    const plain = unhex(e.request_plain);
    const expected = referenceGcm(key, iv, plain);
    assert.equal(hex(expected), e.request_encrypted, `${e.name}: the vector is GCM with J0 from GHASH`);
    assert.equal(hex(aesGcmEncrypt(key, iv, plain)), hex(expected), e.name);
    assert.equal(hex(aesGcmDecrypt(key, iv, expected)), e.request_plain, e.name);
  }
  // Not the same as truncating the IV to 12 bytes (what a naive port might do).
  const plain = unhex(v.exchanges[0]!.request_plain);
  assert.notEqual(hex(aesGcmEncrypt(key, iv.subarray(0, 12), plain)), hex(referenceGcm(key, iv, plain)));
});
