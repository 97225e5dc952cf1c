/**
 * Security 1 (protocol.md §6): X25519 key agreement, key = shared XOR SHA-256(PoP) (or the shared secret
 * when there is no PoP), one AES-256-CTR keystream for both directions.
 *
 * Randomness draw order (for injected sources):
 *   device: per Cmd0, 32 bytes X25519 private key, then 16 bytes device_random;
 *   client: per begin(), 32 bytes X25519 private key.
 */
import { AuthenticationError, ProtocolError } from "../errors.js";
import { AesCtrStream } from "../crypto/aes-ctr.js";
import { bytesEqual, wipe, xorBytes } from "../crypto/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { defaultRandomBytes } from "../crypto/random.js";
import { X25519_KEY_LENGTH, x25519KeyPairFromPrivate, x25519SharedSecret } from "../crypto/x25519.js";
import type { X25519PrivateKey } from "../crypto/x25519.js";
import {
  encodeSec1Command0,
  encodeSec1Command1,
  encodeSec1Response0,
  encodeSec1Response1,
  parseSec1Request,
  parseSec1Response0,
  parseSec1Response1,
} from "./messages.js";
import type { ClientHandshakeState, DeviceHandshakeState } from "./state.js";
import { requireEstablished, requireOpen } from "./state.js";
import type { ClientSecuritySession, DeviceSecuritySession, RandomBytes } from "./types.js";

export const SEC1_DEVICE_RANDOM_LENGTH = 16;
const VERIFY_LENGTH = 32;

/** key = shared XOR SHA-256(PoP); an empty PoP means "no PoP" and the key is the shared secret (§6.1). */
function sessionKey(shared: Uint8Array, pop: Uint8Array): Uint8Array {
  return pop.length === 0 ? Uint8Array.from(shared) : xorBytes(shared, sha256(pop));
}

export interface DeviceSession1Options {
  /** Proof of possession (bytes); empty = no PoP. */
  pop: Uint8Array;
  /** true (v5.5): Cmd0 in any state restarts the handshake; false (v4.0): only in the initial state. */
  restartOnCmd0: boolean;
  random?: RandomBytes;
}

export class DeviceSession1 implements DeviceSecuritySession {
  readonly version = 1 as const;
  readonly #pop: Uint8Array;
  readonly #restartOnCmd0: boolean;
  readonly #random: RandomBytes;
  #state: DeviceHandshakeState = "initial";
  #clientPubkey: Uint8Array | undefined;
  #devicePubkey: Uint8Array | undefined;
  #deviceRandom: Uint8Array | undefined;
  #key: Uint8Array | undefined;
  #stream: AesCtrStream | undefined;

  constructor(options: DeviceSession1Options) {
    this.#pop = Uint8Array.from(options.pop);
    this.#restartOnCmd0 = options.restartOnCmd0;
    this.#random = options.random ?? defaultRandomBytes;
  }

  get established(): boolean {
    return this.#state === "established";
  }

  /** The handshake state, for diagnostics and tests. */
  get state(): DeviceHandshakeState {
    return this.#state;
  }

