// Protocomm dispatch rules (protocol.md §3.1): version never encrypted and session-independent; security
// endpoint → handshake; request endpoints need the established session with the same id; failures throw.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HandshakeGuard, Protocomm } from "../../src/protocomm/index.js";
import { AuthenticationError, LockedOutError, ProtocolError, SessionError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { fakeSecurity, sec0Like, xor } from "./helpers/fake-security.js";
import { hex, unhex } from "../helpers/vectors.js";

const bytes = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

function setup(security = fakeSecurity(1), guard?: HandshakeGuard) {
  const pc = new Protocomm({ security, logger: silentLogger, handshakeGuard: guard });
  pc.setVersionEndpoint("proto-ver", "V0.1");
  pc.setSecurityEndpoint("prov-session");
  pc.addEndpoint("echo", (req, ctx) => bytes(`${ctx.endpoint}:${ctx.sessionId}:${str(req)}`));
  return { pc, security };
}

test("version endpoint: plain, any session or none, string / bytes / function", async () => {
  const { pc } = setup();
  assert.equal(str(await pc.handle(7, "proto-ver", bytes("none"))), "V0.1");
  pc.openSession(1);
  assert.equal(str(await pc.handle(99, "proto-ver", bytes("x"))), "V0.1");
  let n = 0;
  pc.setVersionEndpoint("proto-ver", () => `v${++n}`);
  assert.equal(str(await pc.handle(1, "proto-ver", bytes("x"))), "v1");
  assert.equal(str(await pc.handle(1, "proto-ver", bytes("x"))), "v2");
  pc.setVersionEndpoint("proto-ver", new Uint8Array(0));
  assert.equal((await pc.handle(1, "proto-ver", bytes("x"))).length, 0);
});

test("request endpoint: decrypt → handler → encrypt, only in the established session with the same id", async () => {
  const { pc } = setup();
  await assert.rejects(pc.handle(1, "echo", xor(bytes("hi"))), SessionError); // no session
  pc.openSession(1);
  await assert.rejects(pc.handle(1, "echo", xor(bytes("hi"))), SessionError); // before handshake
  assert.equal(str(await pc.handle(1, "prov-session", bytes("ok"))), "step1");
  assert.equal(str(xor(await pc.handle(1, "echo", xor(bytes("hi"))))), "echo:1:hi");
  await assert.rejects(pc.handle(2, "echo", xor(bytes("hi"))), SessionError); // other id
  await assert.rejects(pc.handle(2, "prov-session", bytes("ok")), SessionError);
});

test("unknown endpoint (e.g. a query string suffix) fails", async () => {
  const { pc } = setup();
  pc.openSession(1);
  await assert.rejects(pc.handle(1, "proto-ver?x=1", bytes("x")), ProtocolError);
  assert.equal(pc.hasEndpoint("echo"), true);
  pc.removeEndpoint("echo");
  assert.equal(pc.hasEndpoint("echo"), false);
  await assert.rejects(pc.handle(1, "echo", bytes("x")), ProtocolError);
});

test("openSession destroys the previous session's keys; closeSession only closes a matching id", () => {
  const { pc, security } = setup();
  pc.openSession(1);
  pc.openSession(2);
  assert.deepEqual(
    security.sessions.map((s) => s.closed),
    [true, false],
  );
  pc.closeSession(1);
  assert.equal(security.sessions[1]!.closed, false);
  pc.closeSession(2);
  assert.equal(security.sessions[1]!.closed, true);
  assert.equal(pc.sessionId, undefined);
  pc.openSession(3);
  pc.close();
  assert.equal(security.sessions[2]!.closed, true);
});

test("handler errors and decrypt errors throw; the partial output is discarded", async () => {
  const { pc } = setup(fakeSecurity(2));
  pc.addEndpoint("boom", () => {
    throw new ProtocolError("bad payload");
  });
  pc.openSession(5);
  await pc.handle(5, "prov-session", bytes("ok"));
  await assert.rejects(pc.handle(5, "boom", new Uint8Array(20)), ProtocolError);
  await assert.rejects(pc.handle(5, "echo", new Uint8Array(3)), AuthenticationError); // shorter than a tag
});

test("empty payload rules of §3.1: sec0 empty reply ok, sec1 empty reply fails, sec2 empty request fails", async () => {
  const s0 = new Protocomm({ security: sec0Like(), logger: silentLogger });
  s0.addEndpoint("empty", () => new Uint8Array(0));
  s0.openSession(1);
  assert.equal((await s0.handle(1, "empty", bytes("x"))).length, 0);

  const { pc: s1 } = setup(fakeSecurity(1));
  s1.addEndpoint("empty", () => new Uint8Array(0));
  s1.openSession(1);
  await s1.handle(1, "prov-session", bytes("ok"));
  await assert.rejects(s1.handle(1, "empty", xor(bytes("x"))), ProtocolError);

  const { pc: s2 } = setup(fakeSecurity(2));
  s2.addEndpoint("empty", () => new Uint8Array(0));
  s2.openSession(1);
  await s2.handle(1, "prov-session", bytes("ok"));
  await assert.rejects(s2.handle(1, "echo", new Uint8Array(16)), ProtocolError); // empty plaintext
  assert.equal((await s2.handle(1, "empty", new Uint8Array(17))).length, 16); // empty reply = tag alone
});

test("a session replaced while the handler runs makes the request fail", async () => {
  const { pc } = setup();
  let release!: () => void;
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  pc.addEndpoint("slow", async () => {
    const released = new Promise<void>((r) => (release = r));
    entered();
    await released;
    return bytes("late");
  });
  pc.openSession(1);
  await pc.handle(1, "prov-session", bytes("ok"));
  const pending = pc.handle(1, "slow", xor(bytes("x")));
  await inHandler;
  pc.openSession(2);
  release();
  await assert.rejects(pending, SessionError);
});

test("sec0 handshake through protocomm gives esp_prov's bytes", async () => {
  const pc = new Protocomm({ security: sec0Like(), logger: silentLogger });
  pc.setSecurityEndpoint("prov-session");
  pc.openSession(9);
  assert.equal(hex(await pc.handle(9, "prov-session", unhex("5203a20100"))), "52050801aa0100");
});

test("handshake guard: authentication failures count, lockout refuses, completion resets", async () => {
  let now = 0;
  const guard = new HandshakeGuard({
    maxFailures: 2,
    baseDelayMs: 1000,
    clock: { now: () => now },
    logger: silentLogger,
  });
  const { pc } = setup(fakeSecurity(1, 2), guard);
  pc.openSession(1);
  await assert.rejects(pc.handle(1, "prov-session", bytes("bad")), AuthenticationError);
  await assert.rejects(pc.handle(1, "prov-session", bytes("bad")), AuthenticationError);
  await assert.rejects(pc.handle(1, "prov-session", bytes("ok1")), LockedOutError);
  now += 1000;
  await pc.handle(1, "prov-session", bytes("ok1"));
  assert.equal(guard.failures, 2, "a first step is not yet a success");
  await pc.handle(1, "prov-session", bytes("ok2"));
  assert.equal(guard.failures, 0);
});
