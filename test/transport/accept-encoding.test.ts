// Accept-Encoding negotiation for the captive portal's files (RFC 9110 §12.5.3): what real clients send,
// weights, q=0, identity, `*`, and the policy around the parser (no header, nothing acceptable).
import { test } from "node:test";
import assert from "node:assert/strict";
import { negotiateEncoding } from "../../src/transport/accept-encoding.js";

const pick = (header: string | undefined) => negotiateEncoding(header, ["gzip"]);

test("accept-encoding: what browsers and tools send", () => {
  assert.equal(pick("gzip, deflate, br, zstd"), "gzip", "Chromium");
  assert.equal(pick("gzip, deflate, br"), "gzip", "Firefox, Safari");
  assert.equal(pick("gzip"), "gzip");
  assert.equal(pick(undefined), "identity", "no header (curl without --compressed, esp_prov)");
  assert.equal(pick(""), "identity", "an empty header accepts identity only");
  assert.equal(pick("identity"), "identity");
  assert.equal(pick("br, zstd"), "identity", "codings we do not have");
});

test("accept-encoding: weights, q=0, `*` and identity", () => {
  assert.equal(pick("gzip;q=0"), "identity");
  assert.equal(pick("gzip; q=0.000, identity"), "identity");
  assert.equal(pick("*"), "gzip", "`*` covers gzip");
  assert.equal(pick("*;q=0.5"), "gzip", "identity also falls under `*`: a tie, gzip is smaller");
  assert.equal(pick("*, gzip;q=0"), "identity", "a named coding overrides `*`");
  assert.equal(pick("identity;q=1, gzip;q=0.5"), "identity", "the client prefers identity");
  assert.equal(pick("identity;q=0.5, gzip;q=0.8"), "gzip");
  assert.equal(pick("gzip;q=0.5, identity;q=0.5"), "gzip", "a tie goes to the client's first");
  assert.equal(pick("identity;q=0, gzip"), "gzip");
  assert.equal(pick("identity;q=0"), "identity", "nothing acceptable: identity anyway, no 406");
  assert.equal(pick("*;q=0"), "identity", "the same");
  assert.equal(pick("GZIP;Q=1"), "gzip", "names and the q key are case-insensitive");
  assert.equal(pick(" gzip ;  q=0.7 , identity;q=0.6"), "gzip", "blanks around separators");
});

test("accept-encoding: entries that do not parse are not taken for gzip", () => {
  for (const bad of ["gzip;q=abc", "gzip;q=-1", "g zip"]) assert.equal(pick(bad), "identity", bad);
  assert.equal(pick("gzip;level=9"), "gzip", "parameters other than q are ignored");
});

test("accept-encoding: several codings available: the client's order wins a tie", () => {
  assert.equal(negotiateEncoding("gzip, br", ["br", "gzip"]), "gzip");
  assert.equal(negotiateEncoding("br, gzip", ["br", "gzip"]), "br");
  assert.equal(negotiateEncoding("gzip, br;q=0.9", ["br", "gzip"]), "gzip");
  assert.equal(negotiateEncoding("gzip", []), "identity");
});
