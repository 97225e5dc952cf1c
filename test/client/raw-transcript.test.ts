// The client side of a real esp_prov sec0 run, replayed on a raw `net` server that answers with the
// transcript's exact device bytes (http_transcript_sec0.json). Proves our requests are esp_prov's bytes
// (head layout, header order and spelling, cookie echo, bodies) on one keep-alive connection.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { provision } from "../../src/index.js";
import { loadVector } from "../helpers/vectors.js";

interface Msg {
  tcp_connection?: number;
  direction: string;
  head_text?: string;
  body_hex?: string;
  event?: string;
}
const transcript = loadVector<{ messages: Msg[] }>("http_transcript_sec0.json").messages;

function pathOf(head: string): string {
  return head.split(" ")[1]!.slice(1);
}

/** Pairs of (esp_prov request, device reply) from the transcript. */
const pairs = transcript.flatMap((m, i) => {
  const next = transcript[i + 1];
  return m.direction === "client->device" && m.head_text && next?.head_text ? [{ req: m, res: next }] : [];
});

test("provision over sec0 sends esp_prov's bytes and reads the device's", async () => {
  const received: { head: string; body: string }[] = [];
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    let buf = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buf.subarray(0, end).toString("latin1");
        const length = Number(/Content-Length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const body = buf.subarray(end + 4, end + 4 + length).toString("hex");
        buf = buf.subarray(end + 4 + length);
        received.push({ head, body });
        const endpoint = pathOf(head);
        // proto-ver: esp_prov asked twice (none, no_sec); we ask once. Answer with the first reply (it sets the
        // cookie). Everything else: the transcript's reply to the identical request body.
        const pair =
          endpoint === "proto-ver"
            ? pairs[0]!
            : pairs.find((p) => pathOf(p.req.head_text!) === endpoint && p.req.body_hex === body);
        if (!pair) {
          socket.destroy();
          return;
        }
        socket.write(
          Buffer.concat([
            Buffer.from(`${pair.res.head_text}\r\n\r\n`, "latin1"),
            Buffer.from(pair.res.body_hex!, "hex"),
          ]),
        );
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const result = await provision({
      serviceName: `127.0.0.1:${port}`,
      ssid: "myssid",
      passphrase: "mypassword",
      waitTimeoutMs: 5_000,
    });
    assert.equal(result.outcome.state, "connected");
    assert.equal(result.session.securityVersion, 0);
    assert.equal(result.session.source, "sec_ver");
    assert.equal(connections, 1, "one keep-alive connection for the whole run");

    // Our request sequence: proto-ver once, then exactly esp_prov's session/config requests in its order.
    const espRequests = pairs.map((p) => p.req).filter((r) => pathOf(r.head_text!) !== "proto-ver");
    assert.deepEqual(
      received.map((r) => pathOf(r.head)),
      ["proto-ver", ...espRequests.map((r) => pathOf(r.head_text!))],
    );
    const normaliseHost = (h: string) => h.replace(/Host: 127\.0\.0\.1:\d+/, "Host: HOST");
    espRequests.forEach((want, i) => {
      const got = received[i + 1]!;
      assert.equal(got.body, want.body_hex, `body of request ${i + 1}`);
      // Same head bytes, including "Content-type" spelling, header order and the echoed session cookie.
      const cookie = /Cookie: (session=\d+)/.exec(want.head_text!)?.[1];
      const ours = /Cookie: (session=\d+)/.exec(got.head)?.[1];
      assert.equal(ours, cookie, "cookie echoed exactly");
      assert.equal(normaliseHost(got.head), normaliseHost(want.head_text!));
    });
    assert.equal(received[0]!.head.includes("Cookie"), false, "no cookie before the device set one");
  } finally {
    server.close();
  }
});
