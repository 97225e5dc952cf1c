// Level (a) fuzzing, CI-sized: mutated/random protobuf bodies inside valid sec0/sec1/sec2 sessions and raw
// ciphertext garbage, for every endpoint. After each endpoint's batch: no unhandled rejection or uncaught
// exception, TCP handles and timers back to where they were, heap bounded, and the next legitimate client
// (src/client) provisions the same device. `npm run fuzz` runs the same thing with ≥ 100,000 inputs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { legitimateProvision, ProcessErrorTrap, settled, snapshot, startTarget } from "./harness.js";
import type { SecurityLevel } from "./harness.js";
import { FUZZ_ENDPOINTS, fuzzEndpoint, SessionFuzzer } from "./protocol-fuzz.js";
import { decode, encode, Status, WiFiScanPayloadSchema } from "../../src/proto/index.js";
import { ProvClient } from "../device/prov-client.js";

const RUNS_PER_ENDPOINT = 300;
const HEAP_MARGIN = 32 * 1024 * 1024;

for (const level of [0, 1, 2] as SecurityLevel[]) {
  test(`sec${level}: fuzzed bodies on every endpoint; the device keeps serving and provisioning`, async () => {
    const trap = new ProcessErrorTrap();
    const device = await startTarget(level);
    const baseline = snapshot();
    try {
      for (const [i, endpoint] of FUZZ_ENDPOINTS.entries()) {
        const fuzzer = new SessionFuzzer(device.serviceName, level, {
          passLockout: device.guardTime.passLockout,
        });
        try {
          await fuzzEndpoint(fuzzer, endpoint, RUNS_PER_ENDPOINT, 1000 * level + i);
        } finally {
          await fuzzer.close();
        }
        assert.equal(fuzzer.stats.inputs, RUNS_PER_ENDPOINT);
        assert.equal(fuzzer.stats.outcomes.timeout, 0);
        trap.check(`after fuzzing ${endpoint}`);
        await legitimateProvision(device, level);
        // A fuzzed ScanStart may ask for a uint32 period_ms; the radio limits it to 1500 ms per channel (as
        // esp_wifi_scan_start does), so even the longest scan is over by the time we look.
        const after = await settled(baseline);
        assert.ok(after.tcp <= baseline.tcp, `${endpoint}: TCP handles ${baseline.tcp} → ${after.tcp}`);
        assert.ok(
          after.timers <= baseline.timers,
          `${endpoint}: timers ${baseline.timers} → ${after.timers}`,
        );
        assert.ok(
          after.heapUsed - baseline.heapUsed < HEAP_MARGIN,
          `${endpoint}: heap grew by ${after.heapUsed - baseline.heapUsed} bytes`,
        );
      }
      assert.equal(device.state(), "provisioning", "still serving");
      trap.check("at the end");
    } finally {
      await device.close();
      trap.dispose();
    }
  });
}

test("fuzz finding: a blocking ScanStart with period_ms 0xFFFFFFFF answers (dwell limited to 1500 ms/channel)", async () => {
  const device = await startTarget(0);
  const client = new ProvClient(device.serviceName, { version: 0 });
  try {
    await client.handshake();
    const reply = decode(
      WiFiScanPayloadSchema,
      await client.request(
        "prov-scan",
        encode(WiFiScanPayloadSchema, {
          payload: { case: "cmdScanStart", value: { blocking: true, periodMs: 0xffffffff } },
        }),
      ),
    );
    assert.equal(reply.status, Status.Success);
  } finally {
    await client.close();
    await device.close();
  }
});
