// `wifiprov` as a child process against the virtual device: exit codes per outcome and --json output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startVirtualDevice } from "../../src/device/index.js";
import type { VirtualDeviceOptions, RunningVirtualDevice } from "../../src/device/index.js";
import { parseEnvironment } from "../../src/wifi/environment.js";
import { runCli } from "./run-cli.js";

async function withDevice(
  options: VirtualDeviceOptions,
  fn: (d: RunningVirtualDevice) => Promise<void>,
): Promise<void> {
  const device = await startVirtualDevice({
    timeScale: 0.02,
    listen: { host: "127.0.0.1", port: 0 },
    ...options,
  });
  try {
    await fn(device);
  } finally {
    await device.close();
  }
}

const wifi = ["--ssid", "myssid", "--passphrase", "mypassword", "--no-input"];

test("sec2 autodetected, --json result, exit 0; secrets not printed", async () => {
  await withDevice({ security: { version: 2 } }, async (d) => {
    const r = await runCli([
      "provision",
      "--transport",
      "SoftAP",
      "--service_name",
      d.serviceName,
      "--sec2_username",
      "wifiprov",
      "--sec2_pwd",
      "abcd1234",
      ...wifi,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      outcome: { state: string; ssid: string };
      security: { securityVersion: number; patchVersion: number };
    };
    assert.equal(out.ok, true);
    assert.equal(out.outcome.state, "connected");
    assert.equal(out.security.securityVersion, 2);
    assert.equal(out.security.patchVersion, 1);
    assert.ok(!r.stdout.includes("mypassword") && !r.stderr.includes("mypassword"));
    assert.ok(!r.stdout.includes("abcd1234") && !r.stderr.includes("abcd1234"));
  });
});

test("esp_prov-style sec1 run with --qrcode credentials, human output, exit 0", async () => {
  await withDevice({ security: { version: 1, pop: "abcd1234" } }, async (d) => {
    const r = await runCli(["provision", "--service_name", d.serviceName, "--qrcode", d.qrPayload, ...wifi]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Device joined myssid/);
    assert.equal(r.stdout, "");
  });
});

test("wrong PoP → 4, wrong passphrase → 5, unknown SSID → 6", async () => {
  await withDevice({ security: { version: 1, pop: "abcd1234" } }, async (d) => {
    const r = await runCli(["provision", "--service_name", d.serviceName, "--pop", "nope-nope", ...wifi]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /hint: .*--pop/);
  });
  await withDevice({ security: { version: 0 } }, async (d) => {
    const r = await runCli([
      "provision",
      "--service_name",
      d.serviceName,
      "--ssid",
      "myssid",
      "--passphrase",
      "wrongpassword",
      "--no-input",
      "--json",
    ]);
    assert.equal(r.code, 5, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { outcome: unknown }).outcome, {
      state: "failed",
      reason: "AuthError",
    });
  });
  await withDevice({ security: { version: 0 } }, async (d) => {
    const r = await runCli([
      "provision",
      "--service_name",
      d.serviceName,
      "--ssid",
      "NoSuchNet",
      "--passphrase",
      "mypassword",
      "--no-input",
    ]);
    assert.equal(r.code, 6, r.stderr);
  });
});

test("missing PoP with --no-input → 2; --reset refused by a device that has not failed → 1", async () => {
  await withDevice({ security: { version: 1, pop: "abcd1234" } }, async (d) => {
    const r = await runCli(["provision", "--service_name", d.serviceName, ...wifi]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /proof of possession/);
    const reset = await runCli([
      "provision",
      "--service_name",
      d.serviceName,
      "--pop",
      "abcd1234",
      "--reset",
      "--no-input",
    ]);
    assert.equal(reset.code, 1, reset.stderr);
    assert.match(reset.stderr, /refused reset/);
  });
});

test("scan and version commands", async () => {
  await withDevice({ security: { version: 0 } }, async (d) => {
    const s = await runCli(["scan", "--service_name", d.serviceName, "--json"]);
    assert.equal(s.code, 0, s.stderr);
    const nets = (JSON.parse(s.stdout) as { networks: { ssid: string; authName: string }[] }).networks;
    assert.ok(nets.some((n) => n.ssid === "myssid"));
    const table = await runCli(["scan", "--service_name", d.serviceName]);
    assert.match(table.stdout, /SSID\s+BSSID\s+CH\s+SIGNAL\s+SECURITY/);
    assert.match(table.stdout, /myssid\s+24:0a:c4:11:22:33/);
    const v = await runCli(["version", "--service_name", d.serviceName]);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /security\s+0/);
    const raw = await runCli(["version", "--service_name", d.serviceName, "--raw"]);
    assert.ok(raw.stdout.startsWith('{\n\t"prov"'));
  });
});

test("an IPv6 device: the service name it prints ([::1]:PORT) and http://[::1]:PORT both work", async () => {
  const device = await startVirtualDevice({
    timeScale: 0.02,
    listen: { host: "::1", port: 0 },
    security: { version: 0 },
  });
  try {
    assert.match(device.serviceName, /^\[::1\]:\d+$/);
    const r = await runCli(["version", "--service_name", device.serviceName, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const h = await runCli(["version", "--service_name", `http://${device.serviceName}/`, "--json"]);
    assert.equal(h.code, 0, h.stderr);
  } finally {
    await device.close();
  }
});

test("a non-ASCII passphrase that fits in 63 bytes provisions; one that does not is refused with the byte count", async () => {
  const environment = parseEnvironment(
    {
      accessPoints: [
        {
          ssid: "café",
          bssid: "02:00:00:00:00:01",
          channel: 6,
          rssi: -50,
          authMode: "WPA2_PSK",
          passphrase: "pässwörd-ключ",
        },
      ],
    },
    "test",
  );
  await withDevice({ security: { version: 0 }, environment }, async (d) => {
    const long = await runCli([
      "provision",
      "--service_name",
      d.serviceName,
      "--ssid",
      "café",
      "--passphrase",
      "ж".repeat(32),
      "--no-input",
    ]);
    assert.equal(long.code, 2, long.stderr);
    assert.match(long.stderr, /64 bytes in UTF-8 \(32 characters\); WPA needs 8–63 bytes/);
    const r = await runCli([
      "provision",
      "--service_name",
      d.serviceName,
      "--ssid",
      "café",
      "--passphrase",
      "pässwörd-ключ",
      "--no-input",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Device joined café/);
  });
});
