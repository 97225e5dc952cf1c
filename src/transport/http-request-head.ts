/**
 * A small strict parser for the request line and headers of one HTTP/1.1 request, with the limits and error
 * classes of ESP-IDF's esp_http_server (protocol.md §2.1, §2.2 class 1). It is incremental in the simplest way:
 * it is called with everything buffered so far and answers "incomplete", an error status, or the parsed head.
 * Bytes are read as latin1 so that lengths are byte counts, as on the ESP32.
 */

/** Statuses the device framework itself answers with (protocol.md §2.2 class 1). */
export type HttpErrorStatus = 400 | 404 | 405 | 408 | 414 | 431 | 501 | 505;

export interface RequestHead {
  method: string;
  /** The request target exactly as sent (path plus any query string). */
  uri: string;
  /** Header fields in arrival order, names as sent, values without surrounding blanks. */
  headers: Array<[string, string]>;
  /** Content-Length, if the header was present. */
  contentLength: number | undefined;
  /** Transfer-Encoding: chunked was announced. */
  chunked: boolean;
}

export type HeadParseResult =
  | { kind: "incomplete" }
  | { kind: "error"; status: HttpErrorStatus; reason: string }
  | { kind: "head"; head: RequestHead; length: number };

export interface HeadLimits {
  /** Longest accepted request target (CONFIG_HTTPD_MAX_URI_LEN, 512). */
  maxUriBytes: number;
  /** Longest header block after the request line (CONFIG_HTTPD_MAX_REQ_HDR_LEN, 1024; v4.0 512). */
  maxHeaderBytes: number;
}

/** Methods that the device's HTTP parser knows (http_parser's table); others get 501. */
const KNOWN_METHODS = new Set(
  (
    "DELETE GET HEAD POST PUT CONNECT OPTIONS TRACE COPY LOCK MKCOL MOVE PROPFIND PROPPATCH SEARCH UNLOCK " +
    "BIND REBIND UNBIND ACL REPORT MKACTIVITY CHECKOUT MERGE M-SEARCH NOTIFY SUBSCRIBE UNSUBSCRIBE PATCH " +
    "PURGE MKCALENDAR LINK UNLINK SOURCE"
  ).split(" "),
);
const LONGEST_METHOD = 16;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TARGET = /^[\x21-\x7e\x80-\xff]+$/;
const VERSION = /^HTTP\/(\d)\.(\d)$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const LF = 0x0a;
const CR = 0x0d;

const fail = (status: HttpErrorStatus, reason: string): HeadParseResult => ({
  kind: "error",
  status,
  reason,
});

/** Number of CR/LF bytes before a request (parsers skip blank lines between pipelined requests). */
export function leadingBlankBytes(buffer: Uint8Array): number {
  let i = 0;
  while (i < buffer.length && (buffer[i] === CR || buffer[i] === LF)) i++;
  return i;
}

function lineText(buffer: Buffer, start: number, end: number): string {
  const stop = end > start && buffer[end - 1] === CR ? end - 1 : end;
  return buffer.toString("latin1", start, stop);
}

/** Checks what can be checked of a request line that has not ended yet, so buffers stay bounded. */
function checkPartialRequestLine(text: string, limits: HeadLimits): HeadParseResult {
  const space = text.indexOf(" ");
  const method = space === -1 ? text : text.slice(0, space);
  if (method.length > 0 && !TOKEN.test(method)) return fail(400, "invalid method token");
  if (space === -1) {
    return method.length > LONGEST_METHOD ? fail(400, "method token too long") : { kind: "incomplete" };
  }
  const rest = text.slice(space + 1);
  const nextSpace = rest.indexOf(" ");
  const target = nextSpace === -1 ? rest : rest.slice(0, nextSpace);
  if (target.length > limits.maxUriBytes) return fail(414, "URI too long");
  if (nextSpace !== -1 && rest.length - nextSpace > 16) return fail(400, "malformed HTTP version");
  return { kind: "incomplete" };
}

