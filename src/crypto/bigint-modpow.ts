/**
 * Modular exponentiation on BigInt, with no platform dependency: the pure-JS port's engine, the node port's
 * fallback for inputs OpenSSL refuses, and the reference the tests compare both against.
 */

/** Plain right-to-left square-and-multiply: short and obviously right, the tests' reference. */
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

/**
 * Left-to-right sliding-window exponentiation: one squaring per exponent bit plus one multiplication per
 * window instead of one per set bit, so about 1.2 multiplications per bit for SRP's 256- to 1024-bit
 * exponents (bigIntModPow needs about 1.5). The window width grows with the exponent, because the table
 * of odd powers costs 2^(w−1) multiplications up front.
 */
export function slidingWindowModPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (exponent < 0n || base < 0n) throw new RangeError("modular exponentiation of a negative number");
  const m = modulus;
  if (exponent === 0n) return 1n % m;
  const bits = exponent.toString(2);
  const w = bits.length > 768 ? 6 : bits.length > 192 ? 5 : bits.length > 32 ? 4 : 1;
  const b = base % m;
  // table[i] = b^(2i + 1)
  const table: bigint[] = [b];
  const b2 = (b * b) % m;
  for (let i = 1; i < 1 << (w - 1); i++) table.push((table[i - 1]! * b2) % m);
  let result = 1n % m;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === "0") {
      result = (result * result) % m;
      i++;
      continue;
    }
    // The longest window of at most w bits starting here that ends in a 1 bit.
    let j = Math.min(i + w, bits.length) - 1;
    while (bits[j] === "0") j--;
    for (let k = i; k <= j; k++) result = (result * result) % m;
    result = (result * table[(parseInt(bits.slice(i, j + 1), 2) - 1) >> 1]!) % m;
    i = j + 1;
  }
  return result;
}
