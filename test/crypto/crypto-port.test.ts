// The crypto port contract (crypto-port-suite.ts) against both implementations, in Node: the pure-JS one is
// what a browser page runs, so it is checked here on every `npm test`, not only in Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cryptoPort as nodeCryptoPort } from "../../src/crypto/node-crypto-port.js";
import { cryptoPort as pureJsCryptoPort } from "../../src/crypto/pure-js-crypto-port.js";
import { cryptoPort as selected } from "#crypto";
import { cryptoPortContract } from "./crypto-port-suite.js";

cryptoPortContract(nodeCryptoPort);
cryptoPortContract(pureJsCryptoPort);

test("on Node the package's `#crypto` import resolves to node:crypto (package.json imports conditions)", () => {
  assert.equal(selected.name, "node:crypto");
});
