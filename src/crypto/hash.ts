/** SHA-256 (sec1 PoP) and SHA-512 (sec2 SRP6a) over concatenated parts. */
import { createHash } from "node:crypto";

function digest(algorithm: string, parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash(algorithm);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  return digest("sha256", parts);
}

export function sha512(...parts: readonly Uint8Array[]): Uint8Array {
  return digest("sha512", parts);
}
