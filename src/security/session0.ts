/**
 * Security 0 (protocol.md §5): one plaintext SessionData round trip, no cipher. Draws no randomness.
 */
import { ProtocolError } from "../errors.js";
import { encodeSec0Command, encodeSec0Response, parseSec0Command, parseSec0Response } from "./messages.js";
import type { ClientHandshakeState } from "./state.js";
import { requireEstablished, requireOpen } from "./state.js";
import type { ClientSecuritySession, DeviceSecuritySession } from "./types.js";

/** Device role. Request endpoints work without the handshake (the device never required it), so
 * `established` is true from the start; bodies pass through unchanged. */
export class DeviceSession0 implements DeviceSecuritySession {
  readonly version = 0 as const;
  #closed = false;

  get established(): boolean {
    return !this.#closed;
  }

  handshake(request: Uint8Array): Uint8Array {
    requireOpen(this.#closed ? "closed" : "established", "sec0");
    parseSec0Command(request);
    return encodeSec0Response();
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    requireOpen(this.#closed ? "closed" : "established", "sec0");
    return plaintext;
  }

  decrypt(ciphertext: Uint8Array): Uint8Array {
    requireOpen(this.#closed ? "closed" : "established", "sec0");
    return ciphertext;
  }

  close(): void {
    this.#closed = true;
  }
}

/** Client role: `52 03 a2 01 00`, then the reply's sec_ver is checked. Bodies pass through unchanged
 * once the handshake is done (before it: SessionError, like the other schemes, to catch ordering bugs). */
export class ClientSession0 implements ClientSecuritySession {
  readonly version = 0 as const;
  #state: ClientHandshakeState = "initial";

  get established(): boolean {
    return this.#state === "established";
  }

  begin(): Uint8Array {
    requireOpen(this.#state, "sec0");
    this.#state = "awaiting-response0";
    return encodeSec0Command();
  }

  next(reply: Uint8Array): Uint8Array | null {
    requireOpen(this.#state, "sec0");
    if (this.#state !== "awaiting-response0") {
      throw new ProtocolError(`sec0: unexpected prov-session reply (state ${this.#state})`);
    }
    parseSec0Response(reply);
    this.#state = "established";
    return null;
  }

  encrypt(plaintext: Uint8Array): Uint8Array {
    requireEstablished(this.#state, "sec0");
    return plaintext;
  }

  decrypt(ciphertext: Uint8Array): Uint8Array {
    requireEstablished(this.#state, "sec0");
    return ciphertext;
  }

  close(): void {
    this.#state = "closed";
  }
}
