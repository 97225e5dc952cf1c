// The captive portal's GET side on a virtual device, over raw sockets: the page and its assets, the OS
// probes redirected to the page while unprovisioned and answered like the internet afterwards, the POST
// endpoints unchanged beside it (a whole provisioning through the Node client), and GET without the portal
// refused exactly as before; the files gzipped for browsers that accept it, with Vary, ETag and 304.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { startVirtualDevice } from "../../src/device/index.js";
import { PROBE_PATHS, portalPages } from "../../src/device/portal.js";
import type { PortalAssets } from "../../src/device/portal.js";
import { provision } from "../../src/index.js";
import { silentLogger } from "../../src/logger.js";
import { RawClient } from "../transport/helpers/raw-client.js";

const assets: PortalAssets = {
  "/": { type: "text/html; charset=utf-8", body: "<!doctype html><title>page</title>" },
  "/portal/app.js": { type: "text/javascript; charset=utf-8", body: "console.log(1)" },
};

async function get(port: number, path: string): Promise<string> {
  const client = await RawClient.open(port);
  try {
    client.write(`GET ${path} HTTP/1.1\r\nHost: connectivitycheck.gstatic.com\r\n\r\n`);
    return await client.response();
  } finally {
    client.destroy();
  }
}

/** One GET with extra header lines, on a connection of its own. */
async function getWith(port: number, path: string, headers: string): Promise<string> {
  const client = await RawClient.open(port);
  try {
    client.write(`GET ${path} HTTP/1.1\r\nHost: 192.168.4.1\r\n${headers}\r\n`);
    return await client.response();
  } finally {
    client.destroy();
  }
}

/** A header's value in a response, or undefined. */
const header = (response: string, name: string) =>
  new RegExp(`\r\n${name}: ([^\r]*)\r\n`).exec(response.slice(0, response.indexOf("\r\n\r\n") + 2))?.[1];

const statusLine = (response: string) => response.slice(0, response.indexOf("\r\n"));
const body = (response: string) => response.slice(response.indexOf("\r\n\r\n") + 4);

test("portal: page, assets, probes redirected until provisioned, then answered as the OS expects", async () => {
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    timeScale: 0.01,
    logger: silentLogger,
    portal: assets,
    // Kept running after success, so the probes' post-provisioning answers can be read.
    autoStopMs: false,
    security: { version: 1, pop: "abcd1234" },
  });
  try {
    const { port } = device.address;
    const page = await get(port, "/");
    assert.equal(statusLine(page), "HTTP/1.1 200 OK");
    assert.match(page, /\r\nContent-Type: text\/html; charset=utf-8\r\n/);
    assert.match(page, /\r\nCache-Control: no-cache\r\n/);
    assert.equal(body(page), "<!doctype html><title>page</title>");
    assert.equal(body(await get(port, "/portal/app.js?v=1")), "console.log(1)");
    for (const probe of [...PROBE_PATHS, "/favicon.ico", "/some/where"]) {
      const reply = await get(port, probe);
      assert.equal(statusLine(reply), "HTTP/1.1 302 Found", probe);
      assert.match(reply, new RegExp(`\\r\\nLocation: http://127\\.0\\.0\\.1:${port}/\\r\\n`), probe);
    }
    // Several GETs then a POST on one keep-alive connection: the page does not disturb the endpoints' rules.
    const raw = await RawClient.open(port);
    raw.write("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /generate_204 HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.equal(statusLine(await raw.response()), "HTTP/1.1 200 OK");
    assert.equal(statusLine(await raw.response()), "HTTP/1.1 302 Found");
    raw.write("POST /proto-ver HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx");
    assert.match(await raw.response(), /^HTTP\/1\.1 200 OK\r\n[^]*"prov":/);
    raw.write("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.equal(statusLine(await raw.response()), "HTTP/1.1 404 Not Found", "only GET is a page");
    raw.destroy();

    const result = await provision({
      serviceName: device.serviceName,
      pop: "abcd1234",
      ssid: "myssid",
      passphrase: "mypassword",
    });
    assert.equal(result.outcome.state, "connected");
    await device.waitFor("provisioned");
    const expectations: Record<string, [string, string]> = {
      "/generate_204": ["HTTP/1.1 204 No Content", ""],
      "/hotspot-detect.html": [
        "HTTP/1.1 200 OK",
        "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>",
      ],
      "/connecttest.txt": ["HTTP/1.1 200 OK", "Microsoft Connect Test"],
      "/ncsi.txt": ["HTTP/1.1 200 OK", "Microsoft NCSI"],
      "/success.txt": ["HTTP/1.1 200 OK", "success\n"],
    };
    for (const [probe, [line, text]] of Object.entries(expectations)) {
      const reply = await get(port, probe);
      assert.equal(statusLine(reply), line, probe);
      assert.equal(body(reply), text, probe);
    }
  } finally {
    await device.close();
  }
});

test("portal off (the simulated radio's default): GET / is refused as ESP-IDF's httpd refuses it", async () => {
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    logger: silentLogger,
  });
  try {
    const reply = await get(device.address.port, "/generate_204");
    assert.equal(statusLine(reply), "HTTP/1.1 404 Not Found");
    assert.equal(body(reply), "Nothing matches the given URI");
  } finally {
    await device.close();
  }
});

