// Bad input on a Linux device, at the radio: an interface NetworkManager does not manage or cannot use, one busy
// with someone else's connection, polkit saying no, someone else's profile for our SoftAP's name, the access point
// vanishing mid-join. Each is a one-line reason (or a failed attempt the device reports) and leaves nothing of
// ours in NetworkManager. Also the captive portal's DNS file: there exactly while the SoftAP is.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../../../src/logger.js";
import { NetworkManagerRadio } from "../../../src/wifi/networkmanager/index.js";
import type { NetworkManagerRadioOptions } from "../../../src/wifi/networkmanager/index.js";
import { MockNetworkManager, needsMockNm } from "../../helpers/nm-mock/mock-nm.js";
import type { MockLogEntry, MockNmOptions } from "../../helpers/nm-mock/mock-nm.js";
import { EventLog } from "../radio-suite.js";
import { fastTimeouts, homeNetworks } from "./fixture.js";

const utf8 = (s: string) => new TextEncoder().encode(s);
const DNS_FILE = "wifiprov-captive-portal.conf";

function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const none = () => {};
  return {
    logger: { debug: none, info: none, warn: (m) => warnings.push(m), error: none },
    warnings,
  };
}

async function withMock(
  options: MockNmOptions,
  run: (mock: MockNetworkManager) => Promise<void>,
): Promise<void> {
  const mock = await MockNetworkManager.start({ networks: homeNetworks, ...options });
  try {
    await run(mock);
  } finally {
    await mock.stop();
  }
}

function open(
  mock: MockNetworkManager,
  options: Partial<NetworkManagerRadioOptions> = {},
): Promise<NetworkManagerRadio> {
  return NetworkManagerRadio.open({
    apInterface: "wlan0",
    busAddress: mock.address,
    timeouts: fastTimeouts,
    logger: recordingLogger().logger,
    ...options,
  });
}

const rejectsWith = (message: RegExp, hint: RegExp) => (e: unknown) => {
  const err = e as { code?: string; message?: string; hint?: string };
  assert.equal(err.code, "WIFIPROV_WIFI", String(err.message));
  assert.match(err.message ?? "", message);
  assert.doesNotMatch(err.message ?? "", /\n/, "one line");
  assert.match(err.hint ?? "", hint);
  return true;
};

describe("NetworkManagerRadio: bad input", needsMockNm(), () => {
  test("an interface NetworkManager does not manage: one line, and how to hand it over", async () => {
    await withMock({ devices: [{ iface: "wlan0", mac: "24:0A:C4:11:22:33", state: 10 }] }, async (mock) => {
      await assert.rejects(
        open(mock),
        rejectsWith(/NetworkManager does not manage wlan0/, /nmcli device set wlan0 managed yes/),
      );
      assert.deepEqual(await mock.profiles(), []);
    });
  });

  test("an unavailable interface (Wi-Fi off or blocked): one line, and how to switch it on", async () => {
    await withMock({ devices: [{ iface: "wlan0", mac: "24:0A:C4:11:22:33", state: 20 }] }, async (mock) => {
      await assert.rejects(open(mock), rejectsWith(/wlan0 is unavailable/, /nmcli radio wifi on/));
    });
  });

  test("an interface busy with someone else's connection is not taken over: one line, theirs stays up", async () => {
    await withMock({}, async (mock) => {
      const home = await mock.addForeignProfile({
        id: "Home",
        ssid: "myssid",
        psk: "mypassword",
        activateOn: "wlan0",
      });
      await mock.waitFor((e) => e.event === "activated");
      const radio = await open(mock);
      try {
        await assert.rejects(
          radio.startSoftAp({ ssid: "PROV_112233", password: "PROV_PASS" }),
          rejectsWith(
            /wlan0 is busy: NetworkManager has the connection "Home" active on it/,
            /nmcli device disconnect wlan0/,
          ),
        );
      } finally {
        await radio.close();
      }
      assert.deepEqual(await mock.profiles(), [{ path: home, id: "Home", role: undefined }]);
      const log = await mock.log();
      assert.ok(!log.some((e) => e.event === "deactivated"), "the busy connection was never touched");
    });
  });

  test("someone else's profile for our SoftAP's name is left alone (a warning); ours is separate and goes", async () => {
    await withMock({}, async (mock) => {
      const theirs = await mock.addForeignProfile({ id: "PROV_112233", ssid: "PROV_112233", mode: "ap" });
      const { logger, warnings } = recordingLogger();
      const radio = await open(mock, { logger });
      await radio.startSoftAp({ ssid: "PROV_112233", password: "PROV_PASS" });
      assert.ok(
        warnings.some((w) =>
          /profile "PROV_112233" for PROV_112233 that is not wifiprov's; it is left alone/.test(w),
        ),
        warnings.join("\n"),
      );
      const during = await mock.profiles();
      assert.deepEqual(during.map((p) => p.role).sort(), ["softap", undefined]);
      await radio.close();
      assert.deepEqual(await mock.profiles(), [{ path: theirs, id: "PROV_112233", role: undefined }]);
    });
  });

  test("polkit refusing: one line naming the refusal, the hint names the polkit rule and root; nothing added", async () => {
    await withMock({ behaviour: { permission_denied: true } }, async (mock) => {
      const radio = await open(mock);
      try {
        await assert.rejects(
          radio.startSoftAp({ ssid: "PROV_112233", password: "PROV_PASS" }),
          rejectsWith(
            /NetworkManager refused AddAndActivateConnection2: permission denied/,
            /root.*deploy\/50-wifiprov\.rules/,
          ),
        );
      } finally {
        await radio.close();
      }
      assert.deepEqual(await mock.profiles(), []);
    });
  });

  test("the access point vanishing mid-join: a failed attempt (204, as NetworkManager's SUPPLICANT_TIMEOUT), the SoftAP comes back", async () => {
    await withMock({}, async (mock) => {
      const radio = await open(mock);
      try {
        await radio.startSoftAp({ ssid: "PROV_112233", password: "PROV_PASS" });
        const isAp = (e: MockLogEntry) => e.event === "activated" && e.address === "192.168.4.1";
        const firstAp = (await mock.log()).find(isAp)!;
        await mock.setBehaviour({ silent_activation: true }); // the association hangs…
        const events = new EventLog(radio);
        await radio.connect({ ssid: utf8("myssid"), passphrase: utf8("mypassword") });
        await mock.waitFor((e) => e.event === "activate" && e.mode === "infrastructure");
        await mock.setBehaviour({ silent_activation: false });
        await mock.vanish("myssid"); // …and the AP goes
        assert.deepEqual(await events.outcome(5000), { type: "disconnected", reason: 204 });
        await mock.waitFor((e) => isAp(e) && e.active !== firstAp.active);
      } finally {
        await radio.close();
      }
      assert.deepEqual(await mock.profiles(), [], "nothing of the attempt or the SoftAP is left");
    });
  });
});

