/**
 * The arithmetic behind the SRP leading-zero checks: forcing a client public key A whose first byte is 0, and
 * computing the premaster secret S a client derives, so a check can tell when B or S has a leading zero.
 *
 * Facts (ESP-IDF v5.0 … v6.0, unchanged between those tags): security2.c refuses a client_pubkey whose length is
 * not PUBLIC_KEY_LEN (384); esp_srp.c sends B as esp_mpi_to_bin(B) — mbedtls_mpi_write_binary into
 * mbedtls_mpi_size(B) bytes, i.e. minimal, 383 bytes about 1 time in 256 — hashes those same bytes in M, and
 * takes K = SHA-512(esp_mpi_to_bin(S)), again minimal. u is computed over PAD(A) || PAD(B).
 */
import {
  SRP_G,
  SRP_K,
  SRP_LENGTH,
  SRP_N,
  bigIntToMinBytes,
  bigIntToPaddedBytes,
  bytesToBigInt,
  bytesToHex,
  srpComputeU,
  srpComputeX,
  srpPow,
} from "../crypto/index.js";

/** A value whose encoding has a leading zero byte is below 2^(8·383). */
const SHORT_LIMIT = 1n << BigInt(8 * (SRP_LENGTH - 1));

/** The client's 32-byte private value a, top bit set as esp_prov and our client force it. */
export const PRIVATE_VALUE_LENGTH = 32;

export interface ForcedClientKey {
  /** The 32 private bytes (top bit set), to be handed to the client session as its random draw. */
  privateValue: Uint8Array;
  /** A = g^a mod N as the 384 bytes a correct client sends; its first byte is 0. */
  paddedA: Uint8Array;
  /** How many candidates were tried. */
  tried: number;
}

/**
 * Searches a = start, start+1, … for an A = g^a mod N with a leading zero byte (1 candidate in 256 has one).
 * Each step multiplies the previous A by g, so a few hundred candidates cost one exponentiation and a few
 * hundred multiplications. The start's second bit is cleared so a + limit stays within 32 bytes with the top
 * bit set. Returns undefined if none of `limit` candidates qualifies (probability (255/256)^limit).
 */
export function findLeadingZeroA(start: Uint8Array, limit = 4096): ForcedClientKey | undefined {
  if (start.length !== PRIVATE_VALUE_LENGTH) {
    throw new RangeError(`the start value must be ${PRIVATE_VALUE_LENGTH} bytes, got ${start.length}`);
  }
  const first = Uint8Array.from(start);
  first[0] = 0x80 | (first[0]! & 0x3f);
  let a = bytesToBigInt(first);
  let A = srpPow(SRP_G, a);
  for (let tried = 1; tried <= limit; tried++) {
    if (A < SHORT_LIMIT) {
      return {
        privateValue: bigIntToPaddedBytes(a, PRIVATE_VALUE_LENGTH),
        paddedA: bigIntToPaddedBytes(A, SRP_LENGTH),
        tried,
      };
    }
    a += 1n;
    A = (A * SRP_G) % SRP_N;
  }
  return undefined;
}

/** Forces the top bit, as the client session does with its 32 random bytes. */
export function asPrivateValue(bytes: Uint8Array): Uint8Array {
  const value = Uint8Array.from(bytes);
  value[0] = value[0]! | 0x80;
  return value;
}

/** What a client derives from the device's first reply: the premaster secret S (before hashing). */
export class PremasterCalculator {
  readonly #a: bigint;
  readonly #paddedA: Uint8Array;
  readonly #username: string;
  readonly #password: string;
  /** k·g^x mod N for the last salt seen (a device keeps one salt, so this is computed once). */
  #kgx: { salt: string; x: bigint; value: bigint } | undefined;

  constructor(privateValue: Uint8Array, username: string, password: string) {
    this.#a = bytesToBigInt(privateValue);
    this.#paddedA = bigIntToPaddedBytes(srpPow(SRP_G, this.#a), SRP_LENGTH);
    this.#username = username;
    this.#password = password;
  }

  get paddedA(): Uint8Array {
    return this.#paddedA;
  }

  /** S = (B − k·g^x)^(a + u·x) mod N with u = H(PAD(A) || PAD(B)), as every client computes it. */
  premaster(salt: Uint8Array, serverPublic: Uint8Array): bigint {
    const key = bytesToHex(salt);
    if (this.#kgx?.salt !== key) {
      const x = srpComputeX(salt, this.#username, this.#password);
      this.#kgx = { salt: key, x, value: (SRP_K * srpPow(SRP_G, x)) % SRP_N };
    }
    const { x, value } = this.#kgx;
    const u = srpComputeU(this.#paddedA, serverPublic);
    const base = (((bytesToBigInt(serverPublic) - value) % SRP_N) + SRP_N) % SRP_N;
    return srpPow(base, this.#a + u * x);
  }
}

/** Length of the minimal big-endian encoding (what esp_mpi_to_bin produces). */
export function minimalLength(value: bigint): number {
  return bigIntToMinBytes(value).length;
}
