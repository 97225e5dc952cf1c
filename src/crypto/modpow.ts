/**
 * Modular exponentiation in the SRP group (protocol.md §7.1), done by the crypto port (natively by OpenSSL
 * on Node, BigInt sliding windows in a browser).
 *
 * The native path rejects bases ≤ 1 and ≥ N − 1 and a zero exponent; those inputs have closed-form
 * results and are answered here, so the port only ever sees 1 < base < N − 1 and exponent > 0.
 */
import { cryptoPort } from "#crypto";
import { bytesToBigInt } from "./bytes.js";

export { bigIntModPow } from "./bigint-modpow.js";

/** A modulus with its engine, built on first use. */
export class ModularExponentiator {
  readonly modulus: bigint;
  readonly #modulusBytes: Uint8Array;
  #engine: ((base: bigint, exponent: bigint) => bigint) | undefined;

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
    this.#engine ??= cryptoPort.modPow(this.#modulusBytes);
    return this.#engine(b, exponent);
  }

  /**
   * A random exponent of `exponentBytes` bytes (top bit set) with base^exponent mod N, if the platform
   * computed one ahead of time off this thread (node:crypto does, on a worker); else undefined.
   */
  ahead(base: bigint, exponentBytes: number): { exponent: Uint8Array; power: bigint } | undefined {
    const pair = cryptoPort.powerAhead?.(this.#modulusBytes, base, exponentBytes);
    return pair === undefined ? undefined : { exponent: pair.exponent, power: bytesToBigInt(pair.power) };
  }
}
