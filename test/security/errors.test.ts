// Protocol, state and authentication failures (protocol.md §6.1, §7.3, §7.7, §10 item 11).
import { test } from "node:test";
import assert from "node:assert/strict";
import { SRP_N_BYTES } from "../../src/crypto/index.js";
import {
  createClientSession,
  createDeviceSecurity,
  generateSec2Credentials,
  queuedRandomBytes,
  Sec2Cipher,
} from "../../src/security/index.js";
import { encodeSec2Response1, parseSec2Response1 } from "../../src/security/messages.js";
import type { ClientSecuritySession, DeviceSecuritySession } from "../../src/security/index.js";
import { AuthenticationError, ProtocolError, SessionError, UsageError } from "../../src/errors.js";
import { decode, encode, SessionDataSchema } from "../../src/proto/index.js";
import type { SessionData } from "../../src/proto/index.js";
import { hex, loadVector, unhex } from "../helpers/vectors.js";
import { handshake } from "./helpers.js";
import type { Sec2Vector, SessionStep } from "./helpers.js";

const creds = generateSec2Credentials("wifiprov", "right-password");
const sec2Device = (restartOnCmd0?: boolean) =>
  createDeviceSecurity({
    version: 2,
    patchVersion: 1,
    ...creds,
    ...(restartOnCmd0 === undefined ? {} : { restartOnCmd0 }),
  }).createSession();
const sec2Client = (password = "right-password", username = "wifiprov") =>
  createClientSession({ version: 2, patchVersion: 1, username, password });
const sec1Device = (pop = "abcd1234", restartOnCmd0?: boolean) =>
  createDeviceSecurity({
    version: 1,
    pop,
    ...(restartOnCmd0 === undefined ? {} : { restartOnCmd0 }),
  }).createSession();
const sec1Client = (pop = "abcd1234") => createClientSession({ version: 1, pop });

/** Re-encodes a SessionData after letting `edit` change it. */
function mutate(bytes: Uint8Array, edit: (d: SessionData) => void): Uint8Array {
  const d = decode(SessionDataSchema, bytes);
  edit(d);
  return encode(SessionDataSchema, d);
}

function roundTrip(client: ClientSecuritySession, device: DeviceSecuritySession): void {
  const req = new TextEncoder().encode("ping");
  assert.deepEqual(device.decrypt(client.encrypt(req)), req);
  assert.deepEqual(client.decrypt(device.encrypt(req)), req);
}

test("wrong PoP: AuthenticationError on the device at Cmd1, then a fresh Cmd0 with the right PoP works", () => {
  const device = sec1Device("abcd1234");
  const wrong = sec1Client("wrong");
  const cmd1 = wrong.next(device.handshake(wrong.begin()))!;
  assert.throws(() => device.handshake(cmd1), AuthenticationError);
  assert.equal(device.established, false);
  assert.throws(() => device.handshake(cmd1), ProtocolError, "Cmd1 is no longer expected");
  const right = sec1Client("abcd1234");
  handshake(right, device);
  assert.equal(device.established, true);
  roundTrip(right, device);
});

test("wrong SRP password or username: AuthenticationError at Cmd1, then the right credentials succeed", () => {
  const device = sec2Device();
  for (const client of [sec2Client("wrong-password"), sec2Client("right-password", "someone-else")]) {
    const cmd1 = client.next(device.handshake(client.begin()))!;
    assert.throws(
      () => device.handshake(cmd1),
      (e: unknown) => e instanceof AuthenticationError && e.code === "WIFIPROV_AUTHENTICATION",
    );
    assert.equal(device.established, false);
  }
  const right = sec2Client();
  handshake(right, device);
  roundTrip(right, device);
});

test("client side: a forged device proof / verify token is an AuthenticationError", () => {
  const client = sec2Client();
  const device = sec2Device();
  const resp1 = device.handshake(client.next(device.handshake(client.begin()))!);
  const forged = mutate(resp1, (d) => {
    const sr1 = (d.proto.value as { payload: { value: { deviceProof: Uint8Array } } }).payload.value;
    sr1.deviceProof[0]! ^= 1;
  });
  assert.throws(() => client.next(forged), /device proof did not verify/);

  const c1 = sec1Client();
  const d1 = sec1Device();
  const r1 = d1.handshake(c1.next(d1.handshake(c1.begin()))!);
  const forged1 = mutate(r1, (d) => {
    const sr1 = (d.proto.value as { payload: { value: { deviceVerifyData: Uint8Array } } }).payload.value;
    sr1.deviceVerifyData[5]! ^= 0x40;
  });
  assert.throws(() => c1.next(forged1), AuthenticationError);
});

test("Cmd1 before Cmd0 is a ProtocolError (sec1 and sec2)", () => {
  const v1 = loadVector<{ session: SessionStep[] }>("sec1.json");
  assert.throws(() => sec1Device().handshake(unhex(v1.session[2]!.hex)), ProtocolError);
  const v2 = loadVector<Sec2Vector>("sec2.json");
  assert.throws(() => sec2Device().handshake(unhex(v2.session[2]!.hex)), ProtocolError);
});

