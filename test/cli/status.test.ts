// `wifiprov status` reads the device's Wi-Fi state; `provision` reads it first: a device that already joined is
// reported and sent nothing, one whose last attempt failed is reset before the new credentials.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startVirtualDevice } from "../../src/device/index.js";
import { RecordingLogger } from "../device/prov-client.js";
import { runCli } from "./run-cli.js";

test("status, then provision on a device that already joined: 'already connected', nothing sent, exit 0", async () => {
  const logger = new RecordingLogger();
  const device = await startVirtualDevice({
    timeScale: 0.02,
    listen: { host: "127.0.0.1", port: 0 },
    security: { version: 1, pop: "abcd1234" },
    autoStopMs: false,
    logger,
  });
  const address = ["--service_name", device.serviceName, "--pop", "abcd1234"];
  try {
    const fresh = await runCli(["status", ...address, "--json"]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.deepEqual((JSON.parse(fresh.stdout) as { status: unknown }).status, { state: "connecting" });

    const wrong = await runCli([
      "provision",
      ...address,
      "--ssid",
      "myssid",
      "--passphrase",
      "wrongpass1",
      "--no-input",
    ]);
    assert.equal(wrong.code, 5, wrong.stderr);
    const failed = await runCli(["status", ...address]);
    assert.equal(failed.code, 0, failed.stderr);
    assert.match(failed.stdout, /state\s+failed\nfailure reason\s+wrong passphrase \(AuthError\)/);

    // ESP-IDF v5.x refuses ApplyConfig after a failure until CtrlReset: provision resets first.
    const right = await runCli([
      "provision",
      ...address,
      "--ssid",
      "myssid",
      "--passphrase",
      "mypassword",
      "--no-input",
    ]);
    assert.equal(right.code, 0, right.stderr);
    assert.match(right.stderr, /Device reset: ready for new credentials/);
    assert.match(right.stderr, /Device joined myssid/);

    const joined = await runCli(["status", ...address]);
    assert.match(joined.stdout, /state\s+connected\nssid\s+myssid\nip\s+192\.168\.1\.57/);

    const before = logger.text().split("WiFi Credentials Received").length;
    const again = await runCli([
      "provision",
      ...address,
      "--ssid",
      "other",
      "--passphrase",
      "otherpass1",
      "--json",
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already connected to myssid \(IP 192\.168\.1\.57\); nothing was sent/);
    const out = JSON.parse(again.stdout) as { alreadyConnected: boolean; outcome: { state: string } };
    assert.equal(out.alreadyConnected, true);
    assert.equal(out.outcome.state, "connected");
    assert.equal(logger.text().split("WiFi Credentials Received").length, before, "no SetConfig sent");
  } finally {
    await device.close();
  }
});
