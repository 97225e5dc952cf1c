// Exit-code mapping: errors by code and phase, outcomes by state.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EXIT_CODE_TABLE, exitCodeForError, exitCodeForOutcome } from "../../src/cli/exit-codes.js";
import {
  AuthenticationError,
  DeviceStatusError,
  ErrorCodes,
  TimeoutError,
  TransportError,
  UnsupportedError,
  UsageError,
} from "../../src/errors.js";

test("errors", () => {
  assert.equal(exitCodeForError(new UsageError("x"), "input"), 2);
  assert.equal(exitCodeForError(new TransportError("refused"), "connect"), 3);
  assert.equal(exitCodeForError(new TimeoutError("slow"), "connect"), 3);
  assert.equal(exitCodeForError(new AuthenticationError("bad pop"), "session"), 4);
  const closed = new TransportError("closed", { code: ErrorCodes.CLOSED_WITHOUT_REPLY });
  assert.equal(exitCodeForError(closed, "session"), 4);
  assert.equal(exitCodeForError(closed, "request"), 1);
  assert.equal(exitCodeForError(new DeviceStatusError("refused", 5), "request"), 1);
  assert.equal(exitCodeForError(new UnsupportedError("no scan"), "request"), 1);
  assert.equal(exitCodeForError(new TimeoutError("slow"), "wait"), 7);
  assert.equal(exitCodeForError(new Error("bug"), "request"), 1);
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

test("the documented table covers 0–7", () => {
  assert.deepEqual(
    EXIT_CODE_TABLE.map((r) => r.code),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
});