test("encrypt/decrypt before the handshake completes is a SessionError, for every scheme and role", () => {
  const sessions: (ClientSecuritySession | DeviceSecuritySession)[] = [
    sec1Device(),
    sec2Device(),
    sec1Client(),
    sec2Client(),
    createClientSession({ version: 0 }),
  ];
  for (const s of sessions) {
    assert.throws(() => s.encrypt(Uint8Array.of(1)), SessionError);
    assert.throws(() => s.decrypt(new Uint8Array(20)), SessionError);
  }
  // Half-way through the handshake too.
  const device = sec2Device();
  const client = sec2Client();
  client.next(device.handshake(client.begin()));
  assert.throws(() => device.encrypt(Uint8Array.of(1)), SessionError);
  assert.throws(() => client.encrypt(Uint8Array.of(1)), SessionError);
});

test("sec2: tampered tag ⇒ AuthenticationError without advancing the counter; short body ⇒ ProtocolError", () => {
  const client = sec2Client();
  const device = sec2Device();
  handshake(client, device);
  const body = client.encrypt(new TextEncoder().encode("hello"));
  const tampered = Uint8Array.from(body);
  tampered[body.length - 3]! ^= 1;
  assert.throws(() => device.decrypt(tampered), AuthenticationError);
  assert.throws(() => device.decrypt(body.subarray(0, 15)), ProtocolError);
  // The counter did not move: the genuine body still decrypts, and the conversation continues.
  assert.equal(new TextDecoder().decode(device.decrypt(body)), "hello");
  roundTrip(client, device);
});

test("sec2 patch 1: counter wrap to 0 is refused", () => {
  const cipher = new Sec2Cipher(new Uint8Array(32), unhex("0102030405060708ffffffff"), 1);
  cipher.encrypt(Uint8Array.of(1));
  assert.throws(() => cipher.encrypt(Uint8Array.of(1)), SessionError);
  assert.throws(
    () => new Sec2Cipher(new Uint8Array(32), unhex("010203040506070800000000"), 1).encrypt(Uint8Array.of(1)),
    SessionError,
  );
  // Patch 0 reuses the nonce forever.
  const p0 = new Sec2Cipher(new Uint8Array(32), unhex("0102030405060708ffffffff"), 0);
  assert.deepEqual(p0.encrypt(Uint8Array.of(1)), p0.encrypt(Uint8Array.of(1)));
});

test("wrong sec_ver or wrong payload: ProtocolError on the device and on the client", () => {
  const v1 = loadVector<{ session: SessionStep[] }>("sec1.json");
  const cmd0 = unhex(v1.session[0]!.hex);
  assert.throws(() => sec1Device().handshake(mutate(cmd0, (d) => (d.secVer = 2))), ProtocolError);
  assert.throws(() => sec2Device().handshake(cmd0), ProtocolError, "sec1 message to a sec2 device");
  assert.throws(() => createDeviceSecurity({ version: 0 }).createSession().handshake(cmd0), ProtocolError);
  // msg says Command1 but the payload is sc0 (post-v5.5 check).
  assert.throws(
    () => sec1Device().handshake(mutate(cmd0, (d) => ((d.proto.value as { msg: number }).msg = 2))),
    ProtocolError,
  );
  // Client: the reply's sec_ver must match.
  const client = sec1Client();
  const device = sec1Device();
  const resp0 = device.handshake(client.begin());
  assert.throws(() => client.next(mutate(resp0, (d) => (d.secVer = 0))), ProtocolError);
  const c0 = createClientSession({ version: 0 });
  c0.begin();
  assert.throws(() => c0.next(new Uint8Array(0)), ProtocolError);
  // Garbage is a ProtocolError, not a crash.
  assert.throws(() => sec2Device().handshake(Uint8Array.of(0xff, 0xff, 0xff)), ProtocolError);
});

test("sec2 device input checks: A length, A mod N, username length, proof length", () => {
  const client = sec2Client();
  const cmd0 = client.begin();
  const withPubkey = (pk: Uint8Array, user?: Uint8Array) =>
    mutate(cmd0, (d) => {
      const sc0 = (
        d.proto.value as { payload: { value: { clientPubkey: Uint8Array; clientUsername: Uint8Array } } }
      ).payload.value;
      sc0.clientPubkey = pk;
      if (user) sc0.clientUsername = user;
    });
  const A = (
    decode(SessionDataSchema, cmd0).proto.value as { payload: { value: { clientPubkey: Uint8Array } } }
  ).payload.value.clientPubkey;
  assert.throws(() => sec2Device().handshake(withPubkey(A.subarray(1))), /exactly 384 bytes/);
  assert.throws(() => sec2Device().handshake(withPubkey(new Uint8Array(384))), /0 mod N/);
  assert.throws(() => sec2Device().handshake(withPubkey(SRP_N_BYTES)), /0 mod N/, "A = N");
  assert.throws(() => sec2Device().handshake(withPubkey(A, new Uint8Array(0))), /username/);
  assert.throws(() => sec2Device().handshake(withPubkey(A, new Uint8Array(65536))), /username/);
  // Proof must be 64 bytes.
  const device = sec2Device();
  const cmd1 = client.next(device.handshake(cmd0))!;
  const short = mutate(cmd1, (d) => {
    const sc1 = (d.proto.value as { payload: { value: { clientProof: Uint8Array } } }).payload.value;
    sc1.clientProof = sc1.clientProof.subarray(0, 63);
  });
  assert.throws(() => device.handshake(short), ProtocolError);
});

