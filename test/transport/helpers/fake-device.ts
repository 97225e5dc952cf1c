/** A raw TCP "device" for client tests: records each request's exact bytes and answers as scripted. */
import net from "node:net";

export type Answer = Buffer | string | "close" | "hang" | { reply: Buffer | string; thenClose: true };

export interface FakeDevice {
  port: number;
  requests: Array<{ connection: number; bytes: string }>;
  connections: number;
  close(): Promise<void>;
}

export async function startFakeDevice(
  answer: (request: string, index: number, connection: number) => Answer,
): Promise<FakeDevice> {
  const sockets = new Set<net.Socket>();
  const device: FakeDevice = { port: 0, requests: [], connections: 0, close: async () => {} };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const connection = ++device.connections;
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
