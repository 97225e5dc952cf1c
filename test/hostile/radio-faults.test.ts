// Radio faults from the simulated environment, end to end with src/client: the AP vanishing mid-connect,
// DHCP never answering, a drop right after connecting, and a channel hop that takes the SoftAP (and so the
// phone's link) away. The device reports the right state, the client the right outcome: never "connected" by
// accident, never an endless wait.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { connect } from "../../src/index.js";
import type { ProvisioningClient } from "../../src/client/index.js";
import { startVirtualDevice } from "../../src/device/index.js";
import type { RunningVirtualDevice } from "../../src/device/index.js";
import { silentLogger } from "../../src/logger.js";
import { AuthMode, SimulatedRadio } from "../../src/wifi/index.js";
import type { AccessPointFaults, SimulatedEnvironment } from "../../src/wifi/index.js";

const FAST = { initialMs: 5, factor: 1.5, maxMs: 30 };

function environment(faults: AccessPointFaults, channel = 1): SimulatedEnvironment {
  return {
    accessPoints: [
      {
        ssid: "faulty",
        bssid: Uint8Array.of(2, 0, 0, 0xfa, 0x01, 0x01),
        channel,
        rssi: -50,
        authMode: AuthMode.WPA2_PSK,
        passphrase: "faultypass",
        faults,
      },
    ],
    softApChannel: 1,
  };
}

async function withDevice(
  env: SimulatedEnvironment,
  body: (device: RunningVirtualDevice, radio: SimulatedRadio) => Promise<void>,
  autoStopMs?: number | false,
): Promise<void> {
  const radio = new SimulatedRadio({
    mac: Uint8Array.of(2, 0, 0, 1, 2, 3),
    environment: env,
    timeScale: 0.001,
  });
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    security: { version: 1, pop: "abcd1234" },
    radio,
    timeScale: 0.001,
    connAttempts: 2,
    logger: silentLogger,
    ...(autoStopMs !== undefined ? { autoStopMs } : {}),
  });
  try {
    await body(device, radio);
  } finally {
    await device.close();
    await radio.close();
  }
}

async function apply(serviceName: string): Promise<ProvisioningClient> {
  const client = await connect({ serviceName, timeoutMs: 2000 });
  await client.establishSession({ pop: "abcd1234" });
  await client.setConfig({ ssid: "faulty", passphrase: "faultypass" });
  await client.applyConfig();
  return client;
}

test("AP vanishes mid-connect: the device reports failure (NetworkNotFound), the client gets 'failed'", async () => {
  await withDevice(environment({ vanishMidConnect: true }), async (device) => {
    const client = await apply(device.serviceName);
    const outcome = await client.waitForConnection({ timeoutMs: 5000, backoff: FAST });
    assert.deepEqual(outcome, { state: "failed", reason: "NetworkNotFound" });
    assert.equal((await client.getStatus()).state, "failed");
    await client.close();
  });
});

test("DHCP never answers: the device stays 'connecting'; the client's wait ends by timeout, not 'connected'", async () => {
  await withDevice(environment({ dhcpNeverAnswers: true }), async (device) => {
    const client = await apply(device.serviceName);
    const outcome = await client.waitForConnection({ timeoutMs: 400, backoff: FAST });
    assert.equal(outcome.state, "timeout");
    assert.equal(outcome.state === "timeout" && outcome.last?.state, "connecting");
    await client.close();
  });
});

test("drop right after connect: 'connected' is reported only after the radio really connected; the drop follows", async () => {
  await withDevice(
    environment({ dropAfterConnectMs: 2_000_000 }) /* 2 s at timeScale 0.001 */,
    async (device, radio) => {
      const seen: string[] = [];
      // Waits on the radio's own event rather than polling: the drop is scheduled on the radio's clock.
      const dropped = new Promise<void>((resolve) =>
        radio.onEvent((e) => {
          seen.push(e.type);
          if (e.type === "disconnected") resolve();
        }),
      );
      const client = await apply(device.serviceName);
      const outcome = await client.waitForConnection({ timeoutMs: 5000, backoff: FAST });
      assert.ok(seen.includes("connected"), "the radio really connected before Connected was reported");
      assert.equal(outcome.state, "connected");
      // The radio then sees the drop (200 BEACON_TIMEOUT).
      await dropped;
      assert.ok(seen.includes("disconnected"), "the drop happened");
      await client.close().catch(() => undefined);
    },
    // The service must outlive Connected here: ESP stops it 30 s (device time) after Got IP, which is 30 ms at
    // this time scale, and a poll delayed by a loaded machine would find it gone instead of seeing 'connected'.
    false,
  );
});

test("drop at once after every connect: the wait ends ('failed', a 'connected' it saw, or the service gone)", async () => {
  await withDevice(environment({ dropAfterConnectMs: 1 }), async (device) => {
    const client = await apply(device.serviceName);
    const outcome = await client.waitForConnection({ timeoutMs: 5000, backoff: FAST });
    // Each connect reaches SUCCESS, which arms the auto-stop timer, and a later drop does not disarm it
    // (wifi_provisioning v5.5 manager.c: GOT_IP starts autostop_timer; STA_DISCONNECTED never stops it). At
    // timeScale 0.001 the 30 s timer is 30 ms, so when no poll happened to see the short 'connected' the
    // service is gone by the next one: the client says so ("stopped answering"), which also ends the wait.
    const serviceGone = outcome.state === "unknown" && /stopped answering/.test(outcome.why);
    assert.ok(
      outcome.state === "failed" || outcome.state === "connected" || serviceGone,
      JSON.stringify(outcome),
    );
    await client.close().catch(() => undefined);
  });
});

/** The phone's Wi-Fi link to the SoftAP, as a TCP relay the test can cut (and keep cut). */
class SoftApLink {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #cut = false;
  constructor(target: number) {
    this.#server = net.createServer((inbound) => {
      if (this.#cut) return void inbound.destroy();
      const outbound = net.connect({ host: "127.0.0.1", port: target });
      for (const s of [inbound, outbound]) {
        this.#sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => {
          this.#sockets.delete(s);
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
  }
  async listen(): Promise<number> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", () => r()));
    return (this.#server.address() as net.AddressInfo).port;
  }
  /** The phone is off the SoftAP: open connections die and new ones are refused (nothing listens). */
  cut(): void {
    if (this.#cut) return;
    this.#cut = true;
    this.#server.close();
    for (const s of this.#sockets) s.destroy();
  }
  async close(): Promise<void> {
    this.cut();
    if (this.#server.listening) await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

test("channel hop takes the SoftAP away: the device joins, the client loses the link and says 'unknown'", async () => {
  await withDevice(environment({ channelHopDropsSoftAp: true }, 11), async (device, radio) => {
    const link = new SoftApLink(device.address.port);
    const port = await link.listen();
    // The simulated SoftAP going down cuts the phone's link (an ESP32 has one radio).
    radio.onEvent((e) => {
      if (e.type === "softap-stopped") link.cut();
    });
    try {
      const client = await apply(`127.0.0.1:${port}`);
      const outcome = await client.waitForConnection({ timeoutMs: 5000, backoff: FAST, maxUnreachable: 3 });
      assert.equal(outcome.state, "unknown", JSON.stringify(outcome));
      await client.close();
      await device.waitFor("provisioned"); // the device itself did join the network
    } finally {
      await link.close();
    }
  });
});
