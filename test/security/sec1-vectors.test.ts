// sec1.json and sec1_no_pop.json in both roles (protocol.md §6): handshake bytes from injected keys, and
// every exchange's ciphertext in order on the one shared keystream (byte-granular offsets).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AesCtrStream,
  queuedRandomBytes,
  sha256,
  x25519KeyPairFromPrivate,
  x25519SharedSecret,
  xorBytes,
} from "../../src/crypto/index.js";
import { createClientSession, createDeviceSecurity } from "../../src/security/index.js";
import { hex, loadVector, unhex } from "../helpers/vectors.js";
import { chunks } from "./helpers.js";
import type { Exchange, SessionStep } from "./helpers.js";

interface Sec1Vector {
  pop: string;
  pop_sha256: string | null;
  client_private_key: string;
  client_public_key: string;
  device_private_key: string;
  device_public_key: string;
  device_random: string;
  x25519_shared_secret: string;
  aes_key: string;
  client_verify_data: string;
  device_verify_data: string;
  keystream_first_bytes: string;
  session: SessionStep[];
  exchanges: Exchange[];
}

for (const file of ["sec1.json", "sec1_no_pop.json"]) {
  const v = loadVector<Sec1Vector>(file);

  test(`${file}: X25519, key derivation and keystream offsets`, () => {
    const client = x25519KeyPairFromPrivate(unhex(v.client_private_key));
    const device = x25519KeyPairFromPrivate(unhex(v.device_private_key));
    assert.equal(hex(client.publicKey), v.client_public_key);
    assert.equal(hex(device.publicKey), v.device_public_key);
    const shared = x25519SharedSecret(device.privateKey, client.publicKey);
    assert.equal(hex(shared), v.x25519_shared_secret);
    assert.equal(hex(x25519SharedSecret(client.privateKey, device.publicKey)), v.x25519_shared_secret);
    const pop = new TextEncoder().encode(v.pop);
    if (v.pop_sha256 !== null) assert.equal(hex(sha256(pop)), v.pop_sha256);
    const key = v.pop === "" ? shared : xorBytes(shared, sha256(pop));
    assert.equal(hex(key), v.aes_key);
    // Pulling the keystream in odd-sized pieces proves the stream keeps its position between blocks.
    const stream = new AesCtrStream(key, unhex(v.device_random));
    const total = v.keystream_first_bytes.length / 2;
    let ks = "";
    for (let taken = 0, step = 1; taken < total; taken += step, step = (step % 7) + 1) {
      ks += hex(stream.update(new Uint8Array(Math.min(step, total - taken))));
    }
    assert.equal(ks, v.keystream_first_bytes);
    assert.equal(stream.position, total);
    const keystream = unhex(v.keystream_first_bytes);
    for (const e of v.exchanges) {
      const at = e.ctr_stream_offset_before!;
      const req = unhex(e.request_plain);
      assert.equal(hex(xorBytes(req, keystream.subarray(at, at + req.length))), e.request_encrypted, e.name);
      const rat = e.ctr_stream_offset_before_response!;
      assert.equal(rat, at + req.length, "the response continues the same stream");
      const resp = unhex(e.response_plain);
      assert.equal(hex(xorBytes(resp, keystream.subarray(rat, rat + resp.length))), e.response_encrypted);
    }
  });

  test(`${file}: device role reproduces every device message and ciphertext`, () => {
    const security = createDeviceSecurity({
      version: 1,
      pop: v.pop,
      random: queuedRandomBytes(chunks(v.device_private_key, v.device_random)),
    });
    assert.equal(security.version, 1);
    assert.equal(security.patchVersion, 0);
    const device = security.createSession();
    assert.equal(device.established, false);
    assert.equal(hex(device.handshake(unhex(v.session[0]!.hex))), v.session[1]!.hex);
    assert.equal(device.established, false);
    assert.equal(hex(device.handshake(unhex(v.session[2]!.hex))), v.session[3]!.hex);
    assert.equal(device.established, true);
    for (const e of v.exchanges) {
      assert.equal(hex(device.decrypt(unhex(e.request_encrypted))), e.request_plain, e.name);
      assert.equal(hex(device.encrypt(unhex(e.response_plain))), e.response_encrypted, e.name);
    }
  });

  test(`${file}: client role reproduces every client message and ciphertext`, () => {
    const client = createClientSession({
      version: 1,
      pop: v.pop,
      random: queuedRandomBytes(chunks(v.client_private_key)),
    });
    assert.equal(hex(client.begin()), v.session[0]!.hex);
    assert.equal(hex(client.next(unhex(v.session[1]!.hex))!), v.session[2]!.hex);
    assert.equal(client.established, false);
    assert.equal(client.next(unhex(v.session[3]!.hex)), null);
    assert.equal(client.established, true);
    for (const e of v.exchanges) {
      assert.equal(hex(client.encrypt(unhex(e.request_plain))), e.request_encrypted, e.name);
      assert.equal(hex(client.decrypt(unhex(e.response_encrypted))), e.response_plain, e.name);
    }
  });
}

test("sec1 device: an absent PoP and an empty PoP are the same (no PoP)", () => {
  const v = loadVector<Sec1Vector>("sec1_no_pop.json");
  const device = createDeviceSecurity({
    version: 1,
    random: queuedRandomBytes(chunks(v.device_private_key, v.device_random)),
  }).createSession();
  assert.equal(hex(device.handshake(unhex(v.session[0]!.hex))), v.session[1]!.hex);
  assert.equal(hex(device.handshake(unhex(v.session[2]!.hex))), v.session[3]!.hex);
});
