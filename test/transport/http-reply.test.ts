// The client's reply reader: ESP's Content-Length replies, and what other servers send (chunked, read until
// close, interim 1xx), fed in pieces as a socket delivers them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseReply } from "../../src/transport/http-reply.js";

const buf = (s: string) => Buffer.from(s, "latin1");
const body = (r: ReturnType<typeof parseReply>) =>
  r.kind === "reply" ? Buffer.from(r.body).toString("latin1") : r.kind;

test("ESP's reply: status, raw headers in order, Content-Length body; incomplete until every byte is there", () => {
  const reply =
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\nSet-Cookie: session=9\r\n\r\nhello";
  for (let cut = 0; cut < reply.length; cut++)
    assert.equal(parseReply(buf(reply.slice(0, cut)), false).kind, "incomplete");
  const parsed = parseReply(buf(reply + "HTTP/1.1"), false);
  assert.equal(parsed.kind, "reply");
  if (parsed.kind !== "reply") return;
  assert.equal(parsed.status, 200);
  assert.deepEqual(parsed.rawHeaders, [
    "Content-Type",
    "text/html",
    "Content-Length",
    "5",
    "Set-Cookie",
    "session=9",
  ]);
  assert.equal(body(parsed), "hello");
  assert.equal(parsed.length, reply.length, "the bytes after the reply are not part of it");
  assert.equal(parsed.close, false);
});

test("chunked bodies with extensions and trailers; read-until-close bodies; 204 and 1xx carry none", () => {
  const chunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n";
  for (let cut = 0; cut < chunked.length; cut++)
    assert.equal(parseReply(buf(chunked.slice(0, cut)), false).kind, "incomplete");
  assert.equal(body(parseReply(buf(chunked), false)), "abcde");

  const open = buf("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>");
  assert.equal(parseReply(open, false).kind, "incomplete");
  const closed = parseReply(open, true);
  assert.equal(body(closed), "<html>");
  assert.equal(closed.kind === "reply" && closed.close, true);

  assert.equal(body(parseReply(buf("HTTP/1.1 204 No Content\r\n\r\n"), false)), "");
  const interim = parseReply(buf("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"), false);
  assert.equal(interim.kind === "reply" && interim.status, 100);
});

test("Connection: close and HTTP/1.0 without keep-alive end the connection after the reply", () => {
  const close = parseReply(buf("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"), false);
  assert.equal(close.kind === "reply" && close.close, true);
  const kept = parseReply(
    buf("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"),
    false,
  );
  assert.equal(kept.kind === "reply" && kept.close, false);
});

test("what is not a usable reply is malformed, with the reason", () => {
  const reason = (s: string, ended = false) => {
    const r = parseReply(buf(s), ended);
    return r.kind === "malformed" ? r.reason : r.kind;
  };
  assert.equal(reason("SSH-2.0-OpenSSH_9.2\r\n"), "not an HTTP reply");
  assert.equal(reason("HTTP/2 200\r\n\r\n"), "not an HTTP reply");
  assert.equal(reason("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"), "invalid Content-Length");
  assert.equal(
    reason("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
    "conflicting Content-Length",
  );
  assert.equal(reason("HTTP/1.1 200 OK\r\nno colon\r\n\r\n"), "malformed header line");
  assert.equal(reason("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), "malformed chunk size");
  assert.equal(
    reason("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort", true),
    "connection ended inside the reply body",
  );
  assert.equal(reason("HTTP/1.1 200 O", true), "connection ended inside the reply head");
  assert.equal(reason(`HTTP/1.1 200 OK\r\nX: ${"a".repeat(17_000)}`), "reply head too long");
});
