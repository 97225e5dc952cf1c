// Fleet rows behind a SoftAP (`join` column): one device at a time per Wi-Fi interface, the interfaces in
// parallel, rows reached over the network beside them with --concurrency; and end to end through
// NetworkManager (the mock on a private dbus-daemon, two interfaces) to loopback virtual devices, the report
// naming the interface that served each device and the laptop left as it was.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startVirtualFleet } from "../../src/device/virtual-fleet.js";
import { formatManifest, parseManifest } from "../../src/fleet/manifest.js";
import { runFleet } from "../../src/fleet/run-fleet.js";
import type { SoftApJoinRequest } from "../../src/fleet/run-fleet.js";
import { provision } from "../../src/index.js";
import type { ProvisionOptions } from "../../src/index.js";
import { silentLogger } from "../../src/logger.js";
import { MockNetworkManager, needsMockNm } from "../helpers/nm-mock/mock-nm.js";
import { runCli } from "../cli/run-cli.js";

const fast = { timeScale: 0.01, logger: silentLogger, listen: { host: "127.0.0.1", port: 0 } } as const;

test("manifest: a join column (service_name optional), softap_password, one row per SoftAP", () => {
  const m = parseManifest(
    [
      "join,service_name,softap_password,sec2_username,sec2_pwd",
      "PROV_000001,,,wifiprov,abcd1234",
      "PROV_000002,127.0.0.1:9002,secret123,wifiprov,abcd1234",
      "PROV_000001,,,wifiprov,abcd1234",
      ",127.0.0.1:9003,secret123,wifiprov,abcd1234",
      "PROV_000004,127.0.0.1:9002,,wifiprov,abcd1234",
    ].join("\n"),
  );
  assert.deepEqual(
    m.devices.map((d) => [d.key, d.serviceName, d.join, d.softApPassword]),
    [
      ["PROV_000001", "192.168.4.1:80", "PROV_000001", undefined],
      ["127.0.0.1:9002", "127.0.0.1:9002", "PROV_000002", "secret123"],
    ],
  );
  assert.deepEqual(m.problems, [
    { line: 4, message: "the same device as line 2 (PROV_000001)" },
    { line: 5, message: "softap_password is only used with join" },
    { line: 6, message: "the same device as line 3 (127.0.0.1:9002)" },
  ]);
});

test("runFleet: joined rows one at a time per interface, interfaces in parallel, direct rows beside them", async () => {
  const fleet = await startVirtualFleet({ ...fast, count: 6, security: { version: 2 } });
  try {
    const rows = fleet.manifest.map((r, i) => (i < 4 ? { ...r, join: r.name } : r));
    const { devices } = parseManifest(formatManifest(rows));
    const inFlight = new Map<string, number>();
    let maxPerInterface = 0;
    const interfacesSeen = new Set<string>();
    // The first join on each interface waits until the other interface has joined too: were the interfaces
    // served one after the other, this would never resolve.
    let release!: () => void;
    const bothJoined = new Promise<void>((resolve) => (release = resolve));
    const joinSoftAp = async (request: SoftApJoinRequest) => {
      const iface = request.interfaceName!;
      const now = (inFlight.get(iface) ?? 0) + 1;
      inFlight.set(iface, now);
      maxPerInterface = Math.max(maxPerInterface, now);
      interfacesSeen.add(iface);
      if (interfacesSeen.size === 2) release();
      await bothJoined;
      return {
        restore: async () => {
          inFlight.set(iface, inFlight.get(iface)! - 1);
        },
      };
    };
    const joinedBy = new Map<string, string>();
    const report = await runFleet({
      devices,
      ssid: "myssid",
      passphrase: "mypassword",
      concurrency: 4,
      interfaces: ["wlan0", "wlan1"],
      joinSoftAp,
      provision: (options: ProvisionOptions) => provision(options),
      onEvent: (e) => {
        if (e.type === "done" && e.report.interface) joinedBy.set(e.report.key, e.report.interface);
      },
    });
    assert.equal(report.counts.connected, 6);
    assert.equal(maxPerInterface, 1, "never two devices at once on one interface");
    assert.deepEqual(
      report.devices.map((d) => d.interface !== undefined),
      [true, true, true, true, false, false],
    );
    assert.deepEqual(new Set(joinedBy.values()), new Set(["wlan0", "wlan1"]));
    assert.ok(report.devices.slice(0, 4).every((d) => typeof d.timings.join === "number"));
  } finally {
    await fleet.close();
  }
});

