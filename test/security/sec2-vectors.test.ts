// sec2.json (patch 1), sec2_patch0.json and sec2_edge_cases.json (short B, short S) in both roles
// (protocol.md §7): every SRP intermediate, the handshake bytes from injected a/b/nonce, and every
// exchange's ciphertext with its GCM nonce, in order.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  bigIntToMinBytes,
  bytesToBigInt,
  queuedRandomBytes,
  sha512,
  SRP_G,
  SRP_H_N_XOR_H_G,
  SRP_K,
  SRP_N,
  srpClientProof,
  srpComputeU,
  srpComputeVerifier,
  srpComputeX,
  srpPow,
  srpServerProof,
  srpSessionKey,
} from "../../src/crypto/index.js";
import { createClientSession, createDeviceSecurity, Sec2Cipher } from "../../src/security/index.js";
import { hex, loadVector, unhex } from "../helpers/vectors.js";
import { chunks } from "./helpers.js";
import type { Sec2Vector } from "./helpers.js";

const edge = loadVector<Record<string, Sec2Vector>>("sec2_edge_cases.json");
const cases: [string, Sec2Vector][] = [
  ["sec2.json", loadVector<Sec2Vector>("sec2.json")],
  ["sec2_patch0.json", loadVector<Sec2Vector>("sec2_patch0.json")],
  ["sec2_edge_cases.json sec2_short_B", edge.sec2_short_B!],
  ["sec2_edge_cases.json sec2_short_S", edge.sec2_short_S!],
];

/** The device's random draws: b, then the nonce (8 random bytes + counter 1 for patch 1, 16 for patch 0). */
function deviceRandom(v: Sec2Vector): Uint8Array[] {
  const nonce = v.sec_patch_ver === 1 ? v.device_nonce.slice(0, 16) : v.device_nonce;
  return chunks(v.device_b, nonce);
}

for (const [name, v] of cases) {
  test(`${name}: SRP intermediates`, () => {
    const salt = unhex(v.salt);
    assert.equal(SRP_K.toString(16), v.k.replace(/^0+/, ""));
    assert.equal(hex(SRP_H_N_XOR_H_G), v.H_N_xor_H_padg);
    assert.equal(hex(sha512(new TextEncoder().encode(v.username))), v.H_username);
    const x = srpComputeX(salt, v.username, v.password);
    assert.equal(x, BigInt("0x" + v.x));
    assert.equal(hex(srpComputeVerifier(salt, v.username, v.password)), v.verifier);
    const A = unhex(v.client_A);
    assert.equal(A.length, 384);
    assert.equal(hex(A), hex(unhex(v.client_A)));
    const B = unhex(v.device_B);
    assert.equal(B.length, v.device_B_len);
    const u = srpComputeU(A, B);
    assert.equal(u, BigInt("0x" + v.u));
    const vInt = bytesToBigInt(unhex(v.verifier));
    const S = srpPow((bytesToBigInt(A) * srpPow(vInt, u)) % SRP_N, BigInt("0x" + v.device_b));
    assert.equal(hex(bigIntToMinBytes(S)), v.S);
    assert.equal(bigIntToMinBytes(S).length, v.S_len);
    // Client formula gives the same S: (B − k·g^x)^(a + u·x).
    const a = BigInt("0x" + v.client_a);
    const base = (((bytesToBigInt(B) - SRP_K * srpPow(SRP_G, x)) % SRP_N) + SRP_N) % SRP_N;
    assert.equal(srpPow(base, a + u * x), S);
    const K = srpSessionKey(S);
    assert.equal(hex(K), v.K);
    assert.equal(hex(K.subarray(0, 32)), v.aes_gcm_key);
    const M1 = srpClientProof(new TextEncoder().encode(v.username), salt, A, B, K);
    assert.equal(hex(M1), v.M1_client_proof);
    assert.equal(hex(srpServerProof(A, M1, K)), v.M2_device_proof);
  });

  test(`${name}: device role reproduces S2SessionResp0/Resp1 and every response`, () => {
    const security = createDeviceSecurity({
      version: 2,
      patchVersion: v.sec_patch_ver,
      salt: unhex(v.salt),
      verifier: unhex(v.verifier),
      random: queuedRandomBytes(deviceRandom(v)),
    });
    assert.equal(security.patchVersion, v.sec_patch_ver);
    const device = security.createSession();
    assert.equal(hex(device.handshake(unhex(v.session[0]!.hex))), v.session[1]!.hex);
    assert.equal(hex(device.handshake(unhex(v.session[2]!.hex))), v.session[3]!.hex);
    assert.equal(device.established, true);
    for (const e of v.exchanges) {
      assert.equal(hex(device.decrypt(unhex(e.request_encrypted))), e.request_plain, e.name);
      assert.equal(hex(device.encrypt(unhex(e.response_plain))), e.response_encrypted, e.name);
    }
  });

  test(`${name}: client role reproduces S2SessionCmd0/Cmd1 and every request`, () => {
    const client = createClientSession({
      version: 2,
      patchVersion: v.sec_patch_ver,
      username: v.username,
      password: v.password,
      random: queuedRandomBytes(chunks(v.client_a)),
    });
    assert.equal(hex(client.begin()), v.session[0]!.hex);
    assert.equal(hex(client.next(unhex(v.session[1]!.hex))!), v.session[2]!.hex);
    assert.equal(client.next(unhex(v.session[3]!.hex)), null);
    assert.equal(client.established, true);
    for (const e of v.exchanges) {
      assert.equal(hex(client.encrypt(unhex(e.request_plain))), e.request_encrypted, e.name);
      assert.equal(hex(client.decrypt(unhex(e.response_encrypted))), e.response_plain, e.name);
    }
  });

  if (v.exchanges.length > 0) {
    test(`${name}: nonce sequence (patch ${v.sec_patch_ver})`, () => {
      const cipher = new Sec2Cipher(unhex(v.aes_gcm_key), unhex(v.device_nonce), v.sec_patch_ver);
      for (const e of v.exchanges) {
        assert.equal(hex(cipher.nextNonce), e.nonce, `${e.name} request nonce`);
        assert.equal(hex(cipher.encrypt(unhex(e.request_plain))), e.request_encrypted);
        assert.equal(hex(cipher.nextNonce), e.nonce_response, `${e.name} response nonce`);
        assert.equal(hex(cipher.encrypt(unhex(e.response_plain))), e.response_encrypted);
      }
    });
  }
}

test("sec2_edge_cases.json: the x inner digest with a leading zero uses the full 64 bytes", () => {
  const z = edge.x_inner_digest_leading_zero as unknown as Record<string, string>;
  const inner = sha512(new TextEncoder().encode(`${z.username}:${z.password}`));
  assert.equal(hex(inner), z.inner_digest);
  assert.equal(inner[0], 0);
  const x = srpComputeX(unhex(z.salt!), z.username!, z.password!);
  assert.equal(x, BigInt("0x" + z.x_device_formula));
  assert.notEqual(x, BigInt("0x" + z.x_esp_prov), "must not reproduce esp_prov's dropped zero byte");
  assert.equal(hex(srpComputeVerifier(unhex(z.salt!), z.username!, z.password!)), z.verifier_device_formula);
});
