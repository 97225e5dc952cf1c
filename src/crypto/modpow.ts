/**
 * Modular exponentiation in the SRP group (protocol.md §7.1), done natively by OpenSSL.
 *
 * `createDiffieHellman(N, g)` with `setPrivateKey(e)` and `computeSecret(base)` yields base^e mod N for any
 * base, so one engine object serves every exponentiation. The engine is built with generator 2 although
 * SRP uses g = 5: the generator is never used here (g^e is computed as computeSecret(5)), and with
 * generator 2 OpenSSL recognises the RFC 3526 group (the RFC 5054 3072-bit prime is the same number) and
 * skips its prime check, which otherwise costs about 1.4 s per engine.
 *
 * computeSecret rejects bases ≤ 1 and ≥ N − 1, and setPrivateKey rejects a zero exponent; those inputs
 * have closed-form results and are answered directly. Anything else the native path refuses falls back
 * to BigInt square-and-multiply (slow, but only for such edge values). OpenSSL silently returns zeros for
 * moduli below its DH minimum size, so each engine proves itself once (3^65537 against BigInt) and is
 * abandoned for BigInt when it is wrong.
 */
import { createDiffieHellman } from "node:crypto";
import type { DiffieHellman } from "node:crypto";
import { bigIntToMinBytes, bytesToBigInt } from "./bytes.js";

/** A modulus with its native engine. */
export class ModularExponentiator {
  readonly modulus: bigint;
  readonly #modulusBytes: Uint8Array;
  /** undefined = not built yet, null = native path unusable for this modulus. */
  #engine: DiffieHellman | null | undefined;

  constructor(modulusBytes: Uint8Array) {
    this.#modulusBytes = Uint8Array.from(modulusBytes);
    this.modulus = bytesToBigInt(modulusBytes);
  }

  /** base^exponent mod N, for any non-negative base and exponent. */
  pow(base: bigint, exponent: bigint): bigint {
    if (exponent < 0n || base < 0n) throw new RangeError("modular exponentiation of a negative number");
    const n = this.modulus;
    const b = base % n;
    if (exponent === 0n) return 1n % n;
    if (b === 0n || b === 1n) return b;
    if (b === n - 1n) return exponent % 2n === 0n ? 1n : b;
    const engine = this.#nativeEngine();
    if (engine !== null) {
      try {
        return nativePow(engine, b, exponent);
      } catch {
        // refused by OpenSSL: fall through to BigInt
      }
    }
    return bigIntModPow(b, exponent, n);
  }

  #nativeEngine(): DiffieHellman | null {
    if (this.#engine !== undefined) return this.#engine;
    let engine: DiffieHellman | null = null;
    try {
      const candidate = createDiffieHellman(Buffer.from(this.#modulusBytes), 2);
      const probe = 3n % this.modulus;
      if (probe > 1n && probe < this.modulus - 1n) {
        if (nativePow(candidate, probe, 65537n) === bigIntModPow(probe, 65537n, this.modulus))
          engine = candidate;
      }
    } catch {
      engine = null;
    }
    this.#engine = engine;
    return engine;
  }
}

function nativePow(engine: DiffieHellman, base: bigint, exponent: bigint): bigint {
  engine.setPrivateKey(Buffer.from(bigIntToMinBytes(exponent)));
  // The result comes back left-padded to the modulus size; as an integer that changes nothing.
  return bytesToBigInt(engine.computeSecret(Buffer.from(bigIntToMinBytes(base))));
}

/** Plain BigInt square-and-multiply: the reference (tests) and the fallback for refused inputs. */
export function bigIntModPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n % modulus;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}
