// Device HTTP server, failure classes of protocol.md §2.2: exact framework error replies then close (class 1),
// and closing without any reply for every provisioning-level failure (class 2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { VirtualClock } from "../../src/clock.js";
import { RawClient, espProvRequest, okResponse } from "./helpers/raw-client.js";
import { startVirtualDevice } from "./helpers/device.js";

const error = (status: string, body: string) =>
  `HTTP/1.1 ${status}\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

const cases: Array<[string, string, string]> = [
  [
    "unknown path",
    "POST /nope HTTP/1.1\r\nContent-Length: 1\r\n\r\nx",
    error("404 Not Found", "Nothing matches the given URI"),
  ],
  ["GET on unknown path", "GET / HTTP/1.1\r\n\r\n", error("404 Not Found", "Nothing matches the given URI")],
  [
    "GET on a registered path",
    "GET /proto-ver HTTP/1.1\r\nHost: x\r\n\r\n",
    error("405 Method Not Allowed", "Specified method is invalid for this resource"),
  ],
  [
    "GET with a query on a registered path",
    "GET /proto-ver?a=1 HTTP/1.1\r\n\r\n",
    error("405 Method Not Allowed", "Specified method is invalid for this resource"),
  ],
  ["URI too long", `POST /${"a".repeat(512)} HTTP/1.1\r\n\r\n`, error("414 URI Too Long", "URI is too long")],
  [
    "URI too long before the line ends",
    `POST /${"a".repeat(600)}`,
    error("414 URI Too Long", "URI is too long"),
  ],
  [
    "headers too long",
    `POST /proto-ver HTTP/1.1\r\nX: ${"a".repeat(1100)}\r\n\r\n`,
    error("431 Request Header Fields Too Large", "Header fields are too long"),
  ],
  ["garbage request line", "\x01\x02 nonsense\r\n\r\n", error("400 Bad Request", "Bad request syntax")],
  [
    "header without colon",
    "POST /proto-ver HTTP/1.1\r\nNoColon\r\n\r\n",
    error("400 Bad Request", "Bad request syntax"),
  ],
  [
    "invalid Content-Length",
    "POST /proto-ver HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
    error("400 Bad Request", "Bad request syntax"),
  ],
  [
    "unknown method token",
    "FOO /proto-ver HTTP/1.1\r\n\r\n",
    error("501 Method Not Implemented", "Server does not support this method"),
  ],
  [
    "HTTP/2.0",
    "POST /proto-ver HTTP/2.0\r\nContent-Length: 1\r\n\r\nx",
    error("505 Version Not Supported", "HTTP version not supported by server"),
  ],
];

for (const [name, request, expected] of cases) {
  test(`class 1: ${name} → exact error reply, then close`, async () => {
    const device = await startVirtualDevice();
    try {
      const client = await RawClient.open(device.port);
      client.write(request);
      assert.equal(await client.closed(), expected);
      assert.equal(device.ids.length, 0, "no session is touched before the handler runs");
    } finally {
      await device.close();
    }
  });
}

test("class 1: a request head that stalls longer than the receive timeout gets 408", async () => {
  const device = await startVirtualDevice({ receiveTimeoutMs: 50 });
  try {
    const client = await RawClient.open(device.port);
    client.write("POST /proto-ver HTTP/1.1\r\nContent-Len");
    assert.equal(await client.closed(), error("408 Request Timeout", "Server closed this connection"));
  } finally {
    await device.close();
  }
});

test("the header limit counts the header block: 1024 bytes fit, 1025 do not", async () => {
  const device = await startVirtualDevice();
  try {
    // Block = "Content-Length: 1\r\n" (19) + "X: <pad>\r\n" + final "\r\n".
    const pad = (n: number) => "a".repeat(n - 19 - 2 - 5);
    let client = await RawClient.open(device.port);
    client.write(`POST /proto-ver HTTP/1.1\r\nContent-Length: 1\r\nX: ${pad(1024)}\r\n\r\nx`);
    assert.equal(await client.response(), okResponse("V0.1", "session=1001"));
    client.destroy();
    client = await RawClient.open(device.port);
    client.write(`POST /proto-ver HTTP/1.1\r\nContent-Length: 1\r\nX: ${pad(1025)}\r\n\r\nx`);
    assert.match(await client.closed(), /^HTTP\/1\.1 431 /);
  } finally {
    await device.close();
  }
});

const silent: Array<[string, string]> = [
  ["Content-Length 0", "POST /proto-ver HTTP/1.1\r\nContent-Length: 0\r\n\r\n"],
  ["Content-Length missing", "POST /proto-ver HTTP/1.1\r\n\r\n"],
  ["Content-Length over 4096", "POST /proto-ver HTTP/1.1\r\nContent-Length: 4097\r\n\r\n"],
  ["chunked body", "POST /proto-ver HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnone\r\n0\r\n\r\n"],
  ["path with a query string", "POST /proto-ver?x=1 HTTP/1.1\r\nContent-Length: 4\r\n\r\nnone"],
  ["handler failure", "POST /fail HTTP/1.1\r\nContent-Length: 4\r\n\r\nnone"],
  ["request endpoint before the handshake", "POST /echo HTTP/1.1\r\nContent-Length: 4\r\n\r\nnone"],
  ["handshake failure", "POST /prov-session HTTP/1.1\r\nContent-Length: 3\r\n\r\nbad"],
];

for (const [name, request] of silent) {
  test(`class 2: ${name} → closed without any reply`, async () => {
    const device = await startVirtualDevice();
    try {
      const client = await RawClient.open(device.port);
      client.write(request);
      assert.equal(await client.closed(), "");
      assert.equal(device.ids.length, 1, "the session was started before the request failed");
    } finally {
      await device.close();
    }
  });
}

test("class 2: a body shorter than Content-Length (client ends) or stalled past the timeout", async () => {
  const device = await startVirtualDevice({ receiveTimeoutMs: 50 });
  try {
    let client = await RawClient.open(device.port);
    client.write("POST /proto-ver HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort");
    client.end();
    assert.equal(await client.closed(), "");
    client = await RawClient.open(device.port);
    client.write("POST /proto-ver HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort");
    assert.equal(await client.closed(), "");
  } finally {
    await device.close();
  }
});

test("a failing request on a fresh connection still destroys the previous session (§2.3 step 2)", async () => {
  const device = await startVirtualDevice();
  try {
    const first = await RawClient.open(device.port);
    first.write(espProvRequest("prov-session", "ok"));
    assert.equal(await first.response(), okResponse("step1", "session=1001"));
    assert.equal(device.security.sessions[0]!.closed, false);
    first.destroy();
    const second = await RawClient.open(device.port);
    second.write("POST /proto-ver HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    assert.equal(await second.closed(), "");
    assert.equal(device.security.sessions[0]!.closed, true);
  } finally {
    await device.close();
  }
});

test("an idle connection is never timed out by the device", async () => {
  const clock = new VirtualClock();
  const device = await startVirtualDevice({ receiveTimeoutMs: 30, clock });
  try {
    const client = await RawClient.open(device.port);
    client.write(espProvRequest("proto-ver", "none"));
    await client.response();
    assert.equal(clock.pending, 0, "no receive timeout runs while the connection is idle");
    await clock.advance(3_600_000);
    assert.equal(device.server.connectionCount, 1);
    client.write(espProvRequest("proto-ver", "none", "session=1001"));
    assert.equal(await client.response(), okResponse("V0.1"));
    client.destroy();
  } finally {
    await device.close();
  }
});
