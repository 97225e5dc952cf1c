/**
 * The StateStore contract, written once and run against every implementation (like MQTT.js's abstract store
 * suite). A factory returns a fresh, empty store; `reopen`, when given, returns a second store over the same
 * storage (a restart).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { DeviceState, StateStore } from "../../src/device/store.js";
import { WifiProvError } from "../../src/errors.js";

export interface StoreFactory {
  create(): Promise<StateStore>;
  /** A new store instance over the same storage as `store`, or undefined if the storage dies with it. */
  reopen?(store: StateStore): Promise<StateStore>;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const mac = Uint8Array.of(0x24, 0x0a, 0xc4, 0x11, 0x22, 0x33);
const provisioned: DeviceState = {
  mac,
  credentials: { ssid: utf8("myssid"), passphrase: utf8("mypassword") },
};

export function storeSuite(name: string, factory: StoreFactory): void {
  test(`${name}: a new store loads as {}`, async () => {
    const store = await factory.create();
    assert.deepEqual(await store.load(), {});
  });

  test(`${name}: save then load returns the same bytes`, async () => {
    const store = await factory.create();
    await store.save(provisioned);
    assert.deepEqual(await store.load(), provisioned);
  });

  test(`${name}: credentials are bytes, kept exactly (non-UTF-8, NUL, maximum lengths, empty passphrase)`, async () => {
    const store = await factory.create();
    const cases: DeviceState[] = [
      {
        credentials: {
          ssid: Uint8Array.of(0xff, 0x00, 0xfe, 0x80),
          passphrase: Uint8Array.of(0, 1, 2, 0xc3),
        },
      },
      { credentials: { ssid: new Uint8Array(32).fill(0x41), passphrase: new Uint8Array(64).fill(0x66) } },
      // A NUL in the SSID with a passphrase that is text (NetworkManager holds both: the SSID is bytes there).
      { credentials: { ssid: Uint8Array.of(0x41, 0x00, 0x42), passphrase: utf8("mypassword") } },
      { mac, credentials: { ssid: utf8("Cafe ☕"), passphrase: new Uint8Array(0) } },
      { mac, credentials: { ssid: new Uint8Array(0), passphrase: new Uint8Array(0) } },
    ];
    for (const state of cases) {
      await store.save(state);
      assert.deepEqual(await store.load(), state);
    }
  });

  test(`${name}: save replaces the whole state`, async () => {
    const store = await factory.create();
    await store.save(provisioned);
    await store.save({ mac });
    assert.deepEqual(await store.load(), { mac });
    await store.save({});
    assert.deepEqual(await store.load(), {});
  });

  test(`${name}: eraseCredentials keeps the MAC`, async () => {
    const store = await factory.create();
    await store.save(provisioned);
    await store.eraseCredentials();
    assert.deepEqual(await store.load(), { mac });
    await store.eraseCredentials(); // nothing left to erase: still fine
    assert.deepEqual(await store.load(), { mac });
  });

  test(`${name}: eraseCredentials on an empty store leaves it empty`, async () => {
    const store = await factory.create();
    await store.eraseCredentials();
    assert.deepEqual(await store.load(), {});
  });

  test(`${name}: loaded and saved objects are not shared with the store`, async () => {
    const store = await factory.create();
    const input: DeviceState = {
      mac: Uint8Array.from(mac),
      credentials: { ssid: utf8("myssid"), passphrase: utf8("mypassword") },
    };
    await store.save(input);
    input.mac![0] = 0;
    input.credentials!.ssid[0] = 0;
    const loaded = await store.load();
    assert.deepEqual(loaded, provisioned);
    loaded.credentials!.passphrase[0] = 0;
    delete loaded.mac;
    assert.deepEqual(await store.load(), provisioned);
  });

  test(`${name}: saves issued together land in call order`, async () => {
    const store = await factory.create();
    const states = Array.from({ length: 10 }, (_, i) => ({
      mac,
      credentials: { ssid: utf8(`net-${i}`), passphrase: utf8(`pass-${i}-pass`) },
    }));
    await Promise.all(states.map((s) => store.save(s)));
    assert.deepEqual(await store.load(), states[9]);
  });

  test(`${name}: invalid states are refused with a usage error and change nothing`, async () => {
    const store = await factory.create();
    await store.save(provisioned);
    const bad: DeviceState[] = [
      { mac: new Uint8Array(5) },
      { credentials: { ssid: new Uint8Array(33), passphrase: new Uint8Array(0) } },
      { credentials: { ssid: utf8("x"), passphrase: new Uint8Array(65) } },
    ];
    for (const state of bad) {
      await assert.rejects(
        store.save(state),
        (e) => e instanceof WifiProvError && e.code === "WIFIPROV_USAGE",
      );
    }
    assert.deepEqual(await store.load(), provisioned);
  });

  if (factory.reopen !== undefined) {
    const reopen = factory.reopen.bind(factory);
    test(`${name}: state survives a restart`, async () => {
      const store = await factory.create();
      await store.save(provisioned);
      const again = await reopen(store);
      assert.deepEqual(await again.load(), provisioned);
      await again.eraseCredentials();
      assert.deepEqual(await (await reopen(store)).load(), { mac });
    });
  }
}
