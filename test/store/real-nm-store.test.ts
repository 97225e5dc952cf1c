// The StateStore contract against the NetworkManager store whose NetworkManager is Debian's REAL daemon
// (sandboxed, test/helpers/real-nm): the credentials go into a profile the real daemon validated, flagged as
// ours and written as a keyfile, and nothing else of NetworkManager's is touched.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { NetworkManagerStateStore } from "../../src/device/networkmanager-store.js";
import { MemoryStateStore } from "../../src/device/memory-store.js";
import { silentLogger } from "../../src/logger.js";
import { NetworkManagerCredentials } from "../../src/wifi/networkmanager/index.js";
import { NM_SETTINGS_PATH, NmApi } from "../../src/networkmanager/nm-api.js";
import { NmBus } from "../../src/networkmanager/nm-bus.js";
import { unwrap } from "../../src/wifi/networkmanager/connection-settings.js";
import { RealNetworkManager, needsRealNm } from "../helpers/real-nm/real-nm.js";
import { storeSuite } from "./store-suite.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("NetworkManagerStateStore on the real NetworkManager", needsRealNm(), () => {
  let nm: RealNetworkManager;
  let bus: NmBus;
  const credentialStores: NetworkManagerCredentials[] = [];
  before(async () => {
    nm = await RealNetworkManager.start();
    bus = await NmBus.connect({ address: nm.address, callTimeoutMs: 10_000 });
  });
  after(async () => {
    for (const c of credentialStores) c.close();
    bus?.close();
    await nm?.stop();
  });
  const rests = new WeakMap<object, MemoryStateStore>();

  async function open(rest: MemoryStateStore): Promise<NetworkManagerStateStore> {
    const credentials = await NetworkManagerCredentials.open({
      busAddress: nm.address,
      logger: silentLogger,
    });
    credentialStores.push(credentials);
    const store = new NetworkManagerStateStore(credentials, rest);
    rests.set(store, rest);
    return store;
  }

  async function connections(): Promise<string[]> {
    const [paths] = (await bus.call(NmApi.listConnections, NM_SETTINGS_PATH)) as [string[]];
    return [...paths].sort();
  }

  // One daemon for the whole suite: a "new" store starts by erasing what an earlier test left in NetworkManager.
  storeSuite("NetworkManagerStateStore (real NetworkManager)", {
    async create() {
      const store = await open(new MemoryStateStore());
      await store.eraseCredentials();
      return store;
    },
    async reopen(store) {
      return open(rests.get(store)!);
    },
  });

  test("the credentials are one keyfile profile of the real daemon, flagged as ours; erase leaves NetworkManager as before", async () => {
    const store = await open(new MemoryStateStore());
    await store.eraseCredentials();
    const before = await connections();
    assert.deepEqual(await readdir(nm.keyfileDir), []);

    await store.save({ credentials: { ssid: utf8("myssid"), passphrase: utf8("mypassword") } });
    await store.save({ credentials: { ssid: utf8("other"), passphrase: utf8("otherpassword") } });
    const added = (await connections()).filter((p) => !before.includes(p));
    assert.equal(added.length, 1, "the second save replaced the first profile");
    const [settings] = (await bus.call(NmApi.getSettings, added[0]!)) as [
      Record<string, Record<string, unknown>>,
    ];
    assert.deepEqual(unwrap(settings.user?.data), { "wifiprov.role": "station" });
    assert.deepEqual([...(unwrap(settings["802-11-wireless"]?.ssid) as Uint8Array)], [...utf8("other")]);
    assert.equal(unwrap(settings.connection?.autoconnect), false);
    assert.equal(
      (await readdir(nm.keyfileDir)).length,
      1,
      "written to disk as a keyfile (survives a reboot)",
    );

    // A restart: a new store on the same NetworkManager finds the credentials ("provisioned", as from NVS).
    const reopened = await open(new MemoryStateStore());
    assert.deepEqual(await reopened.load(), {
      credentials: { ssid: utf8("other"), passphrase: utf8("otherpassword") },
    });

    await reopened.eraseCredentials();
    assert.deepEqual(await connections(), before);
    assert.deepEqual(await readdir(nm.keyfileDir), []);
  });

  test("a key the real daemon refuses (5 characters) stays in memory only; NetworkManager is left as it was", async () => {
    const store = await open(new MemoryStateStore());
    await store.eraseCredentials();
    const before = await connections();
    const state = { credentials: { ssid: utf8("myssid"), passphrase: utf8("abcde") } };
    await store.save(state);
    assert.deepEqual(await store.load(), state);
    assert.deepEqual(await connections(), before);
    assert.deepEqual(await readdir(nm.keyfileDir), []);
  });
});
