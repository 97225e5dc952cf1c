/** Byte helpers shared by the crypto primitives: concatenation, XOR, big-endian integers, comparisons. */
import { cryptoPort } from "#crypto";

const encoder = new TextEncoder();

/** Strings are UTF-8 encoded; byte arrays are taken as they are (copied). */
export function toBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === "string" ? encoder.encode(value) : Uint8Array.from(value);
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Byte-wise XOR of two equally long strings. */
export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new RangeError(`xorBytes: lengths differ (${a.length} vs ${b.length})`);
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

// node:crypto's timingSafeEqual on Node, a constant-time loop in the browser port.
const timingSafeEqual = (a: Uint8Array, b: Uint8Array): boolean => cryptoPort.timingSafeEqual(a, b);

/** Constant-time equality; different lengths compare unequal (the length itself is not secret). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

// Hex through character codes and one TextDecoder call: as fast as Buffer's hex codec on Node (the SRP
// values are converted several times per sec2 handshake), and available in a browser.
const HEX_CHARS = new TextEncoder().encode("0123456789abcdef");
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  NIBBLE[HEX_CHARS[i]!] = i;
  NIBBLE["0123456789ABCDEF".charCodeAt(i)] = i;
}
const asciiDecoder = new TextDecoder();

/** Lowercase hex of a byte string. */
export function bytesToHex(bytes: Uint8Array): string {
  const chars = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    chars[2 * i] = HEX_CHARS[b >> 4]!;
    chars[2 * i + 1] = HEX_CHARS[b & 15]!;
  }
  return asciiDecoder.decode(chars);
}

/** Bytes of an even-length hex string (no prefix, either case); anything else is a RangeError. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 === 1) throw new RangeError("hexToBytes: odd number of hex digits");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = NIBBLE[hex.charCodeAt(2 * i)] ?? -1;
    const lo = NIBBLE[hex.charCodeAt(2 * i + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new RangeError("hexToBytes: not a hex string");
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Big-endian unsigned integer of any length (empty = 0). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt("0x" + bytesToHex(bytes));
}

/** MIN(n): minimal big-endian encoding, no leading zero bytes (0 encodes as the empty string). */
export function bigIntToMinBytes(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError("bigIntToMinBytes: negative value");
  if (value === 0n) return new Uint8Array(0);
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = "0" + hex;
  return hexToBytes(hex);
}

/** PAD(n): big-endian, left-padded with zero bytes to exactly `length` bytes. */
export function bigIntToPaddedBytes(value: bigint, length: number): Uint8Array {
  return padBytes(bigIntToMinBytes(value), length);
}

/** Left-pads a big-endian byte string with zeros to `length` bytes. */
export function padBytes(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length > length) throw new RangeError(`padBytes: ${bytes.length} bytes do not fit in ${length}`);
  const out = new Uint8Array(length);
  out.set(bytes, length - bytes.length);
  return out;
}

/** Strips leading zero bytes (MIN of a big-endian byte string). */
export function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/** Overwrites key material in place. */
export function wipe(...buffers: readonly (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}
