/**
 * AES-256-GCM as sec2 uses it (protocol.md §7.4): no AAD, body = ciphertext || 16-byte tag. The nonce is 12
 * bytes (sec2 patch 1) or 16 (patch 0, v5.0…v5.4.0); GCM derives its first counter block from a non-96-bit IV
 * by GHASH (NIST SP 800-38D §7.1), which node:crypto implements.
 */
import { createCipheriv, createDecipheriv } from "node:crypto";
import { AuthenticationError, ProtocolError } from "../errors.js";

export const GCM_TAG_LENGTH = 16;
export const GCM_NONCE_LENGTH = 12;

export function aesGcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: GCM_TAG_LENGTH });
  const body = cipher.update(plaintext);
  cipher.final();
  const out = new Uint8Array(body.length + GCM_TAG_LENGTH);
  out.set(body, 0);
  out.set(cipher.getAuthTag(), body.length);
  return out;
}

/** Decrypts `ciphertext || tag`; a body shorter than the tag is a ProtocolError, a bad tag an AuthenticationError. */
export function aesGcmDecrypt(key: Uint8Array, nonce: Uint8Array, body: Uint8Array): Uint8Array {
  if (body.length < GCM_TAG_LENGTH) {
    throw new ProtocolError(`encrypted body is ${body.length} bytes, shorter than the 16-byte GCM tag`);
  }
  const split = body.length - GCM_TAG_LENGTH;
  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: GCM_TAG_LENGTH });
  decipher.setAuthTag(body.subarray(split));
  const plain = decipher.update(body.subarray(0, split));
  try {
    decipher.final();
  } catch (cause) {
    throw new AuthenticationError("AES-GCM tag mismatch: message forged, corrupted or out of order", {
      cause,
    });
  }
  return new Uint8Array(plain);
}
