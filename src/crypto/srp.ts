/**
 * SRP6a in ESP-IDF's variant (protocol.md §7): RFC 5054 3072-bit group, g = 5, H = SHA-512,
 *   k  = H(PAD(N) || PAD(g))                  u  = H(PAD(A) || PAD(B))
 *   x  = H(s || H(I ":" p))  (full 64-byte inner digest)   v = g^x
 *   K  = H(MIN(S))                            M1 = H((H(PAD(N)) xor H(PAD(g))) || H(I) || s || A || B || K)
 *   M2 = H(A || M1 || K)
 * where s, A and B in M1/M2 are exactly the bytes that went over the wire (§7.6): the client sends A as
 * 384 bytes, the device sends MIN(B). No npm SRP library matches this variant (fast-srp-hap hashes g
 * unpadded in M1 and pads S), hence this file. Pure math: no messages, no randomness of its own.
 */
import { AuthenticationError, ProtocolError } from "../errors.js";
import {
  bigIntToMinBytes,
  bigIntToPaddedBytes,
  bytesEqual,
  bytesToBigInt,
  hexToBytes,
  padBytes,
  toBytes,
  wipe,
  xorBytes,
} from "./bytes.js";
import { sha512 } from "./hash.js";
import { ModularExponentiator } from "./modpow.js";

/** Byte length of N (3072 bits) and of every PAD() value. */
export const SRP_LENGTH = 384;
export const SRP_PROOF_LENGTH = 64;

const N_HEX =
  "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD" +
  "3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F" +
  "24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552" +
  "BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF0" +
  "6F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64EC" +
  "FB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A" +
  "0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D1" +
  "20A93AD2CAFFFFFFFFFFFFFFFF";

/** The group and the constants derived from it, computed once per process. */
export const SRP_N_BYTES: Uint8Array = hexToBytes(N_HEX);
export const SRP_N: bigint = bytesToBigInt(SRP_N_BYTES);
export const SRP_G = 5n;
const G_PADDED = bigIntToPaddedBytes(SRP_G, SRP_LENGTH);
/** k = H(PAD(N) || PAD(g)). */
export const SRP_K: bigint = bytesToBigInt(sha512(SRP_N_BYTES, G_PADDED));
/** H(PAD(N)) xor H(PAD(g)): the first M1 component (note PAD(g), not g). */
export const SRP_H_N_XOR_H_G: Uint8Array = xorBytes(sha512(SRP_N_BYTES), sha512(G_PADDED));

const group = new ModularExponentiator(SRP_N_BYTES);

/** base^exponent mod N (native). */
export function srpPow(base: bigint, exponent: bigint): bigint {
  return group.pow(base, exponent);
}

/** Bytes of the private values a and b (ESP-IDF and esp_prov draw 32). */
export const SRP_PRIVATE_LENGTH = 32;

/** A private value with its public power g^value mod N. */
export interface SrpPrivateAhead {
  value: Uint8Array;
  power: bigint;
}

/**
 * A private value (32 bytes, top bit set) with g^value mod N already computed off this thread, when the
 * platform keeps such pairs ready (modpow.ts); undefined otherwise. For SrpClient.start and
 * SrpServer.respond, which then skip that exponentiation.
 */
export function srpPrivateAhead(): SrpPrivateAhead | undefined {
  const pair = group.ahead(SRP_G, SRP_PRIVATE_LENGTH);
  return pair === undefined ? undefined : { value: pair.exponent, power: pair.power };
}

/** x = H(s || H(I ":" p)) with the full 64-byte inner digest (ESP-IDF's C formula, §7.6). */
export function srpComputeX(
  salt: Uint8Array,
  username: Uint8Array | string,
  password: Uint8Array | string,
): bigint {
  const inner = sha512(toBytes(username), Uint8Array.of(0x3a), toBytes(password));
  return bytesToBigInt(sha512(salt, inner));
}

/** The verifier as the device stores it: MIN(g^x mod N). */
export function srpComputeVerifier(
  salt: Uint8Array,
  username: Uint8Array | string,
  password: Uint8Array | string,
): Uint8Array {
  return bigIntToMinBytes(srpPow(SRP_G, srpComputeX(salt, username, password)));
}

