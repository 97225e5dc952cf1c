/**
 * The sec2 record cipher (protocol.md §7.4): AES-256-GCM, key = K[0:32], no AAD, body = ciphertext || tag.
 *
 * Patch 1 (v5.5): nonce = device_nonce[0:8] || BE32 counter; the counter starts at the value the device
 * sent (1) and is shared by both directions: every encrypt and every successful decrypt uses the current
 * nonce and then increments it. A failed decrypt does not advance it. After 2^32 − 1 messages the counter
 * wraps to 0, which the device refuses (esp_prov: "Nonce counter overflow"), so we refuse it too.
 * Patch 0 (v5.0–v5.4.0): the device_nonce is reused as the GCM IV for every message (insecure, but that is
 * what those devices do). Those releases send 16 bytes (ESP-IDF v5.0…v5.4 security2.c: AES_GCM_IV_SIZE 16,
 * filled by esp_fill_random and passed whole to mbedtls_gcm_crypt_and_tag); GCM itself hashes an IV that is not
 * 96 bits long into its first counter block (NIST SP 800-38D §7.1, J0 = GHASH(IV || pad || len)), and
 * node:crypto does the same (test/security/gcm-iv.test.ts). A 12-byte patch-0 nonce is also accepted: wifiprov's
 * own devices before this fix sent one.
 */
import { SessionError } from "../errors.js";
import { aesGcmDecrypt, aesGcmEncrypt } from "../crypto/aes-gcm.js";
import { wipe } from "../crypto/bytes.js";
import type { SecurityPatchVersion } from "./types.js";

/** Patch 1: 8 random bytes || BE32 counter (v5.4.1+ security2.c, AES_GCM_IV_SIZE 12). */
export const SEC2_COUNTER_NONCE_LENGTH = 12;
/** Patch 0: what v5.0…v5.4.0 security2.c sends (AES_GCM_IV_SIZE 16). */
export const SEC2_PATCH0_NONCE_LENGTH = 16;

/** The device_nonce lengths a session of this patch level can use. */
export function sec2NonceLengths(patchVersion: SecurityPatchVersion): readonly number[] {
  return patchVersion === 1
    ? [SEC2_COUNTER_NONCE_LENGTH]
    : [SEC2_PATCH0_NONCE_LENGTH, SEC2_COUNTER_NONCE_LENGTH];
}

export class Sec2Cipher {
  readonly patchVersion: SecurityPatchVersion;
  readonly #key: Uint8Array;
  readonly #nonce: Uint8Array;
  #counter: number;

  constructor(key: Uint8Array, nonce: Uint8Array, patchVersion: SecurityPatchVersion) {
    if (key.length !== 32) throw new RangeError(`sec2 key must be 32 bytes, got ${key.length}`);
    const lengths = sec2NonceLengths(patchVersion);
    if (!lengths.includes(nonce.length))
      throw new RangeError(
        `sec2 patch ${patchVersion} nonce must be ${lengths.join(" or ")} bytes, got ${nonce.length}`,
      );
    this.#key = Uint8Array.from(key);
    this.#nonce = Uint8Array.from(nonce);
    this.patchVersion = patchVersion;
    // Patch 0 never reads the counter; for a 16-byte nonce bytes 8..11 are just part of the IV.
    this.#counter = new DataView(this.#nonce.buffer).getUint32(8, false);
  }

  /** The nonce the next message (either direction) will use. */
  get nextNonce(): Uint8Array {
    return Uint8Array.from(this.#current());
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    const out = aesGcmEncrypt(this.#key, this.#current(), plaintext);
    this.#advance();
    return out;
  }

  decrypt(body: Uint8Array): Uint8Array {
    const out = aesGcmDecrypt(this.#key, this.#current(), body);
    this.#advance();
    return out;
  }

  close(): void {
    wipe(this.#key, this.#nonce);
  }

  #current(): Uint8Array {
    if (this.patchVersion === 1 && this.#counter === 0) {
      throw new SessionError("sec2 nonce counter overflow: start a new session", {
        hint: "re-run the handshake",
      });
    }
    return this.#nonce;
  }

  #advance(): void {
    if (this.patchVersion === 0) return;
    this.#counter = (this.#counter + 1) >>> 0;
    new DataView(this.#nonce.buffer).setUint32(8, this.#counter, false);
  }
}
