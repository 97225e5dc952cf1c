// `wifiprov device --count N --mix … --seed …`: firmware generations and faults spread over a virtual fleet from a
// seed, the sidecar that says what was injected into each device, and fleet runs whose reports match it exactly
// — a small one in process for every kind, and the 200-device run with the CLI as users run it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startVirtualFleet } from "../../src/device/virtual-fleet.js";
import { DEFAULT_MIX, MIX_KINDS, parseMix, planMix } from "../../src/device/fleet-mix.js";
import type { FleetMixFile, MixedDeviceRecord } from "../../src/device/fleet-mix-devices.js";
import { formatManifest, parseManifest } from "../../src/fleet/manifest.js";
import { runFleet } from "../../src/fleet/run-fleet.js";
import type { DeviceReport } from "../../src/fleet/run-fleet.js";
import { provision } from "../../src/index.js";
import { silentLogger } from "../../src/logger.js";
import { UsageError } from "../../src/errors.js";
import { runCli } from "../cli/run-cli.js";
import { spawnDevice } from "../hostile/device-process.js";

const tempDir = () => mkdtempSync(join(tmpdir(), "wifiprov-mix-"));

test("--mix syntax: default, shares and counts; a bad spec says what is accepted", () => {
  assert.deepEqual(parseMix("default"), parseMix(DEFAULT_MIX));
  assert.deepEqual(parseMix("v4.0=10%, drop=3"), [
    { kind: "v4.0", share: { percent: 10 } },
    { kind: "drop", share: { count: 3 } },
  ]);
  for (const [bad, why] of [
    ["v3.9=10%", /unknown kind "v3.9"/],
    ["drop=5%,drop=1", /drop is given twice/],
    ["stale=120%", /at most 100%/],
    ["stale", /not KIND=N% or KIND=N/],
    ["drop=1.5", /whole number/],
    ["", /no kind given/],
  ] as const) {
    assert.throws(
      () => parseMix(bad),
      (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.match(e.message, why);
        assert.match(e.hint ?? "", /KIND=N%.*v4\.0, patch0, stale, drop, unreachable, wrongpass/);
        return true;
      },
    );
  }
  assert.throws(() => planMix(parseMix("drop=6,stale=5"), 10, 1), /add up to 11 devices, more than the 10/);
});

test("wifiprov device: a bad --mix or a --seed without it is a usage error (exit 2) before any device starts", async () => {
  const bad = await runCli(["device", "--count", "3", "--listen", "127.0.0.1:0", "--mix", "v3=1"]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /^error: --mix: unknown kind "v3"\nhint: write KIND=N% or KIND=N/);
  const seed = await runCli(["device", "--count", "3", "--listen", "127.0.0.1:0", "--seed", "4"]);
  assert.equal(seed.code, 2, seed.stderr);
  assert.match(seed.stderr, /--seed: expected --mix with it/);
});

test("--mix plan: shares rounded to whole devices, the same seed the same devices, another seed others", () => {
  const spec = parseMix(DEFAULT_MIX);
  const plan = planMix(spec, 200, 42);
  const count = (p: readonly (string | undefined)[], kind: string | undefined) =>
    p.filter((k) => k === kind).length;
  assert.deepEqual(
    MIX_KINDS.map((k) => count(plan, k)),
    [20, 20, 10, 10, 6, 6],
  );
  assert.equal(count(plan, undefined), 128);
  assert.deepEqual(planMix(spec, 200, 42), plan);
  assert.notDeepEqual(planMix(spec, 200, 43), plan);
});

/** A report row against what the mix file says was injected: every field the issue names, exactly. */
function assertAsInjected(report: DeviceReport, injected: MixedDeviceRecord, retries: number): void {
  const what = `${injected.fault} device ${injected.service_name}`;
  assert.equal(report.name, injected.name, what);
  assert.equal(report.outcome, injected.expect.outcome, `${what}: ${report.reason ?? ""}`);
  assert.equal(report.attempts, injected.expect.attempts ?? retries + 1, what);
  if (injected.expect.reason !== undefined) assert.ok(report.reason?.includes(injected.expect.reason), what);
  assert.equal(report.resetFirst ?? false, injected.expect.resetFirst ?? false, what);
  if (injected.expect.outcome === "unreachable") return;
  assert.equal(report.firmware, injected.firmware, what);
  assert.equal(report.securityVersion, injected.security, what);
  if (injected.patch !== undefined) assert.equal(report.patchVersion, injected.patch, what);
}

