/**
 * A VirtualClock that tells a test when a timer of a given length is set, so a test can advance time exactly when
 * the code under test has started waiting (a D-Bus reply, an activation signal) — an event to wait on instead of
 * a real sleep or a poll.
 */
import { VirtualClock } from "../../src/clock.js";

export class WatchedClock extends VirtualClock {
  readonly #waiters = new Set<{ ms: number; resolve: () => void }>();

  override setTimer(ms: number, fn: () => void): () => void {
    const cancel = super.setTimer(ms, fn);
    for (const waiter of [...this.#waiters]) {
      if (waiter.ms === ms) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
    return cancel;
  }

  /** Resolves when the next timer of exactly `ms` is set. */
  nextTimer(ms: number): Promise<void> {
    return new Promise((resolve) => this.#waiters.add({ ms, resolve }));
  }
}
