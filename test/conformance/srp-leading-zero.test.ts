/**
 * The SRP leading-zero checks: the forcing arithmetic against known answers (ESP-IDF's esp_srp.c vectors in
 * test/vectors/sec2_device_kat.json), our own sec2 device session passing with B and S forced short, and a
 * device that gets each case wrong caught with the right finding.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  SRP_G,
  bigIntToMinBytes,
  bigIntToPaddedBytes,
  bytesToBigInt,
  bytesToHex,
  hexToBytes,
  sha512,
  srpPow,
} from "../../src/crypto/index.js";
import { runConformance } from "../../src/conformance/index.js";
import type { ConformanceReport } from "../../src/conformance/index.js";
import { PremasterCalculator, findLeadingZeroA, minimalLength } from "../../src/conformance/srp-forcing.js";
import { PASSWORD, USERNAME, startFaultyDevice } from "./faulty-device.js";
import type { Fault, ForcedSrp } from "./faulty-device.js";

interface KatVector {
  name: string;
  I: string;
  P: string;
  salt: string;
  verifier: string;
  a: string;
  b: string;
  A: string;
  B: string;
  K: string;
}
const kat = JSON.parse(readFileSync(new URL("../vectors/sec2_device_kat.json", import.meta.url), "utf8")) as {
  vectors: KatVector[];
};
const vector = (name: string) => {
  const v = kat.vectors.find((x) => x.name === name);
  assert.ok(v, name);
  return v;
};
const forced = (v: KatVector): ForcedSrp => ({
  salt: hexToBytes(v.salt),
  verifier: hexToBytes(v.verifier),
  b: hexToBytes(v.b),
});

const SRP_IDS = [
  "security.srp-a-padded",
  "security.srp-a-minimal",
  "security.srp-b-minimal",
  "security.srp-s-minimal",
];

async function runSrpChecks(fault: Fault, srp: ForcedSrp | undefined, clientA?: Uint8Array) {
  const device = await startFaultyDevice(fault, srp ? { srp } : {});
  try {
    return await runConformance({
      serviceName: device.serviceName,
      profile: "idf-v5.5",
      credentials: { username: USERNAME, password: PASSWORD },
      only: SRP_IDS,
      srpAttempts: 3,
      // The same client private value for every draw: the forced-A search starts from it, and the B/S search
      // uses it for each handshake (with the S vector's b, S then has a leading zero on the first one).
      ...(clientA ? { random: () => Uint8Array.from(clientA) } : {}),
    });
  } finally {
    await device.close();
  }
}

function finding(report: ConformanceReport, id: string) {
  const f = report.findings.find((x) => x.id === id);
  assert.ok(f, id);
  return f;
}

describe("forcing arithmetic (known answers)", () => {
  it("finds the first a ≥ start whose A has a leading zero byte", () => {
    const found = findLeadingZeroA(new Uint8Array(32).fill(0x5a));
    assert.ok(found);
    // Start 5a…5a with its top two bits forced to 10 (9a5a…5a); the 120th candidate is start + 119.
    assert.equal(found.tried, 120);
    assert.equal(bytesToHex(found.privateValue), `9a${"5a".repeat(30)}d1`);
    assert.equal(bytesToHex(found.paddedA.subarray(0, 8)), "00665ee4a0a1f372");
    // Independently: A is g^a mod N, padded to 384 bytes, first byte 0.
    const direct = bigIntToPaddedBytes(srpPow(SRP_G, bytesToBigInt(found.privateValue)), 384);
    assert.deepEqual(found.paddedA, direct);
    assert.equal(bigIntToMinBytes(bytesToBigInt(found.paddedA)).length, 383);
  });

  it("gives up after the limit", () => {
    assert.equal(findLeadingZeroA(new Uint8Array(32).fill(0x5a), 119), undefined);
    assert.throws(() => findLeadingZeroA(new Uint8Array(31)), RangeError);
  });

  for (const name of ["typical", "S-has-leading-zero", "B-has-leading-zero"]) {
    it(`the client's S matches ESP-IDF's esp_srp.c (${name})`, () => {
      const v = vector(name);
      const calc = new PremasterCalculator(hexToBytes(v.a), v.I, v.P);
      assert.equal(bytesToHex(calc.paddedA), v.A);
      const S = calc.premaster(hexToBytes(v.salt), hexToBytes(v.B));
      assert.equal(minimalLength(S), name === "S-has-leading-zero" ? 383 : 384);
      assert.equal(bytesToHex(sha512(bigIntToMinBytes(S))), v.K);
    });
  }
});

describe("our sec2 device session with B and S forced to have a leading zero", () => {
  it("passes every SRP check (B forced short)", async () => {
    const report = await runSrpChecks("none", forced(vector("B-has-leading-zero")));
    for (const id of ["security.srp-a-padded", "security.srp-a-minimal", "security.srp-b-minimal"]) {
      assert.equal(finding(report, id).verdict, "pass", finding(report, id).did);
    }
    assert.match(finding(report, "security.srp-b-minimal").did, /B of 383 bytes \(minimal\), handshake 1 of/);
  });

  it("passes every SRP check (S forced short)", async () => {
    const v = vector("S-has-leading-zero");
    const report = await runSrpChecks("none", forced(v), hexToBytes(v.a));
    const s = finding(report, "security.srp-s-minimal");
    assert.equal(s.verdict, "pass", s.did);
    assert.match(s.did, /S of 383 bytes, handshake 1 of 3: handshake completed/);
    assert.equal(finding(report, "security.srp-a-padded").verdict, "pass");
  });

  it("says honestly when the case did not come up within the budget", async () => {
    // The S vector's B has no leading zero, and the same B comes back every time.
    const v = vector("S-has-leading-zero");
    const report = await runSrpChecks("none", forced(v), hexToBytes(v.a));
    const b = finding(report, "security.srp-b-minimal");
    assert.equal(b.verdict, "skipped");
    assert.match(b.did, /not observed: no B with a leading zero in \d+ handshakes/);
  });
});

describe("a device that gets a leading-zero case wrong is caught", () => {
  it("accepts a 383-byte A: deviation", async () => {
    const report = await runSrpChecks("srp-accepts-minimal-a", undefined);
    const f = finding(report, "security.srp-a-minimal");
    assert.equal(f.verdict, "deviation");
    assert.match(f.did, /a 383-byte A: accepted/);
    assert.match(f.release, /PUBLIC_KEY_LEN/);
    assert.equal(finding(report, "security.srp-a-padded").verdict, "pass");
  });

  it("pads B: fail", async () => {
    const report = await runSrpChecks("srp-pads-b", forced(vector("B-has-leading-zero")));
    const f = finding(report, "security.srp-b-minimal");
    assert.equal(f.verdict, "fail");
    assert.match(f.did, /B with a leading zero sent as 384 bytes \(padded\)/);
    assert.match(f.why, /esp_prov/);
  });

  it("hashes PAD(S): fail", async () => {
    const v = vector("S-has-leading-zero");
    const report = await runSrpChecks("srp-pads-s", forced(v), hexToBytes(v.a));
    const f = finding(report, "security.srp-s-minimal");
    assert.equal(f.verdict, "fail");
    assert.match(f.did, /S of 383 bytes.*the client proof was refused.*K is not SHA-512\(MIN\(S\)\)/);
  });
});
