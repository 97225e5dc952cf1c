/**
 * AES-256-CTR as one keystream consumed at byte granularity (protocol.md §6.2): the counter block is a
 * 128-bit big-endian integer starting at `device_random`; encrypt and decrypt are the same XOR, and sec1
 * shares one stream between both directions, so a message may start in the middle of a block.
 */
import { createCipheriv } from "node:crypto";
import type { Cipher } from "node:crypto";

export class AesCtrStream {
  #cipher: Cipher | undefined;
  #position = 0;

  constructor(key: Uint8Array, initialCounterBlock: Uint8Array) {
    if (key.length !== 32) throw new RangeError(`AES-256 key must be 32 bytes, got ${key.length}`);
    if (initialCounterBlock.length !== 16) {
      throw new RangeError(`CTR counter block must be 16 bytes, got ${initialCounterBlock.length}`);
    }
    // OpenSSL's CTR mode keeps the unused tail of the last keystream block between update() calls
    // and increments the whole 16-byte block big-endian, exactly the stream semantics sec1 needs.
    this.#cipher = createCipheriv("aes-256-ctr", key, initialCounterBlock);
  }

  /** Bytes of keystream consumed so far. */
  get position(): number {
    return this.#position;
  }

  /** XORs `data` with the next data.length keystream bytes (encrypts or decrypts). */
  update(data: Uint8Array): Uint8Array {
    if (this.#cipher === undefined) throw new RangeError("AES-CTR stream is closed");
    this.#position += data.length;
    return new Uint8Array(this.#cipher.update(data));
  }

  /** Drops the cipher context (node:crypto keeps the expanded key inside; this releases it). */
  close(): void {
    this.#cipher?.final();
    this.#cipher = undefined;
  }
}
