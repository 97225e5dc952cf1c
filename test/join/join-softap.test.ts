// The laptop side of --join on a real private dbus-daemon whose NetworkManager is our dbusmock template: the
// home connection is remembered and put back, the SoftAP is joined with a volatile profile that does not
// outlive the run, and each failure (not found, wrong password, polkit, missing interface) is one line with the
// laptop left as it was.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { NmBus } from "../../src/networkmanager/nm-bus.js";
import { TransportError, WifiError } from "../../src/errors.js";
import { discoverSoftAps, joinSoftAp, openNetworkManager } from "../../src/join/index.js";
import { MockNetworkManager, needsMockNm } from "../helpers/nm-mock/mock-nm.js";
import type { MockNmOptions } from "../helpers/nm-mock/mock-nm.js";
import { laptopWorld } from "./laptop-world.js";

const fast = { scanTimeoutMs: 5000, activateTimeoutMs: 5000, restoreTimeoutMs: 5000 };

describe("joining a SoftAP from the laptop (NetworkManager mock)", needsMockNm(), () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function start(options: MockNmOptions = laptopWorld) {
    const mock = await MockNetworkManager.start(options);
    cleanups.push(() => mock.stop());
    const bus = await NmBus.connect({ address: mock.address, callTimeoutMs: 5000 });
    cleanups.push(async () => bus.close());
    return { mock, bus };
  }

  test("joins with a volatile profile, then reactivates the home network and leaves no profile", async () => {
    const { mock, bus } = await start();
    const joined = await joinSoftAp(bus, { ssid: "PROV_A1B2C3", ...fast });
    assert.equal(joined.interfaceName, "wlan0");
    assert.equal(joined.previous, "home");
    assert.equal(joined.accessPoint.security, "WPA2");
    const during = await mock.activeOn("wlan0");
    assert.equal(during?.ssid, "PROV_A1B2C3");
    assert.equal(during?.persist, "volatile");
    const log = await mock.log();
    const activation = log.filter((e) => e.event === "activate").at(-1)!;
    assert.equal(activation.psk, "PROV_PASS", "a secured SoftAP is joined with ESP's default password");
    assert.equal(activation.mode, "infrastructure");

    const restored = await joinedRestore(joined);
    assert.deepEqual(restored, { reactivated: "home" });
    const now = await mock.activeOn("wlan0");
    assert.equal(now?.ssid, "home");
    assert.equal(now?.state, 2);
    assert.deepEqual(
      (await mock.profiles()).map((p) => p.id),
      ["home"],
    );
    assert.deepEqual(await joined.restore(), restored, "restore() is idempotent");
  });

  test("an open SoftAP on another interface; nothing active before means nothing is reactivated", async () => {
    const { mock, bus } = await start();
    const joined = await joinSoftAp(bus, { ssid: "PROV_OPEN01", interfaceName: "wlan1", ...fast });
    assert.equal(joined.previous, undefined);
    const activation = (await mock.log()).filter((e) => e.event === "activate").at(-1)!;
    assert.equal(activation.key_mgmt, "", "no security settings for an open SoftAP");
    assert.deepEqual(await joined.restore(), {});
    assert.equal(await mock.activeOn("wlan1"), null);
    assert.equal((await mock.activeOn("wlan0"))?.ssid, "home", "the other interface was not touched");
    assert.deepEqual(
      (await mock.profiles()).map((p) => p.id),
      ["home"],
    );
  });

  test("a wrong SoftAP password: one line, home back, no profile left", async () => {
    const { mock, bus } = await start();
    await assert.rejects(
      joinSoftAp(bus, { ssid: "PROV_A1B2C3", password: "wrongpass", ...fast }),
      (error: unknown) => {
        assert.ok(error instanceof WifiError);
        assert.match(error.message, /^wrong SoftAP password for "PROV_A1B2C3"/);
        assert.match(error.hint ?? "", /--softap-password/);
        return true;
      },
    );
    assert.equal((await mock.activeOn("wlan0"))?.ssid, "home");
    assert.deepEqual(
      (await mock.profiles()).map((p) => p.id),
      ["home"],
    );
  });

  test("a SoftAP not in range: says what was seen, touches nothing", async () => {
    const { mock, bus } = await start();
    await assert.rejects(joinSoftAp(bus, { ssid: "PROV_FFFFFF", ...fast }), (error: unknown) => {
      assert.ok(error instanceof TransportError, "not in range: the device cannot be reached");
      assert.equal(error.message, 'SoftAP "PROV_FFFFFF" not found on wlan0');
      assert.match(error.hint ?? "", /seen: "home", "PROV_A1B2C3", "cafe", "PROV_OPEN01"/);
      return true;
    });
    assert.equal((await mock.log()).filter((e) => e.event === "activate").length, 1, "only home's");
  });

  test("polkit refusing the join: one line with what to grant; home untouched", async () => {
    const { mock, bus } = await start({ ...laptopWorld, behaviour: { deny: ["AddAndActivateConnection2"] } });
    await assert.rejects(joinSoftAp(bus, { ssid: "PROV_A1B2C3", ...fast }), (error: unknown) => {
      assert.ok(error instanceof WifiError);
      assert.match(error.message, /permission denied/);
      assert.match(error.hint ?? "", /polkit/);
      return true;
    });
    assert.equal((await mock.activeOn("wlan0"))?.ssid, "home");
  });

  test("a missing interface names the ones that exist", async () => {
    const { bus } = await start();
    await assert.rejects(joinSoftAp(bus, { ssid: "PROV_A1B2C3", interfaceName: "wlan9" }), {
      message: 'no network interface "wlan9"',
      hint: "Wi-Fi interfaces NetworkManager manages: wlan0, wlan1 (pass one with --interface)",
    });
  });

  test("a join that never finishes times out and restores", async () => {
    const { mock, bus } = await start();
    await mock.setBehaviour({ silent_activation: true });
    const joining = joinSoftAp(bus, { ssid: "PROV_A1B2C3", ...fast, activateTimeoutMs: 300 });
    await assert.rejects(joining, /did not finish within 0 s|did not finish within/);
    await mock.setBehaviour({ silent_activation: false });
    assert.deepEqual(
      (await mock.profiles()).map((p) => p.id),
      ["home"],
    );
  });

  test("an abort while NetworkManager is still joining (Ctrl-C) stops the wait and puts the laptop back", async () => {
    const { mock, bus } = await start({ ...laptopWorld, behaviour: { silent_activation: true } });
    const controller = new AbortController();
    // Abort once NetworkManager has made our profile (its NewConnection signal), while the join hangs.
    const unsubscribe = bus.onSignal((signal) => {
      if (signal.member === "NewConnection") controller.abort();
    });
    const joining = joinSoftAp(bus, {
      ssid: "PROV_A1B2C3",
      ...fast,
      activateTimeoutMs: 60_000,
      restoreTimeoutMs: 300, // home never finishes activating either here (silent activation)
      signal: controller.signal,
    });
    await assert.rejects(joining, { code: "WIFIPROV_ABORTED" });
    unsubscribe();
    assert.deepEqual(
      (await mock.profiles()).map((p) => p.id),
      ["home"],
    );
    assert.equal((await mock.activeOn("wlan0"))?.ssid, "home");
  });

  test("discover lists the PROV_ SoftAPs with RSSI, security and channel", async () => {
    const { bus } = await start();
    const result = await discoverSoftAps(bus, fast);
    assert.equal(result.interfaceName, "wlan0");
    assert.deepEqual(
      result.softAps.map((ap) => [ap.ssid, ap.rssi, ap.security, ap.channel, ap.bssid]),
      [
        ["PROV_A1B2C3", -58, "WPA2", 1, "24:0a:c4:a1:b2:c3"],
        ["PROV_OPEN01", -76, "open", 11, "24:0a:c4:00:00:01"],
      ],
    );
    assert.equal(result.others, 2);
    const all = await discoverSoftAps(bus, { ...fast, prefix: "" });
    assert.equal(all.softAps.length, 4);
  });

  test("NetworkManager absent: the caller's one-line advice", async () => {
    const mock = await MockNetworkManager.start(laptopWorld);
    const address = mock.address;
    await mock.stop();
    await assert.rejects(
      openNetworkManager({
        address,
        callTimeoutMs: 2000,
        unavailableMessage: "NetworkManager is not running; join PROV_A1B2C3 yourself",
      }),
      { message: "NetworkManager is not running; join PROV_A1B2C3 yourself" },
    );
  });
});

function joinedRestore(joined: { restore(): Promise<unknown> }) {
  return joined.restore();
}
