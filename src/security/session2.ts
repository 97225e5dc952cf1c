/**
 * Security 2 (protocol.md §7): SRP6a (ESP variant, src/crypto/srp.ts) and AES-256-GCM (sec2-cipher.ts).
 *
 * Randomness draw order (for injected sources):
 *   device: per Cmd0, 32 bytes b; per successful Cmd1, the nonce: 8 bytes (patch 1, followed by the
 *           counter 00000001) or 16 bytes (patch 0, as v5.0…v5.4.0 security2.c: AES_GCM_IV_SIZE 16);
 *   client: per begin(), 32 bytes a (top bit forced to 1, as esp_prov does).
 * Without an injected source, a and b may come with g^a / g^b already computed on another thread
 * (srpPrivateAhead, crypto/power-pool.ts); such a b has its top bit set, as a always has.
 */
import { AuthenticationError, ProtocolError } from "../errors.js";
import { bytesToBigInt, concatBytes, toBytes, wipe } from "../crypto/bytes.js";
import { defaultRandomBytes } from "../crypto/random.js";
import {
  SRP_LENGTH,
  SRP_N,
  SRP_PRIVATE_LENGTH,
  SrpClient,
  SrpServer,
  srpPrivateAhead,
} from "../crypto/srp.js";
import type { SrpPrivateAhead } from "../crypto/srp.js";
import {
  encodeSec2Command0,
  encodeSec2Command1,
  encodeSec2Response0,
  encodeSec2Response1,
  parseSec2Request,
  parseSec2Response0,
  parseSec2Response1,
} from "./messages.js";
import { Sec2Cipher, SEC2_PATCH0_NONCE_LENGTH, sec2NonceLengths } from "./sec2-cipher.js";
import type { ClientHandshakeState, DeviceHandshakeState } from "./state.js";
import { requireEstablished, requireOpen } from "./state.js";
import type {
  ClientSecuritySession,
  DeviceSecuritySession,
  RandomBytes,
  SecurityPatchVersion,
} from "./types.js";

const NONCE_PREFIX_LENGTH = 8;
/**
 * Where a session's private value (with its power) comes from before its random source is asked: the source
 * it was given, else the pool of powers computed ahead, unless it was given a random source of its own (a
 * known-answer test must get exactly the bytes it queued). One rule for both roles.
 */
function precomputedSource(options: {
  random?: RandomBytes;
  precomputed?: () => SrpPrivateAhead | undefined;
}): () => SrpPrivateAhead | undefined {
  return options.precomputed ?? (options.random === undefined ? srpPrivateAhead : () => undefined);
}
/** Post-v5.5 hardening (§10 item 11): usernames are 1..65535 bytes. */
const MAX_USERNAME_LENGTH = 65535;

export interface DeviceSession2Options {
  patchVersion: SecurityPatchVersion;
  salt: Uint8Array;
  /** MIN(g^x mod N) or any other big-endian encoding of v. */
  verifier: Uint8Array;
  /** true (v5.5): Cmd0 in any state restarts the handshake; false (v4.x-style): only in the initial state. */
  restartOnCmd0: boolean;
  random?: RandomBytes;
  /** Where b and g^b come from before `random` is asked; default: srpPrivateAhead unless `random` is given. */
  precomputed?: () => SrpPrivateAhead | undefined;
}

export class DeviceSession2 implements DeviceSecuritySession {
  readonly version = 2 as const;
  readonly patchVersion: SecurityPatchVersion;
  readonly #salt: Uint8Array;
  readonly #verifier: Uint8Array;
  readonly #restartOnCmd0: boolean;
  readonly #random: RandomBytes;
  readonly #precomputed: () => SrpPrivateAhead | undefined;
  #state: DeviceHandshakeState = "initial";
  #srp: SrpServer | undefined;
  #username: Uint8Array | undefined;
  #cipher: Sec2Cipher | undefined;

