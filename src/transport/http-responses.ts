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
