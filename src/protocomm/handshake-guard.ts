/**
 * Brute-force limit for prov-session handshakes, in the spirit of matter.js's PASE window: a PoP or SRP
 * password is often short, and an ESP32 lets a client on the SoftAP guess forever. After `maxFailures` failed
 * handshakes in a row the guard refuses handshakes for a back-off that doubles with every further failure.
 * A refused handshake fails like any other (the transport closes without a reply, protocol.md §2.2 class 2).
 */
import { realClock } from "../clock.js";
import type { Clock } from "../clock.js";
import { LockedOutError } from "../errors.js";
import { defaultLogger, type Logger } from "../logger.js";

export interface HandshakeGuardOptions {
  /** Consecutive failures that trigger a lockout. Default 5. */
  maxFailures?: number;
  /** First lockout length. Default 1000 ms; doubles with every failure past maxFailures. */
  baseDelayMs?: number;
  /** Longest lockout. Default 60 000 ms. */
  maxDelayMs?: number;
  logger?: Logger;
  /** The time lockouts run on (only now() is used). Default: real time. */
  clock?: Pick<Clock, "now">;
}

export class HandshakeGuard {
  readonly #maxFailures: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #logger: Logger;
  readonly #clock: Pick<Clock, "now">;
  #failures = 0;
  #lockedUntil = 0;

  constructor(options: HandshakeGuardOptions = {}) {
    this.#maxFailures = Math.max(1, options.maxFailures ?? 5);
    this.#baseDelayMs = Math.max(0, options.baseDelayMs ?? 1000);
    this.#maxDelayMs = Math.max(this.#baseDelayMs, options.maxDelayMs ?? 60_000);
    this.#logger = options.logger ?? defaultLogger;
    this.#clock = options.clock ?? realClock;
  }

  /** Consecutive failed handshakes so far. */
  get failures(): number {
    return this.#failures;
  }

  /** When the current lockout ends (ms on this guard's clock); 0 when never locked. */
  get lockedUntil(): number {
    return this.#lockedUntil;
  }

  /** Throws LockedOutError while handshakes are refused. */
  check(): void {
    const remaining = this.#lockedUntil - this.#clock.now();
    if (remaining > 0) {
      throw new LockedOutError(
        `handshake refused: ${this.#failures} failed attempts, locked for another ${remaining} ms`,
        remaining,
        { hint: "wait, then retry with the correct proof of possession / SRP password" },
      );
    }
  }

  recordFailure(): void {
    this.#failures += 1;
    if (this.#failures < this.#maxFailures) return;
    const exponent = Math.min(this.#failures - this.#maxFailures, 30);
    const delay = Math.min(this.#baseDelayMs * 2 ** exponent, this.#maxDelayMs);
    this.#lockedUntil = this.#clock.now() + delay;
    this.#logger.warn(`${this.#failures} failed handshakes in a row; refusing handshakes for ${delay} ms`, {
      failures: this.#failures,
      delayMs: delay,
    });
  }

  recordSuccess(): void {
    this.#failures = 0;
    this.#lockedUntil = 0;
  }
}
