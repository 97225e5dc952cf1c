// --session-policy guarded: a station on the SoftAP cannot break a running session. With ESP's rules one junk
// request from another address replaces the session; with "guarded" the legitimate clients (src/client, and the
// esp_prov-like ProvClient) provision 3 of 3 while hostile traffic from 127.0.0.2 runs alongside: junk bodies,
// junk HTTP, handshake starts without a session, connection floods.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import type { RunningDevice } from "../../src/device/index.js";
import { ProvClient } from "../device/prov-client.js";
import { clientSecurity, legitimateProvision, startTarget } from "./harness.js";

const HOSTILE_ADDRESS = "127.0.0.2";

function portOf(device: RunningDevice): number {
  return Number(device.serviceName.split(":").at(-1));
}

/** One hostile exchange from 127.0.0.2: send bytes, wait until the device answers or closes. */
async function hostileExchange(port: number, bytes: Buffer | string): Promise<void> {
  const socket = net.connect({ host: "127.0.0.1", port, localAddress: HOSTILE_ADDRESS });
  socket.on("error", () => {});
  socket.on("data", () => socket.destroy()); // any reply will do
  await once(socket, "connect").catch(() => {});
  socket.end(bytes);
  if (!socket.destroyed) await once(socket, "close");
}

function post(path: string, body: Buffer, cookie?: string): Buffer {
  const head =
    `POST ${path} HTTP/1.1\r\nHost: 192.168.4.1\r\nContent-Length: ${body.length}\r\n` +
    (cookie === undefined ? "" : `Cookie: ${cookie}\r\n`) +
    "\r\n";
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

/** Runs every kind of hostile traffic in turn until stop() is called; resolves with the number of exchanges. */
function hostileTraffic(port: number): { stop(): Promise<number> } {
  let running = true;
  let count = 0;
  const loop = (async () => {
    let flood: net.Socket[] = [];
    for (let round = 0; running; round++) {
      const junk = Buffer.from(Array.from({ length: 40 }, (_, i) => (round * 31 + i * 7) & 0xff));
      await hostileExchange(port, post("/prov-config", junk));
      await hostileExchange(port, post("/prov-session", junk));
      await hostileExchange(port, post("/prov-session", Buffer.from([0x08, 0x02, 0x52, 0x02, 0x0a, 0x00])));
      await hostileExchange(port, post("/proto-ver", Buffer.from("junk")));
      await hostileExchange(port, "GARBAGE / HTTP/9.9\r\n\r\n");
      await hostileExchange(port, post("/prov-ctrl", junk, `session=${round}`));
      // A flood: 10 connections held open until the next round.
      for (const s of flood) s.destroy();
      flood = Array.from({ length: 10 }, () => {
        const s = net.connect({ host: "127.0.0.1", port, localAddress: HOSTILE_ADDRESS });
        s.on("error", () => {});
        return s;
      });
      await Promise.all(flood.map((s) => once(s, "connect").catch(() => {})));
      count += 7;
    }
    for (const s of flood) s.destroy();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return count;
    },
  };
}

test("esp policy: one request from another address replaces a running session (why guarded exists)", async () => {
  const device = await startTarget(1);
  try {
    const client = new ProvClient(device.serviceName, clientSecurity(1));
    await client.version();
    await client.handshake();
    await hostileExchange(portOf(device), post("/prov-config", Buffer.from("junk")));
    await assert.rejects(client.getStatus());
    await client.transport.close();
  } finally {
    await device.close();
  }
});

test("guarded policy: the same request leaves the running session alone", async () => {
  const device = await startTarget(1, { sessionPolicy: "guarded" });
  try {
    const client = new ProvClient(device.serviceName, clientSecurity(1));
    await client.version();
    await client.handshake();
    await hostileExchange(portOf(device), post("/prov-config", Buffer.from("junk")));
    await client.getStatus();
    await client.transport.close();
  } finally {
    await device.close();
  }
});

test("guarded policy: another client that completes a handshake still takes over (ESP's intent)", async () => {
  const device = await startTarget(1, { sessionPolicy: "guarded" });
  try {
    const first = new ProvClient(device.serviceName, clientSecurity(1));
    await first.version();
    await first.handshake();
    const second = new ProvClient(device.serviceName, clientSecurity(1));
    await second.version();
    await second.handshake();
    await second.getStatus();
    await assert.rejects(first.getStatus());
    await first.transport.close();
    await second.transport.close();
  } finally {
    await device.close();
  }
});

for (const level of [1, 2] as const) {
  test(`guarded policy, security ${level}: src/client and an esp_prov-like client provision 3 of 3 under hostile traffic from ${HOSTILE_ADDRESS}`, async () => {
    const device = await startTarget(level, { sessionPolicy: "guarded" });
    const hostile = hostileTraffic(portOf(device));
    let successes = 0;
    try {
      for (let i = 0; i < 3; i++) {
        await legitimateProvision(device, level);
        successes++;
      }
      for (let i = 0; i < 3; i++) {
        const client = new ProvClient(device.serviceName, clientSecurity(level));
        try {
          // esp_prov's order: version, handshake, scan, then the credentials (after a reprov: the device was
          // provisioned by the round before and keeps running).
          await client.version();
          await client.handshake();
          await client.scan();
          await client.ctrl("reprov");
          const statuses = await client.provision("myssid", "mypassword");
          assert.equal(statuses.at(-1)?.staState, 0, "connected");
          successes++;
        } finally {
          await client.transport.close();
        }
      }
    } finally {
      const exchanges = await hostile.stop();
      await device.close();
      assert.ok(exchanges > 0, "hostile traffic ran");
    }
    assert.equal(successes, 6);
  });
}
