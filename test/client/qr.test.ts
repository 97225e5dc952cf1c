// Espressif QR payloads as the ESP-IDF examples print them and the phone libraries read them (§8.8).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { formatQrPayload, parseQrPayload, qrSessionOptions } from "../../src/client/qr.js";
import { UsageError } from "../../src/errors.js";

test("the v5.5 example's sec1 and sec2 payloads", () => {
  const sec1 = '{"ver":"v1","name":"PROV_A1B2C3","pop":"abcd1234","transport":"softap"}';
  assert.deepEqual(parseQrPayload(sec1), {
    ver: "v1",
    name: "PROV_A1B2C3",
    pop: "abcd1234",
    transport: "softap",
  });
  assert.equal(formatQrPayload(parseQrPayload(sec1)), sec1, "examples' key order is reproduced");
  const sec2 =
    '{"ver":"v1","name":"PROV_A1B2C3","username":"wifiprov","pop":"abcd1234","transport":"softap"}';
  assert.equal(formatQrPayload(parseQrPayload(sec2)), sec2);
  assert.deepEqual(qrSessionOptions(parseQrPayload(sec2)), {
    pop: "abcd1234",
    username: "wifiprov",
    password: "abcd1234",
  });
});

test("key order, extra keys, security as number or string, password key", () => {
  const p = parseQrPayload(
    ' {"transport":"SoftAP","security":"2","extra":[1],"name":"dev","username":"u","password":"pw","network":"wifi"} ',
  );
  assert.equal(p.transport, "softap");
  assert.equal(p.security, 2);
  assert.equal(p.ver, "v1");
  assert.deepEqual(p.extra, { extra: [1] });
  assert.deepEqual(qrSessionOptions(p), { username: "u", password: "pw" });
  assert.deepEqual(parseQrPayload(formatQrPayload(p)), p);
});

test("rejects non-JSON and non-objects with a usage error naming the expected form", () => {
  for (const bad of [
    "PROV_1234",
    "WIFI:S:x;;",
    "[1]",
    "null",
    '{"pop":"x"}',
    '{"name":1}',
    '{"name":"a","security":7}',
  ]) {
    assert.throws(
      () => parseQrPayload(bad),
      (e: unknown) => e instanceof UsageError && (e.hint === undefined || e.hint.includes("{")),
    );
  }
});

test("round trip property", () => {
  const str = fc.string({ minLength: 1, maxLength: 20 });
  fc.assert(
    fc.property(
      fc.record(
        {
          name: str,
          pop: str,
          username: str,
          password: str,
          security: fc.constantFrom(0, 1, 2),
          network: str,
        },
        { requiredKeys: ["name"] },
      ),
      (o) => {
        const p = parseQrPayload(formatQrPayload(o));
        assert.deepEqual(p, { ver: "v1", transport: "softap", ...o });
      },
    ),
  );
});