/** u = H(PAD(A) || PAD(B)). */
export function srpComputeU(clientPublic: Uint8Array, serverPublic: Uint8Array): bigint {
  return bytesToBigInt(sha512(padBytes(clientPublic, SRP_LENGTH), padBytes(serverPublic, SRP_LENGTH)));
}

/** K = H(MIN(S)): S is never padded (§7.6, vector sec2_short_S). */
export function srpSessionKey(premaster: bigint): Uint8Array {
  return sha512(bigIntToMinBytes(premaster));
}

/** M1 over the exact wire bytes of s, A and B. */
export function srpClientProof(
  username: Uint8Array,
  salt: Uint8Array,
  clientPublic: Uint8Array,
  serverPublic: Uint8Array,
  sessionKey: Uint8Array,
): Uint8Array {
  return sha512(SRP_H_N_XOR_H_G, sha512(username), salt, clientPublic, serverPublic, sessionKey);
}

/** M2 = H(A || M1 || K). */
export function srpServerProof(
  clientPublic: Uint8Array,
  clientProof: Uint8Array,
  sessionKey: Uint8Array,
): Uint8Array {
  return sha512(clientPublic, clientProof, sessionKey);
}

/** Device side: holds salt + verifier, answers A with B, checks M1, produces M2. */
export class SrpServer {
  readonly #salt: Uint8Array;
  readonly #verifier: bigint;
  #clientPublic: Uint8Array | undefined;
  #serverPublic: Uint8Array | undefined;
  #sessionKey: Uint8Array | undefined;

  constructor(salt: Uint8Array, verifier: Uint8Array) {
    this.#salt = Uint8Array.from(salt);
    this.#verifier = bytesToBigInt(verifier);
  }

  get salt(): Uint8Array {
    return this.#salt;
  }

  /** K (64 bytes) once `respond` ran. */
  get sessionKey(): Uint8Array | undefined {
    return this.#sessionKey;
  }

  /**
   * Takes the client's A (exactly 384 bytes on the wire) and the 32-byte private value b (read as a
   * big-endian integer, no bit forcing); returns MIN(B), the bytes the device sends and hashes (§7.6).
   * `power`, when given, is g^b mod N computed beforehand (srpPrivateAhead).
   */
  respond(clientPublic: Uint8Array, privateValue: Uint8Array, power?: bigint): Uint8Array {
    if (clientPublic.length !== SRP_LENGTH) {
      throw new ProtocolError(
        `SRP client public key must be ${SRP_LENGTH} bytes, got ${clientPublic.length}`,
      );
    }
    const a = bytesToBigInt(clientPublic) % SRP_N;
    // Post-v5.5 hardening (§10 item 11): A ≡ 0 would force S = 0 whatever the password.
    if (a === 0n) throw new ProtocolError("SRP client public key is 0 mod N");
    const b = bytesToBigInt(privateValue);
    const v = this.#verifier;
    const serverPublicInt = (SRP_K * v + (power ?? srpPow(SRP_G, b))) % SRP_N;
    const serverPublic = bigIntToMinBytes(serverPublicInt);
    const u = srpComputeU(clientPublic, serverPublic);
    const premaster = srpPow((a * srpPow(v, u)) % SRP_N, b);
    this.#clientPublic = Uint8Array.from(clientPublic);
    this.#serverPublic = serverPublic;
    this.#sessionKey = srpSessionKey(premaster);
    return serverPublic;
  }

