// Every fault the simulated environment can inject, as the device manager will see it (protocol.md §8.2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ap, bssid, outcomeMs, simulated, simulatedOnVirtualClock, utf8 } from "./sim-helpers.js";

const join = { ssid: utf8("Net"), passphrase: utf8("password1") };

test("vanishMidConnect: the attempt ends with 201 and the AP is gone from scans and later attempts", async () => {
  const { radio, log } = simulated({
    accessPoints: [ap({ ssid: "Net", faults: { vanishMidConnect: true } })],
  });
  try {
    assert.equal((await radio.scan()).length, 1);
    await radio.connect(join);
    assert.deepEqual(await log.outcome(outcomeMs), { type: "disconnected", reason: 201 });
    assert.deepEqual(await radio.scan(), []);
    log.clear();
    await radio.connect(join);
    assert.deepEqual(await log.outcome(outcomeMs), { type: "disconnected", reason: 201 });
  } finally {
    await radio.close();
  }
});

test("vanishMidConnect with vanishReason 200 reports BEACON_TIMEOUT", async () => {
  const { radio, log } = simulated({
    accessPoints: [ap({ ssid: "Net" })],
    faults: { vanishMidConnect: true, vanishReason: 200 },
  });
  try {
    await radio.connect(join);
    assert.deepEqual(await log.outcome(outcomeMs), { type: "disconnected", reason: 200 });
  } finally {
    await radio.close();
  }
});

test("dhcpNeverAnswers: associated, but neither connected nor disconnected", async () => {
  const { radio, log, clock } = simulatedOnVirtualClock({
    accessPoints: [ap({ ssid: "Net", faults: { dhcpNeverAnswers: true } })],
  });
  try {
    await radio.connect(join);
    // An hour of radio time: far past the connect scan, association and any DHCP wait.
    await log.quiet(3_600_000);
    assert.deepEqual(log.types(), ["started"]);
    assert.equal(radio.station.phase, "obtaining-ip");
    assert.equal(clock.pending, 0, "nothing is scheduled that could still end the attempt");
  } finally {
    await radio.close();
  }
});

test("dropAfterConnectMs: connected, then disconnected with 200 BEACON_TIMEOUT", async () => {
  const { radio, log } = simulated({
    accessPoints: [ap({ ssid: "Net", faults: { dropAfterConnectMs: 2000 } })],
  });
  try {
    await radio.connect(join);
    assert.equal((await log.outcome(outcomeMs)).type, "connected");
    assert.equal(radio.station.phase, "connected");
    const drop = await log.waitFor((e) => e.type === "disconnected", outcomeMs, "drop");
    assert.deepEqual(drop, { type: "disconnected", reason: 200 });
    assert.equal(radio.station.phase, "idle");
    assert.equal(radio.station.info, undefined);
  } finally {
    await radio.close();
  }
});

test("dropAfterConnectMs with dropReason 8 reports ASSOC_LEAVE; a global fault applies to every AP", async () => {
  const { radio, log } = simulated({
    accessPoints: [ap({ ssid: "Net" })],
    faults: { dropAfterConnectMs: 1000, dropReason: 8 },
  });
  try {
    await radio.connect(join);
    const drop = await log.waitFor((e) => e.type === "disconnected", outcomeMs, "drop");
    assert.deepEqual(drop, { type: "disconnected", reason: 8 });
    assert.deepEqual(log.types(), ["started", "connected", "disconnected:8"]);
  } finally {
    await radio.close();
  }
});

test("an AP's own faults override the global ones", async () => {
  const { radio, log } = simulated({
    accessPoints: [ap({ ssid: "Net", faults: { dhcpNeverAnswers: false } })],
    faults: { dhcpNeverAnswers: true },
  });
  try {
    await radio.connect(join);
    assert.equal((await log.outcome(outcomeMs)).type, "connected");
  } finally {
    await radio.close();
  }
});

test('scan "empty": scans find nothing, yet networks can be joined', async () => {
  const { radio, log } = simulated({ accessPoints: [ap({ ssid: "Net" })], faults: { scan: "empty" } });
  try {
    assert.deepEqual(await radio.scan(), []);
    await radio.connect(join);
    assert.equal((await log.outcome(outcomeMs)).type, "connected");
  } finally {
    await radio.close();
  }
});

test('scan "stale": scans report the world as it was before its last change', async () => {
  const { radio } = simulated({ accessPoints: [ap({ ssid: "Net" })], faults: { scan: "stale" } });
  try {
    const names = async () => (await radio.scan()).map((r) => Buffer.from(r.ssid).toString());
    assert.deepEqual(await names(), ["Net"]);
    radio.addAccessPoint(ap({ ssid: "NewNet", bssid: bssid("02:00:00:00:00:02"), rssi: -40 }));
    assert.deepEqual(await names(), ["Net"], "the new AP is not seen yet");
    assert.ok(radio.removeAccessPoint(bssid("02:00:00:00:00:01")));
    assert.deepEqual(await names(), ["NewNet", "Net"], "the removed AP is still listed");
  } finally {
    await radio.close();
  }
});

test("channelHopDropsSoftAp: joining an AP on another channel stops the SoftAP with an event", async () => {
  const { radio, log } = simulated({
    accessPoints: [ap({ ssid: "Net", channel: 11 })],
    faults: { channelHopDropsSoftAp: true },
    softApChannel: 1,
  });
  try {
    await radio.startSoftAp({ ssid: "PROV_112233", password: "" });
    assert.equal(radio.softAp?.channel, 1);
    await radio.connect(join);
    const stopped = await log.waitFor((e) => e.type === "softap-stopped", outcomeMs, "softap-stopped");
    assert.match(stopped.type === "softap-stopped" ? stopped.reason : "", /channel hop from 1 to 11/);
    assert.equal(radio.softAp, undefined);
    assert.equal((await log.outcome(outcomeMs)).type, "connected");
  } finally {
    await radio.close();
  }
});

test("without the fault the SoftAP follows the station's channel silently", async () => {
  const { radio, log } = simulated({ accessPoints: [ap({ ssid: "Net", channel: 11 })] });
  try {
    await radio.startSoftAp({ ssid: "PROV_112233", password: "" });
    await radio.connect(join);
    assert.equal((await log.outcome(outcomeMs)).type, "connected");
    assert.equal(radio.softAp?.channel, 11);
    assert.ok(!log.types().includes("softap-stopped"));
    // A SoftAP started while joined uses the station's channel (one radio).
    await radio.stopSoftAp();
    await radio.startSoftAp({ ssid: "PROV_112233", password: "", channel: 3 });
    assert.equal(radio.softAp?.channel, 11);
  } finally {
    await radio.close();
  }
});

test("an AP taken out of range while joined is lost with 200 BEACON_TIMEOUT", async () => {
  const { radio, log } = simulated({ accessPoints: [ap({ ssid: "Net" })] });
  try {
    await radio.connect(join);
    assert.equal((await log.outcome(outcomeMs)).type, "connected");
    radio.removeAccessPoint(bssid("02:00:00:00:00:01"));
    const lost = await log.waitFor((e) => e.type === "disconnected", outcomeMs, "beacon timeout");
    assert.deepEqual(lost, { type: "disconnected", reason: 200 });
  } finally {
    await radio.close();
  }
});
