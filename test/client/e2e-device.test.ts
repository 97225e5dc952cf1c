// The library against the virtual device (startVirtualDevice) on 127.0.0.1: every security level, patch level and
// compat profile, wrong credentials, Wi-Fi failures, scan, custom data, reset, and a dropped socket resumed
// through the session cookie.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startVirtualDevice } from "../../src/device/index.js";
import type { VirtualDeviceOptions } from "../../src/device/index.js";
import {
  connect,
  provision,
  HttpClientTransport,
  FetchClientTransport,
  AuthenticationError,
} from "../../src/index.js";
import type { ProvisionOptions } from "../../src/index.js";

const fast = { timeScale: 0.02, listen: { host: "127.0.0.1", port: 0 } } as const;

async function withDevice<T>(
  options: VirtualDeviceOptions,
  fn: (serviceName: string) => Promise<T>,
): Promise<T> {
  const device = await startVirtualDevice({ ...fast, ...options });
  try {
    return await fn(device.serviceName);
  } finally {
    await device.close();
  }
}

const wifi = { ssid: "myssid", passphrase: "mypassword", waitTimeoutMs: 20_000 } as const;

const matrix: {
  name: string;
  device: VirtualDeviceOptions;
  client: Partial<ProvisionOptions>;
  level: number;
  patch: number;
}[] = [
  { name: "v5.5 sec0", device: { security: { version: 0 } }, client: {}, level: 0, patch: 0 },
  {
    name: "v5.5 sec1 PoP",
    device: { security: { version: 1, pop: "abcd1234" } },
    client: { pop: "abcd1234" },
    level: 1,
    patch: 0,
  },
  {
    name: "v5.5 sec1 no PoP (given one is ignored)",
    device: { security: { version: 1 } },
    client: { pop: "ignored!" },
    level: 1,
    patch: 0,
  },
  {
    name: "v5.5 sec2 patch 1",
    device: { security: { version: 2 } },
    client: { username: "wifiprov", password: "abcd1234" },
    level: 2,
    patch: 1,
  },
  {
    name: "v5.0 sec2 patch 0 (no sec_patch_ver)",
    device: { compat: "idf-v5.0", security: { version: 2 } },
    client: { username: "wifiprov", password: "abcd1234" },
    level: 2,
    patch: 0,
  },
  {
    name: "v5.0 sec1",
    device: { compat: "idf-v5.0", security: { version: 1, pop: "abcd1234" } },
    client: { pop: "abcd1234" },
    level: 1,
    patch: 0,
  },
  {
    name: "v6.0 (network_provisioning) sec2, its default",
    device: { compat: "idf-v6.0" },
    client: { username: "wifiprov", password: "abcd1234" },
    level: 2,
    patch: 1,
  },
  {
    name: "v5.1 sec2 patch 0 (16-byte nonce)",
    device: { compat: "idf-v5.1", security: { version: 2 } },
    client: { username: "wifiprov", password: "abcd1234" },
    level: 2,
    patch: 0,
  },
  {
    name: "v5.4.1 sec2 patch 1",
    device: { compat: "idf-v5.4.1", security: { version: 2 } },
    client: { username: "wifiprov", password: "abcd1234" },
    level: 2,
    patch: 1,
  },
  {
    name: "v4.0 sec1 (V0.1)",
    device: { compat: "idf-v4.0", security: { version: 1, pop: "abcd1234" } },
    client: { pop: "abcd1234" },
    level: 1,
    patch: 0,
  },
  {
    name: "v4.0 sec0 (forced: V0.1 cannot say)",
    device: { compat: "idf-v4.0", security: { version: 0 } },
    client: { secVer: 0 },
    level: 0,
    patch: 0,
  },
];

for (const m of matrix) {
  test(`provision: ${m.name}`, async () => {
    // The v5.5 device only announces no_pop when it has no PoP; make sure the 'no PoP' case really has none.
    const device = m.name.includes("no PoP") ? { security: { version: 1 as const, pop: "" } } : m.device;
    await withDevice(device, async (serviceName) => {
      const r = await provision({ serviceName, ...wifi, ...m.client });
      assert.equal(r.outcome.state, "connected", JSON.stringify(r.outcome));
      assert.equal(r.session.securityVersion, m.level);
      assert.equal(r.session.patchVersion, m.patch);
      assert.equal(r.session.popIgnored, m.name.includes("ignored"));
      if (r.outcome.state === "connected") {
        assert.equal(r.outcome.ssid, "myssid");
        assert.match(r.outcome.ip, /^\d+\.\d+\.\d+\.\d+$/);
      }
    });
  });
}

test("wrong PoP, wrong SRP password, wrong forced level: AuthenticationError", async () => {
  await withDevice({ security: { version: 1, pop: "abcd1234" } }, async (serviceName) => {
    await assert.rejects(provision({ serviceName, ...wifi, pop: "wrong-pop" }), AuthenticationError);
    await assert.rejects(provision({ serviceName, ...wifi, secVer: 0 }), AuthenticationError);
  });
  await withDevice({ security: { version: 2 } }, async (serviceName) => {
    await assert.rejects(
      provision({ serviceName, ...wifi, username: "wifiprov", password: "wrong" }),
      (e: unknown) => e instanceof AuthenticationError && typeof e.hint === "string",
    );
  });
});

