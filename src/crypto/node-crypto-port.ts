/**
 * The crypto port on node:crypto (OpenSSL): the default on Node, chosen by the `node` condition of `#crypto`.
 * Imports nothing from this package but types, the pure BigInt fallback and the pool of powers computed
 * ahead (power-pool.ts), so a copy under dist/ and one under src/ behave the same.
 */
import {
  createCipheriv,
  createDecipheriv,
  createDiffieHellman,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import type { Cipher, DiffieHellman, KeyObject } from "node:crypto";
import { bigIntModPow } from "./bigint-modpow.js";
import { PowerPool } from "./power-pool.js";
import type { PowerPair } from "./power-pool.js";
import type { AesCtrKeystream, CryptoPort, X25519PrivateKey } from "./port.js";

const GCM_TAG_LENGTH = 16;

// PKCS#8 PrivateKeyInfo header for OID 1.3.101.110 (X25519) with a 32-byte key (fallback import).
const PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

function digest(algorithm: string, parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash(algorithm);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/**
 * Node 20 has no raw import for X25519; JWK import is used because it maps to OpenSSL's raw-key
 * constructors (~35 µs), while DER import goes through the OpenSSL 3 decoder framework (~400 µs, which
 * alone would exceed the sec1 device budget). DER stays as the fallback.
 */
function x25519(rawPrivate: Uint8Array): X25519PrivateKey {
  if (rawPrivate.length !== 32)
    throw new RangeError(`X25519 private key must be 32 bytes, got ${rawPrivate.length}`);
  const d = Buffer.from(rawPrivate).toString("base64url");
  let privateKey: KeyObject;
  try {
    // Node requires a string `x` in a private JWK but builds the key from `d` alone. The public key we
    // use is derived from the private key below, so the placeholder can never leak onto the wire.
    privateKey = createPrivateKey({ key: { kty: "OKP", crv: "X25519", d, x: d }, format: "jwk" });
  } catch {
    privateKey = createPrivateKey({
      key: Buffer.concat([PKCS8_PREFIX, rawPrivate]),
      format: "der",
      type: "pkcs8",
    });
  }
  const x = createPublicKey(privateKey).export({ format: "jwk" }).x;
  if (x === undefined) throw new RangeError("X25519 public key derivation failed");
  return {
    publicKey: new Uint8Array(Buffer.from(x, "base64url")),
    sharedSecret(peerPublic) {
      const publicKey = createPublicKey({
        key: { kty: "OKP", crv: "X25519", x: Buffer.from(peerPublic).toString("base64url") },
        format: "jwk",
      });
      // OpenSSL refuses peer keys that yield an all-zero secret (small-order points): it throws.
      return new Uint8Array(diffieHellman({ privateKey, publicKey }));
    },
  };
}

/**
 * OpenSSL's CTR mode keeps the unused tail of the last keystream block between update() calls and
 * increments the whole 16-byte block big-endian, exactly the stream semantics sec1 needs.
 */
function aesCtr(key: Uint8Array, initialCounterBlock: Uint8Array): AesCtrKeystream {
  let cipher: Cipher | undefined = createCipheriv("aes-256-ctr", key, initialCounterBlock);
  return {
    update(data) {
      if (cipher === undefined) throw new RangeError("AES-CTR stream is closed");
      return new Uint8Array(cipher.update(data));
    },
    close() {
      // node:crypto keeps the expanded key inside the context; final() releases it.
      cipher?.final();
      cipher = undefined;
    },
  };
}

function aesGcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: GCM_TAG_LENGTH });
  const body = cipher.update(plaintext);
  cipher.final();
  const out = new Uint8Array(body.length + GCM_TAG_LENGTH);
  out.set(body, 0);
  out.set(cipher.getAuthTag(), body.length);
  return out;
}

function aesGcmOpen(key: Uint8Array, nonce: Uint8Array, body: Uint8Array): Uint8Array | null {
  const split = body.length - GCM_TAG_LENGTH;
  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: GCM_TAG_LENGTH });
  decipher.setAuthTag(body.subarray(split));
  const plain = decipher.update(body.subarray(0, split));
  try {
    decipher.final();
  } catch {
    return null;
  }
  return new Uint8Array(plain);
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0
    ? 0n
    : BigInt("0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex"));
}

function toMinBytes(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 1 ? "0" + hex : hex, "hex");
}

/**
 * `createDiffieHellman(N, g)` with `setPrivateKey(e)` and `computeSecret(base)` yields base^e mod N for any
 * base, so one engine object serves every exponentiation. The engine is built with generator 2 although
 * SRP uses g = 5: the generator is never used here (g^e is computed as computeSecret(5)), and with
 * generator 2 OpenSSL recognises the RFC 3526 group (the RFC 5054 3072-bit prime is the same number) and
 * skips its prime check, which otherwise costs about 1.4 s per engine.
 *
 * OpenSSL silently returns zeros for moduli below its DH minimum size, so each engine proves itself once
 * (3^65537 against BigInt) and is abandoned for BigInt when it is wrong; anything else it refuses falls
 * back to BigInt too (slow, but only for such edge values).
 */
function modPow(modulusBytes: Uint8Array): (base: bigint, exponent: bigint) => bigint {
  const modulus = toBigInt(modulusBytes);
  const native = (engine: DiffieHellman, base: bigint, exponent: bigint): bigint => {
    engine.setPrivateKey(toMinBytes(exponent));
    // The result comes back left-padded to the modulus size; as an integer that changes nothing.
    return toBigInt(engine.computeSecret(toMinBytes(base)));
  };
  /** undefined = not built yet, null = native path unusable for this modulus. */
  let engine: DiffieHellman | null | undefined;
  const nativeEngine = (): DiffieHellman | null => {
    if (engine !== undefined) return engine;
    engine = null;
    try {
      const candidate = createDiffieHellman(Buffer.from(modulusBytes), 2);
      const probe = 3n % modulus;
      if (probe > 1n && probe < modulus - 1n) {
        if (native(candidate, probe, 65537n) === bigIntModPow(probe, 65537n, modulus)) engine = candidate;
      }
    } catch {
      engine = null;
    }
    return engine;
  };
  return (base, exponent) => {
    const e = nativeEngine();
    if (e !== null) {
      try {
        return native(e, base, exponent);
      } catch {
        // refused by OpenSSL: fall through to BigInt
      }
    }
    return bigIntModPow(base, exponent, modulus);
  };
}

/** The process's pool of precomputed powers (exported for tests, which wait on its `settled()`). */
export const powerPool = new PowerPool();
/** One exponentiation function per modulus, to check the first pair the pool computes for it. */
const checkers = new Map<string, (base: bigint, exponent: bigint) => bigint>();

function powerAhead(modulus: Uint8Array, base: bigint, exponentBytes: number): PowerPair | undefined {
  return powerPool.take(modulus, toMinBytes(base), exponentBytes, ({ exponent, power }) => {
    const key = Buffer.from(modulus).toString("hex");
    let pow = checkers.get(key);
    if (pow === undefined) checkers.set(key, (pow = modPow(modulus)));
    return pow(base, toBigInt(exponent)) === toBigInt(power);
  });
}

export const cryptoPort: CryptoPort = {
  name: "node:crypto",
  randomBytes: (length) => new Uint8Array(randomBytes(length)),
  sha256: (parts) => digest("sha256", parts),
  sha512: (parts) => digest("sha512", parts),
  x25519,
  aesCtr,
  aesGcmSeal,
  aesGcmOpen,
  modPow,
  powerAhead,
  timingSafeEqual: (a, b) => timingSafeEqual(a, b),
};
