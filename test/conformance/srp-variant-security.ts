/**
 * A security 2 device session (patch 1) with the leading-zero mistakes a firmware author can make, one switch
 * each, for the conformance test double. Built from wifiprov's SRP math (src/crypto/srp.ts) and messages; the
 * real device session (src/security/session2.ts) is left alone.
 */
import {
  SRP_G,
  SRP_K,
  SRP_LENGTH,
  SRP_N,
  bigIntToMinBytes,
  bigIntToPaddedBytes,
  bytesEqual,
  bytesToBigInt,
  concatBytes,
  sha512,
  srpClientProof,
  srpComputeU,
  srpPow,
  srpServerProof,
} from "../../src/crypto/index.js";
import { AuthenticationError, ProtocolError } from "../../src/errors.js";
import { Sec2Cipher } from "../../src/security/index.js";
import type { DeviceSecurity, DeviceSecuritySession, RandomBytes } from "../../src/security/types.js";
import { encodeSec2Response0, encodeSec2Response1, parseSec2Request } from "../../src/security/messages.js";

export interface Sec2Variant {
  /** Takes a 383-byte A (esp_prov's MIN(A)) instead of refusing it. */
  acceptMinimalA?: boolean;
  /** Sends (and hashes) B padded to 384 bytes. */
  padB?: boolean;
  /** K = SHA-512(PAD(S)) instead of SHA-512(MIN(S)). */
  padS?: boolean;
}

export function variantSec2Security(
  salt: Uint8Array,
  verifier: Uint8Array,
  variant: Sec2Variant,
  random: RandomBytes,
): DeviceSecurity {
  const v = bytesToBigInt(verifier);
  return {
    version: 2,
    patchVersion: 1,
    createSession(): DeviceSecuritySession {
      let pending: { username: Uint8Array; A: Uint8Array; B: Uint8Array; K: Uint8Array } | undefined;
      let cipher: Sec2Cipher | undefined;
      const established = () => {
        if (cipher === undefined) throw new ProtocolError("sec2: no session established");
        return cipher;
      };
      return {
        version: 2,
        get established() {
          return cipher !== undefined;
        },
        handshake(request) {
          const req = parseSec2Request(request);
          if (req.step === 0) {
            cipher = undefined;
            const A = req.clientPubkey;
            const lengthOk =
              A.length === SRP_LENGTH || (variant.acceptMinimalA === true && A.length === SRP_LENGTH - 1);
            if (!lengthOk) throw new ProtocolError(`A of ${A.length} bytes`);
            const b = bytesToBigInt(random(32));
            const Bint = (SRP_K * v + srpPow(SRP_G, b)) % SRP_N;
            const B = variant.padB ? bigIntToPaddedBytes(Bint, SRP_LENGTH) : bigIntToMinBytes(Bint);
            const u = srpComputeU(A, B);
            const S = srpPow((bytesToBigInt(A) * srpPow(v, u)) % SRP_N, b);
            const K = sha512(variant.padS ? bigIntToPaddedBytes(S, SRP_LENGTH) : bigIntToMinBytes(S));
            pending = { username: req.clientUsername, A, B, K };
            return encodeSec2Response0(B, salt);
          }
          const p = pending;
          pending = undefined;
          if (p === undefined) throw new ProtocolError("sec2: proof before the key exchange");
          const expected = srpClientProof(p.username, salt, p.A, p.B, p.K);
          if (!bytesEqual(expected, req.clientProof))
            throw new AuthenticationError("client proof did not verify");
          const nonce = concatBytes(random(8), Uint8Array.of(0, 0, 0, 1));
          cipher = new Sec2Cipher(p.K.subarray(0, 32), nonce, 1);
          return encodeSec2Response1(srpServerProof(p.A, expected, p.K), nonce);
        },
        encrypt: (plain) => established().encrypt(plain),
        decrypt: (body) => established().decrypt(body),
        close() {
          pending = undefined;
          cipher = undefined;
        },
      };
    },
  };
}
