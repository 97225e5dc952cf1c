/**
 * The ClientTransport contract, written once and run against every implementation (HTTP on one keep-alive
 * socket, fetch): what the client core relies on, whatever carries its messages.
 * - replies come back byte for byte, and the session survives a new connection (cookie, protocol.md §2.3);
 * - a connection closed without a reply (how ESP reports a failed request) is CLOSED_WITHOUT_REPLY and the
 *   request is not resent; an HTTP error status is HTTP_STATUS with the status; a device that cannot be
 *   reached is TRANSPORT (never CLOSED_WITHOUT_REPLY: the client would blame the PoP);
 * - timeouts are TimeoutError, aborts AbortedError, an aborted signal sends nothing;
 * - close() may be called at any time and the next send works.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { DeviceHttpServer } from "../../src/transport/index.js";
import type { ClientTransport } from "../../src/transport/index.js";
import { Protocomm } from "../../src/protocomm/index.js";
import { AbortedError, ErrorCodes, TimeoutError, TransportError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { startFakeDevice } from "./helpers/fake-device.js";
import { okResponse } from "./helpers/raw-client.js";
import { fakeSecurity, xor } from "../protocomm/helpers/fake-security.js";

export type TransportFactory = (serviceName: string, options?: { timeoutMs?: number }) => ClientTransport;

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const isCode = (code: string, status?: number) => (e: unknown) =>
  e instanceof TransportError && e.code === code && (status === undefined || e.status === status);

async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export function clientTransportContract(name: string, make: TransportFactory): void {
  test(`${name}: a session on the device server survives close() and a new connection (cookie)`, async () => {
    const protocomm = new Protocomm({ security: fakeSecurity(1), logger: silentLogger });
    protocomm.setVersionEndpoint("proto-ver", "V0.1");
    protocomm.setSecurityEndpoint("prov-session");
    protocomm.addEndpoint("echo", (request) => request);
    const server = new DeviceHttpServer({ protocomm, logger: silentLogger });
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    const transport = make(`127.0.0.1:${port}`);
    try {
      assert.equal(transport.target.includes(String(port)), true, "target names the device");
      assert.equal(text(await transport.send("proto-ver", bytes("none"))), "V0.1");
      await transport.send("prov-session", bytes("ok"));
      assert.equal(text(xor(await transport.send("echo", xor(bytes("hi"))))), "hi");
      await transport.close();
      assert.equal(text(xor(await transport.send("echo", xor(bytes("again"))))), "again");
    } finally {
      await transport.close();
      await server.close();
    }
  });

  test(`${name}: a connection closed without a reply is CLOSED_WITHOUT_REPLY, and not resent`, async () => {
    const device = await startFakeDevice((_r, i) => (i === 0 ? okResponse("ok") : "close"));
    const transport = make(`127.0.0.1:${device.port}`);
    try {
      assert.equal(text(await transport.send("proto-ver", bytes("none"))), "ok");
      await assert.rejects(
        transport.send("prov-session", bytes("bad")),
        isCode(ErrorCodes.CLOSED_WITHOUT_REPLY),
      );
      assert.equal(device.requests.length, 2, "the failed request was not resent");
    } finally {
      await transport.close();
      await device.close();
    }
  });

  test(`${name}: an HTTP error status is HTTP_STATUS with the status; the next send works`, async () => {
    const notFound =
      "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 29\r\n\r\nNothing matches the given URI";
    const device = await startFakeDevice((_r, i) =>
      i === 0 ? { reply: notFound, thenClose: true } : okResponse("V0.1"),
    );
    const transport = make(`127.0.0.1:${device.port}`);
    try {
      await assert.rejects(transport.send("prov-scan", bytes("x")), isCode(ErrorCodes.HTTP_STATUS, 404));
      assert.equal(text(await transport.send("proto-ver", bytes("none"))), "V0.1");
    } finally {
      await transport.close();
      await device.close();
    }
  });

  test(`${name}: the cookie the device set is presented again on a new connection`, async () => {
    const device = await startFakeDevice((_r, i) =>
      i === 0 ? { reply: okResponse("a", "session=77"), thenClose: true } : okResponse("b"),
    );
    const transport = make(`127.0.0.1:${device.port}`);
    try {
      assert.equal(text(await transport.send("proto-ver", bytes("none"))), "a");
      await transport.close();
      assert.equal(text(await transport.send("prov-session", bytes("x"))), "b");
      assert.match(device.requests[1]!.bytes, /\r\nCookie: session=77\r\n/i);
    } finally {
      await transport.close();
      await device.close();
    }
  });

  test(`${name}: a device that cannot be reached is TRANSPORT, not a closed connection`, async () => {
    const transport = make(`127.0.0.1:${await closedPort()}`);
    try {
      await assert.rejects(transport.send("proto-ver", bytes("none")), isCode(ErrorCodes.TRANSPORT));
    } finally {
      await transport.close();
    }
  });

  test(`${name}: timeouts and aborts; an aborted signal sends nothing`, async () => {
    const device = await startFakeDevice(() => "hang");
    const transport = make(`127.0.0.1:${device.port}`, { timeoutMs: 50 });
    try {
      await assert.rejects(transport.send("proto-ver", bytes("none")), TimeoutError);
      const controller = new AbortController();
      const pending = transport.send("proto-ver", bytes("none"), { signal: controller.signal });
      controller.abort();
      await assert.rejects(pending, AbortedError);
      const before = device.requests.length;
      await assert.rejects(
        transport.send("proto-ver", bytes("none"), { signal: AbortSignal.abort() }),
        AbortedError,
      );
      assert.equal(device.requests.length, before, "an aborted signal sends nothing");
    } finally {
      await transport.close();
      await device.close();
    }
  });
}
