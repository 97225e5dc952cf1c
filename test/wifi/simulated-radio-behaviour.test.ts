// SimulatedRadio specifics beyond the Radio contract: AP choice, auth modes, hidden networks, timers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pbkdf2Sync } from "node:crypto";
import { defaultEnvironment, SimulatedRadio } from "../../src/wifi/index.js";
import type { StationEvent } from "../../src/wifi/index.js";
import { silentLogger } from "../../src/logger.js";
import type { Logger } from "../../src/logger.js";
import { ap, bssid, mac, outcomeMs, simulated, utf8 } from "./sim-helpers.js";

async function outcomeOf(
  ssid: string,
  passphrase: string | Uint8Array,
  extra: { bssid?: Uint8Array; channel?: number } = {},
): Promise<StationEvent> {
  const { radio, log } = simulated(defaultEnvironment);
  try {
    const pass = typeof passphrase === "string" ? utf8(passphrase) : passphrase;
    await radio.connect({ ssid: utf8(ssid), passphrase: pass, ...extra });
    return await log.outcome(outcomeMs);
  } finally {
    await radio.close();
  }
}

test("the seed's esp_prov network myssid / mypassword is in the default environment", async () => {
  const event = await outcomeOf("myssid", "mypassword");
  assert.equal(event.type, "connected");
  if (event.type !== "connected") return;
  assert.deepEqual(event.info, {
    ip4: "192.168.1.57",
    ssid: utf8("myssid"),
    bssid: bssid("24:0a:c4:11:22:33"),
    channel: 6,
    authMode: 3,
  });
});

test("of two APs with one SSID the stronger is joined; bssid and channel restrict the choice", async () => {
  const strongest = await outcomeOf("HomeNet", "correct horse battery");
  assert.equal(strongest.type === "connected" && strongest.info.channel, 1);
  const byBssid = await outcomeOf("HomeNet", "correct horse battery", { bssid: bssid("f4:92:bf:10:20:02") });
  assert.equal(byBssid.type === "connected" && byBssid.info.channel, 11);
  const byChannel = await outcomeOf("HomeNet", "correct horse battery", { channel: 11 });
  assert.deepEqual(byChannel.type === "connected" && byChannel.info.bssid, bssid("f4:92:bf:10:20:02"));
  assert.deepEqual(await outcomeOf("HomeNet", "correct horse battery", { channel: 6 }), {
    type: "disconnected",
    reason: 201,
  });
  assert.deepEqual(await outcomeOf("myssid", "mypassword", { bssid: bssid("00:00:00:00:00:01") }), {
    type: "disconnected",
    reason: 201,
  });
});

test("wrong secrets fail the way ESP reports them: WPA/WPA2 15, WPA3-SAE 202", async () => {
  assert.deepEqual(await outcomeOf("Office5", "wrong-password"), { type: "disconnected", reason: 15 });
  assert.deepEqual(await outcomeOf("myssid", ""), { type: "disconnected", reason: 15 });
  assert.deepEqual(await outcomeOf("Neighbour-WPA3", "wrong-password"), {
    type: "disconnected",
    reason: 202,
  });
  assert.equal((await outcomeOf("Neighbour-WPA3", "sae-only-secret")).type, "connected");
});

test("WEP and enterprise networks fail authentication with 202", async () => {
  const env = {
    accessPoints: [
      ap({ ssid: "Old", authMode: 1, passphrase: "abcde" }),
      ap({ ssid: "Corp", authMode: 5, passphrase: undefined, bssid: bssid("02:00:00:00:00:09") }),
    ],
  };
  for (const [ssid, pass, expected] of [
    ["Old", "abcdf", 202],
    ["Corp", "anything-at-all", 202],
  ] as const) {
    const { radio, log } = simulated(env);
    await radio.connect({ ssid: utf8(ssid), passphrase: utf8(pass) });
    assert.deepEqual(await log.outcome(outcomeMs), { type: "disconnected", reason: expected });
    await radio.close();
  }
});

test("an open network accepts an empty passphrase", async () => {
  const event = await outcomeOf("Cafe", "");
  assert.equal(event.type === "connected" && event.info.authMode, 0);
});

test("a WPA2 network accepts the 64-hex-digit PSK derived from its passphrase", async () => {
  const psk = pbkdf2Sync("mypassword", "myssid", 4096, 32, "sha1").toString("hex");
  assert.equal((await outcomeOf("myssid", psk)).type, "connected");
  assert.equal((await outcomeOf("myssid", psk.toUpperCase())).type, "connected");
  assert.equal((await outcomeOf("myssid", "0".repeat(64))).type, "disconnected");
});

test("SSIDs and passphrases are compared as bytes: case and a trailing space matter", async () => {
  assert.deepEqual(await outcomeOf("MySSID", "mypassword"), { type: "disconnected", reason: 201 });
  assert.deepEqual(await outcomeOf("myssid", utf8("mypassword ")), {
    type: "disconnected",
    reason: 15,
  });
});

