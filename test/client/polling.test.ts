// Poll delays: sub-second first, ×1.5, capped at 3 s, never past the deadline (never esp_prov's fixed 5 s).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { backoffDelay, pollSchedule } from "../../src/client/polling.js";

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
  assert.equal(pollSchedule(60_000).length, 25, "a minute is 25 polls, not esp_prov's 12");
});