describe("NetworkManagerRadio: DNS for the captive portal", needsMockNm(), () => {
  test("the file is in place before the SoftAP activates, goes with it, comes back with it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wifiprov-dnsmasq-"));
    try {
      await withMock({ behaviour: { dnsmasq_shared_dir: dir } }, async (mock) => {
        const file = join(dir, DNS_FILE);
        await writeFile(file, "address=/#/10.0.0.1\n"); // a crashed run's leftover
        const radio = await open(mock, { captivePortalDns: true, dnsmasqSharedDir: dir });
        try {
          assert.ok(!existsSync(file), "a leftover is removed at open");
          await radio.startSoftAp({ ssid: "PROV_112233", password: "PROV_PASS" });
          const started = await mock.waitFor((e) => e.event === "dnsmasq-started");
          assert.deepEqual(Object.keys(started.files as object), [DNS_FILE], "dnsmasq read it at start");
          assert.match(
            (started.files as Record<string, string>)[DNS_FILE]!,
            /^address=\/#\/192\.168\.4\.1$/m,
          );
          assert.ok(existsSync(file));

          // One interface: the join pushes the SoftAP aside, and its DNS file with it; a failed join brings both back.
          await mock.setBehaviour({ silent_activation: true }); // hold the join while the test looks
          const events = new EventLog(radio);
          await radio.connect({ ssid: utf8("myssid"), passphrase: utf8("mypassword") });
          await mock.waitFor((e) => e.event === "activate" && e.mode === "infrastructure");
          assert.ok(!existsSync(file), "gone while the station joins");
          await mock.setBehaviour({ silent_activation: false });
          await mock.vanish("myssid");
          await events.outcome(5000);
          const again = await mock.waitFor(
            (e) => e.event === "dnsmasq-started" && e.active !== started.active,
          );
          assert.deepEqual(Object.keys(again.files as object), [DNS_FILE]);

          // Success (or any end of provisioning) stops the SoftAP: the file goes.
          await radio.stopSoftAp();
          assert.deepEqual(await readdir(dir), []);
          await radio.startSoftAp({ ssid: "PROV_112233", password: "PROV_PASS" });
          assert.ok(existsSync(file));
        } finally {
          await radio.close();
        }
        assert.deepEqual(await readdir(dir), [], "close (SIGTERM) removes it");
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("without the portal no file is written", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wifiprov-dnsmasq-"));
    try {
      await withMock({ behaviour: { dnsmasq_shared_dir: dir } }, async (mock) => {
        const radio = await open(mock, { dnsmasqSharedDir: dir });
        try {
          await radio.startSoftAp({ ssid: "PROV_112233", password: "PROV_PASS" });
          const started = await mock.waitFor((e) => e.event === "dnsmasq-started");
          assert.deepEqual(started.files, {});
        } finally {
          await radio.close();
        }
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a directory it cannot write: one warning, and the SoftAP still comes up", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wifiprov-dnsmasq-"));
    try {
      await writeFile(join(dir, "not-a-dir"), "");
      const unwritable = join(dir, "not-a-dir", "dnsmasq-shared.d");
      await withMock({}, async (mock) => {
        const { logger, warnings } = recordingLogger();
        const radio = await open(mock, { captivePortalDns: true, dnsmasqSharedDir: unwritable, logger });
        try {
          await radio.startSoftAp({ ssid: "PROV_112233", password: "PROV_PASS" });
          await radio.stopSoftAp();
          await radio.startSoftAp({ ssid: "PROV_112233", password: "PROV_PASS" });
        } finally {
          await radio.close();
        }
        const dnsWarnings = warnings.filter((w) => w.includes(unwritable));
        assert.equal(dnsWarnings.length, 1, dnsWarnings.join("\n"));
        assert.match(
          dnsWarnings[0]!,
          /cannot write .* \(ENOTDIR\): phones will ask their own DNS.*run as root/,
        );
        assert.equal(await readFile(join(dir, "not-a-dir"), "utf8"), "");
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
