// Poll delays: a steady 200 ms while the device reports Connecting (first 10 s), then ×1.5 from 250 ms capped at
// 3 s, never past the deadline (never esp_prov's fixed 5 s).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { backoffDelay, pollSchedule, PollPacer } from "../../src/client/polling.js";

test("default back-off", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((n) => backoffDelay(n)),
    [250, 375, 562.5, 843.75, 1265.625],
  );
  assert.equal(backoffDelay(50), 3000);
});

test("schedule property: sums to the timeout, each delay ≤ 3 s, first ≤ 250 ms, non-decreasing until the last", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 600_000 }), (timeout) => {
      const s = pollSchedule(timeout);
      const sum = s.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - timeout) < 1e-6);
      assert.ok(s.every((d) => d > 0 && d <= 3000));
      assert.ok(s[0]! <= 250);
      for (let i = 1; i < s.length - 1; i++) assert.ok(s[i]! >= s[i - 1]!);
    }),
  );
  // 50 steady polls in the first 10 s, then 21 backing off: the first 10 s are where devices join.
  assert.equal(pollSchedule(60_000).length, 71, "a minute of Connecting is 71 polls");
});

test("steady 200 ms while connecting for 10 s, then back-off from 250 ms; the old schedule's late 4th poll is gone", () => {
  const s = pollSchedule(15_000);
  assert.deepEqual(s.slice(0, 50), Array(50).fill(200));
  assert.deepEqual(s.slice(50, 53), [250, 375, 562.5]);
  // A device that joins 2.25 s after the wait began is seen by the poll at 2.4 s; the old pure back-off
  // (250, 375, 562.5, 843.75, 1265.6 …) polled at 2.03 s and then only at 3.30 s.
  const firstPollAfter = (delays: number[], ms: number) => {
    let t = 0;
    for (const d of delays) if ((t += d) >= ms) return t;
    return Infinity;
  };
  assert.equal(firstPollAfter(s, 2250), 2400);
  const old = [0, 1, 2, 3, 4].map((n) => backoffDelay(n));
  assert.equal(firstPollAfter(old, 2250), 3296.875);
});

test("PollPacer: back-off as soon as the device stops reporting Connecting or a poll fails; steadyMs/steadyForMs", () => {
  const p = new PollPacer();
  assert.equal(p.next(0, true), 200);
  assert.equal(p.next(200, false), 250, "not connecting (a failed poll): back off");
  assert.equal(p.next(450, true), 200, "connecting again within the steady phase");
  assert.equal(p.next(10_000, true), 375, "steady phase over: the back-off continues");
  const custom = new PollPacer({ steadyMs: 50, steadyForMs: 100 });
  assert.equal(custom.next(0, true), 50);
  assert.equal(custom.next(100, true), 250);
  // A caller asking for fast polling (tests: initialMs 2) is not slowed down by the steady interval.
  assert.equal(new PollPacer({ initialMs: 2, maxMs: 20 }).next(0, true), 2);
});
