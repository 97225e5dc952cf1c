// One host:port parser for the whole package (client service name, HTTP transport, device --listen).
import { test } from "node:test";
import assert from "node:assert/strict";
import { connectableAddress, formatHostPort, parseHostPort } from "../../src/transport/host-port.js";
import { checkServiceName } from "../../src/client/client.js";
import { UsageError } from "../../src/errors.js";

test("accepts host:port, [v6]:port, http://host:port and a default port", () => {
  assert.deepEqual(parseHostPort("192.168.4.1:80"), { host: "192.168.4.1", port: 80 });
  assert.deepEqual(parseHostPort("[::1]:8080"), { host: "::1", port: 8080 });
  assert.deepEqual(parseHostPort("[fe80::1%eth0]:80"), { host: "fe80::1%eth0", port: 80 });
  assert.deepEqual(parseHostPort("http://127.0.0.1:8080/"), { host: "127.0.0.1", port: 8080 });
  assert.deepEqual(parseHostPort("HTTP://[::1]:81"), { host: "::1", port: 81 });
  assert.deepEqual(parseHostPort("prov.local", { defaultPort: 80 }), { host: "prov.local", port: 80 });
  assert.deepEqual(parseHostPort("[::1]", { defaultPort: 80 }), { host: "::1", port: 80 });
});

test("a bare PORT only where the caller gives a host for it", () => {
  assert.deepEqual(parseHostPort("8080", { barePortHost: "127.0.0.1" }), { host: "127.0.0.1", port: 8080 });
  assert.deepEqual(parseHostPort("0", { barePortHost: "127.0.0.1", allowPortZero: true }), {
    host: "127.0.0.1",
    port: 0,
  });
  assert.throws(() => parseHostPort("0", { barePortHost: "127.0.0.1" }), UsageError);
});

test("refuses what it cannot use, with a spelling that works as the hint", () => {
  for (const bad of [
    "",
    "host:",
    "host:99999",
    "host:x",
    "::1:8080",
    "[127.0.0.1]:80",
    "https://h:1",
    "a b:1",
    "h:1/x",
    "[::1",
  ]) {
    assert.throws(
      () => parseHostPort(bad, { what: "--service_name" }),
      (e: unknown) => e instanceof UsageError && e.message.startsWith("--service_name: ") && Boolean(e.hint),
      bad,
    );
  }
  assert.throws(
    () => parseHostPort("::1:8080"),
    (e: UsageError) => /\[::1\]:PORT/.test(e.hint ?? ""),
  );
  assert.throws(() => parseHostPort("prov.local"), /a port is required/);
});

test("prints an address a client can use: brackets for v6, loopback for a wildcard", () => {
  assert.equal(formatHostPort({ host: "::1", port: 8080 }), "[::1]:8080");
  assert.equal(formatHostPort({ host: "10.0.0.1", port: 80 }), "10.0.0.1:80");
  assert.deepEqual(connectableAddress({ host: "0.0.0.0", port: 1 }), { host: "127.0.0.1", port: 1 });
  assert.deepEqual(connectableAddress({ host: "::", port: 1 }), { host: "::1", port: 1 });
  assert.equal(checkServiceName("[::1]:8080"), "[::1]:8080");
  assert.equal(checkServiceName("http://192.168.4.1"), "192.168.4.1:80");
});
