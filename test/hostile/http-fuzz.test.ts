// Level (b) fuzzing, CI-sized: random HTTP on raw sockets against a running device. After each batch: no
// trapped process error, sockets and timers back to the baseline, heap bounded, and the legitimate client
// provisions the device.
import { test } from "node:test";
import assert from "node:assert/strict";
import { legitimateProvision, ProcessErrorTrap, settled, snapshot, startTarget } from "./harness.js";
import { emptyHttpStats, fuzzHttp } from "./http-fuzz.js";

const BATCHES = 3;
const RUNS_PER_BATCH = 250;
const HEAP_MARGIN = 32 * 1024 * 1024;

test("random HTTP: bad lines, huge headers, wrong lengths, chunked, pipelined, slow, random bytes", async () => {
  const trap = new ProcessErrorTrap();
  const device = await startTarget(1);
  const baseline = snapshot();
  const stats = emptyHttpStats();
  try {
    for (let batch = 0; batch < BATCHES; batch++) {
      await fuzzHttp(device.address.port, RUNS_PER_BATCH, 4242 + batch, stats);
      trap.check(`after HTTP batch ${batch}`);
      await legitimateProvision(device, 1);
      const after = await settled(baseline);
      assert.ok(after.tcp <= baseline.tcp, `TCP handles ${baseline.tcp} → ${after.tcp}`);
      assert.ok(after.timers <= baseline.timers, `timers ${baseline.timers} → ${after.timers}`);
      assert.ok(after.heapUsed - baseline.heapUsed < HEAP_MARGIN, "heap bounded");
    }
    assert.equal(stats.inputs, BATCHES * RUNS_PER_BATCH);
    // The generator reaches both failure classes and real replies.
    assert.ok(stats.outcomes.replied > 0 && stats.outcomes["closed-silently"] > 0, JSON.stringify(stats));
    for (const status of ["200", "400", "404"]) assert.ok(stats.statuses[status], `saw ${status}`);
  } finally {
    await device.close();
    trap.dispose();
  }
});
