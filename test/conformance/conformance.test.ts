/**
 * `wifiprov conformance` against real devices on loopback: our own virtual device in every compat profile
 * passes everything; a double that breaks one rule at a time is caught with the right finding; an
 * unreachable address, something that is not a provisioning service and a device that dies mid-run are
 * reported as such.
 */
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { describe, it } from "node:test";
import { hasFailures, runConformance } from "../../src/conformance/index.js";
import type { ConformanceReport, ProfileName } from "../../src/conformance/index.js";
import { profileExpectations } from "../../src/conformance/expectations.js";
import { COMPAT_PROFILES, compatRules } from "../../src/device/compat.js";
import type { CompatProfile } from "../../src/device/compat.js";
import { startVirtualDevice } from "../../src/device/virtual-device.js";
import { ErrorCodes } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { PASSWORD, USERNAME, startFaultyDevice } from "./faulty-device.js";
import type { Fault } from "./faulty-device.js";

/** The SRP leading-zero search is covered with forced values in srp-leading-zero.test.ts; here a few tries. */
const FEW_SRP_ATTEMPTS = 4;

const bad = (report: ConformanceReport) =>
  report.findings.filter((f) => f.verdict !== "pass" && f.verdict !== "skipped");

function verdictOf(report: ConformanceReport, id: string) {
  const finding = report.findings.find((f) => f.id === id);
  assert.ok(finding, `no finding ${id}`);
  return finding;
}

describe("our virtual device passes in every compat profile", () => {
  const cases: Array<{ compat: CompatProfile; sec: 0 | 1 | 2 }> = [
    ...COMPAT_PROFILES.map((compat) => ({
      compat,
      sec: compat === "idf-v4.0" ? (1 as const) : (2 as const),
    })),
    { compat: "idf-v5.5", sec: 1 },
    { compat: "idf-v5.5", sec: 0 },
  ];
  for (const { compat, sec } of cases) {
    it(`${compat}, security ${sec}`, async () => {
      const device = await startVirtualDevice({
        listen: { host: "127.0.0.1", port: 0 },
        compat,
        security: sec === 2 ? { version: 2 } : sec === 1 ? { version: 1, pop: "abcd1234" } : { version: 0 },
        timeScale: 0.01,
        logger: silentLogger,
      });
      try {
        for (const profile of [compat, "auto"] as const) {
          const report = await runConformance({
            serviceName: device.serviceName,
            srpAttempts: FEW_SRP_ATTEMPTS,
            profile: profile as ProfileName | "auto",
            credentials: { pop: "abcd1234", username: "wifiprov", password: "abcd1234" },
          });
          assert.deepEqual(bad(report), [], `profile ${profile}`);
          assert.equal(hasFailures(report), false);
        }
      } finally {
        await device.close();
      }
    });
  }
});

describe("the conformance expectations say what the device's compat table says", () => {
  for (const name of COMPAT_PROFILES) {
    it(name, () => {
      const rules = compatRules(name);
      const expect = profileExpectations(name);
      assert.deepEqual(expect.maxHeaderBytes, [rules.maxHeaderBytes]);
      assert.equal(expect.cookies, rules.cookies);
      assert.equal(expect.scan, rules.scan);
      assert.equal(expect.ctrl, rules.ctrl);
      assert.equal(expect.restartOnCmd0, rules.restartOnCmd0);
      assert.equal(expect.attemptFailed, rules.attemptFailed);
      assert.equal(expect.ctrlResetWhenStarted, rules.ctrlResetWhenStartedOk ? "accepted" : "refused");
      const style = { "legacy-v0.1": "plain", "json-no-patch": "json-no-patch", json: "json" }[
        rules.versionStyle
      ];
      assert.equal(expect.versionStyle, style);
    });
  }
});

