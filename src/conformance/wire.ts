/**
 * Byte-level HTTP for the conformance checks: one TCP connection, requests written exactly as esp_prov writes
 * them (or deliberately not), and each outcome told apart — a full reply, a close without a reply (how
 * protocomm_httpd reports a provisioning-level failure, ESP-IDF v5.5 protocomm_httpd.c), or silence. A normal
 * HTTP client hides exactly the difference these checks are about.
 */
import net from "node:net";
import type { Clock } from "../clock.js";

export interface HttpReply {
  kind: "reply";
  status: number;
  /** Header lines in order, names as sent (esp_prov matches `Set-Cookie` case-sensitively). */
  headers: Array<[string, string]>;
  body: Uint8Array;
}
export interface Closed {
  kind: "closed";
  /** Bytes received before the close that did not form a full reply. */
  partial: string;
}
export interface Silent {
  kind: "timeout";
}
export type Outcome = HttpReply | Closed | Silent;

export function header(reply: HttpReply, name: string): string | undefined {
  return reply.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case "reply":
      return `HTTP ${outcome.status} with ${outcome.body.length} body bytes`;
    case "closed":
      return outcome.partial.length > 0
        ? `closed after ${outcome.partial.length} bytes that are no HTTP reply`
        : "closed the connection without a reply";
    case "timeout":
      return "neither replied nor closed";
  }
}

export interface Target {
  host: string;
  port: number;
  clock: Clock;
  /** How long to wait for a reply or a close before calling the device silent. */
  waitMs: number;
}

export class Connection {
  readonly #socket: net.Socket;
  readonly #target: Target;
  #data = Buffer.alloc(0);
  #closed = false;
  #wake: Array<() => void> = [];

  private constructor(socket: net.Socket, target: Target) {
    this.#socket = socket;
    this.#target = target;
    socket.on("data", (chunk: Buffer) => {
      this.#data = Buffer.concat([this.#data, chunk]);
      this.#notify();
    });
    // A reset after the device closed is one more way of closing.
    socket.on("error", () => {});
    socket.on("close", () => {
      this.#closed = true;
      this.#notify();
    });
  }

  /** Connects, or rejects with the socket error (ECONNREFUSED, …) or "timeout". */
  static open(target: Target): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: target.host, port: target.port });
      const cancel = target.clock.setTimer(target.waitMs, () => {
        socket.destroy();
        reject(new Error(`no TCP connection within ${target.waitMs} ms`));
      });
      socket.once("connect", () => {
        cancel();
        socket.removeAllListeners("error");
        resolve(new Connection(socket, target));
      });
      socket.once("error", (err) => {
        cancel();
        reject(err);
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(bytes: Uint8Array | string): void {
    if (!this.#closed) this.#socket.write(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
  }

  /** Sends one request and waits for its outcome. */
  async request(bytes: Uint8Array | string): Promise<Outcome> {
    this.write(bytes);
    return this.next();
  }

  /** The next reply, or the close, or silence after waitMs. */
  async next(waitMs = this.#target.waitMs): Promise<Outcome> {
    let timedOut = false;
    const cancel = this.#target.clock.setTimer(waitMs, () => {
      timedOut = true;
      this.#notify();
    });
    try {
      for (;;) {
        const reply = this.#take();
        if (reply) return reply;
        if (this.#closed) {
          const partial = this.#data.toString("latin1");
          this.#data = Buffer.alloc(0);
          return { kind: "closed", partial };
        }
        if (timedOut) return { kind: "timeout" };
        await new Promise<void>((resolve) => this.#wake.push(resolve));
      }
    } finally {
      cancel();
    }
  }

  /** Whether the device closes the connection within waitMs (after an error reply, say). */
  async closesSoon(waitMs = this.#target.waitMs): Promise<boolean> {
    const outcome = await this.next(waitMs);
    return outcome.kind === "closed";
  }

  close(): void {
    this.#socket.destroy();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const w of wake) w();
  }

  #take(): HttpReply | undefined {
    const end = this.#data.indexOf("\r\n\r\n");
    if (end === -1) return undefined;
    const lines = this.#data.toString("latin1", 0, end).split("\r\n");
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
    if (!status) return undefined;
    const headers = lines.slice(1).map((line): [string, string] => {
      const colon = line.indexOf(":");
      return colon < 0 ? [line, ""] : [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
    const length = Number(headers.find(([n]) => n.toLowerCase() === "content-length")?.[1] ?? 0);
    const total = end + 4 + length;
    if (this.#data.length < total) return undefined;
    const body = Uint8Array.from(this.#data.subarray(end + 4, total));
    this.#data = this.#data.subarray(total);
    return { kind: "reply", status: Number(status[1]), headers, body };
  }
}

/** A POST exactly as esp_prov v5.5 sends it (protocol.md §2.4), with optional extra header lines. */
export function post(
  host: string,
  endpoint: string,
  body: Uint8Array | string,
  cookie?: string,
  extra = "",
): Buffer {
  const payload = typeof body === "string" ? Buffer.from(body, "latin1") : Buffer.from(body);
  const head =
    `POST /${endpoint} HTTP/1.1\r\nHost: ${host}\r\nAccept-Encoding: identity\r\n` +
    `Content-Length: ${payload.length}\r\nContent-type: application/x-www-form-urlencoded\r\nAccept: text/plain\r\n` +
    (cookie === undefined ? "" : `Cookie: ${cookie}\r\n`) +
    extra +
    "\r\n";
  return Buffer.concat([Buffer.from(head, "latin1"), payload]);
}
