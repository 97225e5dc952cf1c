/**
 * The crypto port: every primitive the security schemes need, bytes in and bytes out, so that the same
 * sessions run on Node and in a browser page. Two implementations, chosen by the package `imports`
 * conditions of `#crypto` (package.json), never by sniffing the runtime:
 *   node    → node-crypto-port.ts  (node:crypto, OpenSSL: the fast path)
 *   browser → pure-js-crypto-port.ts (@noble/* and BigInt; a page a device serves over plain HTTP is not a
 *             secure context, so crypto.subtle is absent there and only crypto.getRandomValues is left)
 * Implementations import nothing else from this package but this type and helpers of their own beside them
 * (bigint-modpow.ts; power-pool.ts for Node), so a bundle or a test may load either one on its own. Errors they throw are plain; the wrappers beside them (x25519.ts, aes-gcm.ts…)
 * turn them into the package's error classes.
 */

/** An X25519 private key held by the implementation (a node:crypto KeyObject stays inside node's port). */
export interface X25519PrivateKey {
  /** The 32-byte public key (u-coordinate, little-endian) as sent on the wire. */
  readonly publicKey: Uint8Array;
  /** X25519(this, peer): 32 bytes. Throws when the result is all zero (small-order peer key). */
  sharedSecret(peerPublic: Uint8Array): Uint8Array;
}

/** One AES-256-CTR keystream consumed at byte granularity (sec1 shares it between both directions). */
export interface AesCtrKeystream {
  /** XORs `data` with the next data.length keystream bytes. */
  update(data: Uint8Array): Uint8Array;
  /** Releases the key schedule. */
  close(): void;
}

export interface CryptoPort {
  /** "node:crypto" or "pure-js": shown by tests and the bench, never used to branch. */
  readonly name: string;
  /** `length` bytes from the platform CSPRNG. */
  randomBytes(length: number): Uint8Array;
  sha256(parts: readonly Uint8Array[]): Uint8Array;
  sha512(parts: readonly Uint8Array[]): Uint8Array;
  /** Takes a 32-byte scalar (clamped inside X25519 as RFC 7748 says). */
  x25519(privateKey: Uint8Array): X25519PrivateKey;
  /** AES-256-CTR, the 16-byte counter block incremented as one 128-bit big-endian integer. */
  aesCtr(key: Uint8Array, initialCounterBlock: Uint8Array): AesCtrKeystream;
  /** AES-256-GCM, no AAD, any nonce length ≥ 8 (sec2 uses 12; ESP-IDF v5.0–v5.4.0 sends 16): ciphertext || tag. */
  aesGcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Opens `ciphertext || 16-byte tag`; null when the tag does not verify. */
  aesGcmOpen(key: Uint8Array, nonce: Uint8Array, body: Uint8Array): Uint8Array | null;
  /**
   * base^exponent mod N for one modulus (big-endian bytes). Callers only pass 1 < base < N − 1 and
   * exponent > 0 (modpow.ts answers the other cases in closed form).
   */
  modPow(modulus: Uint8Array): (base: bigint, exponent: bigint) => bigint;
  /**
   * Optional: a random exponent of `exponentBytes` bytes with its top bit set, and base^exponent mod N
   * (left-padded to the modulus length), computed ahead of time off the calling thread; undefined when none
   * is ready, and then the caller draws and computes its own. Each pair is handed out once.
   */
  powerAhead?(
    modulus: Uint8Array,
    base: bigint,
    exponentBytes: number,
  ): { exponent: Uint8Array; power: Uint8Array } | undefined;
  /** Constant-time equality of two byte strings of the same length. */
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}