describe("a device that breaks one rule is caught with the right finding", () => {
  const cases: Array<{ fault: Fault; id: string; verdict: string; did: RegExp }> = [
    {
      fault: "200-on-wrong-proof",
      id: "security.wrong-proof",
      verdict: "fail",
      did: /answered the wrong proof: HTTP 200/,
    },
    { fault: "nonce-reuse", id: "security.handshake", verdict: "fail", did: /does not decrypt/ },
    { fault: "no-cookie", id: "session.set-cookie", verdict: "fail", did: /no Set-Cookie/ },
    { fault: "scan-crash", id: "scan.out-of-range", verdict: "fail", did: /stopped answering/ },
  ];
  it("without a fault the double passes (so each finding below is the fault's)", async () => {
    const device = await startFaultyDevice("none");
    try {
      const report = await runConformance({
        serviceName: device.serviceName,
        srpAttempts: FEW_SRP_ATTEMPTS,
        profile: "idf-v5.5",
        credentials: { username: USERNAME, password: PASSWORD },
      });
      assert.deepEqual(bad(report), []);
    } finally {
      await device.close();
    }
  });
  for (const { fault, id, verdict, did } of cases) {
    it(fault, async () => {
      const device = await startFaultyDevice(fault);
      try {
        const report = await runConformance({
          serviceName: device.serviceName,
          srpAttempts: FEW_SRP_ATTEMPTS,
          profile: "idf-v5.5",
          credentials: { username: USERNAME, password: PASSWORD },
        });
        const finding = verdictOf(report, id);
        assert.equal(finding.verdict, verdict, finding.did);
        assert.match(finding.did, did);
        assert.ok(finding.release.length > 0 && finding.why.length > 0);
        assert.equal(hasFailures(report), true);
      } finally {
        await device.close();
      }
    });
  }

  it("nonce reuse also fails every check that reads a second encrypted reply, and nothing at the HTTP level", async () => {
    const device = await startFaultyDevice("nonce-reuse");
    try {
      const report = await runConformance({
        serviceName: device.serviceName,
        srpAttempts: FEW_SRP_ATTEMPTS,
        credentials: { username: USERNAME, password: PASSWORD },
      });
      assert.equal(verdictOf(report, "security.cipher-continues").verdict, "fail");
      assert.equal(verdictOf(report, "http.header-limit").verdict, "pass");
      assert.equal(verdictOf(report, "security.wrong-proof").verdict, "pass");
    } finally {
      await device.close();
    }
  });

  it("a device that dies mid-run: what ran is reported, the rest is not run", async () => {
    const device = await startFaultyDevice("crash-on-wrong-proof");
    try {
      const report = await runConformance({
        serviceName: device.serviceName,
        srpAttempts: FEW_SRP_ATTEMPTS,
        credentials: { username: USERNAME, password: PASSWORD },
      });
      assert.equal(report.stoppedAfter, "security.wrong-proof");
      const index = report.findings.findIndex((f) => f.id === "security.wrong-proof");
      assert.ok(report.findings.slice(0, index).every((f) => f.verdict === "pass"));
      const rest = report.findings.slice(index + 1);
      assert.ok(rest.length > 0 && rest.every((f) => f.verdict === "not-run"));
      assert.equal(hasFailures(report), true);
    } finally {
      await device.close();
    }
  });
});

describe("bad targets", () => {
  it("an unreachable device is a transport error with a hint", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await assert.rejects(
      runConformance({ serviceName: `127.0.0.1:${port}` }),
      (err: Error & { code?: string; hint?: string }) => {
        assert.equal(err.code, ErrorCodes.TRANSPORT);
        assert.match(err.message, /cannot reach/);
        assert.ok(err.hint);
        return true;
      },
    );
  });

  it("a web server that is not a provisioning service is named as such", async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(404).end("not here");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      await assert.rejects(
        runConformance({ serviceName: `127.0.0.1:${port}` }),
        /not a provisioning service: POST \/proto-ver HTTP 404/,
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
