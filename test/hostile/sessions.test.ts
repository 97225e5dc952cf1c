// Sessions under attack: a second client cannot use or read the first client's session; sec2 rejects replayed
// ciphertext (nonce counter); sec1's AES-CTR has no integrity, so a flipped bit reaches the handler unnoticed
// — ESP's design, shown here and documented in docs/security.md rather than hidden.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCodes, WifiProvError } from "../../src/errors.js";
import { startVirtualDevice } from "../../src/device/index.js";
import type { RunningVirtualDevice } from "../../src/device/index.js";
import type { EndpointHandler } from "../../src/protocomm/index.js";
import { createClientSession } from "../../src/security/index.js";
import type { ClientSecuritySession } from "../../src/security/index.js";
import { HttpClientTransport } from "../../src/transport/index.js";
import { RawClient } from "../transport/helpers/raw-client.js";
import { clientSecurity, deviceSecurity } from "./harness.js";
import type { SecurityLevel } from "./harness.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

interface Rig {
  device: RunningVirtualDevice;
  /** Plaintexts the custom-data handler received. */
  received: Uint8Array[];
}

async function rig(level: SecurityLevel): Promise<Rig> {
  const received: Uint8Array[] = [];
  const echo: EndpointHandler = (request) => {
    received.push(Uint8Array.from(request));
    return utf8("OK");
  };
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    security: deviceSecurity(level),
    timeScale: 0.001,
    customEndpoints: { "custom-data": echo },
  });
  return { device, received };
}

async function handshake(serviceName: string, level: SecurityLevel) {
  const transport = new HttpClientTransport({ serviceName, timeoutMs: 5000 });
  const session: ClientSecuritySession = createClientSession(clientSecurity(level));
  let request: Uint8Array | null = session.begin();
  while (request !== null) request = session.next(await transport.send("prov-session", request));
  return { transport, session };
}

async function closedWithoutReply(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(
    promise,
    (e: unknown) => e instanceof WifiProvError && e.code === ErrorCodes.CLOSED_WITHOUT_REPLY,
  );
}

/** A raw HTTP request with a chosen Cookie header. */
function rawRequest(endpoint: string, body: Uint8Array, cookie?: string): Uint8Array {
  const head =
    `POST /${endpoint} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    (cookie !== undefined ? `Cookie: ${cookie}\r\n` : "") +
    `Content-Length: ${body.length}\r\n\r\n`;
  return Uint8Array.from([...Buffer.from(head, "latin1"), ...body]);
}

for (const level of [1, 2] as const) {
  test(`sec${level}: a guessed or stale cookie starts a new session; the first client's keys are gone`, async () => {
    const { device, received } = await rig(level);
    try {
      const first = await handshake(device.serviceName, level);
      const secret = first.session.encrypt(utf8("first client's data"));
      assert.deepEqual(first.session.decrypt(await first.transport.send("custom-data", secret)), utf8("OK"));

      // The attacker replays the first client's ciphertext under a guessed cookie and under none: each starts
      // a new, un-handshaken session, so nothing is decrypted or handed to the handler.
      for (const cookie of ["session=12345", "session=0", undefined]) {
        const attacker = await RawClient.open(device.address.port);
        attacker.write(rawRequest("custom-data", secret, cookie));
        assert.equal(await attacker.closed(), "", "no reply, nothing readable");
      }
      assert.equal(received.length, 1, "the handler only ever saw the first client's request");

      // The first client's session was replaced: its cookie no longer names it, so its next request fails.
      await closedWithoutReply(first.transport.send("custom-data", first.session.encrypt(utf8("again"))));
      // Its old cookie is now stale too: presenting it again is just another new session.
      await closedWithoutReply(first.transport.send("custom-data", first.session.encrypt(utf8("again"))));
      assert.equal(received.length, 1);
      first.session.close();
      await first.transport.close();

      // A fresh handshake works as usual.
      const again = await handshake(device.serviceName, level);
      assert.deepEqual(
        again.session.decrypt(await again.transport.send("custom-data", again.session.encrypt(utf8("x")))),
        utf8("OK"),
      );
      again.session.close();
      await again.transport.close();
    } finally {
      await device.close();
    }
  });
}

test("sec2: replayed ciphertext is rejected (the nonce counter has moved on) and never reaches the handler", async () => {
  const { device, received } = await rig(2);
  try {
    const client = await handshake(device.serviceName, 2);
    const body = client.session.encrypt(utf8("set something"));
    await client.transport.send("custom-data", body);
    assert.equal(received.length, 1);
    // The same bytes again, in the same session (same cookie, same connection).
    await closedWithoutReply(client.transport.send("custom-data", body));
    assert.equal(received.length, 1, "the replay did not reach the handler");
    // A tampered ciphertext (one bit) fails GCM authentication the same way.
    const tampered = client.session.encrypt(utf8("set something"));
    tampered[0]! ^= 0x01;
    await closedWithoutReply(client.transport.send("custom-data", tampered));
    assert.equal(received.length, 1, "the tampered request did not reach the handler");
    client.session.close();
    await client.transport.close();
  } finally {
    await device.close();
  }
});

test("sec1 limitation: a bit flipped in transit reaches the handler undetected (AES-CTR, no integrity)", async () => {
  const { device, received } = await rig(1);
  try {
    const client = await handshake(device.serviceName, 1);
    const plain = utf8("ssid=home");
    const body = client.session.encrypt(plain);
    body[4]! ^= 0x04; // an attacker on the open link flips one bit of "=" → "9"
    const reply = await client.transport.send("custom-data", body);
    // The device accepted it and answered; the handler got the plaintext with the same bit flipped.
    assert.deepEqual(client.session.decrypt(reply), utf8("OK"));
    const expected = Uint8Array.from(plain);
    expected[4]! ^= 0x04;
    assert.deepEqual(received[0], expected);
    assert.equal(new TextDecoder().decode(received[0]), "ssid9home");
    client.session.close();
    await client.transport.close();
  } finally {
    await device.close();
  }
});
