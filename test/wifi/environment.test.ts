// Networks files: what parses, and the error each mistake gets (file, field, accepted values).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  authModeName,
  defaultEnvironment,
  formatBssid,
  loadEnvironmentFile,
  parseAuthMode,
  parseBssid,
  parseEnvironment,
} from "../../src/wifi/index.js";
import type { SimulatedEnvironment } from "../../src/wifi/index.js";
import { UsageError } from "../../src/errors.js";

const dir = await mkdtemp(join(tmpdir(), "wifiprov-env-"));
after(() => rm(dir, { recursive: true, force: true }));

const goodAp = {
  ssid: "Net",
  bssid: "aa:bb:cc:dd:ee:01",
  channel: 6,
  rssi: -50,
  authMode: "WPA2_PSK",
  passphrase: "password1",
};

function withAp(index: number, patch: Record<string, unknown>): unknown {
  const aps: Array<Record<string, unknown>> = [0, 1, 2].map((i) => ({
    ...goodAp,
    bssid: `aa:bb:cc:dd:ee:0${i}`,
  }));
  aps[index] = { ...aps[index], ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete aps[index]![k];
  return { accessPoints: aps };
}

function parseError(json: unknown): string {
  try {
    parseEnvironment(json, "networks.json");
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(error.code, "WIFIPROV_USAGE");
    return error.message;
  }
  assert.fail("expected a UsageError");
}

test("a full access point parses, with names or numbers, and any BSSID spelling", () => {
  const env = parseEnvironment(
    {
      description: "lab",
      softApChannel: 6,
      maxChannel: 14,
      timing: { connectScanMs: 100, handshakeTimeoutMs: 50 },
      faults: { scan: "stale", dropAfterConnectMs: 10, dropReason: 8 },
      accessPoints: [
        {
          ssid: "Net",
          bssid: "AA-BB-CC-DD-EE-01",
          channel: 14,
          rssi: -40,
          authMode: "wifi_auth_wpa2_psk",
          passphrase: "password1",
          ip: "10.1.2.3",
          associationMs: 5,
          dhcpMs: 6,
          hidden: true,
          note: "the lab AP",
          faults: {
            vanishMidConnect: true,
            vanishReason: 200,
            dhcpNeverAnswers: false,
            channelHopDropsSoftAp: true,
          },
        },
        { ssid: "Open", bssid: "aabbccddee02", channel: 1, rssi: -90, authMode: 0 },
      ],
    },
    "networks.json",
  );
  assert.deepEqual(env, {
    softApChannel: 6,
    maxChannel: 14,
    timing: { connectScanMs: 100, handshakeTimeoutMs: 50 },
    faults: { scan: "stale", dropAfterConnectMs: 10, dropReason: 8 },
    accessPoints: [
      {
        ssid: "Net",
        bssid: Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01),
        channel: 14,
        rssi: -40,
        authMode: 3,
        passphrase: "password1",
        ip: "10.1.2.3",
        associationMs: 5,
        dhcpMs: 6,
        hidden: true,
        faults: {
          vanishMidConnect: true,
          vanishReason: 200,
          dhcpNeverAnswers: false,
          channelHopDropsSoftAp: true,
        },
      },
      {
        ssid: "Open",
        bssid: Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x02),
        channel: 1,
        rssi: -90,
        authMode: 0,
      },
    ],
  });
});