test("a hidden network is not scanned but can be joined by name", async () => {
  const { radio, log } = simulated(defaultEnvironment);
  try {
    const names = (await radio.scan()).map((r) => Buffer.from(r.ssid).toString());
    assert.ok(!names.includes("HiddenLab"));
    assert.ok(names.includes("myssid") && names.includes("Cafe"));
    await radio.connect({ ssid: utf8("HiddenLab"), passphrase: utf8("hidden-lab-pass") });
    assert.equal((await log.outcome(outcomeMs)).type, "connected");
  } finally {
    await radio.close();
  }
});

test("channels above the regulatory maximum are neither scanned nor joined", async () => {
  const { radio, log } = simulated({ accessPoints: [ap({ ssid: "Net", channel: 13 })], maxChannel: 11 });
  try {
    assert.deepEqual(await radio.scan(), []);
    await radio.connect({ ssid: utf8("Net"), passphrase: utf8("password1") });
    assert.deepEqual(await log.outcome(outcomeMs), { type: "disconnected", reason: 201 });
  } finally {
    await radio.close();
  }
});

test("a second scan while one runs is refused with a Wi-Fi error", async () => {
  const { radio } = simulated(defaultEnvironment);
  try {
    const first = radio.scan();
    await assert.rejects(radio.scan(), (e: unknown) => (e as { code?: string }).code === "WIFIPROV_WIFI");
    assert.ok((await first).length > 0);
  } finally {
    await radio.close();
  }
});

test("close() rejects a running scan, clears every timer, and later calls fail", async () => {
  const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const before = timeouts();
  const { radio } = simulated(defaultEnvironment);
  await radio.startSoftAp({ ssid: "PROV_112233", password: "" });
  await radio.connect({ ssid: utf8("myssid"), passphrase: utf8("mypassword") });
  const scanning = radio.scan({ passive: true });
  assert.ok(timeouts() > before);
  await radio.close();
  await assert.rejects(scanning, (e: unknown) => (e as { code?: string }).code === "WIFIPROV_WIFI");
  assert.equal(timeouts(), before, "no timer left behind");
  assert.equal(radio.softAp, undefined);
  await assert.rejects(radio.connect({ ssid: utf8("myssid"), passphrase: utf8("mypassword") }));
  await assert.rejects(radio.scan());
});

test("a listener that throws is logged and does not stop the others", async () => {
  const errors: string[] = [];
  const logger: Logger = { ...silentLogger, error: (m) => errors.push(m) };
  const radio = new SimulatedRadio({ mac, environment: defaultEnvironment, timeScale: 0.01, logger });
  try {
    radio.onEvent(() => {
      throw new Error("listener bug");
    });
    const got = new Promise<StationEvent>((resolve) =>
      radio.onEvent((e) => {
        if (e.type === "connected") resolve(e);
      }),
    );
    await radio.connect({ ssid: utf8("myssid"), passphrase: utf8("mypassword") });
    assert.equal((await got).type, "connected");
    assert.ok(errors.some((m) => m.includes("listener threw")));
  } finally {
    await radio.close();
  }
});

test("passphrases never reach the logger", async () => {
  const lines: string[] = [];
  const put = (m: string, f?: Record<string, unknown>) => lines.push(m + JSON.stringify(f ?? {}));
  const logger: Logger = { debug: put, info: put, warn: put, error: put };
  const radio = new SimulatedRadio({ mac, environment: defaultEnvironment, timeScale: 0.01, logger });
  try {
    const done = new Promise((resolve) => radio.onEvent((e) => e.type === "disconnected" && resolve(e)));
    await radio.connect({ ssid: utf8("myssid"), passphrase: utf8("wrong-secret-123") });
    await done;
    assert.ok(lines.length > 0);
    assert.ok(!lines.join("\n").includes("wrong-secret-123"));
    assert.ok(!lines.join("\n").includes("mypassword"));
  } finally {
    await radio.close();
  }
});

test("constructor and connect() refuse impossible arguments with usage errors", async () => {
  const isUsage = (e: unknown) => (e as { code?: string }).code === "WIFIPROV_USAGE";
  assert.throws(() => new SimulatedRadio({ mac: new Uint8Array(5) }), isUsage);
  assert.throws(() => new SimulatedRadio({ mac, timeScale: -1 }), isUsage);
  const { radio } = simulated(defaultEnvironment);
  try {
    await assert.rejects(radio.connect({ ssid: new Uint8Array(33), passphrase: new Uint8Array(0) }), isUsage);
    await assert.rejects(radio.connect({ ssid: utf8("x"), passphrase: new Uint8Array(65) }), isUsage);
    await assert.rejects(
      radio.connect({ ssid: utf8("x"), passphrase: new Uint8Array(0), bssid: new Uint8Array(3) }),
      isUsage,
    );
    await assert.rejects(radio.startSoftAp({ ssid: "", password: "" }), isUsage);
    await assert.rejects(radio.startSoftAp({ ssid: "PROV_1", password: "", channel: 0 }), isUsage);
    await assert.rejects(radio.startSoftAp({ ssid: "PROV_1", password: "", channel: 14 }), isUsage);
  } finally {
    await radio.close();
  }
});