function parseRequestLine(
  text: string,
  limits: HeadLimits,
): { method: string; uri: string } | Extract<HeadParseResult, { kind: "error" }> {
  const parts = text.split(" ");
  const [method = "", uri = "", version = ""] = parts;
  if (!TOKEN.test(method)) return { kind: "error", status: 400, reason: "invalid method token" };
  if (parts.length !== 3) {
    if (parts.length > 1 && uri.length > limits.maxUriBytes)
      return { kind: "error", status: 414, reason: "URI too long" };
    return { kind: "error", status: 400, reason: "malformed request line" };
  }
  if (uri.length > limits.maxUriBytes) return { kind: "error", status: 414, reason: "URI too long" };
  if (!TARGET.test(uri) || !(uri.startsWith("/") || uri === "*" || /^[a-z][a-z0-9+.-]*:\/\//i.test(uri))) {
    return { kind: "error", status: 400, reason: "malformed request target" };
  }
  if (!KNOWN_METHODS.has(method)) return { kind: "error", status: 501, reason: `unknown method ${method}` };
  const match = VERSION.exec(version);
  if (match === null) return { kind: "error", status: 400, reason: "malformed HTTP version" };
  if (match[1] !== "1" || (match[2] !== "0" && match[2] !== "1")) {
    return { kind: "error", status: 505, reason: `HTTP version ${version}` };
  }
  return { method, uri };
}

/**
 * Parses the head at the start of `buffer` (leading blank lines already removed).
 * `length` of a parsed head is the number of bytes it occupied, body not included.
 */
export function parseRequestHead(buffer: Buffer, limits: HeadLimits): HeadParseResult {
  const lineEnd = buffer.indexOf(LF);
  if (lineEnd === -1) return checkPartialRequestLine(buffer.toString("latin1"), limits);
  const line = parseRequestLine(lineText(buffer, 0, lineEnd), limits);
  if ("kind" in line) return line;

  const headerStart = lineEnd + 1;
  const headers: Array<[string, string]> = [];
  let pos = headerStart;
  for (;;) {
    const nl = buffer.indexOf(LF, pos);
    // The whole header block must fit the device's header buffer, terminator included.
    if ((nl === -1 ? buffer.length : nl + 1) - headerStart > limits.maxHeaderBytes) {
      return fail(431, "header fields too long");
    }
    if (nl === -1) return { kind: "incomplete" };
    const text = lineText(buffer, pos, nl);
    pos = nl + 1;
    if (text.length === 0) break;
    const colon = text.indexOf(":");
    const name = colon === -1 ? "" : text.slice(0, colon);
    // No obsolete line folding, no blank before the colon: a strict parser refuses both.
    if (!TOKEN.test(name)) return fail(400, "malformed header line");
    const value = text.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (!FIELD_VALUE.test(value)) return fail(400, "invalid character in header value");
    headers.push([name, value]);
  }

  let contentLength: number | undefined;
  let chunked = false;
  let transferEncoding = false;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === "content-length") {
      if (contentLength !== undefined || !/^\d{1,15}$/.test(value))
        return fail(400, "invalid Content-Length");
      contentLength = Number(value);
    } else if (lower === "transfer-encoding") {
      if (transferEncoding) return fail(400, "repeated Transfer-Encoding");
      transferEncoding = true;
      // Only a final "chunked" is a valid request framing.
      if (!/(^|,)\s*chunked$/i.test(value)) return fail(400, "unsupported Transfer-Encoding");
      chunked = true;
    }
  }
  if (chunked && contentLength !== undefined) return fail(400, "both Content-Length and Transfer-Encoding");
  return {
    kind: "head",
    head: { method: line.method, uri: line.uri, headers, contentLength, chunked },
    length: pos,
  };
}

/** First header with this name (case-insensitive), as esp_http_server's httpd_req_get_hdr_value_str finds it. */
export function headerValue(head: RequestHead, name: string): string | undefined {
  const lower = name.toLowerCase();
  return head.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** Every field of a list-valued header joined with ", " (RFC 9110 §5.3), or undefined when there is none. */
export function headerList(head: RequestHead, name: string): string | undefined {
  const lower = name.toLowerCase();
  const values = head.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
  return values.length === 0 ? undefined : values.join(", ");
}
