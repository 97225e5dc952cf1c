// After the device's brute-force guard trips, the right PoP is told "the device is refusing handshakes", not
// "check the proof of possession"; the device logs the refusal with the time left.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startVirtualDevice } from "../../src/device/index.js";
import { RecordingLogger } from "../device/prov-client.js";
import { runCli } from "./run-cli.js";

test("a refused handshake (guard) is told apart from a wrong proof; the device logs it", async () => {
  const logger = new RecordingLogger();
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    security: { version: 1, pop: "abcd1234" },
    // A long lockout in real time: the guard's clock is not scaled, and the test must not race it.
    handshakeGuard: { maxFailures: 2, baseDelayMs: 600_000, maxDelayMs: 600_000 },
    autoStopMs: false,
    logger,
  });
  const args = [
    "provision",
    "--service_name",
    device.serviceName,
    "--ssid",
    "s",
    "--passphrase",
    "",
    "--no-input",
  ];
  try {
    for (let i = 0; i < 2; i++) {
      const wrong = await runCli([...args, "--pop", "wrong-pop"]);
      assert.equal(wrong.code, 4, wrong.stderr);
      assert.match(wrong.stderr, /check the proof of possession/);
    }
    const right = await runCli([...args, "--pop", "abcd1234"]);
    assert.equal(right.code, 4, right.stderr);
    assert.match(right.stderr, /error: the device is refusing handshakes after repeated failures; retry in/);
    assert.doesNotMatch(right.stderr, /check the proof of possession/);
    // The seconds left when the refusal is logged (a loaded machine takes a while to start the CLI).
    const left = /refusing handshakes after 2 failed in a row; retry in (\d+) s/.exec(logger.text());
    assert.ok(left && Number(left[1]) > 500 && Number(left[1]) <= 600, logger.text());
  } finally {
    await device.close();
  }
});
