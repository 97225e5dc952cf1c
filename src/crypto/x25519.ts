/**
 * X25519 (RFC 7748) with raw 32-byte keys, as sec1 puts them on the wire (protocol.md §6.1). The private
 * key stays an opaque object of the crypto port (on Node it holds an OpenSSL key, built once per handshake).
 */
import { cryptoPort } from "#crypto";
import { ProtocolError } from "../errors.js";
import type { X25519PrivateKey } from "./port.js";

export type { X25519PrivateKey } from "./port.js";

export const X25519_KEY_LENGTH = 32;

export interface X25519KeyPair {
  readonly privateKey: X25519PrivateKey;
  /** The 32-byte public key (u-coordinate, little-endian) as sent on the wire. */
  readonly publicKey: Uint8Array;
}

/** Builds a key pair from a 32-byte scalar; clamping happens inside X25519 as RFC 7748 specifies. */
export function x25519KeyPairFromPrivate(rawPrivate: Uint8Array): X25519KeyPair {
  if (rawPrivate.length !== X25519_KEY_LENGTH) {
    throw new RangeError(`X25519 private key must be 32 bytes, got ${rawPrivate.length}`);
  }
  const privateKey = cryptoPort.x25519(rawPrivate);
  return { privateKey, publicKey: privateKey.publicKey };
}

/** X25519(own private, peer public): the 32-byte shared secret. Low-order peer keys are a ProtocolError. */
export function x25519SharedSecret(privateKey: X25519PrivateKey, peerPublic: Uint8Array): Uint8Array {
  if (peerPublic.length !== X25519_KEY_LENGTH) {
    throw new ProtocolError(`X25519 public key must be 32 bytes, got ${peerPublic.length}`);
  }
  try {
    return privateKey.sharedSecret(peerPublic);
  } catch (cause) {
    // Both ports refuse peer keys that yield an all-zero secret (small-order points).
    throw new ProtocolError("X25519 key agreement failed (invalid peer public key)", { cause });
  }
}
