// Exit-code mapping: errors by class/code, outcomes by state.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EXIT_CODE_TABLE, exitCodeForError, exitCodeForOutcome } from "../../src/cli/exit-codes.js";
import {
  AuthenticationError,
  DeviceStatusError,
  ErrorCodes,
  LockedOutError,
  TimeoutError,
  TransportError,
  UnsupportedError,
  UsageError,
} from "../../src/errors.js";

test("errors: the code follows from the error the library throws in each situation", () => {
  assert.equal(exitCodeForError(new UsageError("x")), 2);
  // Connecting: refused, and a connect that timed out (the transport's TransportError since issue 8 item 2).
  assert.equal(exitCodeForError(new TransportError("refused")), 3);
  assert.equal(exitCodeForError(new TransportError("cannot reach h:1: no connection within 5000 ms")), 3);
  assert.equal(exitCodeForError(new AuthenticationError("bad pop")), 4);
  // A close during the handshake reaches the CLI as the client's AuthenticationError (or LockedOutError).
  const closed = new TransportError("closed", { code: ErrorCodes.CLOSED_WITHOUT_REPLY });
  assert.equal(exitCodeForError(new AuthenticationError("closed at step 2", { cause: closed })), 4);
  assert.equal(exitCodeForError(new LockedOutError("refusing handshakes", 0, { cause: closed })), 4);
  assert.equal(exitCodeForError(closed), 1);
  assert.equal(exitCodeForError(new DeviceStatusError("refused", 5)), 1);
  assert.equal(exitCodeForError(new UnsupportedError("no scan")), 1);
  assert.equal(exitCodeForError(new TimeoutError("slow")), 7);
  assert.equal(exitCodeForError(new Error("bug")), 1);
});

test("outcomes", () => {
  const connected = {
    state: "connected",
    ip: "1.2.3.4",
    ssid: "s",
    bssid: "",
    channel: 1,
    authMode: 3,
    authModeName: "WPA2_PSK",
  } as const;
  assert.equal(exitCodeForOutcome(connected), 0);
  assert.equal(exitCodeForOutcome({ state: "failed", reason: "AuthError" }), 5);
  assert.equal(exitCodeForOutcome({ state: "failed", reason: "NetworkNotFound" }), 6);
  assert.equal(exitCodeForOutcome({ state: "unknown", why: "gone" }), 7);
  assert.equal(exitCodeForOutcome({ state: "timeout", waitedMs: 1, last: undefined }), 7);
});

test("the documented table covers 0–7 and 130 (interrupted)", () => {
  assert.deepEqual(
    EXIT_CODE_TABLE.map((r) => r.code),
    [0, 1, 2, 3, 4, 5, 6, 7, 130],
  );
});
