/**
 * The HTTP-level checks (pipelining, URI limit, a second connection, a stale cookie) and `--endpoint` probing:
 * our virtual device passes them (the full battery in every profile runs in conformance.test.ts), each fault of
 * the test double is caught by its own check and by no other one, and the endpoint probe reports present,
 * absent and unprotected endpoints.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatTable, runConformance } from "../../src/conformance/index.js";
import type { ConformanceReport } from "../../src/conformance/index.js";
import { profileExpectations } from "../../src/conformance/expectations.js";
import { COMPAT_PROFILES, compatRules } from "../../src/device/compat.js";
import type { CompatProfile } from "../../src/device/compat.js";
import { startVirtualDevice } from "../../src/device/virtual-device.js";
import { ErrorCodes } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { PASSWORD, USERNAME, startFaultyDevice } from "./faulty-device.js";
import type { Fault } from "./faulty-device.js";

const NEW_CHECKS = ["http.pipelining", "http.uri-limit", "session.second-connection", "session.stale-cookie"];

function finding(report: ConformanceReport, id: string) {
  const f = report.findings.find((x) => x.id === id);
  assert.ok(f, `no finding ${id}`);
  return f;
}

describe("the request-line buffer of each profile", () => {
  // esp_http_server got its dynamic scratch (request line in max_uri_len = 512 bytes, headers in
  // max_req_hdr_len) in v5.5, the release that also raised the header default to 1024; before, one fixed
  // 513-byte scratch. The device's compat table has the header limit, so the two stay in step through it.
  for (const name of COMPAT_PROFILES) {
    it(name, () => {
      const expected = compatRules(name).maxHeaderBytes === 1024 ? 512 : 513;
      assert.deepEqual(profileExpectations(name).requestLineBuffer, [expected]);
    });
  }
});

const SILENT_FAULTS: ReadonlySet<Fault> = new Set(["drops-pipelined", "no-lru-purge"]);

describe("each HTTP fault is caught by its own check, and only by it", () => {
  const cases: Array<{ fault: Fault; id: string; verdict: string; did: RegExp }> = [
    {
      fault: "drops-pipelined",
      id: "http.pipelining",
      verdict: "fail",
      did: /second was neither answered nor the connection closed/,
    },
    { fault: "no-lru-purge", id: "session.second-connection", verdict: "fail", did: /second connection/ },
    {
      fault: "short-uri-limit",
      id: "http.uri-limit",
      verdict: "deviation",
      did: /longest target looked up: 256 bytes, 257 bytes: 414, then closed: the release looks up targets up to 495 bytes/,
    },
    {
      fault: "stale-cookie-no-set-cookie",
      id: "session.stale-cookie",
      verdict: "fail",
      did: /proto-ver with the stale cookie: HTTP 200 without a Set-Cookie/,
    },
    {
      fault: "unprotected-endpoint",
      id: "endpoint.custom-data",
      verdict: "fail",
      did: /answered before the handshake: HTTP 200/,
    },
  ];
  for (const { fault, id, verdict, did } of cases) {
    it(fault, async () => {
      const device = await startFaultyDevice(fault);
      try {
        const report = await runConformance({
          serviceName: device.serviceName,
          profile: "idf-v5.5",
          credentials: { username: USERNAME, password: PASSWORD },
          only: NEW_CHECKS,
          endpoints: ["custom-data"],
          // The two faults that leave a request unanswered are told by silence: wait 3 s for it, not the default
          // 5 s (long enough for a loaded machine's SRP handshake, which every other wait here covers too).
          ...(SILENT_FAULTS.has(fault) ? { waitMs: 3000 } : {}),
        });
        const caught = finding(report, id);
        assert.equal(caught.verdict, verdict, caught.did);
        assert.match(caught.did, did);
        assert.ok(caught.release.length > 0 && caught.why.length > 0);
        const others = report.findings.filter((f) => f.id !== id && f.verdict !== "pass");
        assert.deepEqual(others, [], "other checks stay green");
      } finally {
        await device.close();
      }
    });
  }
});

async function withDevice<T>(
  compat: CompatProfile,
  sec: 0 | 1 | 2,
  body: (serviceName: string) => Promise<T>,
): Promise<T> {
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    compat,
    security: sec === 2 ? { version: 2 } : sec === 1 ? { version: 1, pop: "abcd1234" } : { version: 0 },
    timeScale: 0.01,
    logger: silentLogger,
  });
  try {
    return await body(device.serviceName);
  } finally {
    await device.close();
  }
}

const credentials = { pop: "abcd1234", username: "wifiprov", password: "abcd1234" };

describe("--endpoint probing against our virtual device", () => {
  for (const [compat, sec] of [
    ["idf-v5.5", 2],
    ["idf-v5.5", 1],
    ["idf-v5.5", 0],
    ["idf-v6.0", 2],
  ] as const) {
    it(`${compat} security ${sec}: custom-data present and answered in the session, an unknown name absent`, async () => {
      await withDevice(compat, sec, async (serviceName) => {
        const report = await runConformance({
          serviceName,
          credentials,
          only: ["proto-ver.shape"],
          endpoints: ["custom-data", "no-such-endpoint"],
        });
        const present = finding(report, "endpoint.custom-data");
        assert.equal(present.verdict, "pass", present.did);
        assert.match(present.did, /answered within the session: 8 bytes "SUCCESS\\x00"/);
        if (sec !== 0) assert.match(present.did, /refused before the handshake/);
        const absent = finding(report, "endpoint.no-such-endpoint");
        assert.equal(absent.verdict, "fail");
        assert.match(absent.did, /absent: HTTP 404/);
        assert.match(
          formatTable(report),
          /\nCustom endpoints: custom-data present, no-such-endpoint absent\n/,
        );
      });
    });
  }

  it("idf-v4.0 has no custom endpoints: custom-data is reported absent", async () => {
    await withDevice("idf-v4.0", 1, async (serviceName) => {
      const report = await runConformance({
        serviceName,
        credentials,
        only: ["proto-ver.shape"],
        endpoints: ["custom-data"],
      });
      assert.match(finding(report, "endpoint.custom-data").did, /absent: HTTP 404/);
    });
  });

  it("the endpoint probes run before the out-of-range scan request that ESP's firmware dies on", async () => {
    await withDevice("idf-v5.5", 2, async (serviceName) => {
      const report = await runConformance({
        serviceName,
        credentials,
        only: ["scan.paging", "scan.out-of-range"],
        endpoints: ["custom-data"],
      });
      assert.deepEqual(
        report.findings.map((f) => f.id),
        ["scan.paging", "endpoint.custom-data", "scan.out-of-range"],
      );
    });
  });

  it("the service's own endpoints are refused: the battery checks them already", async () => {
    await assert.rejects(
      runConformance({ serviceName: "127.0.0.1:9", endpoints: ["prov-config"] }),
      (err: Error & { code?: string; hint?: string }) => {
        assert.equal(err.code, ErrorCodes.USAGE);
        assert.match(err.message, /prov-config is an endpoint of the provisioning service itself/);
        return true;
      },
    );
  });

  it("a name that is no endpoint path is a usage error before anything is sent", async () => {
    await assert.rejects(
      runConformance({ serviceName: "127.0.0.1:9", endpoints: ["/custom-data"] }),
      (err: Error & { code?: string; hint?: string }) => {
        assert.equal(err.code, ErrorCodes.USAGE);
        assert.match(err.message, /invalid endpoint name "\/custom-data"/);
        assert.match(err.hint ?? "", /--endpoint custom-data/);
        return true;
      },
    );
  });
});
