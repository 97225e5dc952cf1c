// Device HTTP server session rules (protocol.md §2.3 step by step), v4.0 mode, one connection with LRU purge,
// pipelining and half-close.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RawClient, espProvRequest, okResponse } from "./helpers/raw-client.js";
import { dec, enc, startVirtualDevice } from "./helpers/device.js";

/** Splits a 200 response into its Set-Cookie (if any) and its body. */
function parse(response: string): { cookie: string | undefined; body: string } {
  const end = response.indexOf("\r\n\r\n");
  return {
    cookie: /\r\nSet-Cookie: ([^\r]*)/.exec(response.slice(0, end))?.[1],
    body: response.slice(end + 4),
  };
}

test("success layout; Set-Cookie only on the first reply of a new session; cookie continues it", async () => {
  const device = await startVirtualDevice();
  try {
    const c = await RawClient.open(device.port);
    c.write(espProvRequest("proto-ver", "none"));
    assert.equal(await c.response(), okResponse("V0.1", "session=1001"));
    c.write(espProvRequest("prov-session", "ok", "session=1001"));
    assert.equal(await c.response(), okResponse("step1"));
    c.write(espProvRequest("echo", enc("hi"), "session=1001"));
    assert.equal(dec(parse(await c.response()).body), "1001:1:hi");
    assert.deepEqual(device.ids, [1001]);
    c.destroy();
  } finally {
    await device.close();
  }
});

test("no cookie: same socket = same session; another socket = new session", async () => {
  const device = await startVirtualDevice();
  try {
    const a = await RawClient.open(device.port);
    a.write(espProvRequest("prov-session", "ok"));
    assert.equal(await a.response(), okResponse("step1", "session=1001"));
    a.write(espProvRequest("echo", enc("x")));
    assert.equal(dec(parse(await a.response()).body), "1001:1:x");
    a.destroy();
    const b = await RawClient.open(device.port);
    b.write(espProvRequest("echo", enc("x")));
    assert.equal(await b.closed(), "", "new session, not established");
    assert.deepEqual(device.ids, [1001, 1002]);
    assert.equal(device.security.sessions[0]!.closed, true);
  } finally {
    await device.close();
  }
});

test("a cookie of 20 bytes or more counts as absent (socket rule)", async () => {
  const device = await startVirtualDevice();
  try {
    const a = await RawClient.open(device.port);
    a.write(espProvRequest("prov-session", "ok"));
    await a.response();
    a.write(espProvRequest("echo", enc("x"), "session=1001; x=1234"));
    const r = parse(await a.response());
    assert.equal(r.cookie, undefined);
    assert.equal(dec(r.body), "1001:1:x");
    a.destroy();
  } finally {
    await device.close();
  }
});

test("a stale or decorated cookie (< 20 bytes) starts a new session, even on the same socket", async () => {
  const device = await startVirtualDevice();
  try {
    const a = await RawClient.open(device.port);
    a.write(espProvRequest("proto-ver", "none"));
    await a.response();
    a.write(espProvRequest("proto-ver", "none", "session=1"));
    assert.equal(await a.response(), okResponse("V0.1", "session=1002"));
    a.write(espProvRequest("proto-ver", "none", "session=1002; a"));
    assert.equal(await a.response(), okResponse("V0.1", "session=1003"));
    a.write(espProvRequest("proto-ver", "none", "session=1003"));
    assert.equal(await a.response(), okResponse("V0.1"));
    a.destroy();
  } finally {
    await device.close();
  }
});

test("presenting the cookie forgets the socket: a later cookie-less request on it starts a new session", async () => {
  const device = await startVirtualDevice();
  try {
    const a = await RawClient.open(device.port);
    a.write(espProvRequest("proto-ver", "none"));
    await a.response();
    a.write(espProvRequest("proto-ver", "none")); // socket rule still holds
    assert.equal(await a.response(), okResponse("V0.1"));
    a.write(espProvRequest("proto-ver", "none", "session=1001"));
    assert.equal(await a.response(), okResponse("V0.1"));
    a.write(espProvRequest("proto-ver", "none"));
    assert.equal(await a.response(), okResponse("V0.1", "session=1002"));
    a.destroy();
  } finally {
    await device.close();
  }
});

test("the session survives a reconnect with the cookie; the cipher state continues", async () => {
  const device = await startVirtualDevice();
  try {
    const a = await RawClient.open(device.port);
    a.write(espProvRequest("prov-session", "ok"));
    assert.equal(parse(await a.response()).cookie, "session=1001");
    a.write(espProvRequest("echo", enc("one"), "session=1001"));
    assert.equal(dec(parse(await a.response()).body), "1001:1:one");
    // The client leaves (its FIN, as destroy() would send). The device answers the FIN with its own and drops
    // the connection as that FIN leaves, a turn before this client can see it: once the client is closed, the
    // device has dropped the connection.
    a.socket.end();
    assert.equal(await a.closed(), "");
    assert.equal(device.server.connectionCount, 0);
    const b = await RawClient.open(device.port);
    b.write(espProvRequest("echo", enc("two"), "session=1001"));
    const r = parse(await b.response());
    assert.equal(r.cookie, undefined);
    assert.equal(dec(r.body), "1001:2:two");
    // Without the cookie, the socket association is gone (it was dropped when the first socket closed).
    b.write(espProvRequest("proto-ver", "none"));
    assert.equal(await b.response(), okResponse("V0.1", "session=1002"));
    b.destroy();
  } finally {
    await device.close();
  }
});

