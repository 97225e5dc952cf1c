// wifiprov fleet: a virtual fleet in one process, the manifest (CSV and JSON lines, bad lines by number),
// bounded-concurrency provisioning with retries only where a retry can help, and a journal that resumes an
// interrupted run without provisioning a device twice and refuses another manifest's journal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { startVirtualFleet } from "../../src/device/virtual-fleet.js";
import { formatManifest, parseManifest } from "../../src/fleet/manifest.js";
import { FleetJournal, manifestDigest } from "../../src/fleet/journal.js";
import { runFleet } from "../../src/fleet/run-fleet.js";
import { provision } from "../../src/index.js";
import type { ProvisionOptions } from "../../src/index.js";
import { runFleetCommand } from "../../src/cli/commands/fleet.js";
import { silentLogger } from "../../src/logger.js";
import { UsageError } from "../../src/errors.js";

const fast = { timeScale: 0.01, logger: silentLogger, listen: { host: "127.0.0.1", port: 0 } } as const;
const tempDir = () => mkdtempSync(join(tmpdir(), "wifiprov-fleet-"));

function countingProvision() {
  const calls: string[] = [];
  const fn = (options: ProvisionOptions) => {
    calls.push(options.serviceName!);
    return provision(options);
  };
  return { calls, fn };
}

test("a virtual fleet: distinct MACs, SoftAP names and ports, each device its own random SRP password", async () => {
  const fleet = await startVirtualFleet({
    ...fast,
    count: 5,
    security: { version: 2 },
    credentials: "random",
  });
  try {
    const names = new Set(fleet.manifest.map((r) => r.name));
    const services = new Set(fleet.manifest.map((r) => r.service_name));
    const passwords = new Set(fleet.manifest.map((r) => r.sec2_pwd));
    assert.equal(names.size, 5);
    assert.equal(services.size, 5);
    assert.equal(passwords.size, 5);
    for (const row of fleet.manifest) {
      assert.match(row.name, /^PROV_[0-9A-F]{6}$/);
      assert.equal(JSON.parse(row.qrcode).pop, row.sec2_pwd);
    }
  } finally {
    await fleet.close();
  }
});

test("a fleet with a state directory: its MACs are kept; devices provisioned in an earlier run are reported, not in the manifest", async () => {
  const stateDir = tempDir();
  const options = {
    ...fast,
    count: 3,
    security: { version: 0 as const },
    stateDir,
    autoStopMs: false as const,
  };
  const first = await startVirtualFleet(options);
  let names: string[];
  try {
    names = first.manifest.map((r) => r.name);
    assert.equal(
      new Set(names).size,
      3,
      "the fleet's distinct MACs reach devices with a state directory too",
    );
    assert.deepEqual(first.provisioned, []);
    const { devices } = parseManifest(formatManifest(first.manifest.slice(0, 2)));
    const report = await runFleet({ devices, ssid: "myssid", passphrase: "mypassword", provision });
    assert.equal(report.counts.connected, 2);
  } finally {
    await first.close();
  }
  // Restarted: the two provisioned devices join their network (as firmware does) and are left out of the
  // manifest, which would otherwise name devices nothing can reach.
  const second = await startVirtualFleet(options);
  try {
    assert.deepEqual(
      second.provisioned,
      ["device-0000", "device-0001"].map((d) => join(stateDir, d)),
    );
    assert.deepEqual(
      second.manifest.map((r) => r.name),
      [names[2]],
    );
    assert.equal(second.devices.length, 3);
  } finally {
    await second.close();
  }
  // With resetProvisioning every device provisions again, under the same SoftAP name as before.
  const third = await startVirtualFleet({ ...options, resetProvisioning: true });
  try {
    assert.deepEqual(third.provisioned, []);
    assert.deepEqual(
      third.manifest.map((r) => r.name),
      names,
    );
  } finally {
    await third.close();
  }
});

test("manifest: CSV with quotes, JSON lines; a bad or duplicate line is named by its number, the rest kept", () => {
  const csv = [
    "service_name,name,pop",
    '127.0.0.1:9001,"Kitchen, left",abcd1234',
    "127.0.0.1:9002,Hall",
    "not a host:port,x,y",
    "127.0.0.1:9001,again,zzz",
  ].join("\n");
  const parsed = parseManifest(csv);
  assert.deepEqual(
    parsed.devices.map((d) => [d.line, d.serviceName, d.name, d.pop]),
    [
      [2, "127.0.0.1:9001", "Kitchen, left", "abcd1234"],
      [3, "127.0.0.1:9002", "Hall", undefined],
    ],
  );
  assert.deepEqual(
    parsed.problems.map((p) => p.line),
    [4, 5],
  );
  assert.match(parsed.problems[1]!.message, /same device as line 2/);
  const rows = [{ service_name: "127.0.0.1:9003", sec2_username: "wifiprov", sec2_pwd: "s3cret" }];
  const back = parseManifest(formatManifest(rows));
  assert.deepEqual(back.problems, []);
  assert.equal(back.devices[0]!.password, "s3cret");
});

