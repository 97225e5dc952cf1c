// Input checks done before anything is sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkPassphrase, checkSsid, parseBssid } from "../../src/client/credentials.js";
import { UsageError } from "../../src/errors.js";

test("SSID: 1–32 bytes of UTF-8", () => {
  assert.equal(checkSsid("myssid").length, 6);
  assert.equal(checkSsid("x".repeat(32)).length, 32);
  assert.equal(checkSsid("é".repeat(16)).length, 32);
  assert.throws(() => checkSsid(""), UsageError);
  assert.throws(() => checkSsid("x".repeat(33)), UsageError);
  assert.throws(() => checkSsid("é".repeat(17)), UsageError, "17 two-byte characters are 34 bytes");
  assert.deepEqual(checkSsid(new Uint8Array([0xff, 0x00])), new Uint8Array([0xff, 0x00]));
});

test("passphrase: empty, or 8–63 bytes of UTF-8", () => {
  assert.equal(checkPassphrase("").length, 0);
  assert.equal(checkPassphrase("mypassword").length, 10);
  assert.equal(checkPassphrase("a".repeat(63)).length, 63);
  // A raw 64-hex-digit key is valid 802.11 but every provisioning device refuses 64 bytes: said before sending.
  assert.throws(
    () => checkPassphrase("0123456789abcdef".repeat(4)),
    (e: unknown) =>
      e instanceof UsageError && /raw WPA key/.test(e.message) && /8–63 characters/.test(e.hint ?? ""),
  );
  // Non-ASCII is sent as its UTF-8 bytes, as ESP-IDF's wifi_config.c and esp_prov handle it.
  assert.deepEqual(checkPassphrase("päßwörter12"), new TextEncoder().encode("päßwörter12"));
  assert.equal(checkPassphrase("ключ-доступа").length, 23);
  for (const bad of ["short", "1234567", "z".repeat(64), "g".repeat(64), "tab\there123", "newline12\n"]) {
    assert.throws(() => checkPassphrase(bad), UsageError, bad);
  }
  // 32 Cyrillic letters are 64 bytes: too long, and the error says why.
  assert.throws(
    () => checkPassphrase("ж".repeat(32)),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message === "the passphrase is 64 bytes in UTF-8 (32 characters); WPA needs 8–63 bytes" &&
      /2–4 bytes each in UTF-8/.test(e.hint ?? ""),
  );
});

test("passphrase property: accepted iff it is 8–63 UTF-8 bytes without control characters, or a hex key", () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ maxLength: 70 }), fc.string({ unit: "grapheme", maxLength: 40 })),
      (p) => {
        const n = new TextEncoder().encode(p).length;
        const ok =
          p === "" ||
          // eslint-disable-next-line no-control-regex -- control characters are what is refused
          (!/[\u0000-\u001f\u007f-\u009f]/.test(p) && n >= 8 && n <= 63) ||
          /^[0-9a-fA-F]{64}$/.test(p);
        let accepted = true;
        try {
          checkPassphrase(p);
        } catch (e) {
          assert.ok(e instanceof UsageError);
          accepted = false;
        }
        assert.equal(accepted, ok);
      },
    ),
  );
});

test("BSSID forms", () => {
  assert.equal(Buffer.from(parseBssid("a0:b1:c2:d3:e4:f5")).toString("hex"), "a0b1c2d3e4f5");
  assert.equal(Buffer.from(parseBssid("A0-B1-C2-D3-E4-F5")).toString("hex"), "a0b1c2d3e4f5");
  assert.throws(() => parseBssid("a0:b1"), UsageError);
});
