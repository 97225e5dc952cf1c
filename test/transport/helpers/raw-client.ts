/** A raw TCP client for byte-exact tests of the device server (undici style: write bytes, read bytes). */
import { post } from "../../../src/conformance/wire.js";
import net from "node:net";

export class RawClient {
  readonly socket: net.Socket;
  #data = Buffer.alloc(0);
  #closed = false;
  #waiters: Array<() => void> = [];
  readonly connected: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect({ host: "127.0.0.1", port });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once("connect", () => resolve());
      this.socket.once("error", reject);
    });
    this.socket.on("data", (chunk: Buffer) => {
      this.#data = Buffer.concat([this.#data, chunk]);
      this.#wake();
    });
    // A reset after the device closed is just another way of closing.
    this.socket.on("error", () => {});
    this.socket.on("close", () => {
      this.#closed = true;
      this.#wake();
    });
  }

  static async open(port: number): Promise<RawClient> {
    const client = new RawClient(port);
    await client.connected;
    return client;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  write(bytes: string | Uint8Array): void {
    this.socket.write(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  async #until(ready: () => boolean): Promise<void> {
    while (!ready()) {
      if (this.#closed) return;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Reads one complete HTTP response (head + Content-Length body); throws if the connection closes first. */
  async response(): Promise<string> {
    let total = -1;
    await this.#until(() => {
      const end = this.#data.indexOf("\r\n\r\n");
      if (end === -1) return false;
      const length = /\r\nContent-Length: (\d+)\r\n/.exec(this.#data.toString("latin1", 0, end + 2));
      total = end + 4 + Number(length?.[1] ?? 0);
      return this.#data.length >= total;
    });
    if (total < 0 || this.#data.length < total) {
      throw new Error(`closed before a full response; got ${JSON.stringify(this.#data.toString("latin1"))}`);
    }
    const out = this.#data.subarray(0, total).toString("latin1");
    this.#data = this.#data.subarray(total);
    return out;
  }

  /** Waits until the device closes; returns every byte received that was not read yet. */
  async closed(): Promise<string> {
    await this.#until(() => false);
    const out = this.#data.toString("latin1");
    this.#data = Buffer.alloc(0);
    return out;
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A request exactly as esp_prov sends it (protocol.md §2.4): the conformance checker's own request builder. */
export function espProvRequest(
  endpoint: string,
  body: string | Uint8Array,
  cookie?: string,
  host = "127.0.0.1:80",
): Buffer {
  return post(host, endpoint, body, cookie);
}

export function okResponse(body: string, cookie?: string): string {
  return (
    `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body, "latin1")}\r\n` +
    (cookie === undefined ? "" : `Set-Cookie: ${cookie}\r\n`) +
    `\r\n${body}`
  );
}