test("every --mix kind, in process: each device's report is what was injected into it", async () => {
  const text = "v4.0=2,patch0=2,stale=2,drop=2,unreachable=2,wrongpass=2";
  const fleet = await startVirtualFleet({
    count: 14,
    listen: { host: "127.0.0.1", port: 0 },
    // The 30 s a device keeps its service after Got IP become 3 s: far above the client's status polls.
    timeScale: 0.1,
    logger: silentLogger,
    security: { version: 2 },
    credentials: "random",
    mix: { spec: parseMix(text), text, seed: 7 },
  });
  try {
    const mix = fleet.mix!;
    assert.equal(mix.devices.length, 14);
    assert.equal(fleet.devices.length, 12, "the two unreachable devices do not run");
    assert.deepEqual(mix.faults, {
      "v4.0": 2,
      patch0: 2,
      stale: 2,
      drop: 2,
      unreachable: 2,
      wrongpass: 2,
      none: 2,
    });
    const v40 = mix.devices.filter((d) => d.fault === "v4.0");
    assert.ok(v40.every((d) => d.compat === "idf-v4.0" && d.security === 1 && d.firmware === "V0.1"));
    assert.ok(
      mix.devices.filter((d) => d.fault === "patch0").every((d) => d.compat === "idf-v5.0" && d.patch === 0),
    );
    // The v4.0 devices draw their own PoP (no sec2 there), written to the manifest.
    for (const d of v40) assert.match(fleet.manifest.find((r) => r.name === d.name)!.pop!, /^[a-z2-9]{8}$/);
    const sidecar = JSON.stringify(mix);
    for (const row of fleet.manifest) {
      for (const secret of [row.pop, row.sec2_pwd]) if (secret) assert.ok(!sidecar.includes(secret));
    }

    const { devices } = parseManifest(formatManifest(fleet.manifest));
    const report = await runFleet({
      devices,
      ssid: "myssid",
      passphrase: "mypassword",
      concurrency: 7,
      retries: 2,
      retryDelayMs: 5,
      provision,
    });
    for (const injected of mix.devices) {
      assertAsInjected(
        report.devices.find((d) => d.key === injected.service_name)!,
        injected,
        2,
      );
    }
    assert.deepEqual(
      { connected: report.counts.connected, "wifi-failed": report.counts["wifi-failed"] },
      { connected: mix.expected.connected, "wifi-failed": mix.expected["wifi-failed"] },
    );
  } finally {
    await fleet.close();
  }
});

test("200 devices with --mix default --seed 42: wifiprov fleet's counts and per-device report match the injection exactly", async () => {
  const dir = tempDir();
  const manifest = join(dir, "fleet.jsonl");
  // Time runs five times faster on the devices: fast, yet the 6 s a device keeps its service after Got IP
  // (30 s scaled) stays far above the client's 200 ms status polls on a loaded machine.
  const device = spawnDevice([
    "--count",
    "200",
    "--sec-ver",
    "2",
    "--pop",
    "random",
    "--mix",
    "default",
    "--seed",
    "42",
    "--time-scale",
    "0.2",
    "--log-level",
    "error",
    "--manifest-out",
    manifest,
  ]);
  try {
    await device.waitFor(/^Provision: /m, 120_000);
    assert.match(
      device.output(),
      /200 virtual devices \(6 switched off by --mix\).*\nMix: +default \(--seed 42\): 20 v4\.0, 20 patch0, 10 stale, 10 drop, 6 unreachable, 6 wrongpass, 128 plain\nExpected: +188 connected, 6 wifi-failed, 6 unreachable/,
    );
    const mix = JSON.parse(readFileSync(`${manifest}.mix.json`, "utf8")) as FleetMixFile;
    assert.deepEqual(mix.expected, { connected: 188, "wifi-failed": 6, unreachable: 6, error: 0 });

    const reportPath = join(dir, "report.json");
    const run = await runCli(
      [
        "fleet",
        "--manifest",
        manifest,
        "--ssid",
        "myssid",
        "--passphrase",
        "mypassword",
        "--concurrency",
        "32",
        "--report",
        reportPath,
      ],
      { timeoutMs: 180_000 },
    );
    assert.equal(run.code, 1, `not every device connects, by design:\n${run.stdout}\n${run.stderr}`);
    assert.match(
      run.stdout,
      /200 devices in [\d.]+ s:\n +188 +connected\n +6 +could not join the network\n +6 +unreachable\n$/,
    );
    const report = JSON.parse(readFileSync(reportPath, "utf8")) as {
      counts: Record<string, number>;
      devices: DeviceReport[];
    };
    assert.deepEqual(report.counts, {
      connected: 188,
      "wifi-failed": 6,
      "handshake-failed": 0,
      unreachable: 6,
      timeout: 0,
      error: 0,
    });
    assert.equal(report.devices.length, 200);
    for (const injected of mix.devices) {
      assertAsInjected(
        report.devices.find((d) => d.key === injected.service_name)!,
        injected,
        2,
      );
    }
  } finally {
    device.child.kill("SIGTERM");
    assert.equal(await device.exited, 0, device.errors());
  }
});

test("on other base firmware the expectations hold too: v5.0 (no prov-ctrl: a stale device is an error), v4.0, v6.0", async () => {
  const text = "stale=2,wrongpass=1,drop=1";
  for (const compat of ["idf-v5.0", "idf-v4.0", "idf-v6.0"] as const) {
    const fleet = await startVirtualFleet({
      count: 5,
      listen: { host: "127.0.0.1", port: 0 },
      timeScale: 0.1,
      logger: silentLogger,
      compat,
      ...(compat === "idf-v6.0" ? { security: { version: 2 } as const } : {}),
      mix: { spec: parseMix(text), text, seed: 1 },
    });
    try {
      const stale = fleet.mix!.devices.filter((d) => d.fault === "stale");
      assert.deepEqual(
        stale.map((d) => d.expect.outcome),
        compat === "idf-v5.0" ? ["error", "error"] : ["connected", "connected"],
      );
      const { devices } = parseManifest(formatManifest(fleet.manifest));
      const report = await runFleet({
        devices,
        ssid: "myssid",
        passphrase: "mypassword",
        retryDelayMs: 5,
        provision,
      });
      for (const injected of fleet.mix!.devices) {
        assertAsInjected(
          report.devices.find((d) => d.key === injected.service_name)!,
          injected,
          2,
        );
      }
    } finally {
      await fleet.close();
    }
  }
});
