// The captive portal's GET side on a virtual device, over raw sockets: the page and its assets, the OS
// probes redirected to the page while unprovisioned and answered like the internet afterwards, the POST
// endpoints unchanged beside it (a whole provisioning through the Node client), and GET without the portal
// refused exactly as before.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startVirtualDevice } from "../../src/device/index.js";
import { PROBE_PATHS } from "../../src/device/portal.js";
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
    assert.match(page, /\r\nCache-Control: no-store\r\n/);
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
