/**
 * The contract of the crypto port (src/crypto/port.ts), written once and run against every implementation
 * (crypto-port.test.ts): known answers from the golden vectors (sec1: X25519, SHA-256, the AES-CTR keystream;
 * sec2: SHA-512, the SRP exponentiations and proofs, AES-GCM per exchange), a 16-byte GCM IV as ESP-IDF
 * v5.0–v5.4.0 sends, and the edge behaviour the wrappers in src/crypto rely on.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { CryptoPort } from "../../src/crypto/port.js";
import { bigIntModPow } from "../../src/crypto/bigint-modpow.js";
import { hex, loadVector, unhex } from "../helpers/vectors.js";
import type { Sec2Vector } from "../security/helpers.js";

interface Sec1Vector {
  pop: string;
  pop_sha256: string;
  client_private_key: string;
  client_public_key: string;
  device_private_key: string;
  device_public_key: string;
  x25519_shared_secret: string;
  aes_key: string;
  device_random: string;
  keystream_first_bytes: string;
}

const sec1 = loadVector<Sec1Vector>("sec1.json");
const sec2Vectors: [string, Sec2Vector][] = [
  ["sec2.json", loadVector<Sec2Vector>("sec2.json")],
  ["sec2_patch0.json", loadVector<Sec2Vector>("sec2_patch0.json")],
];
const N = unhex(
  "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD" +
    "3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F" +
    "24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552" +
    "BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF0" +
    "6F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64EC" +
    "FB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A" +
    "0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D1" +
    "20A93AD2CAFFFFFFFFFFFFFFFF",
);
const big = (h: string): bigint => BigInt("0x" + h);
const minHex = (n: bigint): string => {
  const h = n.toString(16);
  return h.length % 2 === 1 ? "0" + h : h;
};
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

export function cryptoPortContract(port: CryptoPort): void {
  const label = (what: string) => `${port.name}: ${what}`;

  test(label("randomBytes returns the asked length, fresh each time, also above 64 KiB"), () => {
    assert.equal(port.randomBytes(0).length, 0);
    const a = port.randomBytes(32);
    const b = port.randomBytes(32);
    assert.equal(a.length, 32);
    assert.notDeepEqual(a, b);
    const large = port.randomBytes(70_000);
    assert.equal(large.length, 70_000);
    // The tail beyond getRandomValues' 65536-byte limit is filled too (all zero: 2^-32000).
    assert.ok(large.subarray(65536).some((x) => x !== 0));
  });

  test(label("SHA-256 of the PoP (sec1.json) and SHA-512 of S (sec2.json), over split parts"), () => {
    assert.equal(hex(port.sha256([text(sec1.pop)])), sec1.pop_sha256);
    assert.equal(hex(port.sha256([text("abcd"), text(""), text("1234")])), sec1.pop_sha256);
    const v = sec2Vectors[0]![1];
    assert.equal(hex(port.sha512([unhex(v.S)])), v.K);
    assert.equal(hex(port.sha512([])), hex(port.sha512([new Uint8Array(0)])));
  });

  test(label("X25519 public keys and shared secret (sec1.json), both directions"), () => {
    const client = port.x25519(unhex(sec1.client_private_key));
    const device = port.x25519(unhex(sec1.device_private_key));
    assert.equal(hex(client.publicKey), sec1.client_public_key);
    assert.equal(hex(device.publicKey), sec1.device_public_key);
    assert.equal(hex(client.sharedSecret(device.publicKey)), sec1.x25519_shared_secret);
    assert.equal(hex(device.sharedSecret(client.publicKey)), sec1.x25519_shared_secret);
  });

  test(label("X25519: RFC 7748 §6.1 (Alice's public key); the top bit of a peer key is ignored (§5)"), () => {
    const alice = port.x25519(unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    assert.equal(hex(alice.publicKey), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    const peer = unhex(sec1.device_public_key);
    const highBit = Uint8Array.from(peer);
    highBit[31]! |= 0x80;
    assert.equal(hex(alice.sharedSecret(highBit)), hex(alice.sharedSecret(peer)));
    // The private bytes are not changed by clamping.
    const raw = new Uint8Array(32).fill(0xff);
    port.x25519(raw).sharedSecret(peer);
    assert.deepEqual(raw, new Uint8Array(32).fill(0xff));
  });

  test(label("X25519 refuses a small-order peer key (all-zero secret)"), () => {
    const key = port.x25519(new Uint8Array(32).fill(9));
    assert.throws(() => key.sharedSecret(new Uint8Array(32)));
    const one = new Uint8Array(32);
    one[0] = 1;
    assert.throws(() => key.sharedSecret(one));
  });

  test(label("AES-CTR keystream (sec1.json) at byte granularity, however the updates are split"), () => {
    const key = unhex(sec1.aes_key);
    const iv = unhex(sec1.device_random);
    const expected = sec1.keystream_first_bytes;
    const total = expected.length / 2;
    const whole = port.aesCtr(key, iv);
    assert.equal(hex(whole.update(new Uint8Array(total))), expected);
    whole.close();
    for (const sizes of [
      [1, 15, 16, 17, 3],
      [32, 5, 8, 2, 6],
      [7, 7, 7, 7, 7, 7, 7],
    ]) {
      const stream = port.aesCtr(key, iv);
      let out = "";
      let used = 0;
      for (const n of sizes) {
        out += hex(stream.update(new Uint8Array(n)));
        used += n;
      }
      out += hex(stream.update(new Uint8Array(total - used)));
      assert.equal(out, expected, `splits ${sizes.join(",")}`);
      stream.close();
    }
  });

  test(label("AES-CTR XORs data and increments all 128 counter bits (wrap from ff…ff to 00…00)"), () => {
    const key = new Uint8Array(32).fill(3);
    const top = new Uint8Array(16).fill(0xff);
    const ks = port.aesCtr(key, top).update(new Uint8Array(40));
    const first = port.aesCtr(key, top).update(new Uint8Array(16));
    const wrapped = port.aesCtr(key, new Uint8Array(16)).update(new Uint8Array(24));
    assert.equal(hex(ks), hex(first) + hex(wrapped));
    // Carry through a middle byte: 00…00ff ff ff ff → 00…0100 00 00 00.
    const mid = unhex("000000000000000000000000ffffffff");
    const next = unhex("000000000000000000000001" + "00000000");
    assert.equal(
      hex(port.aesCtr(key, mid).update(new Uint8Array(32)).subarray(16)),
      hex(port.aesCtr(key, next).update(new Uint8Array(16))),
    );
    const data = Uint8Array.of(1, 2, 3, 4, 5);
    const enc = port.aesCtr(key, top).update(data);
    assert.equal(hex(port.aesCtr(key, top).update(enc)), hex(data));
  });

  for (const [name, v] of sec2Vectors) {
    test(
      label(`AES-GCM with the nonces of ${name} (12 bytes patch 1, 16 bytes patch 0), every exchange`),
      () => {
        const key = unhex(v.aes_gcm_key);
        for (const x of v.exchanges) {
          const nonce = unhex(x.nonce!);
          const nonceResponse = unhex(x.nonce_response!);
          assert.equal(hex(port.aesGcmSeal(key, nonce, unhex(x.request_plain))), x.request_encrypted, x.name);
          assert.equal(
            hex(port.aesGcmSeal(key, nonceResponse, unhex(x.response_plain))),
            x.response_encrypted,
          );
          assert.equal(hex(port.aesGcmOpen(key, nonce, unhex(x.request_encrypted))!), x.request_plain);
          assert.equal(
            hex(port.aesGcmOpen(key, nonceResponse, unhex(x.response_encrypted))!),
            x.response_plain,
          );
        }
      },
    );
  }

  test(label("AES-GCM with a 16-byte IV (ESP-IDF v5.0–v5.4.0 sec2): known answer from OpenSSL"), () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const iv = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    const plain = unhex("080262140a066d7973736964120a6d7970617373776f7264");
    const body = "22a141a812cba00fb0ed76d5ff1ee0e9f224300a095b23c837d32da294fb770acfb5e81aa5477948";
    assert.equal(hex(port.aesGcmSeal(key, iv, plain)), body);
    assert.equal(hex(port.aesGcmOpen(key, iv, unhex(body))!), hex(plain));
  });

  test(
    label("AES-GCM: a tampered body, tag or nonce does not open (null); the empty plaintext is the bare tag"),
    () => {
      const key = new Uint8Array(32).fill(7);
      const nonce = new Uint8Array(12).fill(1);
      const body = port.aesGcmSeal(key, nonce, text("hello"));
      assert.equal(body.length, 5 + 16);
      for (const i of [0, 4, 5, body.length - 1]) {
        const bad = Uint8Array.from(body);
        bad[i]! ^= 1;
        assert.equal(port.aesGcmOpen(key, nonce, bad), null, `byte ${i}`);
      }
      assert.equal(port.aesGcmOpen(key, new Uint8Array(12).fill(2), body), null);
      const empty = port.aesGcmSeal(key, nonce, new Uint8Array(0));
      assert.equal(empty.length, 16);
      assert.equal(port.aesGcmOpen(key, nonce, empty)!.length, 0);
    },
  );

  for (const [name, v] of sec2Vectors) {
    test(label(`modPow and SHA-512 reproduce the SRP values of ${name} (v, A, B, S, K, M1, M2)`), () => {
      const pow = port.modPow(N);
      const n = big(hex(N));
      const padded = (x: bigint) => unhex(minHex(x).padStart(768, "0"));
      const g = 5n;
      const k = big(hex(port.sha512([N, padded(g)])));
      assert.equal(k, big(v.k));
      const x = big(hex(port.sha512([unhex(v.salt), port.sha512([text(v.username + ":" + v.password)])])));
      assert.equal(x, big(v.x));
      const verifier = pow(g, x);
      assert.equal(minHex(verifier), v.verifier);
      const a = big(v.client_a) | (1n << 255n);
      assert.equal(hex(padded(pow(g, a))), v.client_A);
      const b = big(v.device_b);
      const B = (k * verifier + pow(g, b)) % n;
      assert.equal(minHex(B), v.device_B);
      const u = big(hex(port.sha512([unhex(v.client_A), padded(B)])));
      assert.equal(u, big(v.u));
      const S = pow((big(v.client_A) * pow(verifier, u)) % n, b);
      assert.equal(minHex(S), v.S);
      // The client's side of S: (B − k·g^x)^(a + u·x).
      const base = (((B - ((k * pow(g, x)) % n)) % n) + n) % n;
      assert.equal(pow(base, a + u * x), S);
      const K = port.sha512([unhex(v.S)]);
      assert.equal(hex(K), v.K);
      const M1 = port.sha512([
        unhex(v.H_N_xor_H_padg),
        port.sha512([text(v.username)]),
        unhex(v.salt),
        unhex(v.client_A),
        unhex(v.device_B),
        K,
      ]);
      assert.equal(hex(M1), v.M1_client_proof);
      assert.equal(hex(port.sha512([unhex(v.client_A), M1, K])), v.M2_device_proof);
    });
  }

  test(label("modPow agrees with square-and-multiply for random bases and exponents, any modulus"), () => {
    const pow = port.modPow(N);
    const n = big(hex(N));
    fc.assert(
      fc.property(
        fc.bigInt({ min: 2n, max: n - 2n }),
        fc.bigInt({ min: 1n, max: (1n << 1100n) - 1n }),
        (base, exponent) => pow(base, exponent) === bigIntModPow(base, exponent, n),
      ),
      { numRuns: 6 },
    );
    // A modulus below OpenSSL's DH minimum (65531, prime) and an even one.
    for (const [m, mod] of [
      [Uint8Array.of(0xff, 0xfb), 65531n],
      [Uint8Array.of(0x01, 0x00, 0x00), 65536n],
    ] as const) {
      const small = port.modPow(m);
      for (const [b, e] of [
        [3n, 65529n],
        [12345n, 678n],
        [2n, 1n],
        [mod - 2n, 3n],
      ] as const) {
        assert.equal(small(b, e), bigIntModPow(b, e, mod), `${b}^${e} mod ${mod}`);
      }
    }
  });

  test(label("timingSafeEqual compares equal-length byte strings"), () => {
    assert.equal(port.timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3)), true);
    assert.equal(port.timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4)), false);
    assert.equal(port.timingSafeEqual(new Uint8Array(0), new Uint8Array(0)), true);
  });
}
