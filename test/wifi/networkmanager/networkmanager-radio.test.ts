// The NetworkManager backend beyond the Radio contract: what NetworkManager was asked for (AP profile, scan, join),
// one-interface turn-taking, leftovers, and a NetworkManager that answers less than the real one (the timeouts
// among those: networkmanager-timeouts.test.ts, on virtual time).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../../../src/logger.js";
import { NetworkManagerRadio } from "../../../src/wifi/networkmanager/index.js";
import { MockNetworkManager, needsMockNm } from "../../helpers/nm-mock/mock-nm.js";
import type { MockLogEntry } from "../../helpers/nm-mock/mock-nm.js";
import { EventLog } from "../radio-suite.js";
import { fastTimeouts, startMockWithRadio } from "./fixture.js";

const utf8 = (s: string) => new TextEncoder().encode(s);
const isCode = (code: string, text?: RegExp) => (e: unknown) => {
  const err = e as { code?: string; message?: string };
  assert.equal(err.code, code, String(err.message));
  if (text) assert.match(err.message ?? "", text);
  return true;
};
type Settings = Record<string, Record<string, unknown>>;
const settingsOf = (entry: MockLogEntry) => entry.settings as Settings;

describe("NetworkManagerRadio", needsMockNm(), () => {
  test("the SoftAP is an AP-mode profile: SSID, WPA2 PSK, channel, IPv4 shared at 192.168.4.1/24, volatile, ours", async () => {
    const two = await startMockWithRadio(
      {
        devices: [
          { iface: "wlan0", mac: "24:0A:C4:11:22:33" },
          { iface: "wlan1", mac: "24:0A:C4:44:55:66" },
        ],
      },
      { staInterface: "wlan1" },
    );
    try {
      assert.deepEqual([...(await two.radio.macAddress())], [0x24, 0x0a, 0xc4, 0x44, 0x55, 0x66]);
      await two.radio.startSoftAp({ ssid: "PROV_445566", password: "PROV_PASS", channel: 6 });
      const log = await two.mock.log();
      const added = log.find((e) => e.event === "add-connection")!;
      assert.equal(added.persist, "volatile");
      const s = settingsOf(added);
      assert.deepEqual(s["802-11-wireless"]!.ssid, [...utf8("PROV_445566")]);
      assert.equal(s["802-11-wireless"]!.mode, "ap");
      assert.equal(s["802-11-wireless"]!.channel, 6);
      assert.equal(s["802-11-wireless-security"]!["key-mgmt"], "wpa-psk");
      assert.equal(s["802-11-wireless-security"]!.psk, "PROV_PASS");
      assert.equal(s.ipv4!.method, "shared");
      assert.deepEqual(s.ipv4!["address-data"], [{ address: "192.168.4.1", prefix: 24 }]);
      assert.equal(s.connection!["interface-name"], "wlan0");
      assert.deepEqual(s.user!.data, { "wifiprov.role": "softap" });
      assert.ok(log.some((e) => e.event === "activated" && e.address === "192.168.4.1"));

      // Two interfaces: the station joins on wlan1 and the SoftAP stays up.
      const events = new EventLog(two.radio);
      await two.radio.connect({ ssid: utf8("myssid"), passphrase: utf8("mypassword") });
      assert.equal((await events.outcome(5000)).type, "connected");
      assert.ok(!events.types().includes("softap-stopped"));
      const joins = (await two.mock.log()).filter(
        (e) => e.event === "activate" && e.mode === "infrastructure",
      );
      assert.equal(joins.length, 1);
      assert.deepEqual(joins[0]!.ssid, [...utf8("myssid")]);
      assert.equal(joins[0]!.psk, "mypassword");
      assert.equal(settingsOf(joins[0]!).connection!["interface-name"], "wlan1");

      // Stopping deletes the profile: NetworkManager is left as it was found.
      await two.radio.stopSoftAp();
      const deleted = (await two.mock.log())
        .filter((e) => e.event === "delete-connection")
        .map((e) => e.path);
      assert.ok(deleted.includes(added.path));
    } finally {
      await two.stop();
    }
  });

  test("an open SoftAP has no security setting", async () => {
    const { mock, radio, stop } = await startMockWithRadio();
    try {
      await radio.startSoftAp({ ssid: "PROV_112233", password: "" });
      const added = (await mock.log()).filter((e) => e.event === "add-connection").at(-1)!;
      assert.equal(settingsOf(added)["802-11-wireless-security"], undefined);
    } finally {
      await stop();
    }
  });

  test("one interface: joining pushes the SoftAP aside, a failed join brings it back", async () => {
    const { mock, radio, stop } = await startMockWithRadio();
    try {
      await radio.startSoftAp({ ssid: "PROV_112233", password: "PROV_PASS" });
      const events = new EventLog(radio);
      await radio.connect({ ssid: utf8("myssid"), passphrase: utf8("wrong-password") });
      const outcome = await events.outcome(5000);
      assert.deepEqual(outcome, { type: "disconnected", reason: 15 });
      assert.ok(events.types().includes("softap-stopped"));
      // The SoftAP comes back after the failure (ESP keeps it so the app can read the reason).
      const isAp = (e: MockLogEntry) => e.event === "activated" && e.address === "192.168.4.1";
      const first = (await mock.log()).find(isAp)!;
      await mock.waitFor((e) => isAp(e) && e.active !== first.active);
    } finally {
      await stop();
    }
  });

  test("a scan asks NetworkManager and maps strength, channel and auth mode", async () => {
    const { mock, radio, stop } = await startMockWithRadio();
    try {
      const results = await radio.scan();
      assert.ok((await mock.log()).some((e) => e.event === "request-scan"));
      const byName = new Map(results.map((r) => [Buffer.from(r.ssid).toString(), r]));
      assert.deepEqual([...byName.keys()], ["myssid", "cafe", "neighbour"], "strongest first");
      assert.equal(byName.get("myssid")!.channel, 6);
      assert.equal(byName.get("myssid")!.rssi, -52);
      assert.equal(byName.get("myssid")!.authMode, 3); // WPA2_PSK
      assert.equal(byName.get("neighbour")!.authMode, 2); // WPA_PSK
      assert.equal(byName.get("cafe")!.authMode, 0);
      assert.equal(byName.get("cafe")!.channel, 1);
    } finally {
      await stop();
    }
  });

  test("profiles a previous run left behind are removed at open; other profiles are not touched", async () => {
    const mock = await MockNetworkManager.start();
    try {
      const first = await NetworkManagerRadio.open({
        apInterface: "wlan0",
        busAddress: mock.address,
        timeouts: fastTimeouts,
        logger: silentLogger,
      });
      await first.startSoftAp({ ssid: "PROV_112233", password: "PROV_PASS" });
      // A crash: the process dies without close(); the next run cleans up.
      const second = await NetworkManagerRadio.open({
        apInterface: "wlan0",
        busAddress: mock.address,
        timeouts: fastTimeouts,
        logger: silentLogger,
      });
      const log = await mock.log();
      const ap = log.find((e) => e.event === "add-connection")!;
      assert.ok(log.some((e) => e.event === "delete-connection" && e.path === ap.path));
      await second.close();
      await first.close();
    } finally {
      await mock.stop();
    }
  });

  test("NetworkManager absent: a one-line reason with what to do", async () => {
    const mock = await MockNetworkManager.start();
    const address = mock.address;
    await mock.stop();
    await assert.rejects(
      NetworkManagerRadio.open({
        apInterface: "wlan0",
        busAddress: address,
        timeouts: fastTimeouts,
        logger: silentLogger,
      }),
      (e: unknown) => {
        isCode("WIFIPROV_WIFI", /NetworkManager is not (reachable|running)/)(e);
        assert.match((e as { hint: string }).hint, /systemctl start NetworkManager/);
        return true;
      },
    );
  });

  test("an interface NetworkManager does not know is named in the error", async () => {
    const mock = await MockNetworkManager.start();
    try {
      await assert.rejects(
        NetworkManagerRadio.open({
          apInterface: "wlan9",
          busAddress: mock.address,
          timeouts: fastTimeouts,
          logger: silentLogger,
        }),
        isCode("WIFIPROV_WIFI", /wlan9/),
      );
    } finally {
      await mock.stop();
    }
  });

  test("a join is reported connected once, though NetworkManager's signal and the state read both say activated", async () => {
    // With no delay between NetworkManager's steps the ACTIVATED signal and the radio's own read of the state
    // arrive together; each used to emit "connected" (the manager then stopped provisioning twice).
    const { radio, stop } = await startMockWithRadio({ behaviour: { step_ms: 0 } });
    try {
      for (let i = 0; i < 3; i++) {
        const events = new EventLog(radio);
        await radio.connect({ ssid: utf8("myssid"), passphrase: utf8("mypassword") });
        assert.equal((await events.outcome(5000)).type, "connected");
        await radio.scan(); // a few more round trips for a second report to arrive
        assert.deepEqual(
          events.types().filter((t) => t === "connected"),
          ["connected"],
        );
        events.unsubscribe();
        await radio.disconnect();
      }
    } finally {
      await stop();
    }
  });

  test("activated without an Ip4Config: a failed attempt, not a hang", async () => {
    const { radio, stop } = await startMockWithRadio({ behaviour: { no_ip4config: true } });
    try {
      const events = new EventLog(radio);
      await radio.connect({ ssid: utf8("myssid"), passphrase: utf8("mypassword") });
      assert.deepEqual(await events.outcome(5000), { type: "disconnected", reason: 205 });
    } finally {
      await stop();
    }
  });

  test("a key NetworkManager refuses (too short) is an AuthError reason, as on an ESP", async () => {
    const { radio, stop } = await startMockWithRadio();
    try {
      const events = new EventLog(radio);
      await radio.connect({ ssid: utf8("myssid"), passphrase: utf8("short") });
      assert.deepEqual(await events.outcome(5000), { type: "disconnected", reason: 202 });
      events.clear();
      await radio.connect({
        ssid: utf8("myssid"),
        passphrase: Uint8Array.of(0xff, 0xfe, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46),
      });
      assert.deepEqual(await events.outcome(5000), { type: "disconnected", reason: 202 });
    } finally {
      await stop();
    }
  });
});
