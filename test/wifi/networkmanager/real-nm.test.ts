// The NetworkManager backend against Debian's REAL NetworkManager daemon (sandboxed in namespaces of its own,
// test/helpers/real-nm), without a radio: the profiles the backend builds are accepted and read back as sent,
// the invalid ones are refused with the D-Bus error the backend maps (and the mock gives the same), and every
// member the backend uses exists on the running daemon's objects.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import dbus from "@particle/dbus-next";
import {
  softApSettings,
  stationSettings,
  type Settings,
} from "../../../src/wifi/networkmanager/connection-settings.js";
import { NM_PATH, NM_SETTINGS_PATH, NmApi, NmInterface } from "../../../src/networkmanager/nm-api.js";
import type { NmMember } from "../../../src/networkmanager/nm-api.js";
import { NmBus, NmCallError } from "../../../src/networkmanager/nm-bus.js";
import { memberProblem, parseInterfaces } from "../../helpers/dbus-xml.js";
import { MockNetworkManager, needsMockNm } from "../../helpers/nm-mock/mock-nm.js";
import { RealNetworkManager, needsRealNm } from "../../helpers/real-nm/real-nm.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Variants unwrapped, byte strings as number arrays: comparable with deepEqual whichever side they came from. */
function plain(value: unknown): unknown {
  if (value instanceof dbus.Variant) return plain(value.value);
  if (value instanceof Uint8Array) return [...value];
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

const SECRETS = new Set(["psk"]);

/** Every key we sent (secrets aside) as NetworkManager reports it back; NM's own additions are ignored. */
function sentAsReadBack(sent: Settings, readBack: Record<string, Record<string, unknown>>) {
  const expected: Record<string, Record<string, unknown>> = {};
  const actual: Record<string, Record<string, unknown>> = {};
  for (const [group, keys] of Object.entries(sent)) {
    expected[group] = {};
    actual[group] = {};
    for (const [key, value] of Object.entries(keys)) {
      if (SECRETS.has(key)) continue;
      expected[group][key] = plain(value);
      actual[group][key] = plain(readBack[group]?.[key]);
    }
  }
  return { expected, actual };
}

/** Profiles NetworkManager must refuse, with the D-Bus error our code maps to "refused key" / AUTH_FAIL. */
const invalidProfiles: Array<{ what: string; settings: () => Settings }> = [
  {
    what: "a SoftAP with a 5-character WPA2 password",
    settings: () =>
      softApSettings({
        ssid: "PROV_112233",
        password: "abcde",
        channel: 1,
        interfaceName: "wlan0",
        address: "192.168.4.1",
      }),
  },
  {
    what: "a station with a 5-character PSK",
    settings: () => stationSettings({ ssid: utf8("myssid"), psk: "abcde", role: "station" }),
  },
  {
    what: "a station with a 64-character PSK that is not hex",
    settings: () => stationSettings({ ssid: utf8("myssid"), psk: "g".repeat(64), role: "station" }),
  },
  {
    what: "a station with a 33-byte SSID",
    settings: () =>
      stationSettings({ ssid: new Uint8Array(33).fill(0x41), psk: "mypassword", role: "station" }),
  },
];
const REFUSED = "org.freedesktop.NetworkManager.Settings.Connection.InvalidProperty";

async function addRefusal(bus: NmBus, settings: Settings): Promise<string> {
  try {
    const [path] = (await bus.call(NmApi.addConnection, NM_SETTINGS_PATH, [settings])) as [string];
    await bus.call(NmApi.deleteConnection, path);
    return "accepted";
  } catch (error) {
    if (error instanceof NmCallError) return error.dbusName;
    throw error;
  }
}

async function listConnections(bus: NmBus): Promise<string[]> {
  const [paths] = (await bus.call(NmApi.listConnections, NM_SETTINGS_PATH)) as [string[]];
  return [...paths].sort();
}

describe("the real NetworkManager daemon (no radio)", needsRealNm(), () => {
  let nm: RealNetworkManager;
  let bus: NmBus;
  before(async () => {
    nm = await RealNetworkManager.start();
    bus = await NmBus.connect({ address: nm.address, callTimeoutMs: 10_000 });
  });
  after(async () => {
    bus?.close();
    await nm?.stop();
  });

  test("the sandbox: NetworkManager sees no interface but its own lo (the host's are out of its reach)", async () => {
    const manager = await bus.getAll(NmInterface.MANAGER, NM_PATH);
    const names: string[] = [];
    for (const path of manager.AllDevices as string[]) {
      names.push((await bus.getAll(NmInterface.DEVICE, path)).Interface as string);
    }
    assert.deepEqual(names, ["lo"]);
  });

  async function roundTrip(sent: Settings): Promise<void> {
    const before = await listConnections(bus);
    const [path] = (await bus.call(NmApi.addConnection, NM_SETTINGS_PATH, [sent])) as [string];
    try {
      const [readBack] = (await bus.call(NmApi.getSettings, path)) as [
        Record<string, Record<string, unknown>>,
      ];
      const { expected, actual } = sentAsReadBack(sent, readBack);
      assert.deepEqual(actual, expected, `NetworkManager's log:\n${nm.log()}`);
      const psk = sent["802-11-wireless-security"]?.psk;
      if (psk !== undefined) {
        const [secrets] = (await bus.call(NmApi.getSecrets, path, ["802-11-wireless-security"])) as [
          Record<string, Record<string, unknown>>,
        ];
        assert.equal(plain(secrets["802-11-wireless-security"]?.psk), psk.value);
      }
    } finally {
      await bus.call(NmApi.deleteConnection, path);
    }
    assert.deepEqual(await listConnections(bus), before);
  }

  test("accepts the WPA2 SoftAP profile the backend builds (mode ap, shared 192.168.4.1/24, channel, our flag)", async () => {
    const sent = softApSettings({
      ssid: "PROV_112233",
      password: "abcd1234",
      channel: 6,
      interfaceName: "wlan0",
      address: "192.168.4.1",
    });
    // The settings the issue asks for, as the builder made them (so the round trip below checks these very values).
    assert.deepEqual(plain(sent["802-11-wireless"]), {
      ssid: [...utf8("PROV_112233")],
      mode: "ap",
      band: "bg",
      channel: 6,
    });
    assert.deepEqual(plain(sent.ipv4), {
      method: "shared",
      "address-data": [{ address: "192.168.4.1", prefix: 24 }],
    });
    assert.equal(plain(sent["802-11-wireless-security"]?.["key-mgmt"]), "wpa-psk");
    assert.deepEqual(plain(sent.user), { data: { "wifiprov.role": "softap" } });
    await roundTrip(sent);
  });

  test("accepts the open SoftAP profile (no password) on channel 11", async () => {
    await roundTrip(
      softApSettings({
        ssid: "PROV_AABBCC",
        password: "",
        channel: 11,
        interfaceName: "wlan0",
        address: "192.168.4.1",
      }),
    );
  });

  test("accepts the station profiles the backend builds (join attempt with BSSID/channel, WPA3 sae, stored credentials)", async () => {
    await roundTrip(
      stationSettings({
        ssid: utf8("myssid"),
        psk: "mypassword",
        role: "station-attempt",
        interfaceName: "wlan0",
        bssid: Uint8Array.of(0xaa, 0xbb, 0xcc, 0, 0, 1),
        channel: 36,
      }),
    );
    await roundTrip(
      stationSettings({
        ssid: utf8("wpa3-only"),
        psk: "mypassword",
        role: "station-attempt",
        keyMgmt: "sae",
      }),
    );
    // Bytes that are not UTF-8 in the SSID, a 64-hex raw key, and an open network: the store's edge cases.
    await roundTrip(
      stationSettings({ ssid: Uint8Array.of(0xff, 0x00, 0x41), psk: "ab".repeat(32), role: "station" }),
    );
    await roundTrip(stationSettings({ ssid: utf8("cafe"), psk: "", role: "station" }));
  });

  for (const { what, settings } of invalidProfiles) {
    test(`refuses ${what} with ${REFUSED.split(".").at(-1)}, leaving no profile`, async () => {
      const before = await listConnections(bus);
      assert.equal(await addRefusal(bus, settings()), REFUSED, `NetworkManager's log:\n${nm.log()}`);
      assert.deepEqual(await listConnections(bus), before);
    });
  }

  test("every D-Bus member the backend uses exists with that signature on the running daemon's objects", async () => {
    // One live object per interface: the manager, Settings, a profile, and the loopback device with its active
    // connection and IPv4 config (the one device a network namespace of our own has). Without a radio there is
    // no Device.Wireless and no AccessPoint object: those two stay checked by the XML test only.
    const [profile] = (await bus.call(NmApi.addConnection, NM_SETTINGS_PATH, [
      stationSettings({ ssid: utf8("myssid"), psk: "mypassword", role: "station" }),
    ])) as [string];
    try {
      const [loopback] = (await bus.call(NmApi.getDeviceByIpIface, NM_PATH, ["lo"])) as [string];
      const active = (await bus.get(NmApi.deviceActiveConnection, loopback)) as string;
      const ip4 = (await bus.get(NmApi.deviceIp4Config, loopback)) as string;
      const objects: Record<string, string> = {
        [NmInterface.MANAGER]: NM_PATH,
        [NmInterface.SETTINGS]: NM_SETTINGS_PATH,
        [NmInterface.CONNECTION]: profile,
        [NmInterface.DEVICE]: loopback,
        [NmInterface.ACTIVE]: active,
        [NmInterface.IP4_CONFIG]: ip4,
      };
      const live = new Map<
        string,
        ReturnType<typeof parseInterfaces> extends Map<string, infer V> ? V : never
      >();
      for (const [iface, path] of Object.entries(objects)) {
        assert.match(path, /^\/org\/freedesktop\/NetworkManager/, `${iface} object`);
        parseInterfaces(await introspect(nm.address, path), live);
      }
      const problems: string[] = [];
      const unchecked = new Set<string>();
      for (const [key, member] of Object.entries(NmApi) as Array<[string, NmMember]>) {
        if (objects[member.interface] === undefined) {
          unchecked.add(member.interface);
          continue;
        }
        const problem = memberProblem(key, member, live.get(member.interface));
        if (problem !== undefined) problems.push(problem);
      }
      assert.deepEqual(problems, []);
      assert.deepEqual([...unchecked].sort(), [NmInterface.ACCESS_POINT, NmInterface.WIRELESS]);
      // The values the backend relies on have the types it reads them as.
      assert.equal(typeof (await bus.get(NmApi.version, NM_PATH)), "string");
      assert.equal(typeof (await bus.get(NmApi.deviceState, loopback)), "number");
      assert.deepEqual(
        ((await bus.get(NmApi.deviceStateReason, loopback)) as unknown[]).map((x) => typeof x),
        ["number", "number"],
      );
    } finally {
      await bus.call(NmApi.deleteConnection, profile);
    }
  });
});

describe(
  "the mock NetworkManager refuses what the real one refuses, with the same D-Bus error",
  needsMockNm(),
  () => {
    let mock: MockNetworkManager;
    let bus: NmBus;
    before(async () => {
      mock = await MockNetworkManager.start();
      bus = await NmBus.connect({ address: mock.address, callTimeoutMs: 10_000 });
    });
    after(async () => {
      bus?.close();
      await mock?.stop();
    });
    for (const { what, settings } of invalidProfiles) {
      test(`refuses ${what}`, async () => {
        assert.equal(await addRefusal(bus, settings()), REFUSED);
      });
    }
  },
);

async function introspect(address: string, path: string): Promise<string> {
  const bus = dbus.sessionBus({ busAddress: address });
  bus.on("error", () => {});
  try {
    const reply = await bus.call(
      new dbus.Message({
        destination: "org.freedesktop.NetworkManager",
        path,
        interface: "org.freedesktop.DBus.Introspectable",
        member: "Introspect",
      }),
    );
    return reply?.body[0] as string;
  } finally {
    bus.disconnect();
  }
}
