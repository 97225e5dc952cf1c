// Resource exhaustion: hundreds of idle or slow connections, handshake floods and a client that pipelines
// without reading. ESP's rule is one connection at a time with LRU purge (a new connection evicts the old
// one), so a flood disturbs a client while it lasts; a client that retries afterwards gets through, and the
// device ends up holding no extra sockets, timers or buffers.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import {
  clientSecurity,
  legitimateProvision,
  ProcessErrorTrap,
  settled,
  snapshot,
  startTarget,
} from "./harness.js";
import { createClientSession } from "../../src/security/index.js";
import { HttpClientTransport } from "../../src/transport/index.js";

function open(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.on("error", () => {});
    // Discard whatever the device answers: a paused socket emits 'end' only after its buffered bytes are
    // read, so one the device answered (408) and closed would otherwise never look closed.
    socket.resume();
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

const closed = (socket: net.Socket) =>
  socket.destroyed ? Promise.resolve() : new Promise<void>((r) => socket.once("close", () => r()));

/** Resolves once at most `count` of `sockets` are open, or after `guardMs` (the caller asserts). */
function atMostOpen(sockets: net.Socket[], count: number, guardMs: number): Promise<void> {
  return new Promise((resolve) => {
    let open = sockets.filter((s) => !s.destroyed).length;
    const guard = setTimeout(resolve, guardMs);
    const check = () => {
      if (open > count) return;
      clearTimeout(guard);
      resolve();
    };
    for (const s of sockets) {
      if (!s.destroyed)
        s.once("close", () => {
          open--;
          check();
        });
    }
    check();
  });
}

test("300 idle connections: each evicts the previous (LRU); afterwards the client provisions, nothing leaks", async () => {
  const trap = new ProcessErrorTrap();
  const device = await startTarget(1);
  const baseline = snapshot();
  try {
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 300; i++) sockets.push(await open(device.address.port));
    // The device closed all but the newest (max_open_sockets 1, LRU purge).
    await Promise.all(sockets.slice(0, -1).map(closed));
    assert.equal(sockets.filter((s) => !s.destroyed).length, 1);
    await legitimateProvision(device, 1);
    for (const s of sockets) s.destroy();
    const after = await settled(baseline);
    assert.ok(
      after.tcp <= baseline.tcp && after.timers <= baseline.timers,
      JSON.stringify({ baseline, after }),
    );
    trap.check("idle flood");
  } finally {
    await device.close();
    trap.dispose();
  }
});

test("200 slow-loris connections dribbling a request head: evicted or timed out, client then gets through", async () => {
  const trap = new ProcessErrorTrap();
  const device = await startTarget(1);
  const baseline = snapshot();
  try {
    const head = Buffer.from("POST /prov-session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n");
    const sent = new Map<net.Socket, number>();
    const sockets: net.Socket[] = [];
    // Each sends its head one byte at a time, interleaved with the others, never finishing it (20 bytes).
    const dribble = () => {
      for (const s of sockets) {
        const n = sent.get(s) ?? 0;
        if (s.destroyed || n >= 20) continue;
        s.write(head.subarray(n, n + 1));
        sent.set(s, n + 1);
      }
    };
    // One connect at a time, so that every connection reaches the device. The device listens with a backlog
    // of 5 (HTTPD_DEFAULT_CONFIG's backlog_conn, v5.5 esp_http_server.h); 200 connects at once overflow it.
    // Linux then answers with SYN cookies and drops the handshake's last ACK while the accept queue is full:
    // the client side is connected, the device has no socket, and the client retransmits its bytes with
    // exponential back-off (accepted in waves at 1, 2, 4, 7, 14, 27 s). Unless the kernel happens to reset it,
    // such a socket is neither evicted nor timed out by the device and outlasts any wait (seen: 121 of 200
    // never accepted after 30 s on a loaded machine, about one run in three).
    for (let i = 0; i < 200; i++) {
      sockets.push(await open(device.address.port));
      dribble();
    }
    for (let i = 0; i < 20; i++) {
      dribble();
      await new Promise((r) => setTimeout(r, 1));
    }
    // Wait until the device has closed all but one (the client sees each FIN or RST a little later), looking
    // again at each close. The 30 s bound is a guard for a failing device; the assertion below is the check.
    await atMostOpen(sockets, 1, 30_000);
    assert.ok(sockets.filter((s) => !s.destroyed).length <= 1, "at most one connection stays open");
    await legitimateProvision(device, 1);
    for (const s of sockets) s.destroy();
    const after = await settled(baseline);
    assert.ok(
      after.tcp <= baseline.tcp && after.timers <= baseline.timers,
      JSON.stringify({ baseline, after }),
    );
    trap.check("slow flood");
  } finally {
    await device.close();
    trap.dispose();
  }
});

