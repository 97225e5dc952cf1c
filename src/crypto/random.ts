/**
 * Randomness, injectable so that tests can reproduce golden vectors byte for byte.
 */
import { cryptoPort } from "#crypto";
import { UsageError } from "../errors.js";

/** Source of randomness: returns exactly `length` fresh bytes. */
export type RandomBytes = (length: number) => Uint8Array;

/** The production source: the platform CSPRNG (node:crypto, or crypto.getRandomValues in a browser). */
export const defaultRandomBytes: RandomBytes = (length) => cryptoPort.randomBytes(length);

/**
 * A deterministic source for tests and known-answer checks: hands out the given byte strings in order.
 * Each draw must ask for exactly the length of the next queued string, so a test also proves the draw
 * order documented on each session class. Throws UsageError when the queue is empty or a length differs.
 */
export function queuedRandomBytes(chunks: readonly Uint8Array[]): RandomBytes {
  const queue = chunks.map((c) => Uint8Array.from(c));
  return (length) => {
    const next = queue.shift();
    if (next === undefined) throw new UsageError(`random queue exhausted (asked for ${length} bytes)`);
    if (next.length !== length) {
      throw new UsageError(`random queue: next chunk has ${next.length} bytes, ${length} were asked for`);
    }
    return next;
  };
}
