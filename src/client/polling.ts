/**
 * Status polling with back-off. esp_prov sleeps a fixed 5 s between GetStatus requests and never gives up
 * while the device says "connecting" (protocol.md §9.2 step 13); a v5.5 device usually connects within 1–3 s
 * and shuts its service down ~1 s after reporting Connected (§8.4), so we poll sub-second first, back off,
 * and always stop at the caller's deadline.
 */
import { AbortedError } from "../errors.js";

/** Time source, injectable so tests run polling loops without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortedError());
      const onAbort = () => {
        clearTimeout(timer);
        reject(new AbortedError());
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

export interface BackoffOptions {
  /** First delay. Default 250 ms. */
  initialMs?: number;
  /** Growth per poll. Default 1.5. */
  factor?: number;
  /** Largest delay. Default 3000 ms. */
  maxMs?: number;
}

/** The delay before poll number `n` (0-based): initial × factorⁿ, capped. */
export function backoffDelay(n: number, o: BackoffOptions = {}): number {
  const { initialMs = 250, factor = 1.5, maxMs = 3000 } = o;
  return Math.min(maxMs, initialMs * factor ** n);
}

/**
 * The delays a poll loop would sleep within `timeoutMs` (each clipped so the last poll happens at the deadline).
 * Pure: the plan `waitForConnection` follows (it takes the same `backoffDelay` steps as it goes), for callers
 * and tests that want to know the polling load in advance.
 */
export function pollSchedule(timeoutMs: number, o: BackoffOptions = {}): number[] {
  const out: number[] = [];
  let elapsed = 0;
  for (let n = 0; elapsed < timeoutMs; n++) {
    const d = Math.min(backoffDelay(n, o), timeoutMs - elapsed);
    out.push(d);
    elapsed += d;
  }
  return out;
}