const script = "console.log('a script long enough for gzip to pay');\n".repeat(50);
const gzipAssets: PortalAssets = {
  // Too short for gzip to make it smaller: always sent as is, so no Vary either.
  "/": { type: "text/html; charset=utf-8", body: "<!doctype html><title>page</title>" },
  "/portal/app.js": { type: "text/javascript; charset=utf-8", body: script },
};

test("portal: files gzipped when Accept-Encoding allows it, with Vary and an ETag; 304 for the copy a browser has", async () => {
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    logger: silentLogger,
    portal: gzipAssets,
    security: { version: 1, pop: "abcd1234" },
  });
  try {
    const { port } = device.address;
    const chromium = "Accept-Encoding: gzip, deflate, br, zstd\r\n";
    const zipped = await getWith(port, "/portal/app.js", chromium);
    assert.equal(statusLine(zipped), "HTTP/1.1 200 OK");
    assert.equal(header(zipped, "Content-Type"), "text/javascript; charset=utf-8");
    assert.equal(header(zipped, "Content-Encoding"), "gzip");
    assert.equal(header(zipped, "Vary"), "Accept-Encoding");
    assert.equal(header(zipped, "Cache-Control"), "no-cache");
    const zippedTag = header(zipped, "ETag");
    assert.match(zippedTag ?? "", /^"[\w-]+-gzip"$/);
    const bytes = Buffer.from(body(zipped), "latin1");
    assert.equal(Number(header(zipped, "Content-Length")), bytes.length);
    assert.ok(bytes.length < script.length / 5, `gzipped: ${bytes.length} bytes`);
    assert.equal(gunzipSync(bytes).toString("utf8"), script);

    // No Accept-Encoding, gzip refused, or only identity: the bytes as they are, under another tag.
    for (const refusal of ["", "Accept-Encoding: gzip;q=0, identity\r\n", "Accept-Encoding: identity\r\n"]) {
      const plain = await getWith(port, "/portal/app.js", refusal);
      assert.equal(statusLine(plain), "HTTP/1.1 200 OK", refusal);
      assert.equal(header(plain, "Content-Encoding"), undefined, refusal);
      assert.equal(header(plain, "Vary"), "Accept-Encoding", refusal);
      assert.equal(body(plain), script, refusal);
      assert.match(header(plain, "ETag") ?? "", /^"[\w-]+"$/, refusal);
      assert.notEqual(header(plain, "ETag"), zippedTag, refusal);
    }
    // Accept-Encoding in two fields counts as one list.
    const split = await getWith(port, "/portal/app.js", "Accept-Encoding: br\r\nAccept-Encoding: gzip\r\n");
    assert.equal(header(split, "Content-Encoding"), "gzip");

    // The browser's cached copy still matches: 304 with the same validators and no body, and the
    // connection goes on (no Content-Length on a 304, and none needed).
    const raw = await RawClient.open(port);
    raw.write(
      `GET /portal/app.js HTTP/1.1\r\nHost: x\r\n${chromium}If-None-Match: "other", W/${zippedTag}\r\n\r\n`,
    );
    const notModified = await raw.response();
    assert.equal(
      notModified,
      `HTTP/1.1 304 Not Modified\r\nCache-Control: no-cache\r\nETag: ${zippedTag}\r\nVary: Accept-Encoding\r\n\r\n`,
    );
    // The gzip tag does not validate the uncompressed form.
    raw.write(`GET /portal/app.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: ${zippedTag}\r\n\r\n`);
    const full = await raw.response();
    assert.equal(statusLine(full), "HTTP/1.1 200 OK");
    assert.equal(body(full), script);
    // The POST endpoints are untouched: ESP's exact bytes, never compressed.
    raw.write(`POST /proto-ver HTTP/1.1\r\nHost: x\r\n${chromium}Content-Length: 1\r\n\r\nx`);
    const version = await raw.response();
    assert.match(
      version,
      /^HTTP\/1\.1 200 OK\r\nContent-Type: text\/html\r\nContent-Length: \d+\r\n(Set-Cookie: [^\r]*\r\n)?\r\n\{/,
    );
    raw.destroy();

    // Too small to shrink: as is, with an ETag, and nothing varies.
    const page = await getWith(port, "/", chromium);
    assert.equal(header(page, "Content-Encoding"), undefined);
    assert.equal(header(page, "Vary"), undefined);
    assert.equal(header(page, "Cache-Control"), "no-cache");
    assert.equal(body(page), "<!doctype html><title>page</title>");
    // Redirects and the device name are never kept.
    const probe = await getWith(port, "/generate_204", chromium);
    assert.equal(header(probe, "Cache-Control"), "no-store");
    assert.equal(header(probe, "ETag"), undefined);
    assert.equal(header(await getWith(port, "/portal/device.json", chromium), "Cache-Control"), "no-store");
  } finally {
    await device.close();
  }
});

test("portal: each file is compressed once, not per request, and shared by devices serving the same files", () => {
  const options = { provisioned: () => false, pageUrl: () => "/", deviceName: "PROV_1" };
  const first = portalPages({ ...options, assets: gzipAssets });
  const second = portalPages({ ...options, assets: gzipAssets });
  const request = { path: "/portal/app.js", host: undefined, acceptEncoding: "gzip" };
  const a = first(request);
  assert.equal(a?.encoding, "gzip");
  assert.equal(first(request)?.body, a.body, "the same bytes object for a second request");
  assert.equal(second(request)?.body, a.body, "and for another device with the same assets");
});
