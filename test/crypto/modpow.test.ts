// The native modular exponentiation (protocol.md §7.1 group) against BigInt square-and-multiply, including
// the inputs node:crypto refuses (base ≤ 1, base ≥ N − 1, exponent 0) that are answered in closed form.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getDiffieHellman } from "node:crypto";
import fc from "fast-check";
import {
  bigIntModPow,
  bytesToBigInt,
  ModularExponentiator,
  SRP_N,
  SRP_N_BYTES,
  srpPow,
} from "../../src/crypto/index.js";

test("the RFC 5054 3072-bit prime is the RFC 3526 group 15 prime (why the engine can use generator 2)", () => {
  assert.equal(bytesToBigInt(new Uint8Array(getDiffieHellman("modp15").getPrime())), SRP_N);
  assert.equal(SRP_N_BYTES.length, 384);
});

test("edge bases and exponents", () => {
  const N = SRP_N;
  const cases: [bigint, bigint][] = [
    [0n, 5n],
    [1n, 12345n],
    [N - 1n, 2n],
    [N - 1n, 3n],
    [N, 7n],
    [N + 1n, 7n],
    [N + 5n, 3n],
    [2n * N - 1n, 5n],
    [5n, 0n],
    [0n, 0n],
    [5n, 1n],
    [7n, N],
  ];
  for (const [b, e] of cases) assert.equal(srpPow(b, e), bigIntModPow(b, e, N), `${b} ^ ${e}`);
});

test("native result equals BigInt for random bases and exponents of SRP sizes", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: SRP_N * 2n }),
      fc.bigInt({ min: 0n, max: (1n << 800n) - 1n }),
      (base, exponent) => srpPow(base, exponent) === bigIntModPow(base, exponent, SRP_N),
    ),
    { numRuns: 8 },
  );
});

test("a small modulus works too (the engine is generic)", () => {
  const m = new ModularExponentiator(Uint8Array.of(0xff, 0xfb)); // 65531, prime
  for (const [b, e] of [
    [3n, 65529n],
    [65530n, 3n],
    [2n, 0n],
    [12345n, 678n],
  ] as const) {
    assert.equal(m.pow(b, e), bigIntModPow(b, e, 65531n));
  }
});

test("negative inputs are a RangeError", () => {
  assert.throws(() => srpPow(-1n, 2n), RangeError);
  assert.throws(() => srpPow(2n, -2n), RangeError);
});
