// Client transport (protocol.md §2.4): esp_prov's exact request bytes, one keep-alive socket, cookie echo,
// reconnect with the cookie, and the error classes a caller can act on.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { HttpClientTransport, DeviceHttpServer } from "../../src/transport/index.js";
import { Protocomm } from "../../src/protocomm/index.js";
import { VirtualClock } from "../../src/clock.js";
import { ErrorCodes, TimeoutError, AbortedError, TransportError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { startFakeDevice } from "./helpers/fake-device.js";
import { loadTranscript } from "./helpers/transcript.js";
import { espProvRequest, okResponse } from "./helpers/raw-client.js";
import { fakeSecurity, xor } from "../protocomm/helpers/fake-security.js";

const bytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");

const isCode = (code: string, status?: number) => (e: unknown) =>
  e instanceof TransportError && e.code === code && (status === undefined || e.status === status);

for (const name of ["http_transcript_sec0.json", "http_transcript_sec1.json"]) {
  test(`${name}: the client's request bytes are esp_prov's, with the cookie echoed`, async () => {
    const { exchanges, cookie, host } = loadTranscript(name);
    const device = await startFakeDevice((_request, i) => exchanges[i]!.response);
    const serviceName = `127.0.0.1:${device.port}`;
    const client = new HttpClientTransport({ serviceName, logger: silentLogger });
    try {
      for (const exchange of exchanges) {
        const reply = await client.send(exchange.endpoint, new Uint8Array(exchange.requestBody));
        assert.deepEqual(Buffer.from(reply), exchange.responseBody);
      }
      assert.equal(client.cookie, cookie);
      assert.equal(device.connections, 1, "one keep-alive socket for the whole run");
      exchanges.forEach((exchange, i) => {
        const expected = exchange.request
          .toString("latin1")
          .replace(`Host: ${host}\r\n`, `Host: ${serviceName}\r\n`);
        assert.equal(device.requests[i]!.bytes, expected, `request ${i} to /${exchange.endpoint}`);
      });
    } finally {
      await client.close();
      await device.close();
    }
  });
}

test("reconnects after the device dropped the idle socket, and keeps presenting the cookie", async () => {
  const device = await startFakeDevice((_r, i) =>
    i === 0 ? { reply: okResponse("a", "session=77"), thenClose: true } : okResponse("b"),
  );
  const client = new HttpClientTransport({ serviceName: `127.0.0.1:${device.port}`, logger: silentLogger });
  try {
    assert.equal(text(await client.send("proto-ver", bytes("none"))), "a");
    await device.connectionClosed(1);
    assert.equal(text(await client.send("prov-session", bytes("x"))), "b");
    assert.equal(device.connections, 2);
    assert.equal(
      device.requests[1]!.bytes,
      espProvRequest("prov-session", "x", "session=77", `127.0.0.1:${device.port}`).toString("latin1"),
    );
  } finally {
    await client.close();
    await device.close();
  }
});

test("with reconnect: false a dropped connection is reported instead of reopened", async () => {
  const device = await startFakeDevice(() => ({ reply: okResponse("a"), thenClose: true }));
  const client = new HttpClientTransport({
    serviceName: `127.0.0.1:${device.port}`,
    reconnect: false,
    logger: silentLogger,
  });
  try {
    await client.send("proto-ver", bytes("none"));
    await device.connectionClosed(1);
    await assert.rejects(client.send("proto-ver", bytes("none")), isCode(ErrorCodes.TRANSPORT));
    assert.equal(device.connections, 1);
  } finally {
    await client.close();
    await device.close();
  }
});

test("Set-Cookie: only the exact header name counts, and only its first name=value pair is kept", async () => {
  const replies = [
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 0\r\nset-cookie: session=1\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 0\r\nSet-Cookie: session=2; Path=/\r\n\r\n",
    okResponse(""),
  ];
  const device = await startFakeDevice((_r, i) => replies[i]!);
  const client = new HttpClientTransport({ serviceName: `127.0.0.1:${device.port}`, logger: silentLogger });
  try {
    await client.send("proto-ver", bytes("none"));
    assert.equal(client.cookie, undefined);
    await client.send("proto-ver", bytes("none"));
    assert.equal(client.cookie, "session=2");
    await client.send("proto-ver", bytes("none"));
    assert.match(device.requests[2]!.bytes, /\r\nCookie: session=2\r\n\r\n/);
  } finally {
    await client.close();
    await device.close();
  }
});

test("a connection closed without a reply is WIFIPROV_CLOSED_WITHOUT_REPLY with an explanation; no retry", async () => {
  const device = await startFakeDevice((_r, i) => (i === 0 ? okResponse("ok") : "close"));
  const client = new HttpClientTransport({ serviceName: `127.0.0.1:${device.port}`, logger: silentLogger });
  try {
    await client.send("proto-ver", bytes("none"));
    await assert.rejects(client.send("prov-session", bytes("bad")), (e: unknown) => {
      assert.ok(isCode(ErrorCodes.CLOSED_WITHOUT_REPLY)(e));
      assert.match((e as TransportError).hint ?? "", /proof of possession/);
      assert.match((e as TransportError).hint ?? "", /another client/);
      return true;
    });
    assert.equal(device.requests.length, 2, "the failed request was not resent");
  } finally {
    await client.close();
    await device.close();
  }
});

test("an HTTP error status is WIFIPROV_HTTP_STATUS with the status; the next send works again", async () => {
  const notFound =
    "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 29\r\n\r\nNothing matches the given URI";
  const device = await startFakeDevice((_r, i) =>
    i === 0 ? { reply: notFound, thenClose: true } : okResponse("V0.1"),
  );
  const client = new HttpClientTransport({ serviceName: `127.0.0.1:${device.port}`, logger: silentLogger });
  try {
    await assert.rejects(client.send("prov-scan", bytes("x")), isCode(ErrorCodes.HTTP_STATUS, 404));
    assert.equal(text(await client.send("proto-ver", bytes("none"))), "V0.1");
  } finally {
    await client.close();
    await device.close();
  }
});

test("an unreachable device is WIFIPROV_TRANSPORT with a hint to join the SoftAP", async () => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const client = new HttpClientTransport({ serviceName: `127.0.0.1:${port}`, logger: silentLogger });
  await assert.rejects(client.send("proto-ver", bytes("none")), (e: unknown) => {
    assert.ok(isCode(ErrorCodes.TRANSPORT)(e));
    assert.match((e as TransportError).hint ?? "", /SoftAP/);
    assert.match((e as TransportError).hint ?? "", /--service_name/);
    return true;
  });
  await client.close();
});

