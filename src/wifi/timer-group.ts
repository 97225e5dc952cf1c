/**
 * Timers that can be cancelled together. The simulated radio gives each connection attempt and each scan its
 * own group, so a new connect() or disconnect() can drop everything the old attempt had pending (no stale
 * events) and close() leaves no handle that would keep the process alive. The provisioning manager keeps its
 * delays (apply, auto-stop) in one group for the same reason.
 */
import type { Clock } from "../clock.js";

export class TimerGroup {
  readonly #clock: Clock;
  readonly #pending = new Set<() => void>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Runs `fn` after `ms` on the clock; the returned function cancels this one timer. */
  after(ms: number, fn: () => void): () => void {
    const cancel = this.#clock.setTimer(ms, () => {
      this.#pending.delete(cancel);
      fn();
    });
    this.#pending.add(cancel);
    return () => {
      cancel();
      this.#pending.delete(cancel);
    };
  }

  get size(): number {
    return this.#pending.size;
  }

  clear(): void {
    for (const cancel of this.#pending) cancel();
    this.#pending.clear();
  }
}
