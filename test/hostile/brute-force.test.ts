// Brute force: failed PoP / SRP password handshakes are limited (HandshakeGuard, on by default in
// startVirtualDevice): after N failures in a row the device refuses handshakes — it closes without a reply — for a
// back-off that grows, and logs it; the right credentials work afterwards. Proofs are compared in constant time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ErrorCodes, WifiProvError } from "../../src/errors.js";
import { startVirtualDevice } from "../../src/device/index.js";
import { HandshakeGuard } from "../../src/protocomm/index.js";
import { createClientSession } from "../../src/security/index.js";
import type { ClientSessionOptions } from "../../src/security/index.js";
import { HttpClientTransport } from "../../src/transport/index.js";
import { RecordingLogger } from "../device/prov-client.js";
import { clientSecurity, deviceSecurity, legitimateProvision } from "./harness.js";

/** One full handshake on a fresh connection: "ok", "rejected" (wrong proof) or "refused" (no reply to step 0). */
async function attempt(
  serviceName: string,
  options: ClientSessionOptions,
): Promise<"ok" | "rejected" | "refused"> {
  const transport = new HttpClientTransport({ serviceName, timeoutMs: 5000 });
  const session = createClientSession(options);
  let step = 0;
  try {
    let request: Uint8Array | null = session.begin();
    while (request !== null) {
      const reply = await transport.send("prov-session", request);
      step++;
      request = session.next(reply);
    }
    return "ok";
  } catch (error) {
    if (step === 0 && error instanceof WifiProvError && error.code === ErrorCodes.CLOSED_WITHOUT_REPLY) {
      return "refused";
    }
    return "rejected";
  } finally {
    session.close();
    await transport.close();
  }
}

test("default guard: 5 wrong PoPs, then handshakes are refused (logged) for 1 s; the right PoP works after", async () => {
  const logger = new RecordingLogger();
  // The guard's lockout runs on a clock of the test's own, moved by hand instead of waiting a real second.
  let guardNow = 0;
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    security: deviceSecurity(1),
    timeScale: 0.001,
    autoStopMs: false,
    handshakeGuard: { clock: { now: () => guardNow } },
    logger,
  });
  try {
    const wrong = { version: 1 as const, pop: "wrong-pop" };
    for (let i = 0; i < 5; i++) assert.equal(await attempt(device.serviceName, wrong), "rejected");
    assert.ok(logger.has("5 failed handshakes in a row; refusing handshakes for 1000 ms"), logger.text());
    // Locked: even the right PoP gets no reply to its first message.
    assert.equal(await attempt(device.serviceName, clientSecurity(1)), "refused");
    assert.ok(!logger.text().includes("wrong-pop"), "the guessed PoP is not logged");
    guardNow += 999;
    assert.equal(await attempt(device.serviceName, clientSecurity(1)), "refused");
    guardNow += 1;
    assert.equal(await attempt(device.serviceName, clientSecurity(1)), "ok");
    await legitimateProvision(device, 1);
  } finally {
    await device.close();
  }
});

test("sec2: wrong SRP passwords lock out with a doubling back-off; a success resets the count", async () => {
  let now = 0;
  const logger = new RecordingLogger();
  const guard = new HandshakeGuard({
    maxFailures: 3,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    clock: { now: () => now },
    logger,
  });
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    security: deviceSecurity(2),
    timeScale: 0.001,
    autoStopMs: false,
    handshakeGuard: guard,
    logger,
  });
  try {
    const wrong = { ...clientSecurity(2), password: "not-the-password" } as ClientSessionOptions;
    for (let i = 0; i < 3; i++) assert.equal(await attempt(device.serviceName, wrong), "rejected");
    assert.equal(await attempt(device.serviceName, clientSecurity(2)), "refused");
    now += 100;
    // One more wrong guess right after the window: the next lockout is twice as long.
    assert.equal(await attempt(device.serviceName, wrong), "rejected");
    now += 100;
    assert.equal(await attempt(device.serviceName, clientSecurity(2)), "refused");
    now += 100;
    assert.equal(await attempt(device.serviceName, clientSecurity(2)), "ok");
    assert.equal(guard.failures, 0, "a success resets the count");
    assert.ok(logger.has("refusing handshakes for 100 ms") && logger.has("refusing handshakes for 200 ms"));
    assert.ok(!logger.text().includes("not-the-password"));
  } finally {
    await device.close();
  }
});

test("handshakeGuard: false turns the limit off (ESP-IDF's behaviour)", async () => {
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    security: deviceSecurity(1),
    timeScale: 0.001,
    handshakeGuard: false,
  });
  try {
    for (let i = 0; i < 8; i++) {
      assert.equal(await attempt(device.serviceName, { version: 1, pop: "nope" }), "rejected");
    }
    assert.equal(await attempt(device.serviceName, clientSecurity(1)), "ok");
  } finally {
    await device.close();
  }
});

test("verify tokens and SRP proofs are compared with crypto.timingSafeEqual", () => {
  const source = (path: string) => readFileSync(new URL(`../../src/${path}`, import.meta.url), "utf8");
  // The one comparison helper is timingSafeEqual behind a length check (lengths are public).
  assert.match(source("crypto/bytes.ts"), /a\.length === b\.length && timingSafeEqual\(a, b\)/);
  // sec1 verify tokens (both roles) and SRP M1/M2 go through it; no other byte comparison of secrets.
  assert.equal(source("security/session1.ts").match(/bytesEqual\(decrypted, /g)?.length, 2);
  assert.match(source("crypto/srp.ts"), /bytesEqual\(expected, clientProof\)/);
  assert.match(source("crypto/srp.ts"), /bytesEqual\(srpServerProof\(A, M1, K\), serverProof\)/);
  for (const path of ["security/session1.ts", "security/session2.ts", "crypto/srp.ts"]) {
    assert.doesNotMatch(source(path), /Buffer\.compare|\.equals\(/, `${path} compares bytes another way`);
  }
});
