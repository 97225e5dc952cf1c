/**
 * AES-256-CTR as one keystream consumed at byte granularity (protocol.md §6.2): the counter block is a
 * 128-bit big-endian integer starting at `device_random`; encrypt and decrypt are the same XOR, and sec1
 * shares one stream between both directions, so a message may start in the middle of a block.
 */
import { cryptoPort } from "#crypto";
import type { AesCtrKeystream } from "./port.js";

export class AesCtrStream {
  #keystream: AesCtrKeystream | undefined;
  #position = 0;

  constructor(key: Uint8Array, initialCounterBlock: Uint8Array) {
    if (key.length !== 32) throw new RangeError(`AES-256 key must be 32 bytes, got ${key.length}`);
    if (initialCounterBlock.length !== 16) {
      throw new RangeError(`CTR counter block must be 16 bytes, got ${initialCounterBlock.length}`);
    }
    this.#keystream = cryptoPort.aesCtr(key, initialCounterBlock);
  }

  /** Bytes of keystream consumed so far. */
  get position(): number {
    return this.#position;
  }

  /** XORs `data` with the next data.length keystream bytes (encrypts or decrypts). */
  update(data: Uint8Array): Uint8Array {
    if (this.#keystream === undefined) throw new RangeError("AES-CTR stream is closed");
    this.#position += data.length;
    return this.#keystream.update(data);
  }

  /** Drops the key schedule. */
  close(): void {
    this.#keystream?.close();
    this.#keystream = undefined;
  }
}