test("timeouts and aborts", async () => {
  const device = await startFakeDevice(() => "hang");
  const clock = new VirtualClock();
  const client = new HttpClientTransport({
    serviceName: `127.0.0.1:${device.port}`,
    timeoutMs: 50,
    clock,
    logger: silentLogger,
  });
  try {
    // The request is on the device, which never answers: the reply timeout (not the connect one) ends it.
    let settled = false;
    const timingOut = client.send("proto-ver", bytes("none")).finally(() => (settled = true));
    await device.requestArrived(0);
    await clock.advance(49);
    assert.equal(settled, false, "still waiting 1 ms before the timeout");
    await clock.advance(1);
    await assert.rejects(timingOut, TimeoutError);
    const controller = new AbortController();
    const pending = client.send("proto-ver", bytes("none"), { signal: controller.signal });
    await device.requestArrived(1);
    controller.abort();
    await assert.rejects(pending, AbortedError);
  } finally {
    await client.close();
    await device.close();
  }
});

test("an already-aborted signal sends nothing: no connection, no request", async () => {
  // Its own device: on the one above, the bytes of the request aborted in flight could still be arriving.
  const device = await startFakeDevice(() => okResponse("V0.1"));
  const client = new HttpClientTransport({ serviceName: `127.0.0.1:${device.port}`, logger: silentLogger });
  try {
    await assert.rejects(
      client.send("proto-ver", bytes("none"), { signal: AbortSignal.abort() }),
      AbortedError,
    );
    // The refusal happens before any I/O. Requests go out one at a time, in order, so when a later one has been
    // answered, an earlier one that had been sent would have arrived first.
    assert.equal(text(await client.send("proto-ver", bytes("none"))), "V0.1");
    assert.equal(device.requests.length, 1, "only the request sent without an aborted signal arrived");
    assert.equal(device.connections, 1);
  } finally {
    await client.close();
    await device.close();
  }
});

test("end to end with the device server: cookie session, reconnect, and a takeover by a second client", async () => {
  const protocomm = new Protocomm({ security: fakeSecurity(1), logger: silentLogger });
  protocomm.setVersionEndpoint("proto-ver", "V0.1");
  protocomm.setSecurityEndpoint("prov-session");
  protocomm.addEndpoint("echo", (request) => request);
  const server = new DeviceHttpServer({ protocomm, logger: silentLogger });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  const serviceName = `127.0.0.1:${port}`;
  const first = new HttpClientTransport({ serviceName, logger: silentLogger });
  const second = new HttpClientTransport({ serviceName, logger: silentLogger });
  try {
    assert.equal(text(await first.send("proto-ver", bytes("none"))), "V0.1");
    assert.match(first.cookie ?? "", /^session=\d+$/);
    await first.send("prov-session", bytes("ok"));
    assert.equal(text(xor(await first.send("echo", xor(bytes("hi"))))), "hi");
    await first.close(); // a new connection, same cookie, same session
    assert.equal(text(xor(await first.send("echo", xor(bytes("again"))))), "again");
    await second.send("proto-ver", bytes("none")); // kicks the first client's socket and session
    assert.notEqual(second.cookie, first.cookie);
    await assert.rejects(
      first.send("echo", xor(bytes("x"))),
      (e: unknown) =>
        e instanceof TransportError &&
        (e.code === ErrorCodes.CLOSED_WITHOUT_REPLY || e.code === ErrorCodes.TRANSPORT),
    );
  } finally {
    await first.close();
    await second.close();
    await server.close();
  }
});
