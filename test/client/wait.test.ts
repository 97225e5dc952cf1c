// waitForConnection: typed outcomes, back-off bounded by the timeout, recovery after the device stops answering.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "../../src/index.js";
import type { WaitProgress } from "../../src/client/index.js";
import { DeviceStatusError, UsageError } from "../../src/errors.js";
import { FakeClock, ScriptedTransport, closed, refused, reply } from "./fake-device.js";

async function clientWith(script: ConstructorParameters<typeof ScriptedTransport>[0]) {
  const transport = new ScriptedTransport(script);
  const clock = new FakeClock();
  const client = await connect({ serviceName: "127.0.0.1:9", transport, clock });
  await client.establishSession();
  return { client, transport, clock };
}

test("connecting → attempt failed → connected, with progress events, polled every 200 ms while connecting", async () => {
  const { client, clock } = await clientWith([
    reply("RespGetStatus_Connecting"),
    reply("RespGetStatus_AttemptFailed"),
    reply("RespGetStatus_Connected"),
  ]);
  const events: WaitProgress[] = [];
  const outcome = await client.waitForConnection({ timeoutMs: 10_000, onProgress: (e) => events.push(e) });
  assert.deepEqual(outcome, {
    state: "connected",
    ip: "192.168.1.77",
    ssid: "myssid",
    bssid: "a0b1c2d3e4f5",
    channel: 6,
    authMode: 3,
    authModeName: "WPA2_PSK",
  });
  assert.deepEqual(clock.sleeps, [200, 200, 200]);
  const statuses = events.flatMap((e) => (e.type === "status" ? [e.status] : []));
  assert.deepEqual(statuses[1], { state: "connecting", attemptsRemaining: 3 });
});

test("failure reasons are final outcomes", async () => {
  for (const [name, reason] of [
    ["RespGetStatus_Failed_AuthError", "AuthError"],
    ["RespGetStatus_Failed_NetworkNotFound", "NetworkNotFound"],
  ] as const) {
    const { client } = await clientWith([reply("RespGetStatus_Connecting"), reply(name)]);
    assert.deepEqual(await client.waitForConnection({ timeoutMs: 10_000 }), { state: "failed", reason });
  }
});

test("endless 'connecting' ends at the timeout; delays never exceed 3 s and sum to the timeout", async () => {
  const { client, clock, transport } = await clientWith([]);
  const outcome = await client.waitForConnection({ timeoutMs: 20_000 });
  assert.equal(outcome.state, "timeout");
  assert.equal(clock.t, 20_000);
  assert.ok(clock.sleeps.every((d) => d <= 3000));
  // Steady 200 ms for the first 10 s (where devices join), then backing off: fewer than one per second after.
  const steady = clock.sleeps.filter((d) => d === 200).length;
  assert.equal(steady, 50);
  assert.ok(clock.sleeps.length - steady < 10_000 / 1000, "fewer than one poll per second after 10 s");
  assert.equal(transport.sent.filter((s) => s === "prov-config:5200").length, clock.sleeps.length);
});

test("a dropped connection is recovered with a new handshake and polling continues", async () => {
  const { client, transport } = await clientWith([
    reply("RespGetStatus_Connecting"),
    closed(),
    reply("RespGetStatus_Connected"),
  ]);
  const events: string[] = [];
  const outcome = await client.waitForConnection({
    timeoutMs: 10_000,
    onProgress: (e) => events.push(e.type),
  });
  assert.equal(outcome.state, "connected");
  assert.deepEqual(events, ["status", "unreachable", "recovered", "status"]);
  assert.equal(transport.closes, 1);
  assert.equal(transport.sent.filter((s) => s.startsWith("prov-session")).length, 2, "handshake redone");
});

test("a device that stops answering gives 'unknown' after three failed polls", async () => {
  const { client } = await clientWith([
    reply("RespGetStatus_Connecting"),
    closed(),
    refused(),
    refused(),
    refused(),
  ]);
  const outcome = await client.waitForConnection({ timeoutMs: 60_000 });
  assert.equal(outcome.state, "unknown");
  assert.match((outcome as { why: string }).why, /stopped answering/);
});

test("a device status error is not retried", async () => {
  const { client } = await clientWith([new DeviceStatusError("nope", 5)]);
  await assert.rejects(client.waitForConnection({ timeoutMs: 5_000 }), DeviceStatusError);
});

test("abort stops the wait", async () => {
  const { client } = await clientWith([]);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    client.waitForConnection({ timeoutMs: 5_000, signal: ac.signal }),
    (e: { code?: string }) => e.code === "WIFIPROV_ABORTED",
  );
});

test("input is checked before anything is sent", async () => {
  const { client, transport } = await clientWith([]);
  const before = transport.sent.length;
  await assert.rejects(client.setConfig({ ssid: "", passphrase: "mypassword" }), UsageError);
  await assert.rejects(client.setConfig({ ssid: "myssid", passphrase: "short" }), UsageError);
  await assert.rejects(client.sendData("custom-data", ""), UsageError);
  assert.equal(transport.sent.length, before);
});

test("connect requires a service name (no default address in the library)", async () => {
  await assert.rejects(connect({ serviceName: "" }), UsageError);
  await assert.rejects(connect({ serviceName: "not a host:port" }), UsageError);
});

test("a link that accepts and then closes at once during recovery gives 'unknown', not an authentication error", async () => {
  // The channel-hop case: the old SoftAP link half-works, so every re-handshake is closed without a reply.
  // The credentials already proved themselves in this session, so this is a lost device, not a wrong PoP.
  class ClosesEveryNewHandshake extends ScriptedTransport {
    handshakes = 0;
    override async send(endpoint: string, body: Uint8Array): Promise<Uint8Array> {
      if (endpoint === "prov-session" && ++this.handshakes > 1) throw closed();
      return super.send(endpoint, body);
    }
  }
  const transport = new ClosesEveryNewHandshake([reply("RespGetStatus_Connecting"), closed()]);
  const client = await connect({ serviceName: "127.0.0.1:9", transport, clock: new FakeClock() });
  await client.establishSession();
  const outcome = await client.waitForConnection({ timeoutMs: 60_000 });
  assert.equal(outcome.state, "unknown");
  assert.match((outcome as { why: string }).why, /stopped answering/);
  assert.equal(transport.handshakes, 3, "one handshake, then two failed recoveries");
});
