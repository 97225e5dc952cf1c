/**
 * X25519 (RFC 7748) with raw 32-byte keys, as sec1 puts them on the wire (protocol.md §6.1), converted to
 * node:crypto KeyObjects. Node 20 has no raw import for X25519; JWK import is used because it maps to
 * OpenSSL's raw-key constructors (~35 µs), while DER import goes through the OpenSSL 3 decoder framework
 * (~400 µs, which alone would exceed the sec1 device budget). DER stays as the fallback.
 */
import { createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { ProtocolError } from "../errors.js";
import { concatBytes } from "./bytes.js";

export const X25519_KEY_LENGTH = 32;

// PKCS#8 PrivateKeyInfo header for OID 1.3.101.110 (X25519) with a 32-byte key (fallback import).
const PKCS8_PREFIX = Uint8Array.from(Buffer.from("302e020100300506032b656e04220420", "hex"));

export interface X25519KeyPair {
  readonly privateKey: KeyObject;
  /** The 32-byte public key (u-coordinate, little-endian) as sent on the wire. */
  readonly publicKey: Uint8Array;
}

/** Builds a key pair from a 32-byte scalar; clamping happens inside X25519 as RFC 7748 specifies. */
export function x25519KeyPairFromPrivate(rawPrivate: Uint8Array): X25519KeyPair {
  if (rawPrivate.length !== X25519_KEY_LENGTH) {
    throw new RangeError(`X25519 private key must be 32 bytes, got ${rawPrivate.length}`);
  }
  const d = Buffer.from(rawPrivate).toString("base64url");
  let privateKey: KeyObject;
  try {
    // Node requires a string `x` in a private JWK but builds the key from `d` alone. The public key we
    // use is derived from the private key below, so the placeholder can never leak onto the wire.
    privateKey = createPrivateKey({ key: { kty: "OKP", crv: "X25519", d, x: d }, format: "jwk" });
  } catch {
    privateKey = createPrivateKey({
      key: Buffer.from(concatBytes(PKCS8_PREFIX, rawPrivate)),
      format: "der",
      type: "pkcs8",
    });
  }
  const x = createPublicKey(privateKey).export({ format: "jwk" }).x;
  if (x === undefined) throw new RangeError("X25519 public key derivation failed");
  return { privateKey, publicKey: new Uint8Array(Buffer.from(x, "base64url")) };
}

/** X25519(own private, peer public): the 32-byte shared secret. Low-order peer keys are a ProtocolError. */
export function x25519SharedSecret(privateKey: KeyObject, peerPublic: Uint8Array): Uint8Array {
  if (peerPublic.length !== X25519_KEY_LENGTH) {
    throw new ProtocolError(`X25519 public key must be 32 bytes, got ${peerPublic.length}`);
  }
  try {
    const publicKey = createPublicKey({
      key: { kty: "OKP", crv: "X25519", x: Buffer.from(peerPublic).toString("base64url") },
      format: "jwk",
    });
    return new Uint8Array(diffieHellman({ privateKey, publicKey }));
  } catch (cause) {
    // OpenSSL refuses peer keys that yield an all-zero secret (small-order points).
    throw new ProtocolError("X25519 key agreement failed (invalid peer public key)", { cause });
  }
}
