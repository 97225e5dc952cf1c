/**
 * AES-256-GCM as sec2 uses it (protocol.md §7.4): no AAD, body = ciphertext || 16-byte tag. The nonce is 12
 * bytes (sec2 patch 1) or 16 (patch 0, v5.0…v5.4.0); GCM derives its first counter block from a non-96-bit IV
 * by GHASH (NIST SP 800-38D §7.1), which both crypto ports implement.
 */
import { cryptoPort } from "#crypto";
import { AuthenticationError, ProtocolError } from "../errors.js";

export const GCM_TAG_LENGTH = 16;
export const GCM_NONCE_LENGTH = 12;

export function aesGcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return cryptoPort.aesGcmSeal(key, nonce, plaintext);
}

/** Decrypts `ciphertext || tag`; a body shorter than the tag is a ProtocolError, a bad tag an AuthenticationError. */
export function aesGcmDecrypt(key: Uint8Array, nonce: Uint8Array, body: Uint8Array): Uint8Array {
  if (body.length < GCM_TAG_LENGTH) {
    throw new ProtocolError(`encrypted body is ${body.length} bytes, shorter than the 16-byte GCM tag`);
  }
  const plain = cryptoPort.aesGcmOpen(key, nonce, body);
  if (plain === null) {
    throw new AuthenticationError("AES-GCM tag mismatch: message forged, corrupted or out of order");
  }
  return plain;
}
