// sec0.json in both roles: the handshake bytes (protocol.md §5) and plaintext pass-through.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClientSession, createDeviceSecurity } from "../../src/security/index.js";
import { hex, loadVector, unhex } from "../helpers/vectors.js";
import type { Exchange, SessionStep } from "./helpers.js";

const v = loadVector<{ session: SessionStep[]; exchanges: Exchange[] }>("sec0.json");

test("sec0 device answers the esp_prov command byte for byte and passes bodies through", () => {
  const device = createDeviceSecurity({ version: 0 }).createSession();
  assert.equal(device.version, 0);
  assert.equal(device.established, true, "sec0 needs no handshake on the device");
  assert.equal(hex(device.handshake(unhex(v.session[0]!.hex))), v.session[1]!.hex);
  for (const e of v.exchanges) {
    assert.equal(hex(device.decrypt(unhex(e.request_encrypted))), e.request_plain, e.name);
    assert.equal(hex(device.encrypt(unhex(e.response_plain))), e.response_encrypted, e.name);
  }
});

test("sec0 client sends 52 03 a2 01 00 and accepts the device reply", () => {
  const client = createClientSession({ version: 0 });
  assert.equal(hex(client.begin()), v.session[0]!.hex);
  assert.equal(client.next(unhex(v.session[1]!.hex)), null);
  assert.equal(client.established, true);
  for (const e of v.exchanges) {
    assert.equal(hex(client.encrypt(unhex(e.request_plain))), e.request_encrypted, e.name);
    assert.equal(hex(client.decrypt(unhex(e.response_encrypted))), e.response_plain, e.name);
  }
});
