// A client that never got a connection says "cannot reach" with the hint to join the device's access point;
// it never blames the proof of possession. ENETUNREACH is produced inside a network namespace of our own
// (only a loopback device, down), so nothing leaves this machine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { closedPort, runCli } from "./run-cli.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const namespaces = spawnSync("unshare", ["-rn", "true"]).status === 0;

test(
  "no route to the device (ENETUNREACH): unreachable, exit 3, hint to join its access point",
  { skip: namespaces ? undefined : "unshare -rn (user + network namespace) is not available here" },
  () => {
    const r = spawnSync(
      "unshare",
      [
        "-rn",
        process.execPath,
        "--import",
        "tsx",
        "src/cli/main.ts",
        "version",
        "--service_name",
        "10.1.2.3:80",
        "--json",
      ],
      { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
    );
    assert.equal(r.status, 3, r.stderr);
    const out = JSON.parse(r.stdout) as { error: { code: string; message: string; hint: string } };
    assert.equal(out.error.code, "WIFIPROV_TRANSPORT");
    assert.match(out.error.message, /cannot reach 10\.1\.2\.3:80: no route to it/);
    assert.match(out.error.hint, /join the device.s Wi-Fi access point \(its SoftAP/);
    assert.doesNotMatch(
      `${out.error.message} ${out.error.hint}`,
      /proof of possession|closed the connection/,
    );
  },
);

test("connection refused: unreachable, exit 3, in plain words", async () => {
  const port = await closedPort();
  const r = await runCli([
    "provision",
    "--service_name",
    `127.0.0.1:${port}`,
    "--ssid",
    "s",
    "--passphrase",
    "",
    "--no-input",
  ]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /cannot reach 127\.0\.0\.1:\d+: nothing is listening there \(connection refused\)/);
  assert.match(r.stderr, /hint: join the device's Wi-Fi access point/);
});

async function webServer(
  status: number,
  body: string,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(status, { "Content-Type": "text/html" });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

test("a web server that is not a device: one line saying so, without its HTML page", async () => {
  const page =
    "<!DOCTYPE html>\n<html><body><h1>Not Implemented</h1>\n<p>POST is not supported</p></body></html>\n";
  for (const [status, body, why] of [
    [501, page, "HTTP 501"],
    [200, page, "its /proto-ver reply is not a version"],
  ] as const) {
    const web = await webServer(status, body);
    try {
      const r = await runCli(["version", "--service_name", `127.0.0.1:${web.port}`]);
      assert.equal(r.code, 3, r.stderr);
      const error = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
      assert.deepEqual(error, [
        `error: something answered at 127.0.0.1:${web.port}, but it is not a provisioning service (${why})`,
      ]);
      assert.doesNotMatch(r.stderr, /<html|Not Implemented/);
    } finally {
      await web.close();
    }
  }
});
