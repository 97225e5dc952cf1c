/**
 * The one source of time for every layer: the device's delays (apply, auto-stop, reconnects), the simulated
 * radio, the brute-force guard, the HTTP server's receive timeout and the client's polling all take a Clock,
 * so a program chooses real time, scaled time (`--time-scale`, a virtual device that runs fast) or virtual
 * time (tests that advance the clock instead of waiting), and no module keeps its own idea of time.
 */
import { AbortedError } from "./errors.js";

export interface Clock {
  /** Milliseconds on this clock; only differences mean anything. */
  now(): number;
  /** Runs `fn` once after `ms` on this clock; the returned function cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
  /** Resolves after `ms` on this clock; rejects with AbortedError when `signal` fires first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function sleepOn(clock: Pick<Clock, "setTimer">, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const onAbort = () => {
      cancel();
      reject(new AbortedError());
    };
    const cancel = clock.setTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Wall-clock time: `performance.now()` and `setTimeout`. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimer(ms, fn) {
    // Node runs setTimeout(fn, 0) after at least 1 ms; a delay of 0 (every delay of a time-scale-0 device)
    // means "at once", so it runs on the next turn of the event loop instead.
    if (!(ms > 0)) {
      const immediate = setImmediate(fn);
      return () => clearImmediate(immediate);
    }
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
  sleep: (ms, signal) => sleepOn(realClock, ms, signal),
};

/**
 * Time that runs `1 / scale` times as fast as `base`: every delay is multiplied by `scale` (0.01 = a hundred
 * times faster, 0 = every delay at once) and `now()` advances accordingly, so deadlines measured with now()
 * (the brute-force guard's lockout) scale with the timers.
 */
export function scaledClock(scale: number, base: Clock = realClock): Clock {
  if (!Number.isFinite(scale) || scale < 0)
    throw new RangeError(`time scale must be a finite number ≥ 0, got ${scale}`);
  if (scale === 1) return base;
  // With scale 0 timers fire at once; now() then runs a million times faster, which is "at once" for any
  // deadline a device keeps.
  const rate = 1 / Math.max(scale, 1e-6);
  const clock: Clock = {
    now: () => base.now() * rate,
    setTimer: (ms, fn) => base.setTimer(ms * scale, fn),
    sleep: (ms, signal) => sleepOn(clock, ms, signal),
  };
  return clock;
}

interface VirtualTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * Time that moves only when a test says so. `advance(ms)` runs every timer due within `ms`, in order, letting
 * the promise jobs each one starts run before the next (so a timer that schedules another within the window
 * sees it fire too).
 */
export class VirtualClock implements Clock {
  #now = 0;
  #seq = 0;
  readonly #timers = new Set<VirtualTimer>();

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer: VirtualTimer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.add(timer);
    return () => void this.#timers.delete(timer);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }

  /** When the earliest pending timer is due (clock time), or undefined when none is pending. */
  get nextDue(): number | undefined {
    let at: number | undefined;
    for (const t of this.#timers) if (at === undefined || t.at < at) at = t.at;
    return at;
  }

  /** Moves time forward by `ms`, firing what falls due. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + Math.max(0, ms);
    for (;;) {
      await settle();
      let next: VirtualTimer | undefined;
      for (const t of this.#timers) {
        if (
          t.at <= target &&
          (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))
        )
          next = t;
      }
      if (next === undefined) break;
      this.#timers.delete(next);
      this.#now = next.at;
      next.fn();
    }
    this.#now = target;
  }
}

/** Lets pending promise jobs (and the ones they queue) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
