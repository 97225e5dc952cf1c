/** A raw TCP "device" for client tests: records each request's exact bytes and answers as scripted. */
import net from "node:net";

export type Answer = Buffer | string | "close" | "hang" | { reply: Buffer | string; thenClose: true };

export interface FakeDevice {
  port: number;
  requests: Array<{ connection: number; bytes: string }>;
  connections: number;
  /** Resolves once request number `index` (0-based, across connections) has arrived complete. */
  requestArrived(index: number): Promise<void>;
  /**
   * Resolves once the device's side of connection `connection` (1-based) has closed. A client that processes
   * the device's FIN closes its own side in the same turn, so by then it knows the connection is gone.
   */
  connectionClosed(connection: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeDevice(
  answer: (request: string, index: number, connection: number) => Answer,
): Promise<FakeDevice> {
  const sockets = new Set<net.Socket>();
  const closedConnections = new Set<number>();
  // Waiters for requestArrived / connectionClosed, woken after every request and every close.
  let waiters: Array<() => void> = [];
  const wake = () => {
    const woken = waiters;
    waiters = [];
    for (const w of woken) w();
  };
  const until = async (ready: () => boolean) => {
    while (!ready()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  const device: FakeDevice = {
    port: 0,
    requests: [],
    connections: 0,
    requestArrived: (index) => until(() => device.requests.length > index),
    connectionClosed: (connection) => until(() => closedConnections.has(connection)),
    close: async () => {},
  };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const connection = ++device.connections;
    socket.on("close", () => {
      sockets.delete(socket);
      closedConnections.add(connection);
      wake();
    });
    socket.on("error", () => {});
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end === -1) return;
        const length = Number(/\r\nContent-Length: (\d+)/i.exec(buffer.toString("latin1", 0, end))?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        const bytes = buffer.toString("latin1", 0, end + 4 + length);
        buffer = buffer.subarray(end + 4 + length);
        device.requests.push({ connection, bytes });
        wake();
        const a = answer(bytes, device.requests.length - 1, connection);
        if (a === "close") socket.destroy();
        else if (a === "hang") continue;
        else if (typeof a === "object" && "thenClose" in a) socket.end(a.reply);
        else socket.write(a);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  device.port = (server.address() as net.AddressInfo).port;
  device.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return device;
}
