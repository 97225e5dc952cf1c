/**
 * The contract between the security schemes (sec0/1/2) and the layers that use them.
 *
 * A session object holds the state of one handshake and, once established, its cipher. It is synchronous:
 * every step is pure computation (the crypto port), so it can be driven from any transport.
 * Failures throw: ProtocolError (malformed or out-of-order message) or AuthenticationError (proof mismatch:
 * wrong PoP / SRP credentials). The device transport answers either by closing the connection without a
 * reply, as ESP-IDF does.
 */

export type SecurityVersion = 0 | 1 | 2;

/** sec_patch_ver of sec2: 0 = fixed nonce (IDF v5.0–v5.4.0), 1 = counter nonce (v5.5 and back-ports). */
export type SecurityPatchVersion = 0 | 1;

/** Source of randomness, injectable so that tests reproduce the golden vectors. */
export type RandomBytes = (length: number) => Uint8Array;

/** Device role: the state of the one session the device holds (protocol.md §7.7). */
export interface DeviceSecuritySession {
  readonly version: SecurityVersion;
  /** True once the handshake finished and request endpoints may be used. Always true for sec0. */
  readonly established: boolean;
  /** Handles one prov-session request body and returns the reply body. */
  handshake(request: Uint8Array): Uint8Array;
  /** Encrypts a handler's reply (identity for sec0). Throws SessionError before the handshake completes. */
  encrypt(plaintext: Uint8Array): Uint8Array;
  /** Decrypts a request body (identity for sec0). Throws SessionError / AuthenticationError (GCM tag). */
  decrypt(ciphertext: Uint8Array): Uint8Array;
  /** Wipes keys; the object is unusable afterwards. */
  close(): void;
}

/** Device role: long-lived parameters (PoP or salt+verifier), one new session per transport session. */
export interface DeviceSecurity {
  readonly version: SecurityVersion;
  readonly patchVersion: SecurityPatchVersion;
  createSession(): DeviceSecuritySession;
}

/** Client role: drives the handshake from the first request to the established cipher. */
export interface ClientSecuritySession {
  readonly version: SecurityVersion;
  readonly established: boolean;
  /** The first prov-session request body. */
  begin(): Uint8Array;
  /**
   * Processes a prov-session reply. Returns the next request body, or null when the session is established.
   * Throws AuthenticationError when the device's proof does not verify.
   */
  next(reply: Uint8Array): Uint8Array | null;
  encrypt(plaintext: Uint8Array): Uint8Array;
  decrypt(ciphertext: Uint8Array): Uint8Array;
  close(): void;
}
