// The StateStore contract against the NetworkManager store (credentials in a mock NetworkManager's profiles).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { NetworkManagerStateStore } from "../../src/device/networkmanager-store.js";
import { MemoryStateStore } from "../../src/device/memory-store.js";
import { silentLogger } from "../../src/logger.js";
import { NetworkManagerCredentials } from "../../src/wifi/networkmanager/index.js";
import { MockNetworkManager, needsMockNm } from "../helpers/nm-mock/mock-nm.js";
import { storeSuite } from "./store-suite.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("NetworkManagerStateStore", needsMockNm(), () => {
  const mocks: MockNetworkManager[] = [];
  const credentialStores: NetworkManagerCredentials[] = [];
  after(async () => {
    for (const c of credentialStores) c.close();
    for (const m of mocks) await m.stop();
  });
  const backing = new WeakMap<object, { mock: MockNetworkManager; rest: MemoryStateStore }>();

  async function open(mock: MockNetworkManager, rest: MemoryStateStore): Promise<NetworkManagerStateStore> {
    const credentials = await NetworkManagerCredentials.open({
      busAddress: mock.address,
      logger: silentLogger,
    });
    credentialStores.push(credentials);
    const store = new NetworkManagerStateStore(credentials, rest);
    backing.set(store, { mock, rest });
    return store;
  }

  storeSuite("NetworkManagerStateStore", {
    async create() {
      const mock = await MockNetworkManager.start();
      mocks.push(mock);
      return open(mock, new MemoryStateStore());
    },
    async reopen(store) {
      const { mock, rest } = backing.get(store)!;
      return open(mock, rest);
    },
  });

  test("credentials are one NetworkManager profile flagged as ours, replaced on save, deleted on erase", async () => {
    const mock = await MockNetworkManager.start();
    mocks.push(mock);
    const store = await open(mock, new MemoryStateStore());
    await store.save({ credentials: { ssid: utf8("myssid"), passphrase: utf8("mypassword") } });
    await store.save({ credentials: { ssid: utf8("other"), passphrase: utf8("otherpassword") } });
    const log = await mock.log();
    const added = log.filter((e) => e.event === "add-connection");
    assert.equal(added.length, 2);
    const settings = added[1]!.settings as Record<string, Record<string, unknown>>;
    assert.deepEqual(settings.user!.data, { "wifiprov.role": "station" });
    assert.equal(settings["802-11-wireless-security"]!.psk, "otherpassword");
    assert.equal(settings.connection!.autoconnect, false);
    assert.equal(added[1]!.persist, "disk");
    assert.ok(log.some((e) => e.event === "delete-connection" && e.path === added[0]!.path));
    await store.eraseCredentials();
    assert.ok((await mock.log()).some((e) => e.event === "delete-connection" && e.path === added[1]!.path));
  });
});
