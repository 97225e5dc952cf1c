// Replays sec2 sessions recorded against Espressif's own device code (ESP-IDF v5.5 protocomm and
// wifi_provisioning built for the host; patch 0 with the v5.4 security2.c, which sends a 16-byte nonce):
// with the recorded client secret `a`, our client must produce the same Cmd0/Cmd1 bytes, accept the device's
// replies, and encrypt/decrypt every exchange exactly as recorded. The patch-0 file failed before the client
// took 16-byte nonces ("the device answered the handshake unexpectedly at handshake step 2").
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClientSession, queuedRandomBytes } from "../../src/security/index.js";
import { parseSec2Response1 } from "../../src/security/messages.js";
import { parseDeviceVersion, patchLevel } from "../../src/client/version.js";
import { hex, loadVector, unhex } from "../helpers/vectors.js";

interface Recording {
  proto_ver: string;
  client_a: string;
  session: { direction: string; hex: string }[];
  exchanges: {
    endpoint: string;
    request_plain: string;
    request_encrypted: string;
    response_encrypted: string;
    response_plain: string;
  }[];
}

for (const [file, nonceLength] of [
  ["refdevice_sec2_patch0.json", 16],
  ["refdevice_sec2_patch1.json", 12],
] as const) {
  test(`${file}: our client reproduces the recorded session with Espressif's device code`, () => {
    const r = loadVector<Recording>(file);
    const version = parseDeviceVersion(r.proto_ver);
    const client = createClientSession({
      version: 2,
      patchVersion: patchLevel(version),
      username: "wifiprov",
      password: "abcd1234",
      random: queuedRandomBytes([unhex(r.client_a)]),
    });
    assert.equal(hex(client.begin()), r.session[0]!.hex, "S2SessionCmd0");
    assert.equal(hex(client.next(unhex(r.session[1]!.hex))!), r.session[2]!.hex, "S2SessionCmd1");
    assert.equal(parseSec2Response1(unhex(r.session[3]!.hex)).deviceNonce.length, nonceLength);
    assert.equal(client.next(unhex(r.session[3]!.hex)), null);
    for (const e of r.exchanges) {
      assert.equal(hex(client.encrypt(unhex(e.request_plain))), e.request_encrypted, e.endpoint);
      assert.equal(hex(client.decrypt(unhex(e.response_encrypted))), e.response_plain, e.endpoint);
    }
    // custom-data answered by the wifi_prov_mgr example's handler: "SUCCESS\0".
    assert.equal(r.exchanges[0]!.response_plain, hex(new TextEncoder().encode("SUCCESS\0")));
  });
}
