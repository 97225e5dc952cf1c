// A NetworkManager that answers less than the real one — a D-Bus that never answers, a NetworkManager that takes a
// call and never replies, no LastScan, activation signals that never come — on virtual time: every timeout of the
// radio runs on the injected Clock, so these tests move the clock instead of waiting, and each ends with a clear
// message (or a failed attempt) and nothing of ours left in NetworkManager.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import type { Socket } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDevice, HttpProvisioningTransport, MemoryStateStore } from "../../../src/device/index.js";
import { silentLogger } from "../../../src/logger.js";
import { NetworkManagerRadio } from "../../../src/wifi/networkmanager/index.js";
import { MockNetworkManager, needsMockNm } from "../../helpers/nm-mock/mock-nm.js";
import { startSilentNetworkManager } from "../../helpers/nm-mock/silent-nm.js";
import { WatchedClock } from "../../helpers/watched-clock.js";
import { EventLog } from "../radio-suite.js";
import { homeNetworks } from "./fixture.js";

const utf8 = (s: string) => new TextEncoder().encode(s);
// Distinct lengths, so a test can tell which wait has started (WatchedClock.nextTimer); a D-Bus call's timeout is
// longer than the scan and SoftAP waits, so moving the clock past those never times out a call still on the wire.
const timeouts = { callMs: 45_000, scanMs: 15_000, activationMs: 90_000, softApMs: 30_000 };
const hasCode = (code: string, text: RegExp) => (e: unknown) => {
  const err = e as { code?: string; message?: string };
  assert.equal(err.code, code, String(err.message));
  assert.match(err.message ?? "", text);
  return true;
};

async function openOn(mock: MockNetworkManager, clock: WatchedClock): Promise<NetworkManagerRadio> {
  return NetworkManagerRadio.open({
    apInterface: "wlan0",
    busAddress: mock.address,
    timeouts,
    clock,
    logger: silentLogger,
  });
}

describe("NetworkManagerRadio on virtual time", needsMockNm(), () => {
  test("a system bus that accepts the connection and never answers: a clear timeout, no hang", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wifiprov-mute-bus-"));
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.resume(); // reads the handshake, answers nothing
    });
    await new Promise<void>((resolve) => server.listen(join(dir, "bus"), resolve));
    try {
      const clock = new WatchedClock();
      const timerSet = clock.nextTimer(timeouts.callMs);
      const opening = NetworkManagerRadio.open({
        apInterface: "wlan0",
        busAddress: `unix:path=${join(dir, "bus")}`,
        timeouts,
        clock,
        logger: silentLogger,
      });
      await timerSet;
      await clock.advance(timeouts.callMs);
      await assert.rejects(opening, (e: unknown) => {
        hasCode("WIFIPROV_TIMEOUT", /the system D-Bus at unix:path=.* did not answer within 45 s/)(e);
        assert.match((e as { hint: string }).hint, /systemctl status dbus/);
        return true;
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a NetworkManager that takes a call and never replies: open() names the call and gives up", async () => {
    const mock = await MockNetworkManager.start({ withoutNetworkManager: true });
    const silent = await startSilentNetworkManager(mock.address);
    try {
      const clock = new WatchedClock();
      const opening = openOn(mock, clock);
      // The call's timer is set before the call is sent: once it has arrived, the radio is waiting on the clock.
      await silent.received("GetDeviceByIpIface");
      await clock.advance(timeouts.callMs);
      await assert.rejects(
        opening,
        hasCode("WIFIPROV_TIMEOUT", /NetworkManager did not answer GetDeviceByIpIface within 45 s/),
      );
    } finally {
      silent.stop();
      await mock.stop();
    }
  });

  test("no LastScan property (NetworkManager before 1.12): the scan lists what is there after the scan timeout", async () => {
    const mock = await MockNetworkManager.start({
      networks: homeNetworks,
      behaviour: { omit_last_scan: true },
    });
    const clock = new WatchedClock();
    const radio = await openOn(mock, clock);
    try {
      const scanWait = clock.nextTimer(timeouts.scanMs);
      const scanning = radio.scan();
      await scanWait;
      // Without LastScan nothing tells the radio the scan is done; the mock's log tells the test.
      await mock.waitFor((e) => e.event === "scan-finished");
      await clock.advance(timeouts.scanMs);
      const results = await scanning;
      assert.deepEqual(results.map((r) => Buffer.from(r.ssid).toString()).sort(), [
        "cafe",
        "myssid",
        "neighbour",
      ]);
    } finally {
      await radio.close();
      await mock.stop();
    }
  });

  test("a join whose activation signals never come is a failed attempt (205) and leaves no profile", async () => {
    const mock = await MockNetworkManager.start({
      networks: homeNetworks,
      behaviour: { silent_activation: true },
    });
    const clock = new WatchedClock();
    const radio = await openOn(mock, clock);
    try {
      const events = new EventLog(radio);
      const activationWait = clock.nextTimer(timeouts.activationMs);
      await radio.connect({ ssid: utf8("myssid"), passphrase: utf8("mypassword") });
      await activationWait;
      assert.ok(
        (await mock.log()).some((e) => e.event === "activate"),
        "NetworkManager was asked to join",
      );
      assert.deepEqual(events.types(), ["started"]);
      await clock.advance(timeouts.activationMs);
      assert.deepEqual(await events.outcome(5000), { type: "disconnected", reason: 205 });
      await radio.close(); // waits for the failed attempt's clean-up
      assert.deepEqual(await mock.profiles(), [], "the attempt's profile was removed");
    } finally {
      await radio.close();
      await mock.stop();
    }
  });

  test("a SoftAP that never activates: a clear message after the timeout, no profile left", async () => {
    const mock = await MockNetworkManager.start({ behaviour: { silent_activation: true } });
    const clock = new WatchedClock();
    const radio = await openOn(mock, clock);
    try {
      await radio.scan().catch(() => {}); // the one-interface pre-scan is not what this test is about
      const softApWait = clock.nextTimer(timeouts.softApMs);
      const starting = radio.startSoftAp({ ssid: "PROV_112233", password: "PROV_PASS" });
      await softApWait;
      await clock.advance(timeouts.softApMs);
      await assert.rejects(
        starting,
        hasCode(
          "WIFIPROV_WIFI",
          /NetworkManager did not bring up the SoftAP PROV_112233 on wlan0 within 30 s/,
        ),
      );
      assert.deepEqual(await mock.profiles(), []);
    } finally {
      await radio.close();
      await mock.stop();
    }
  });

  test("the device composed on it fails to start with that message and never starts listening", async () => {
    const mock = await MockNetworkManager.start({
      networks: homeNetworks,
      behaviour: { silent_activation: true },
    });
    const clock = new WatchedClock();
    const radio = await openOn(mock, clock);
    const http = new HttpProvisioningTransport({ listen: { host: "127.0.0.1", port: 0 } });
    try {
      await radio.scan();
      const softApWait = clock.nextTimer(timeouts.softApMs);
      const starting = createDevice({
        radio,
        store: new MemoryStateStore(),
        transports: [http],
        security: { version: 0 },
        clock,
        logger: silentLogger,
      });
      await softApWait;
      await clock.advance(timeouts.softApMs);
      await assert.rejects(starting, hasCode("WIFIPROV_WIFI", /did not bring up the SoftAP PROV_112233/));
      assert.equal(http.address, undefined, "the HTTP service never listened");
      assert.deepEqual(await mock.profiles(), []);
    } finally {
      await radio.close();
      await mock.stop();
    }
  });
});