const mistakes: Array<[string, unknown, string]> = [
  [
    "channel 0",
    withAp(2, { channel: 0 }),
    "networks.json: accessPoints[2].channel must be an integer 1–14, got 0",
  ],
  [
    "channel 15",
    withAp(0, { channel: 15 }),
    "networks.json: accessPoints[0].channel must be an integer 1–14, got 15",
  ],
  [
    "channel as text",
    withAp(1, { channel: "6" }),
    'accessPoints[1].channel must be an integer 1–14, got "6"',
  ],
  ["rssi positive", withAp(0, { rssi: 5 }), "accessPoints[0].rssi must be an integer -100–0, got 5"],
  ["missing ssid", withAp(0, { ssid: undefined }), "accessPoints[0].ssid must be a string of 1–32 bytes"],
  ["empty ssid", withAp(0, { ssid: "" }), "accessPoints[0].ssid must be 1–32 bytes of UTF-8, got 0 bytes"],
  [
    "long ssid",
    withAp(0, { ssid: "é".repeat(17) }),
    "accessPoints[0].ssid must be 1–32 bytes of UTF-8, got 34 bytes",
  ],
  [
    "bad bssid",
    withAp(1, { bssid: "aa:bb:cc" }),
    'accessPoints[1].bssid must be 6 hex bytes like "aa:bb:cc:dd:ee:ff"',
  ],
  ["mixed bssid", withAp(1, { bssid: "aa:bbcc:dd:ee:ff" }), "accessPoints[1].bssid must be 6 hex bytes"],
  [
    "repeated bssid",
    withAp(2, { bssid: "aa:bb:cc:dd:ee:00" }),
    "accessPoints[2].bssid repeats accessPoints[0].bssid",
  ],
  [
    "unknown auth",
    withAp(0, { authMode: "WPA4" }),
    "accessPoints[0].authMode must be one of Open, WEP, WPA_PSK, WPA2_PSK",
  ],
  ["auth number", withAp(0, { authMode: 17 }), "numbers 0–16, got 17"],
  [
    "short WPA2 key",
    withAp(0, { passphrase: "short" }),
    "accessPoints[0].passphrase must be 8–63 characters (or 64 hex digits) for WPA2_PSK, got 5 bytes",
  ],
  [
    "open with key",
    withAp(0, { authMode: "OPEN" }),
    "accessPoints[0].passphrase must be empty for an Open network, got 9 bytes",
  ],
  [
    "WEP key",
    withAp(0, { authMode: "WEP" }),
    "must be 5 or 13 characters (or 10/26 hex) for WEP, got 9 bytes",
  ],
  ["passphrase number", withAp(0, { passphrase: 12345678 }), "accessPoints[0].passphrase must be a string"],
  [
    "bad ip",
    withAp(0, { ip: "192.168.1.256" }),
    'accessPoints[0].ip must be a dotted IPv4 address like "192.168.1.23", got "192.168.1.256"',
  ],
  [
    "negative delay",
    withAp(0, { dhcpMs: -1 }),
    "accessPoints[0].dhcpMs must be a number of milliseconds 0–600000, got -1",
  ],
  ["hidden text", withAp(0, { hidden: "yes" }), 'accessPoints[0].hidden must be true or false, got "yes"'],
  [
    "typo",
    withAp(1, { chanel: 6 }),
    "accessPoints[1].chanel is not a known field (known: ssid, bssid, channel",
  ],
  [
    "ap fault typo",
    withAp(0, { faults: { dropAfterMs: 5 } }),
    "accessPoints[0].faults.dropAfterMs is not a known field",
  ],
  [
    "scan fault per AP",
    withAp(0, { faults: { scan: "empty" } }),
    "accessPoints[0].faults.scan is not a known field",
  ],
  [
    "scan fault value",
    { accessPoints: [], faults: { scan: "old" } },
    'faults.scan must be "empty" or "stale", got "old"',
  ],
  [
    "vanish reason",
    { accessPoints: [], faults: { vanishReason: 15 } },
    "faults.vanishReason must be 201 or 200, got 15",
  ],
  [
    "drop reason",
    { accessPoints: [], faults: { dropReason: 201 } },
    "faults.dropReason must be 200 or 8, got 201",
  ],
  [
    "fault bool",
    { accessPoints: [], faults: { dhcpNeverAnswers: 1 } },
    "faults.dhcpNeverAnswers must be true or false, got 1",
  ],
  ["no accessPoints", {}, "networks.json: accessPoints must be an array"],
  ["array document", [], "networks.json: the document must be an object, got an array"],
  [
    "top typo",
    { accessPoints: [], softapChannel: 3 },
    "networks.json: softapChannel is not a known field (known: accessPoints, faults",
  ],
  ["softAp channel", { accessPoints: [], softApChannel: 0 }, "softApChannel must be an integer 1–14, got 0"],
  ["maxChannel", { accessPoints: [], maxChannel: 12 }, "maxChannel must be 11, 13 or 14, got 12"],
  [
    "timing typo",
    { accessPoints: [], timing: { scanMs: 1 } },
    "timing.scanMs is not a known field (known: connectScanMs, handshakeTimeoutMs)",
  ],
];

