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

test("passphrase: empty, 8–63 printable ASCII, or 64 hex digits", () => {
  assert.equal(checkPassphrase("").length, 0);
  assert.equal(checkPassphrase("mypassword").length, 10);
  assert.equal(checkPassphrase("a".repeat(63)).length, 63);
  assert.equal(checkPassphrase("0123456789abcdef".repeat(4)).length, 64);
  for (const bad of ["short", "1234567", "z".repeat(64), "g".repeat(64), "päßwörter12", "tab\there123"]) {
    assert.throws(() => checkPassphrase(bad), UsageError, bad);
  }
});

test("passphrase property: accepted iff 802.11i allows it", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 70 }), (p) => {
      const ok =
        p === "" ||
        (/^[\x20-\x7e]+$/.test(p) && p.length >= 8 && p.length <= 63) ||
        /^[0-9a-fA-F]{64}$/.test(p);
      let accepted = true;
      try {
        checkPassphrase(p);
      } catch (e) {
        assert.ok(e instanceof UsageError);
        accepted = false;
      }
      assert.equal(accepted, ok);
    }),
  );
});

test("BSSID forms", () => {
  assert.equal(Buffer.from(parseBssid("a0:b1:c2:d3:e4:f5")).toString("hex"), "a0b1c2d3e4f5");
  assert.equal(Buffer.from(parseBssid("A0-B1-C2-D3-E4-F5")).toString("hex"), "a0b1c2d3e4f5");
  assert.throws(() => parseBssid("a0:b1"), UsageError);
});
