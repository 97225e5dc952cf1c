/**
 * The crypto port in plain JavaScript, for browsers (the `browser` and `default` conditions of `#crypto`).
 * A page that a device serves over plain HTTP is not a secure context, so `crypto.subtle` is undefined
 * there; `crypto.getRandomValues` is available on any origin and is the only platform call made here.
 * X25519, AES and SHA-2 come from the audited @noble libraries; modular exponentiation is BigInt.
 */
import { gcm, ctr } from "@noble/ciphers/aes";
import { montgomery } from "@noble/curves/abstract/montgomery";
import { sha256, sha512 } from "@noble/hashes/sha2";
import { slidingWindowModPow } from "./bigint-modpow.js";
import type { AesCtrKeystream, CryptoPort, X25519PrivateKey } from "./port.js";

const BLOCK = 16;
/** getRandomValues fills at most 65536 bytes per call (Web Crypto). */
const RANDOM_CHUNK = 65536;

function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += RANDOM_CHUNK) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + RANDOM_CHUNK)));
  }
  return out;
}

function hashParts(hash: typeof sha256, parts: readonly Uint8Array[]): Uint8Array {
  const h = hash.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

const P25519 = 2n ** 255n - 19n;

/**
 * X25519 from noble's Montgomery ladder alone: `@noble/curves/ed25519` would also bring Ed25519, Ristretto
 * and hash-to-curve into the page (about 11 KB of the gzipped bundle) for a function that needs none of them.
 * The curve parameters are RFC 7748's: p = 2^255 − 19, scalars clamped as §5 says, and the one field
 * inversion per ladder done as x^(p−2).
 */
const curve25519 = montgomery({
  P: P25519,
  type: "x25519",
  adjustScalarBytes: (bytes) => {
    const k = Uint8Array.from(bytes);
    k[0]! &= 248;
    k[31]! &= 127;
    k[31]! |= 64;
    return k;
  },
  powPminus2: (x) => slidingWindowModPow(x, P25519 - 2n, P25519),
});

function x25519(rawPrivate: Uint8Array): X25519PrivateKey {
  if (rawPrivate.length !== 32)
    throw new RangeError(`X25519 private key must be 32 bytes, got ${rawPrivate.length}`);
  const scalar = Uint8Array.from(rawPrivate);
  return {
    publicKey: curve25519.getPublicKey(scalar),
    // noble throws on an all-zero result (small-order peer key), as OpenSSL does.
    sharedSecret: (peerPublic) => curve25519.getSharedSecret(scalar, peerPublic),
  };
}

/** Adds `blocks` to a 16-byte big-endian counter (mod 2^128), as OpenSSL's CTR mode increments it. */
function addToCounter(counter: Uint8Array, blocks: number): Uint8Array {
  const out = Uint8Array.from(counter);
  let carry = blocks;
  for (let i = BLOCK - 1; i >= 0 && carry > 0; i--) {
    const sum = out[i]! + (carry % 256);
    out[i] = sum & 0xff;
    carry = Math.floor(carry / 256) + (sum >> 8);
  }
  return out;
}

/**
 * noble's ctr() is one-shot, so the stream is kept as a byte position: each update starts a CTR run at
 * the block holding that position and skips the bytes of that block already used (sec1 messages are small,
 * and both directions share one stream, so a message often starts mid-block).
 */
function aesCtr(key: Uint8Array, initialCounterBlock: Uint8Array): AesCtrKeystream {
  let k: Uint8Array | undefined = Uint8Array.from(key);
  const iv = Uint8Array.from(initialCounterBlock);
  let position = 0;
  return {
    update(data) {
      if (k === undefined) throw new RangeError("AES-CTR stream is closed");
      const skip = position % BLOCK;
      const padded = new Uint8Array(skip + data.length);
      padded.set(data, skip);
      const out = ctr(k, addToCounter(iv, Math.floor(position / BLOCK))).encrypt(padded);
      position += data.length;
      return out.subarray(skip);
    },
    close() {
      k?.fill(0);
      k = undefined;
    },
  };
}

function aesGcmOpen(key: Uint8Array, nonce: Uint8Array, body: Uint8Array): Uint8Array | null {
  try {
    return gcm(key, nonce).decrypt(body);
  } catch {
    return null;
  }
}

/** Constant time in the length: every byte is compared, the differences OR-ed together. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) throw new RangeError("timingSafeEqual: lengths differ");
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function modPow(modulusBytes: Uint8Array): (base: bigint, exponent: bigint) => bigint {
  let modulus = 0n;
  for (const byte of modulusBytes) modulus = (modulus << 8n) | BigInt(byte);
  return (base, exponent) => slidingWindowModPow(base, exponent, modulus);
}

export const cryptoPort: CryptoPort = {
  name: "pure-js",
  randomBytes,
  sha256: (parts) => hashParts(sha256, parts),
  sha512: (parts) => hashParts(sha512, parts),
  x25519,
  aesCtr,
  aesGcmSeal: (key, nonce, plaintext) => gcm(key, nonce).encrypt(plaintext),
  aesGcmOpen,
  modPow,
  timingSafeEqual,
};