describe("wifiprov fleet --interface through NetworkManager", needsMockNm(), () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  test("two mock interfaces, four loopback devices behind SoftAPs: all connected, report names the interface, home back", async () => {
    const fleet = await startVirtualFleet({ ...fast, count: 4, security: { version: 2 } });
    cleanups.push(() => fleet.close());
    const mock = await MockNetworkManager.start({
      devices: [
        { iface: "wlan0", mac: "3C:22:FB:00:00:01" },
        { iface: "wlan1", mac: "3C:22:FB:00:00:02" },
      ],
      networks: [
        { ssid: "home", psk: "homepass1", bssid: "AA:BB:CC:00:00:01", frequency: 2437, strength: 90 },
        ...fleet.manifest.map((r, i) => ({
          ssid: r.name,
          psk: "PROV_PASS",
          bssid: `24:0A:C4:00:00:0${i + 1}`,
          frequency: 2412,
          strength: 60,
        })),
      ],
      active: [{ iface: "wlan0", ssid: "home", psk: "homepass1" }],
    });
    cleanups.push(() => mock.stop());
    const dir = mkdtempSync(join(tmpdir(), "wifiprov-fleet-join-"));
    const manifest = join(dir, "fleet.jsonl");
    writeFileSync(manifest, formatManifest(fleet.manifest.map((r) => ({ ...r, join: r.name }))));
    const reportFile = join(dir, "report.json");
    const r = await runCli(
      [
        "fleet",
        "--manifest",
        manifest,
        "--ssid",
        "myssid",
        "--passphrase",
        "mypassword",
        "--interface",
        "wlan0,wlan1",
        "--report",
        reportFile,
      ],
      { env: mock.env, timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as {
      devices: Array<{ outcome: string; interface?: string }>;
    };
    assert.deepEqual(
      report.devices.map((d) => d.outcome),
      ["connected", "connected", "connected", "connected"],
    );
    assert.deepEqual(new Set(report.devices.map((d) => d.interface)), new Set(["wlan0", "wlan1"]));
    assert.match(r.stderr, / via wlan[01]: connected/);
    // Per interface, NetworkManager saw one SoftAP at a time: each SoftAP connection ended before the next
    // one started on that interface; and both interfaces served devices.
    const open = new Map<string, string>();
    const served = new Set<string>();
    for (const e of await mock.log()) {
      const ssid = String.fromCharCode(...((e.ssid as number[] | undefined) ?? []));
      if (e.event === "activate" && ssid.startsWith("PROV_")) {
        const device = e.device as string;
        assert.equal(open.get(device), undefined, `${ssid} joined while another SoftAP was up on ${device}`);
        open.set(device, e.active as string);
        served.add(device);
      } else if (e.event === "deactivated") {
        for (const [device, active] of open) if (active === e.active) open.delete(device);
      }
    }
    assert.equal(served.size, 2);
    const activeOnWlan0 = await mock.activeOn("wlan0");
    assert.equal(activeOnWlan0?.ssid, "home");
    assert.equal(await mock.activeOn("wlan1"), null);
    assert.deepEqual(
      (await mock.profiles()).map((p) => p.id),
      ["home"],
    );
  });

  test("NetworkManager absent: the join rows cannot run, one line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wifiprov-fleet-join-"));
    const manifest = join(dir, "fleet.csv");
    writeFileSync(manifest, "join,sec2_username,sec2_pwd\nPROV_000001,wifiprov,abcd1234\n");
    const r = await runCli(
      ["fleet", "--manifest", manifest, "--ssid", "myssid", "--passphrase", "mypassword"],
      {
        env: { DBUS_SYSTEM_BUS_ADDRESS: "unix:path=/nonexistent/wifiprov-test-bus" },
      },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: NetworkManager is not running; the manifest's join rows need it/m);
  });
});
