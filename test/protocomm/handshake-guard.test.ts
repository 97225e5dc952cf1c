// HandshakeGuard: lockout after maxFailures in a row, doubling back-off capped at maxDelayMs, reset on success.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HandshakeGuard } from "../../src/protocomm/index.js";
import { ErrorCodes, LockedOutError } from "../../src/errors.js";
import type { Logger } from "../../src/logger.js";

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, error() {}, warn: (m) => warnings.push(m) };
}

test("allows maxFailures-1 failures, then locks with doubling back-off up to the cap", () => {
  let now = 1_000_000;
  const logger = recordingLogger();
  const guard = new HandshakeGuard({
    maxFailures: 3,
    baseDelayMs: 1000,
    maxDelayMs: 4000,
    clock: { now: () => now },
    logger,
  });
  guard.recordFailure();
  guard.recordFailure();
  guard.check();
  guard.recordFailure(); // third in a row: locked 1 s
  assert.throws(
    () => guard.check(),
    (e: unknown) =>
      e instanceof LockedOutError && e.code === ErrorCodes.LOCKED_OUT && e.retryAfterMs === 1000,
  );
  assert.equal(logger.warnings.length, 1);
  now += 999;
  assert.throws(() => guard.check(), LockedOutError);
  now += 1;
  guard.check();
  guard.recordFailure(); // fourth: 2 s
  now += 1999;
  assert.throws(() => guard.check(), LockedOutError);
  now += 1;
  guard.check();
  guard.recordFailure(); // fifth: 4 s
  guard.recordFailure(); // sixth: capped at 4 s
  assert.throws(
    () => guard.check(),
    (e: unknown) => e instanceof LockedOutError && e.retryAfterMs === 4000,
  );
  now += 4000;
  guard.check();
});

test("a success resets the count", () => {
  let now = 0;
  const guard = new HandshakeGuard({ clock: { now: () => now }, logger: recordingLogger() });
  for (let i = 0; i < 4; i++) guard.recordFailure();
  guard.recordSuccess();
  for (let i = 0; i < 4; i++) guard.recordFailure();
  guard.check();
  guard.recordFailure(); // default maxFailures 5 → default 1 s lock
  assert.throws(
    () => guard.check(),
    (e: unknown) => e instanceof LockedOutError && e.retryAfterMs === 1000,
  );
  now += 60_000;
  guard.check();
});
