/** SHA-256 (sec1 PoP) and SHA-512 (sec2 SRP6a) over concatenated parts. */
import { cryptoPort } from "#crypto";

export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  return cryptoPort.sha256(parts);
}

export function sha512(...parts: readonly Uint8Array[]): Uint8Array {
  return cryptoPort.sha512(parts);
}
