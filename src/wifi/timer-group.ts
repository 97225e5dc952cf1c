/**
 * Timers that can be cancelled together. The simulated radio gives each connection attempt and each scan its
 * own group, so a new connect() or disconnect() can drop everything the old attempt had pending (no stale
 * events) and close() leaves no handle that would keep the process alive. The provisioning manager keeps its
 * delays (apply, auto-stop) in one group for the same reason.
 */
export class TimerGroup {
  readonly #timeScale: number;
  readonly #pending = new Set<NodeJS.Timeout>();

  /** `timeScale` multiplies every delay: 1 = real time, 0.01 = a hundred times faster. */
  constructor(timeScale: number) {
    this.#timeScale = timeScale;
  }

  /** Runs `fn` after `ms` simulated milliseconds; the returned function cancels this one timer. */
  after(ms: number, fn: () => void): () => void {
    const handle = setTimeout(
      () => {
        this.#pending.delete(handle);
        fn();
      },
      Math.max(0, ms * this.#timeScale),
    );
    this.#pending.add(handle);
    return () => {
      clearTimeout(handle);
      this.#pending.delete(handle);
    };
  }

  get size(): number {
    return this.#pending.size;
  }

  clear(): void {
    for (const handle of this.#pending) clearTimeout(handle);
    this.#pending.clear();
  }
}