test("sec1 device input checks: client public key must be 32 bytes", () => {
  const client = sec1Client();
  const cmd0 = mutate(client.begin(), (d) => {
    const sc0 = (d.proto.value as { payload: { value: { clientPubkey: Uint8Array } } }).payload.value;
    sc0.clientPubkey = sc0.clientPubkey.subarray(0, 31);
  });
  assert.throws(() => sec1Device().handshake(cmd0), ProtocolError);
});

test("restartOnCmd0: true (v5.5) restarts in any state; false (v4.0) refuses a second Cmd0", () => {
  for (const make of [() => sec1Device("p", true), () => sec2Device(true)]) {
    const device = make();
    const isSec1 = device.version === 1;
    const first = isSec1 ? sec1Client("p") : sec2Client();
    handshake(first, device);
    const second = isSec1 ? sec1Client("p") : sec2Client();
    handshake(second, device);
    roundTrip(second, device);
  }
  for (const make of [() => sec1Device("p", false), () => sec2Device(false)]) {
    const device = make();
    const isSec1 = device.version === 1;
    const first = isSec1 ? sec1Client("p") : sec2Client();
    device.handshake(first.begin());
    const second = isSec1 ? sec1Client("p") : sec2Client();
    assert.throws(() => device.handshake(second.begin()), ProtocolError);
  }
});

test("close() makes sessions unusable", () => {
  const client = sec2Client();
  const device = sec2Device();
  handshake(client, device);
  device.close();
  client.close();
  assert.throws(() => device.encrypt(Uint8Array.of(1)), SessionError);
  assert.throws(() => client.decrypt(new Uint8Array(17)), SessionError);
  assert.throws(() => device.handshake(client.begin()), SessionError);
});

test("factory argument checks are UsageErrors", () => {
  assert.throws(
    () =>
      createDeviceSecurity({
        version: 2,
        patchVersion: 1,
        salt: new Uint8Array(0),
        verifier: Uint8Array.of(1),
      }),
    UsageError,
  );
  assert.throws(
    () => createClientSession({ version: 2, patchVersion: 1, username: "", password: "x" }),
    UsageError,
  );
  assert.throws(() => generateSec2Credentials("u", "p", { saltLength: 0 }), UsageError);
  assert.throws(() => generateSec2Credentials("", "p"), UsageError);
});

test("sec2 client: takes the nonce length the device sends (16 or 12 for patch 0, 12 for patch 1), refuses others", () => {
  const v = loadVector<Sec2Vector>("sec2_patch0.json");
  const resp1With = (nonce: Uint8Array) => encodeSec2Response1(unhex(v.M2_device_proof), nonce);
  const clientAt = (patchVersion: 0 | 1) => {
    const client = createClientSession({
      version: 2,
      patchVersion,
      username: v.username,
      password: v.password,
      random: queuedRandomBytes([unhex(v.client_a)]),
    });
    client.begin();
    client.next(unhex(v.session[1]!.hex));
    return client;
  };
  // v5.0…v5.4.0 firmware: 16 bytes (the vector), used unchanged for every message.
  const sixteen = clientAt(0);
  assert.equal(sixteen.next(resp1With(unhex(v.device_nonce))), null);
  assert.equal(hex(sixteen.encrypt(unhex(v.exchanges[0]!.request_plain))), v.exchanges[0]!.request_encrypted);
  // A 12-byte patch-0 nonce (wifiprov's own devices before the fix) still works.
  assert.equal(clientAt(0).next(resp1With(unhex(v.device_nonce).subarray(0, 12))), null);
  for (const [patch, length] of [
    [0, 13],
    [0, 0],
    [1, 16],
    [1, 8],
  ] as const) {
    assert.throws(
      () => clientAt(patch).next(resp1With(new Uint8Array(length))),
      (e: unknown) =>
        e instanceof ProtocolError && e.message.includes(`${length}-byte nonce`) && e.hint !== undefined,
      `patch ${patch}, ${length} bytes`,
    );
  }
});

test("sec2 patch 0 device sends a 16-byte nonce, as ESP-IDF v5.0…v5.4.0 (AES_GCM_IV_SIZE 16)", () => {
  const device = createDeviceSecurity({ version: 2, patchVersion: 0, ...creds }).createSession();
  const client = createClientSession({
    version: 2,
    patchVersion: 0,
    username: "wifiprov",
    password: "right-password",
  });
  const cmd0 = client.begin();
  const cmd1 = client.next(device.handshake(cmd0))!;
  const resp1 = device.handshake(cmd1);
  assert.equal(parseSec2Response1(resp1).deviceNonce.length, 16);
  assert.equal(client.next(resp1), null);
  roundTrip(client, device);
});
