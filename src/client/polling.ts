/**
 * Status polling. esp_prov sleeps a fixed 5 s between GetStatus requests and never gives up while the device
 * says "connecting" (protocol.md §9.2 step 13); a v5.5 device usually connects within 1–3 s of Apply and shuts
 * its service down ~1 s after reporting Connected (§8.4). So while the device reports Connecting we poll at a
 * steady short interval (a GetStatus is a few hundred bytes), so the Connected reply is seen within one
 * interval of the join; only once the join takes longer than usual (or the device stops answering) do we back
 * off, and we always stop at the caller's deadline.
 */

// The client polls on the package's one Clock (src/clock.ts); tests inject a virtual one.
export { realClock } from "../clock.js";
export type { Clock } from "../clock.js";

export interface BackoffOptions {
  /**
   * Interval while the device reports Connecting, during the first `steadyForMs`. Default 200 ms, and never
   * more than `initialMs` when that is given (so a caller asking for fast polling gets it throughout).
   */
  steadyMs?: number;
  /** How long the steady interval lasts, from the start of the wait. Default 10 000 ms. */
  steadyForMs?: number;
  /** First back-off delay (after the steady phase, or after a poll that failed). Default 250 ms. */
  initialMs?: number;
  /** Growth per poll. Default 1.5. */
  factor?: number;
  /** Largest delay. Default 3000 ms. */
  maxMs?: number;
}

export const DEFAULT_STEADY_MS = 200;
export const DEFAULT_STEADY_FOR_MS = 10_000;

/** The back-off delay before back-off poll number `n` (0-based): initial × factorⁿ, capped. */
export function backoffDelay(n: number, o: BackoffOptions = {}): number {
  const { initialMs = 250, factor = 1.5, maxMs = 3000 } = o;
  return Math.min(maxMs, initialMs * factor ** n);
}

/** The steady interval the options give (see BackoffOptions.steadyMs). */
export function steadyDelay(o: BackoffOptions = {}): number {
  return o.steadyMs ?? Math.min(DEFAULT_STEADY_MS, o.initialMs ?? DEFAULT_STEADY_MS);
}

/**
 * Chooses each poll's delay: the steady interval while the device keeps reporting Connecting within the steady
 * phase, else the next back-off step. One instance per wait.
 */
export class PollPacer {
  readonly #o: BackoffOptions;
  #backoffSteps = 0;
  constructor(options: BackoffOptions = {}) {
    this.#o = options;
  }

  /**
   * The delay before the next poll. `elapsedMs`: time since the wait began; `connecting`: the last poll
   * answered Connecting (true before the first poll, which follows Apply).
   */
  next(elapsedMs: number, connecting: boolean): number {
    if (connecting && elapsedMs < (this.#o.steadyForMs ?? DEFAULT_STEADY_FOR_MS)) return steadyDelay(this.#o);
    return backoffDelay(this.#backoffSteps++, this.#o);
  }
}

/**
 * The delays a poll loop would sleep within `timeoutMs` while the device keeps answering Connecting (each clipped
 * so the last poll happens at the deadline). Pure: the plan `waitForConnection` follows in that case, for callers
 * and tests that want to know the polling load in advance.
 */
export function pollSchedule(timeoutMs: number, o: BackoffOptions = {}): number[] {
  const out: number[] = [];
  const pacer = new PollPacer(o);
  let elapsed = 0;
  while (elapsed < timeoutMs) {
    const d = Math.min(pacer.next(elapsed, true), timeoutMs - elapsed);
    out.push(d);
    elapsed += d;
  }
  return out;
}