  handshake(request: Uint8Array): Uint8Array {
    requireOpen(this.#state, "sec1");
    const req = parseSec1Request(request);
    return req.step === 0 ? this.#command0(req.clientPubkey) : this.#command1(req.clientVerifyData);
  }

  #command0(clientPubkey: Uint8Array): Uint8Array {
    if (this.#state !== "initial") {
      // v5.5 silently starts over; v4.0 refuses a second Cmd0 on a session (§6.1 step 2).
      if (!this.#restartOnCmd0)
        throw new ProtocolError("sec1: SessionCmd0 on a session that already started");
      this.#reset();
    }
    if (clientPubkey.length !== X25519_KEY_LENGTH) {
      throw new ProtocolError(`sec1: client public key must be 32 bytes, got ${clientPubkey.length}`);
    }
    const rawPrivate = this.#random(X25519_KEY_LENGTH);
    const { privateKey, publicKey } = x25519KeyPairFromPrivate(rawPrivate);
    wipe(rawPrivate);
    const deviceRandom = Uint8Array.from(this.#random(SEC1_DEVICE_RANDOM_LENGTH));
    const shared = x25519SharedSecret(privateKey, clientPubkey);
    this.#key = sessionKey(shared, this.#pop);
    wipe(shared);
    this.#clientPubkey = Uint8Array.from(clientPubkey);
    this.#devicePubkey = publicKey;
    this.#deviceRandom = deviceRandom;
    this.#state = "awaiting-cmd1";
    return encodeSec1Response0(publicKey, deviceRandom);
  }

  #command1(clientVerifyData: Uint8Array): Uint8Array {
    if (this.#state !== "awaiting-cmd1") {
      throw new ProtocolError(`sec1: SessionCmd1 outside "waiting for Cmd1" (state ${this.#state})`);
    }
    if (clientVerifyData.length !== VERIFY_LENGTH) {
      throw new ProtocolError(`sec1: client verify data must be 32 bytes, got ${clientVerifyData.length}`);
    }
    // The device restarts its keystream at 0 when processing Cmd1 (§10 item 4): bytes 0–31 client token.
    this.#stream?.close();
    const stream = new AesCtrStream(this.#key!, this.#deviceRandom!);
    this.#stream = stream;
    const decrypted = stream.update(clientVerifyData);
    if (!bytesEqual(decrypted, this.#devicePubkey!)) {
      // The session stays usable for a fresh Cmd0 (the transport normally closes it anyway).
      this.#reset();
      throw new AuthenticationError("sec1: client verify data did not match (wrong proof of possession)", {
        hint: "the client used a different PoP",
      });
    }
    const deviceVerifyData = stream.update(this.#clientPubkey!);
    this.#state = "established";
    return encodeSec1Response1(deviceVerifyData);
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    requireEstablished(this.#state, "sec1");
    return this.#stream!.update(plaintext);
  }

  decrypt(ciphertext: Uint8Array): Uint8Array {
    requireEstablished(this.#state, "sec1");
    return this.#stream!.update(ciphertext);
  }

  close(): void {
    this.#reset();
    wipe(this.#pop);
    this.#state = "closed";
  }

  #reset(): void {
    this.#stream?.close();
    wipe(this.#key, this.#deviceRandom);
    this.#stream = this.#key = this.#deviceRandom = this.#clientPubkey = this.#devicePubkey = undefined;
    this.#state = "initial";
  }
}

export interface ClientSession1Options {
  /** Proof of possession (bytes); empty = the device has no PoP. */
  pop: Uint8Array;
  random?: RandomBytes;
}

export class ClientSession1 implements ClientSecuritySession {
  readonly version = 1 as const;
  readonly #pop: Uint8Array;
  readonly #random: RandomBytes;
  #state: ClientHandshakeState = "initial";
  #privateKey: X25519PrivateKey | undefined;
  #clientPubkey: Uint8Array | undefined;
  #stream: AesCtrStream | undefined;

  constructor(options: ClientSession1Options) {
    this.#pop = Uint8Array.from(options.pop);
    this.#random = options.random ?? defaultRandomBytes;
  }

  get established(): boolean {
    return this.#state === "established";
  }

  begin(): Uint8Array {
    requireOpen(this.#state, "sec1");
    this.#reset();
    const rawPrivate = this.#random(X25519_KEY_LENGTH);
    const { privateKey, publicKey } = x25519KeyPairFromPrivate(rawPrivate);
    wipe(rawPrivate);
    this.#privateKey = privateKey;
    this.#clientPubkey = publicKey;
    this.#state = "awaiting-response0";
    return encodeSec1Command0(publicKey);
  }

  next(reply: Uint8Array): Uint8Array | null {
    requireOpen(this.#state, "sec1");
    if (this.#state === "awaiting-response0") return this.#response0(reply);
    if (this.#state === "awaiting-response1") return this.#response1(reply);
    throw new ProtocolError(`sec1: unexpected prov-session reply (state ${this.#state})`);
  }

  #response0(reply: Uint8Array): Uint8Array {
    const { devicePubkey, deviceRandom } = parseSec1Response0(reply);
    if (deviceRandom.length !== SEC1_DEVICE_RANDOM_LENGTH) {
      throw new ProtocolError(`sec1: device_random must be 16 bytes, got ${deviceRandom.length}`);
    }
    const shared = x25519SharedSecret(this.#privateKey!, devicePubkey);
    this.#privateKey = undefined;
    const key = sessionKey(shared, this.#pop);
    wipe(shared);
    this.#stream = new AesCtrStream(key, deviceRandom);
    wipe(key);
    // client_verify_data = device_pubkey XOR keystream[0:32] (§6.1 step 3).
    const clientVerifyData = this.#stream.update(devicePubkey);
    this.#state = "awaiting-response1";
    return encodeSec1Command1(clientVerifyData);
  }

  #response1(reply: Uint8Array): null {
    const deviceVerifyData = parseSec1Response1(reply);
    if (deviceVerifyData.length !== VERIFY_LENGTH) {
      throw new ProtocolError(`sec1: device verify data must be 32 bytes, got ${deviceVerifyData.length}`);
    }
    const decrypted = this.#stream!.update(deviceVerifyData);
    if (!bytesEqual(decrypted, this.#clientPubkey!)) {
      this.#reset();
      throw new AuthenticationError("sec1: device verify data did not verify (Failed to verify device!)", {
        hint: "the device's proof of possession differs from the one given",
      });
    }
    this.#state = "established";
    return null;
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    requireEstablished(this.#state, "sec1");
    return this.#stream!.update(plaintext);
  }

  decrypt(ciphertext: Uint8Array): Uint8Array {
    requireEstablished(this.#state, "sec1");
    return this.#stream!.update(ciphertext);
  }

  close(): void {
    this.#reset();
    wipe(this.#pop);
    this.#state = "closed";
  }

  #reset(): void {
    this.#stream?.close();
    this.#stream = this.#privateKey = this.#clientPubkey = undefined;
    this.#state = "initial";
  }
}