for (const [what, json, expected] of mistakes) {
  test(`networks file mistake: ${what}`, () => {
    const message = parseError(json);
    assert.ok(message.includes(expected), `message: ${message}`);
    assert.ok(!message.includes("password1"), "passphrases are never echoed");
  });
}

test("loadEnvironmentFile reads a file and names it in every error", async () => {
  const good = join(dir, "good.json");
  await writeFile(good, JSON.stringify({ accessPoints: [goodAp] }));
  assert.equal((await loadEnvironmentFile(good)).accessPoints[0]!.ssid, "Net");

  const missing = join(dir, "missing.json");
  await assert.rejects(loadEnvironmentFile(missing), (e: unknown) => {
    const error = e as UsageError;
    return (
      error.code === "WIFIPROV_USAGE" && error.message.startsWith(`${missing}: cannot read`) && !!error.hint
    );
  });

  const broken = join(dir, "broken.json");
  await writeFile(broken, '{"accessPoints": [{"ssid": "Net", "passphrase": "password1" x}]}');
  await assert.rejects(loadEnvironmentFile(broken), (e: unknown) => {
    const message = (e as Error).message;
    return message.startsWith(`${broken}: not valid JSON`) && !message.includes("password1");
  });

  const wrong = join(dir, "wrong.json");
  await writeFile(wrong, JSON.stringify(withAp(2, { channel: 0 })));
  await assert.rejects(loadEnvironmentFile(wrong), {
    message: `${wrong}: accessPoints[2].channel must be an integer 1–14, got 0`,
  });
});

/** The JSON a user would write for an environment (the inverse of parseEnvironment). */
function toJson(env: SimulatedEnvironment): unknown {
  return {
    ...env,
    accessPoints: env.accessPoints.map((ap) => ({
      ...ap,
      bssid: formatBssid(ap.bssid),
      authMode: authModeName(ap.authMode),
    })),
  };
}

test("the built-in environment passes the same checks as a file", () => {
  assert.deepEqual(parseEnvironment(toJson(defaultEnvironment), "built-in"), defaultEnvironment);
  const names = defaultEnvironment.accessPoints.map((ap) => ap.ssid);
  for (const expected of ["myssid", "HomeNet", "Office5", "Cafe"]) assert.ok(names.includes(expected));
  assert.ok(defaultEnvironment.accessPoints.some((ap) => ap.hidden === true));
  assert.ok(
    defaultEnvironment.accessPoints.some((ap) => ap.authMode === 6),
    "a WPA3 network",
  );
  assert.ok(
    defaultEnvironment.accessPoints.some((ap) => ap.faults !== undefined),
    "a demo fault",
  );
});

test("auth mode names and BSSIDs round-trip", () => {
  for (let mode = 0; mode <= 16; mode++) assert.equal(parseAuthMode(authModeName(mode)), mode);
  assert.equal(parseAuthMode("Open"), 0);
  assert.equal(parseAuthMode("WPA2_WPA3_PSK"), 7);
  assert.equal(parseAuthMode(3.5), undefined);
  assert.equal(authModeName(42), "AUTH_42");
  assert.equal(formatBssid(parseBssid("AABBCCDDEEFF")!), "aa:bb:cc:dd:ee:ff");
  assert.equal(parseBssid("aa:bb:cc:dd:ee"), undefined);
});

test("the example networks file in src/wifi parses", async () => {
  const env = await loadEnvironmentFile(
    new URL("../../src/wifi/networks.example.json", import.meta.url).pathname,
  );
  assert.equal(env.accessPoints.length, 4);
  assert.equal(env.accessPoints[3]!.faults?.dropAfterConnectMs, 20000);
});