test("wrong passphrase → AuthError; unknown SSID → NetworkNotFound", async () => {
  await withDevice({ security: { version: 0 } }, async (serviceName) => {
    const r = await provision({ serviceName, ...wifi, passphrase: "not-the-password" });
    assert.deepEqual(r.outcome, { state: "failed", reason: "AuthError" });
  });
  await withDevice({ security: { version: 0 } }, async (serviceName) => {
    const r = await provision({ serviceName, ...wifi, ssid: "NoSuchNetwork" });
    assert.deepEqual(r.outcome, { state: "failed", reason: "NetworkNotFound" });
  });
});

test("after a failure, reset lets the same session try again (v5.x)", async () => {
  await withDevice({ security: { version: 1, pop: "abcd1234" } }, async (serviceName) => {
    const client = await connect({ serviceName });
    try {
      await client.establishSession({ pop: "abcd1234" });
      await client.setConfig({ ssid: "myssid", passphrase: "wrong-pass" });
      await client.applyConfig();
      assert.equal((await client.waitForConnection({ timeoutMs: 20_000 })).state, "failed");
      await client.reset();
      await client.setConfig({ ssid: "myssid", passphrase: "mypassword" });
      await client.applyConfig();
      assert.equal((await client.waitForConnection({ timeoutMs: 20_000 })).state, "connected");
    } finally {
      await client.close();
    }
  });
});

test("scan in small pages, custom data, and a dropped socket resumed by cookie", async () => {
  await withDevice({ security: { version: 2 } }, async (serviceName) => {
    const transport = new HttpClientTransport({ serviceName });
    const client = await connect({ serviceName, transport });
    try {
      await client.establishSession({ username: "wifiprov", password: "abcd1234" });
      const entries = await client.scan({ chunkSize: 2 });
      assert.ok(entries.length >= 4);
      assert.ok(entries.some((e) => e.ssid === "myssid" && e.authName === "WPA2_PSK"));
      assert.ok(entries.every((e) => /^[0-9a-f]{12}$/.test(e.bssid) && e.rssi < 0 && e.channel > 0));
      const nonBlocking = await client.scan({ blocking: false });
      assert.equal(nonBlocking.length, entries.length);
      assert.equal(
        Buffer.from(await client.sendData("custom-data", "hello")).toString("latin1"),
        "SUCCESS\0",
      );

      // Drop the TCP connection: the next request opens a new one and presents the cookie, so the device keeps
      // the sec2 session (protocol.md §2.3) and the nonce counter continues.
      await transport.close();
      await client.setConfig({ ssid: "myssid", passphrase: "mypassword" });
      await transport.close();
      await client.applyConfig();
      assert.equal((await client.waitForConnection({ timeoutMs: 20_000 })).state, "connected");
    } finally {
      await client.close();
    }
  });
});

test("version(): what each profile announces", async () => {
  const cases = [
    ["idf-v5.5", { version: 2 }, { securityVersion: 2, securityPatchVersion: 1, format: "json" }],
    ["idf-v5.0", { version: 2 }, { securityVersion: 2, securityPatchVersion: undefined, format: "json" }],
    [
      "idf-v4.0",
      { version: 1, pop: "abcd1234" },
      { securityVersion: undefined, securityPatchVersion: undefined, format: "plain" },
    ],
  ] as const;
  for (const [compat, security, want] of cases) {
    await withDevice({ compat, security }, async (serviceName) => {
      const client = await connect({ serviceName });
      const v = await client.version();
      assert.deepEqual(
        {
          securityVersion: v.securityVersion,
          securityPatchVersion: v.securityPatchVersion,
          format: v.format,
        },
        want,
        compat,
      );
      if (compat === "idf-v4.0") {
        assert.equal(v.raw, "V0.1");
        await client.establishSession({ pop: "abcd1234" });
        await assert.rejects(client.scan(), /no scan endpoint/);
      }
      await client.close();
    });
  }
});

test("the fetch transport provisions the device too (sec1 and sec2): what the browser bundle uses", async () => {
  for (const [security, credentials] of [
    [{ version: 1, pop: "abcd1234" }, { pop: "abcd1234" }],
    [{ version: 2 }, { username: "wifiprov", password: "abcd1234" }],
  ] as const) {
    await withDevice({ security }, async (serviceName) => {
      const transport = new FetchClientTransport({ baseUrl: `http://${serviceName}` });
      const result = await provision({ transport, ...credentials, ...wifi });
      assert.equal(result.outcome.state, "connected");
      assert.equal(result.session.securityVersion, security.version);
    });
  }
});

test("a Thread-only network_provisioning device is refused before any session or credential", async () => {
  const { ScriptedTransport } = await import("./fake-device.js");
  const { UnsupportedError } = await import("../../src/errors.js");
  const threadOnly = JSON.stringify({
    prov: {
      ver: "netprov-v1.2",
      sec_ver: 0,
      sec_patch_ver: 0,
      cap: ["no_sec", "thread_prov", "thread_scan"],
    },
  });
  const transport = new ScriptedTransport([], threadOnly);
  await assert.rejects(
    provision({ serviceName: "127.0.0.1:9", transport, ...wifi }),
    (e: unknown) =>
      e instanceof UnsupportedError &&
      /Thread networks only/.test(e.message) &&
      /esp_prov/.test(e.hint ?? ""),
  );
  assert.deepEqual(transport.sent, ["proto-ver:2d2d2d"], "nothing but the version request was sent");
  // The client API refuses Wi-Fi requests to it too.
  const client = await connect({
    serviceName: "127.0.0.1:9",
    transport: new ScriptedTransport([], threadOnly),
  });
  await client.version();
  await client.establishSession();
  await assert.rejects(client.setConfig({ ssid: "myssid", passphrase: "mypassword" }), UnsupportedError);
  await assert.rejects(client.scan(), UnsupportedError);
  await client.close();
});