test("runFleet: all connect; a wrong PoP is final (one try); the journal resumes without provisioning twice", async () => {
  const fleet = await startVirtualFleet({
    ...fast,
    count: 4,
    security: { version: 1, pop: "x" },
    credentials: "random",
  });
  const dir = tempDir();
  try {
    const rows: object[] = [...fleet.manifest];
    rows[3] = { ...fleet.manifest[3]!, pop: "wrong-pop" };
    const text = formatManifest(rows);
    const { devices } = parseManifest(text);
    const journalPath = join(dir, "journal.json");
    const first = countingProvision();
    const report = await runFleet({
      devices,
      ssid: "myssid",
      passphrase: "mypassword",
      concurrency: 2,
      retryDelayMs: 1,
      journal: await FleetJournal.open(journalPath, manifestDigest(text)),
      provision: first.fn,
    });
    assert.equal(report.counts.connected, 3);
    assert.equal(report.counts["handshake-failed"], 1);
    const wrong = report.devices.find((d) => d.outcome === "handshake-failed")!;
    assert.equal(wrong.attempts, 1, "a wrong PoP is not retried");
    assert.ok(report.devices.every((d) => d.outcome !== "connected" || (d.ip && d.securityVersion === 1)));
    const journalText = readFileSync(journalPath, "utf8");
    for (const row of fleet.manifest) assert.ok(!journalText.includes(row.pop!), "no secret in the journal");

    // The same command again: the three connected devices come from the journal, only the failed one runs.
    const second = countingProvision();
    const again = await runFleet({
      devices,
      ssid: "myssid",
      passphrase: "mypassword",
      retryDelayMs: 1,
      journal: await FleetJournal.open(journalPath, manifestDigest(text)),
      provision: second.fn,
    });
    assert.deepEqual(second.calls, [wrong.key]);
    assert.equal(again.devices.filter((d) => d.fromJournal).length, 3);
  } finally {
    await fleet.close();
  }
});

test("an unreachable device is retried with back-off, then reported unreachable", async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const { devices } = parseManifest(formatManifest([{ service_name: `127.0.0.1:${port}`, pop: "abcd1234" }]));
  const retries: number[] = [];
  const report = await runFleet({
    devices,
    ssid: "myssid",
    passphrase: "mypassword",
    retries: 2,
    retryDelayMs: 1,
    provision,
    onEvent: (e) => e.type === "retry" && retries.push(e.delayMs),
  });
  assert.equal(report.devices[0]!.outcome, "unreachable");
  assert.equal(report.devices[0]!.attempts, 3);
  assert.deepEqual(retries, [1, 2]);
});

test("a journal written for another manifest is refused, with what to do", async () => {
  const dir = tempDir();
  const path = join(dir, "j.json");
  const journal = await FleetJournal.open(path, manifestDigest("a"));
  await journal.record("127.0.0.1:1", { state: "connected", attempts: 1 });
  await assert.rejects(FleetJournal.open(path, manifestDigest("b")), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /another manifest/);
    assert.match(e.hint ?? "", /new file name/);
    return true;
  });
});

test("wifiprov fleet: a manifest file provisions every device; exit 0; report written; a bad line makes it 1", async () => {
  const fleet = await startVirtualFleet({
    ...fast,
    count: 3,
    security: { version: 2 },
    credentials: "random",
  });
  const dir = tempDir();
  try {
    const manifestPath = join(dir, "fleet.jsonl");
    writeFileSync(manifestPath, formatManifest(fleet.manifest));
    const reportPath = join(dir, "report.json");
    const code = await runFleetCommand({
      manifest: manifestPath,
      ssid: "myssid",
      passphrase: "mypassword",
      report: reportPath,
    });
    assert.equal(code, 0);
    const report = JSON.parse(readFileSync(reportPath, "utf8"));
    assert.equal(report.counts.connected, 3);
    assert.ok(
      report.devices.every((d: { securityVersion: number; patchVersion: number }) => d.securityVersion === 2),
    );
    const withBadLine = join(dir, "bad.jsonl");
    writeFileSync(withBadLine, formatManifest(fleet.manifest) + "{not json\n");
    assert.equal(
      await runFleetCommand({
        manifest: withBadLine,
        ssid: "myssid",
        passphrase: "mypassword",
        strict: true,
      }),
      2,
    );
  } finally {
    await fleet.close();
  }
});
