/** sec2 credential generation (protocol.md §7.2, §7.6), the counterpart of `esp_prov --sec2_gen_cred`. */
import { UsageError } from "../errors.js";
import { defaultRandomBytes } from "../crypto/random.js";
import { srpComputeVerifier } from "../crypto/srp.js";
import type { RandomBytes } from "./types.js";

export interface Sec2CredentialOptions {
  /** Salt length in bytes. Default 16 (esp_prov's `--sec2_salt_len` and the IDF example). */
  saltLength?: number;
  /** Randomness; the salt is drawn as one string of `saltLength` bytes, redrawn while it starts with 0x00. */
  random?: RandomBytes;
}

/**
 * Returns a fresh salt and MIN(verifier) for the device. The salt never starts with 0x00: esp_prov turns
 * the salt into an integer and back, dropping leading zero bytes, and would then compute a different x
 * and M1 (§7.6). x uses the full 64-byte inner digest H(I ":" p), as the device's C code does.
 */
export function generateSec2Credentials(
  username: Uint8Array | string,
  password: Uint8Array | string,
  options: Sec2CredentialOptions = {},
): { salt: Uint8Array; verifier: Uint8Array } {
  const { saltLength = 16, random = defaultRandomBytes } = options;
  if (!Number.isInteger(saltLength) || saltLength < 1 || saltLength > 65535) {
    throw new UsageError(`sec2 salt length must be 1..65535 bytes, got ${saltLength}`);
  }
  if (username.length === 0) {
    throw new UsageError("sec2 username must not be empty", { hint: "devices reject an empty username" });
  }
  let salt = Uint8Array.from(random(saltLength));
  while (salt[0] === 0) salt = Uint8Array.from(random(saltLength));
  return { salt, verifier: srpComputeVerifier(salt, username, password) };
}