  constructor(options: DeviceSession2Options) {
    this.patchVersion = options.patchVersion;
    this.#salt = Uint8Array.from(options.salt);
    this.#verifier = Uint8Array.from(options.verifier);
    this.#restartOnCmd0 = options.restartOnCmd0;
    this.#random = options.random ?? defaultRandomBytes;
    this.#precomputed = precomputedSource(options);
  }

  get established(): boolean {
    return this.#state === "established";
  }

  get state(): DeviceHandshakeState {
    return this.#state;
  }

  handshake(request: Uint8Array): Uint8Array {
    requireOpen(this.#state, "sec2");
    const req = parseSec2Request(request);
    return req.step === 0
      ? this.#command0(req.clientUsername, req.clientPubkey)
      : this.#command1(req.clientProof);
  }

  #command0(username: Uint8Array, clientPubkey: Uint8Array): Uint8Array {
    if (this.#state !== "initial") {
      if (!this.#restartOnCmd0)
        throw new ProtocolError("sec2: S2SessionCmd0 on a session that already started");
      this.#reset();
    }
    // Same order as the device (§7.3 step 2): A length, then username, then A mod N.
    if (clientPubkey.length !== SRP_LENGTH) {
      throw new ProtocolError(
        `sec2: client public key A must be exactly 384 bytes, got ${clientPubkey.length}`,
        {
          hint: "the client must send PAD(A) (esp_prov sends MIN(A) and fails about 1 handshake in 256)",
        },
      );
    }
    if (username.length < 1 || username.length > MAX_USERNAME_LENGTH) {
      throw new ProtocolError(`sec2: username must be 1..65535 bytes, got ${username.length}`);
    }
    if (bytesToBigInt(clientPubkey) % SRP_N === 0n)
      throw new ProtocolError("sec2: client public key A is 0 mod N");
    const srp = new SrpServer(this.#salt, this.#verifier);
    const ahead = this.#precomputed();
    const b = ahead?.value ?? this.#random(SRP_PRIVATE_LENGTH);
    const serverPublic = srp.respond(clientPubkey, b, ahead?.power);
    wipe(b);
    this.#srp = srp;
    this.#username = Uint8Array.from(username);
    this.#state = "awaiting-cmd1";
    return encodeSec2Response0(serverPublic, this.#salt);
  }

  #command1(clientProof: Uint8Array): Uint8Array {
    if (this.#state !== "awaiting-cmd1") {
      throw new ProtocolError(`sec2: S2SessionCmd1 outside "waiting for Cmd1" (state ${this.#state})`);
    }
    const srp = this.#srp!;
    let deviceProof: Uint8Array;
    try {
      deviceProof = srp.verifyClientProof(this.#username!, clientProof);
    } catch (error) {
      // A wrong password leaves the session ready for a fresh Cmd0.
      if (error instanceof AuthenticationError) this.#reset();
      throw error;
    }
    const nonce =
      this.patchVersion === 1
        ? concatBytes(this.#random(NONCE_PREFIX_LENGTH), Uint8Array.of(0, 0, 0, 1))
        : Uint8Array.from(this.#random(SEC2_PATCH0_NONCE_LENGTH));
    const key = srp.sessionKey!.subarray(0, 32);
    this.#cipher = new Sec2Cipher(key, nonce, this.patchVersion);
    srp.close();
    this.#srp = undefined;
    this.#state = "established";
    return encodeSec2Response1(deviceProof, nonce);
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    requireEstablished(this.#state, "sec2");
    return this.#cipher!.encrypt(plaintext);
  }

  decrypt(ciphertext: Uint8Array): Uint8Array {
    requireEstablished(this.#state, "sec2");
    return this.#cipher!.decrypt(ciphertext);
  }

  close(): void {
    this.#reset();
    this.#state = "closed";
  }

  #reset(): void {
    this.#srp?.close();
    this.#cipher?.close();
    this.#srp = this.#cipher = this.#username = undefined;
    this.#state = "initial";
  }
}

export interface ClientSession2Options {
  patchVersion: SecurityPatchVersion;
  username: Uint8Array | string;
  password: Uint8Array | string;
  random?: RandomBytes;
  /** Where a and g^a come from before `random` is asked; default: srpPrivateAhead unless `random` is given. */
  precomputed?: () => SrpPrivateAhead | undefined;
}

export class ClientSession2 implements ClientSecuritySession {
  readonly version = 2 as const;
  readonly patchVersion: SecurityPatchVersion;
  readonly #username: Uint8Array;
  readonly #password: Uint8Array;
  readonly #random: RandomBytes;
  readonly #precomputed: () => SrpPrivateAhead | undefined;
  #state: ClientHandshakeState = "initial";
  #srp: SrpClient | undefined;
  #cipher: Sec2Cipher | undefined;

  constructor(options: ClientSession2Options) {
    this.patchVersion = options.patchVersion;
    this.#username = toBytes(options.username);
    this.#password = toBytes(options.password);
    this.#random = options.random ?? defaultRandomBytes;
    this.#precomputed = precomputedSource(options);
  }

  get established(): boolean {
    return this.#state === "established";
  }

  begin(): Uint8Array {
    requireOpen(this.#state, "sec2");
    this.#reset();
    const srp = new SrpClient(this.#username, this.#password);
    const ahead = this.#precomputed();
    const a = ahead?.value ?? this.#random(SRP_PRIVATE_LENGTH);
    const clientPublic = srp.start(a, ahead?.power);
    wipe(a);
    this.#srp = srp;
    this.#state = "awaiting-response0";
    return encodeSec2Command0(this.#username, clientPublic);
  }

  next(reply: Uint8Array): Uint8Array | null {
    requireOpen(this.#state, "sec2");
    if (this.#state === "awaiting-response0") {
      const { devicePubkey, deviceSalt } = parseSec2Response0(reply);
      const clientProof = this.#srp!.respond(deviceSalt, devicePubkey);
      this.#state = "awaiting-response1";
      return encodeSec2Command1(clientProof);
    }
    if (this.#state === "awaiting-response1") {
      const { deviceProof, deviceNonce } = parseSec2Response1(reply);
      const srp = this.#srp!;
      try {
        srp.verifyServerProof(deviceProof);
      } catch (error) {
        this.#reset();
        throw error;
      }
      // Patch 0 firmware (v5.0…v5.4.0) sends 16 bytes, patch 1 (v5.4.1+) 12; take what came if it fits.
      const lengths = sec2NonceLengths(this.patchVersion);
      if (!lengths.includes(deviceNonce.length)) {
        this.#reset();
        throw new ProtocolError(
          `sec2: the device sent a ${deviceNonce.length}-byte nonce; sec_patch_ver ${this.patchVersion} uses ` +
            `${lengths.join(" or ")} bytes`,
          { hint: "no ESP-IDF release sends such a nonce; check that the device runs ESP-IDF provisioning" },
        );
      }
      this.#cipher = new Sec2Cipher(srp.sessionKey!.subarray(0, 32), deviceNonce, this.patchVersion);
      srp.close();
      this.#srp = undefined;
      this.#state = "established";
      return null;
    }
    throw new ProtocolError(`sec2: unexpected prov-session reply (state ${this.#state})`);
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    requireEstablished(this.#state, "sec2");
    return this.#cipher!.encrypt(plaintext);
  }

  decrypt(ciphertext: Uint8Array): Uint8Array {
    requireEstablished(this.#state, "sec2");
    return this.#cipher!.decrypt(ciphertext);
  }

  close(): void {
    this.#reset();
    wipe(this.#password);
    this.#state = "closed";
  }

  #reset(): void {
    this.#srp?.close();
    this.#cipher?.close();
    this.#srp = this.#cipher = undefined;
    this.#state = "initial";
  }
}
