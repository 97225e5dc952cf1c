/**
 * A link that drops once: a TCP relay in front of a virtual device that cuts the connection (both sides, with
 * nothing forwarded) when the first request to one endpoint passes, then relays faithfully. It stands for the
 * client's Wi-Fi link to the SoftAP going away mid-session, as it does when a laptop roams or the ESP32's
 * radio changes channel: the device sees its socket close, the client a connection closed without a reply.
 */
import net from "node:net";

export interface LinkDropOptions {
  /** The device behind the relay. */
  target: { host: string; port: number };
  listen: { host: string; port: number };
  /** The endpoint whose first request is cut (its request line, `POST /<endpoint> `). */
  endpoint: string;
}

export interface LinkDrop {
  address: { host: string; port: number };
  /** The connection has been cut (once). */
  readonly dropped: boolean;
  close(): Promise<void>;
}

export async function startLinkDrop(options: LinkDropOptions): Promise<LinkDrop> {
  const marker = `POST /${options.endpoint} `;
  const sockets = new Set<net.Socket>();
  let dropped = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(options.target.port, options.target.host);
    sockets.add(client);
    sockets.add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on("error", cut);
    upstream.on("error", cut);
    // The request line may arrive split over two reads: keep the end of the previous one.
    let tail = "";
    client.on("data", (chunk: Buffer) => {
      if (!dropped) {
        const text = tail + chunk.toString("latin1");
        if (text.includes(marker)) {
          dropped = true;
          cut();
          return;
        }
        tail = text.slice(-marker.length);
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    address: { host: options.listen.host, port: address.port },
    get dropped() {
      return dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
