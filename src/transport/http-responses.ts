/**
 * The exact response bytes of ESP-IDF's HTTP server (protocol.md §2.1 success layout, §2.2 error table).
 * Nothing else is ever sent: no Date, Server or Connection headers.
 */
import type { HttpErrorStatus } from "./http-request-head.js";

const ERRORS: Record<HttpErrorStatus, { status: string; body: string }> = {
  400: { status: "400 Bad Request", body: "Bad request syntax" },
  404: { status: "404 Not Found", body: "Nothing matches the given URI" },
  405: { status: "405 Method Not Allowed", body: "Specified method is invalid for this resource" },
  408: { status: "408 Request Timeout", body: "Server closed this connection" },
  414: { status: "414 URI Too Long", body: "URI is too long" },
  431: { status: "431 Request Header Fields Too Large", body: "Header fields are too long" },
  501: { status: "501 Method Not Implemented", body: "Server does not support this method" },
  505: { status: "505 Version Not Supported", body: "HTTP version not supported by server" },
};

/** `HTTP/1.1 200 OK`, Content-Type text/html, Content-Length, optional `Set-Cookie: session=<id>`, body. */
export function successResponse(body: Uint8Array, setCookie?: string): Buffer {
  let head = `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n`;
  // esp_prov looks for a header named exactly "Set-Cookie" (case-sensitive), protocol.md §2.4.
  if (setCookie !== undefined) head += `Set-Cookie: ${setCookie}\r\n`;
  head += "\r\n";
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

export function errorResponse(status: HttpErrorStatus): Buffer {
  const { status: line, body } = ERRORS[status];
  return Buffer.from(
    `HTTP/1.1 ${line}\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    "latin1",
  );
}

/** A GET on a captive portal's page, asset or OS probe. */
export interface PageRequest {
  /** The path without query string. */
  path: string;
  /** The Host header as sent (a probe names the OS vendor's host; DNS on the SoftAP sent it here). */
  host: string | undefined;
  /** Accept-Encoding (several fields joined with ", "); undefined when absent. */
  acceptEncoding?: string | undefined;
  /** If-None-Match (several fields joined with ", "): the entity tags of the copies the browser has cached. */
  ifNoneMatch?: string | undefined;
}

export interface PageReply {
  status: 200 | 204 | 302 | 304 | 404;
  /** Content-Type (omitted for 204, 302 and 304). */
  type?: string;
  body?: Uint8Array | string;
  /** Redirect target for 302. */
  location?: string;
  /** Content-Encoding of `body`, e.g. "gzip"; absent = identity. */
  encoding?: string;
  /** Cache-Control; default no-store. */
  cacheControl?: string;
  /** ETag, quoted as sent. */
  etag?: string;
  /** Vary, e.g. "Accept-Encoding" for a file sent gzipped to some clients only. */
  vary?: string;
}

const PAGE_STATUS = {
  200: "200 OK",
  204: "204 No Content",
  302: "302 Found",
  304: "304 Not Modified",
  404: "404 Not Found",
} as const;

/**
 * A portal reply in the same plain layout as the device's others. no-store unless the reply says otherwise:
 * a phone must not keep a probe's redirect after the device is provisioned (the probe must then reach the
 * real internet). 204 and 304 carry no Content-Length (RFC 9110 §8.6, §15.4.5): they have no content.
 */
export function pageResponse(reply: PageReply): Buffer {
  const body =
    typeof reply.body === "string" ? Buffer.from(reply.body, "utf8") : Buffer.from(reply.body ?? []);
  let head = `HTTP/1.1 ${PAGE_STATUS[reply.status]}\r\n`;
  if (reply.type !== undefined) head += `Content-Type: ${reply.type}\r\n`;
  if (reply.encoding !== undefined) head += `Content-Encoding: ${reply.encoding}\r\n`;
  if (reply.location !== undefined) head += `Location: ${reply.location}\r\n`;
  head += `Cache-Control: ${reply.cacheControl ?? "no-store"}\r\n`;
  if (reply.etag !== undefined) head += `ETag: ${reply.etag}\r\n`;
  if (reply.vary !== undefined) head += `Vary: ${reply.vary}\r\n`;
  if (reply.status !== 204 && reply.status !== 304) head += `Content-Length: ${body.length}\r\n`;
  head += "\r\n";
  return reply.status === 204 || reply.status === 304
    ? Buffer.from(head, "latin1")
    : Buffer.concat([Buffer.from(head, "latin1"), body]);
}
