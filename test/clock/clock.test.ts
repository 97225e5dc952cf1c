// The one Clock: virtual time moves only when advanced and fires timers in order (including ones scheduled by
// a firing timer within the window); scaled time multiplies delays and speeds now() up by the same factor.
import { test } from "node:test";
import assert from "node:assert/strict";
import { stat } from "node:fs";
import { VirtualClock, realClock, scaledClock } from "../../src/clock.js";
import { AbortedError } from "../../src/errors.js";

test("VirtualClock: timers fire in time order when advanced, chained ones too; cancel and abort work", async () => {
  const clock = new VirtualClock();
  const fired: string[] = [];
  clock.setTimer(300, () => fired.push("c@" + clock.now()));
  clock.setTimer(100, () => {
    fired.push("a@" + clock.now());
    clock.setTimer(50, () => fired.push("b@" + clock.now()));
  });
  const cancel = clock.setTimer(200, () => fired.push("cancelled"));
  cancel();
  await clock.advance(299);
  assert.deepEqual(fired, ["a@100", "b@150"]);
  assert.equal(clock.now(), 299);
  await clock.advance(1);
  assert.deepEqual(fired, ["a@100", "b@150", "c@300"]);
  assert.equal(clock.pending, 0);

  const slept = clock.sleep(1000).then(() => clock.now());
  await clock.advance(1000);
  assert.equal(await slept, 1300);
  const controller = new AbortController();
  const aborted = clock.sleep(10, controller.signal);
  controller.abort();
  await assert.rejects(aborted, AbortedError);
  assert.equal(clock.pending, 0, "an aborted sleep leaves no timer behind");
});

test("scaledClock: delays × scale, now() runs 1/scale as fast; 1 is the base clock itself", () => {
  let t = 1000;
  const delays: number[] = [];
  const base = {
    now: () => t,
    setTimer: (ms: number) => (delays.push(ms), () => {}),
    sleep: realClock.sleep,
  };
  const fast = scaledClock(0.01, base);
  fast.setTimer(5000, () => {});
  assert.deepEqual(delays, [50]);
  const before = fast.now();
  t += 10;
  assert.equal(fast.now() - before, 1000, "10 ms of base time is 1000 ms of scaled time");
  assert.equal(scaledClock(1, base), base);
  assert.throws(() => scaledClock(-1), RangeError);
});

test("VirtualClock.nextDue: the earliest pending timer's time, undefined when none", async () => {
  const clock = new VirtualClock();
  assert.equal(clock.nextDue, undefined);
  const cancel = clock.setTimer(50, () => {});
  clock.setTimer(20, () => {});
  assert.equal(clock.nextDue, 20);
  await clock.advance(30);
  assert.equal(clock.nextDue, 50);
  cancel();
  assert.equal(clock.nextDue, undefined);
});

test("realClock: a zero delay runs on the next turn of the event loop, not after setTimeout's 1 ms minimum", async () => {
  const order = await new Promise<string[]>((resolve) => {
    // From an I/O callback the loop reaches its immediates before its next timers, whatever the load.
    stat(".", () => {
      const seen: string[] = [];
      setTimeout(() => resolve([...seen, "setTimeout 0"]), 0);
      realClock.setTimer(0, () => seen.push("zero delay"));
      realClock.setTimer(-5, () => seen.push("negative delay"));
      const cancel = realClock.setTimer(0, () => seen.push("cancelled"));
      cancel();
    });
  });
  assert.deepEqual(order, ["zero delay", "negative delay", "setTimeout 0"]);
});