  /** Checks M1 (constant time) and returns M2. Wrong username/password ⇒ AuthenticationError. */
  verifyClientProof(username: Uint8Array, clientProof: Uint8Array): Uint8Array {
    const A = this.#clientPublic;
    const B = this.#serverPublic;
    const K = this.#sessionKey;
    if (A === undefined || B === undefined || K === undefined) {
      throw new ProtocolError("SRP client proof before the key exchange");
    }
    if (clientProof.length !== SRP_PROOF_LENGTH) {
      throw new ProtocolError(
        `SRP client proof must be ${SRP_PROOF_LENGTH} bytes, got ${clientProof.length}`,
      );
    }
    const expected = srpClientProof(username, this.#salt, A, B, K);
    if (!bytesEqual(expected, clientProof)) {
      throw new AuthenticationError("client proof did not verify (wrong SRP username or password)", {
        hint: "check the sec2 username and password",
      });
    }
    return srpServerProof(A, expected, K);
  }

  close(): void {
    wipe(this.#sessionKey, this.#clientPublic, this.#serverPublic);
    this.#sessionKey = this.#clientPublic = this.#serverPublic = undefined;
  }
}

/** Client side: sends PAD(A), answers (s, B) with M1, checks M2. */
export class SrpClient {
  readonly #username: Uint8Array;
  readonly #password: Uint8Array;
  #a: bigint | undefined;
  #clientPublic: Uint8Array | undefined;
  #clientProof: Uint8Array | undefined;
  #sessionKey: Uint8Array | undefined;

  constructor(username: Uint8Array | string, password: Uint8Array | string) {
    this.#username = toBytes(username);
    this.#password = toBytes(password);
  }

  get username(): Uint8Array {
    return this.#username;
  }

  get sessionKey(): Uint8Array | undefined {
    return this.#sessionKey;
  }

  /**
   * Takes 32 private bytes (the top bit is forced to 1, as esp_prov does, so a ≥ 2^255) and returns A as
   * exactly 384 bytes: devices reject any other length (§7.6, the esp_prov 1-in-256 bug). `power`, when
   * given, is g^a mod N for the value with its top bit set, computed beforehand (srpPrivateAhead).
   */
  start(privateValue: Uint8Array, power?: bigint): Uint8Array {
    const bytes = Uint8Array.from(privateValue);
    if (bytes.length > 0) bytes[0]! |= 0x80;
    this.#a = bytesToBigInt(bytes);
    wipe(bytes);
    this.#clientPublic = bigIntToPaddedBytes(power ?? srpPow(SRP_G, this.#a), SRP_LENGTH);
    return this.#clientPublic;
  }

  /** Takes the salt and B exactly as received and returns M1; K is available afterwards. */
  respond(salt: Uint8Array, serverPublic: Uint8Array): Uint8Array {
    const a = this.#a;
    const A = this.#clientPublic;
    if (a === undefined || A === undefined) throw new ProtocolError("SRP server reply before start()");
    if (serverPublic.length === 0 || serverPublic.length > SRP_LENGTH) {
      throw new ProtocolError(
        `SRP device public key has ${serverPublic.length} bytes (1..${SRP_LENGTH} allowed)`,
      );
    }
    const B = bytesToBigInt(serverPublic) % SRP_N;
    if (B === 0n) throw new ProtocolError("SRP device public key is 0 mod N");
    const u = srpComputeU(A, serverPublic);
    if (u === 0n) throw new ProtocolError("SRP scrambling parameter u is 0");
    const x = srpComputeX(salt, this.#username, this.#password);
    const base = (((B - ((SRP_K * srpPow(SRP_G, x)) % SRP_N)) % SRP_N) + SRP_N) % SRP_N;
    const K = srpSessionKey(srpPow(base, a + u * x));
    this.#sessionKey = K;
    this.#clientProof = srpClientProof(this.#username, salt, A, serverPublic, K);
    return this.#clientProof;
  }

  /** Checks M2 (constant time); mismatch ⇒ AuthenticationError. */
  verifyServerProof(serverProof: Uint8Array): void {
    const A = this.#clientPublic;
    const M1 = this.#clientProof;
    const K = this.#sessionKey;
    if (A === undefined || M1 === undefined || K === undefined) {
      throw new ProtocolError("SRP device proof before the client proof");
    }
    if (!bytesEqual(srpServerProof(A, M1, K), serverProof)) {
      throw new AuthenticationError("device proof did not verify", {
        hint: "the device does not know this username/password (or is not the device you think)",
      });
    }
  }

  close(): void {
    wipe(this.#sessionKey, this.#password, this.#clientProof);
    this.#a = undefined;
    this.#sessionKey = this.#clientProof = undefined;
  }
}