for (const level of [1, 2] as const) {
  test(`sec${level}: a flood of 150 concurrent handshakes disturbs a client; retrying afterwards it provisions`, async () => {
    const trap = new ProcessErrorTrap();
    const device = await startTarget(level);
    const baseline = snapshot();
    try {
      // 150 connects at once overflow the device's listen backlog of 5: the kernel drops most SYNs (or their
      // last ACK) and the clients retransmit after 1 s and again 2 s later. With a 1 s timeout only the first
      // wave (about 6 connections, the legitimate client's among them) ever reached the device, so at most one
      // flood handshake was answered and none when the legitimate client was accepted last (seen about one run
      // in 25). 3.5 s lets all three waves arrive (40–100 connections accepted, 7–17 answered).
      const flood = Array.from({ length: 150 }, async () => {
        const transport = new HttpClientTransport({ serviceName: device.serviceName, timeoutMs: 3500 });
        const session = createClientSession(clientSecurity(level));
        try {
          await transport.send("prov-session", session.begin());
          return "answered";
        } catch {
          return "evicted";
        } finally {
          session.close();
          await transport.close();
        }
      });
      // A legitimate client in the middle of the flood may lose its connection to the LRU rule ...
      const during = legitimateProvision(device, level, { attempts: 1 }).then(
        () => "ok",
        () => "disturbed",
      );
      const results = await Promise.all(flood);
      assert.ok(results.includes("answered"), "the device kept answering during the flood");
      await during;
      // ... but after the flood, a client that retries gets through.
      const { attempts } = await legitimateProvision(device, level, { attempts: 5 });
      assert.ok(attempts >= 1);
      const after = await settled(baseline);
      assert.ok(
        after.tcp <= baseline.tcp && after.timers <= baseline.timers,
        JSON.stringify({ baseline, after }),
      );
      trap.check("handshake flood");
    } finally {
      await device.close();
      trap.dispose();
    }
  });
}

test("a client that pipelines 20 MB of requests and never reads: the device stops reading, memory stays flat", async () => {
  const trap = new ProcessErrorTrap();
  const device = await startTarget(0);
  const baseline = snapshot();
  try {
    const request = Buffer.from("POST /proto-ver HTTP/1.1\r\nContent-Length: 4\r\n\r\nnone");
    const burst = Buffer.concat(Array.from({ length: 1000 }, () => request));
    const socket = await open(device.address.port);
    socket.pause(); // never read a reply
    for (let i = 0; i < 400; i++) {
      socket.write(burst);
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300));
    const during = snapshot();
    // Without back-pressure the device would queue ~25 MB of replies (≈ 60 MB of heap); with it, the bytes
    // stay in the client's own write buffer.
    assert.ok(
      during.heapUsed - baseline.heapUsed < 16 * 1024 * 1024,
      `heap +${during.heapUsed - baseline.heapUsed}`,
    );
    assert.ok(socket.writableLength > 1024 * 1024, "the client's writes backed up instead");
    socket.destroy();
    await legitimateProvision(device, 0);
    const after = await settled(baseline);
    assert.ok(
      after.tcp <= baseline.tcp && after.timers <= baseline.timers,
      JSON.stringify({ baseline, after }),
    );
    trap.check("pipelining without reading");
  } finally {
    await device.close();
    trap.dispose();
  }
});
