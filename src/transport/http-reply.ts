/**
 * Reads one HTTP/1.x reply from the bytes a client received so far, for the client transport. Like the
 * device's request parser it is incremental in the simplest way: called with everything buffered, it answers
 * "incomplete", "malformed" or the whole reply. Framing: no body for 1xx/204/304, chunked encoding,
 * Content-Length (ESP's httpd always sends it, protocol.md §2.1), else the end of the connection.
 */

export type ReplyParse =
  | { kind: "incomplete" }
  | { kind: "malformed"; reason: string }
  | {
      kind: "reply";
      status: number;
      /** Header names and values in arrival order, alternating, names as sent (node:http's rawHeaders). */
      rawHeaders: string[];
      body: Uint8Array;
      /** Bytes the reply occupied. */
      length: number;
      /** The connection cannot carry another request after this reply. */
      close: boolean;
    };

/** Longest reply head accepted (node:http's default limit). */
const MAX_HEAD_BYTES = 16 * 1024;
/** Longest reply body accepted: far more than any provisioning reply, bounded all the same. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
const LF = 0x0a;
const INCOMPLETE: ReplyParse = { kind: "incomplete" };
const malformed = (reason: string): ReplyParse => ({ kind: "malformed", reason });

/** End of the head (index after its blank line), or -1. Lines end in CRLF, or a bare LF as lenient parsers allow. */
function headEnd(buffer: Buffer): number {
  let from = 0;
  for (;;) {
    const nl = buffer.indexOf(LF, from);
    if (nl === -1) return -1;
    const next = buffer[nl + 1];
    if (next === LF) return nl + 2;
    if (next === 0x0d && buffer[nl + 2] === LF) return nl + 3;
    if (next === undefined || (next === 0x0d && nl + 2 >= buffer.length)) return -1;
    from = nl + 1;
  }
}

export function parseReply(buffer: Buffer, ended: boolean): ReplyParse {
  const end = headEnd(buffer);
  if (end === -1) {
    if (buffer.length > MAX_HEAD_BYTES) return malformed("reply head too long");
    // A few bytes are enough to tell a server that does not speak HTTP at all.
    if (buffer.length >= 5 && buffer.toString("latin1", 0, 5) !== "HTTP/")
      return malformed("not an HTTP reply");
    return ended && buffer.length > 0 ? malformed("connection ended inside the reply head") : INCOMPLETE;
  }
  const lines = buffer.toString("latin1", 0, end).split(/\r?\n/);
  const status = STATUS_LINE.exec(lines[0]!);
  if (status === null) return malformed("not an HTTP reply");
  const http10 = status[1] === "0";
  const code = Number(status[2]);
  const rawHeaders: string[] = [];
  let contentLength: number | undefined;
  let chunked = false;
  let connection = "";
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return malformed("malformed header line");
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    rawHeaders.push(name, value);
    const lower = name.toLowerCase();
    if (lower === "content-length") {
      if (!/^\d{1,15}$/.test(value)) return malformed("invalid Content-Length");
      if (contentLength !== undefined && contentLength !== Number(value))
        return malformed("conflicting Content-Length");
      contentLength = Number(value);
    } else if (lower === "transfer-encoding") {
      chunked = /(^|,)\s*chunked\s*$/i.test(value);
    } else if (lower === "connection") {
      connection += `${value.toLowerCase()},`;
    }
  }
  let close = /(^|,)\s*close\s*,/.test(connection) || (http10 && !/(^|,)\s*keep-alive\s*,/.test(connection));
  const reply = (body: Uint8Array, length: number): ReplyParse => ({
    kind: "reply",
    status: code,
    rawHeaders,
    body,
    length,
    close,
  });

  if ((code >= 100 && code < 200) || code === 204 || code === 304) return reply(new Uint8Array(0), end);
  if (chunked) return readChunked(buffer, end, ended, reply);
  if (contentLength !== undefined) {
    if (contentLength > MAX_BODY_BYTES) return malformed("reply body too large");
    if (buffer.length < end + contentLength) {
      return ended ? malformed("connection ended inside the reply body") : INCOMPLETE;
    }
    return reply(new Uint8Array(buffer.subarray(end, end + contentLength)), end + contentLength);
  }
  // Framed by the end of the connection.
  if (buffer.length - end > MAX_BODY_BYTES) return malformed("reply body too large");
  if (!ended) return INCOMPLETE;
  close = true;
  return reply(new Uint8Array(buffer.subarray(end)), buffer.length);
}

function readChunked(
  buffer: Buffer,
  start: number,
  ended: boolean,
  reply: (body: Uint8Array, length: number) => ReplyParse,
): ReplyParse {
  const parts: Buffer[] = [];
  let total = 0;
  let pos = start;
  const short = () => (ended ? malformed("connection ended inside a chunked body") : INCOMPLETE);
  for (;;) {
    const nl = buffer.indexOf(LF, pos);
    if (nl === -1) return buffer.length - pos > 1024 ? malformed("malformed chunk size") : short();
    const sizeText = buffer.toString("latin1", pos, nl).replace(/\r$/, "").split(";")[0]!.trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return malformed("malformed chunk size");
    const size = parseInt(sizeText, 16);
    pos = nl + 1;
    if (size === 0) break;
    total += size;
    if (total > MAX_BODY_BYTES) return malformed("reply body too large");
    if (buffer.length < pos + size) return short();
    parts.push(buffer.subarray(pos, pos + size));
    pos += size;
    // The CRLF after the chunk data.
    if (buffer.length < pos + 1 || (buffer[pos] === 0x0d && buffer.length < pos + 2)) return short();
    if (buffer[pos] === 0x0d) pos++;
    if (buffer[pos] !== LF) return malformed("malformed chunk end");
    pos++;
  }
  // Trailer fields, then a blank line.
  for (;;) {
    const nl = buffer.indexOf(LF, pos);
    if (nl === -1) return buffer.length - pos > MAX_HEAD_BYTES ? malformed("trailers too long") : short();
    const blank = nl === pos || (nl === pos + 1 && buffer[pos] === 0x0d);
    pos = nl + 1;
    if (blank) break;
  }
  return reply(new Uint8Array(Buffer.concat(parts)), pos);
}