test("Set-Cookie is not sent when the request that started the session fails, and the cookie is unknown", async () => {
  const device = await startVirtualDevice();
  try {
    const a = await RawClient.open(device.port);
    a.write(espProvRequest("fail", "x"));
    assert.equal(await a.closed(), "");
    const b = await RawClient.open(device.port);
    b.write(espProvRequest("proto-ver", "none", "session=1001"));
    // The cookie matches the session that the failed request created: the client never learnt it, but an
    // exact match is all the device checks.
    assert.equal(await b.response(), okResponse("V0.1"));
    b.destroy();
  } finally {
    await device.close();
  }
});

test("v4.0 mode: session = socket, Cookie ignored, no Set-Cookie, header limit 512", async () => {
  const device = await startVirtualDevice({ cookies: false });
  try {
    const a = await RawClient.open(device.port);
    a.write(espProvRequest("prov-session", "ok", "session=1"));
    assert.equal(await a.response(), okResponse("step1"));
    a.write(espProvRequest("echo", enc("x"), "session=whatever"));
    assert.match(dec(parse(await a.response()).body), /^\d+:1:x$/);
    a.destroy();
    const b = await RawClient.open(device.port);
    b.write(espProvRequest("echo", enc("x")));
    assert.equal(await b.closed(), "", "a new socket is a new, unestablished session");
    assert.equal(device.security.sessions.length, 2);
    assert.equal(device.security.sessions[0]!.closed, true);
    assert.deepEqual(device.ids, [], "no random cookie ids in v4.0 mode");
    const c = await RawClient.open(device.port);
    c.write(`POST /proto-ver HTTP/1.1\r\nX: ${"a".repeat(520)}\r\nContent-Length: 1\r\n\r\nx`);
    assert.match(await c.closed(), /^HTTP\/1\.1 431 /);
  } finally {
    await device.close();
  }
});

test("one connection at a time: a new connection closes the old one first (LRU purge)", async () => {
  const device = await startVirtualDevice();
  try {
    const a = await RawClient.open(device.port);
    a.write(espProvRequest("proto-ver", "none"));
    await a.response();
    const b = await RawClient.open(device.port);
    assert.equal(await a.closed(), "");
    b.write(espProvRequest("proto-ver", "none", "session=1001"));
    assert.equal(await b.response(), okResponse("V0.1"), "the cookie outlives the purged socket");
    assert.equal(device.server.connectionCount, 1);
    b.destroy();
  } finally {
    await device.close();
  }
});

test("with maxConnections 2 the least recently used connection is purged", async () => {
  const device = await startVirtualDevice({ maxConnections: 2 });
  try {
    const a = await RawClient.open(device.port);
    const b = await RawClient.open(device.port);
    a.write(espProvRequest("proto-ver", "none"));
    await a.response(); // a is now more recently used than b
    const c = await RawClient.open(device.port);
    assert.equal(await b.closed(), "");
    assert.equal(a.isClosed, false);
    a.write(espProvRequest("proto-ver", "none"));
    assert.equal(await a.response(), okResponse("V0.1"));
    a.destroy();
    c.destroy();
  } finally {
    await device.close();
  }
});

test("pipelined requests are answered strictly in order, also with a slow handler", async () => {
  const device = await startVirtualDevice();
  // The first call is slow: it returns only when the test opens the gate, after checking that the device
  // did not start on the next request meanwhile.
  let calls = 0;
  let firstCalled!: () => void;
  const firstCall = new Promise<void>((resolve) => (firstCalled = resolve));
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  device.protocomm.addEndpoint("slow", async (request) => {
    calls += 1;
    if (calls === 1) {
      firstCalled();
      await gate;
    }
    return request;
  });
  try {
    const a = await RawClient.open(device.port);
    a.write(
      Buffer.concat([
        espProvRequest("prov-session", "ok"),
        espProvRequest("slow", enc("first")),
        espProvRequest("slow", enc("second")),
        espProvRequest("proto-ver", "none"),
      ]),
    );
    assert.equal(await a.response(), okResponse("step1", "session=1001"));
    await firstCall;
    await new Promise((resolve) => setImmediate(resolve)); // one turn of the event loop for the device to misbehave
    assert.equal(calls, 1, "the second request waits until the first is answered");
    openGate();
    assert.equal(dec(parse(await a.response()).body), "first");
    assert.equal(dec(parse(await a.response()).body), "second");
    assert.equal(await a.response(), okResponse("V0.1"));
    a.destroy();
  } finally {
    await device.close();
  }
});

test("a long pipelined burst (far beyond the buffer bound) is served completely and in order", async () => {
  const device = await startVirtualDevice();
  try {
    const a = await RawClient.open(device.port);
    const count = 300;
    const requests = [espProvRequest("prov-session", "ok")];
    for (let i = 0; i < count; i++) requests.push(espProvRequest("echo", enc(`${i}`.padStart(1000, "."))));
    a.write(Buffer.concat(requests));
    await a.response();
    for (let i = 0; i < count; i++) {
      assert.equal(dec(parse(await a.response()).body), `1001:${i + 1}:${`${i}`.padStart(1000, ".")}`);
    }
    a.destroy();
  } finally {
    await device.close();
  }
});

test("a client that half-closes after its request gets the reply, then the device closes too", async () => {
  const device = await startVirtualDevice();
  try {
    const a = await RawClient.open(device.port);
    a.write(espProvRequest("proto-ver", "none"));
    a.end();
    assert.equal(await a.closed(), okResponse("V0.1", "session=1001"));
  } finally {
    await device.close();
  }
});

test("close() closes every connection and destroys the session", async () => {
  const device = await startVirtualDevice();
  const a = await RawClient.open(device.port);
  a.write(espProvRequest("prov-session", "ok"));
  await a.response();
  await device.close();
  assert.equal(await a.closed(), "");
  assert.equal(device.security.sessions[0]!.closed, true);
  assert.equal(device.protocomm.sessionId, undefined);
  assert.equal(device.server.connectionCount, 0);
});
