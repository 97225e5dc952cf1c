// `wifiprov device --radio networkmanager` and `wifiprov device erase --radio networkmanager` against Debian's
// REAL NetworkManager daemon (sandboxed, test/helpers/real-nm). Its network namespace has no Wi-Fi interface,
// so the device must stop with a one-line reason and a non-zero exit, leaving NetworkManager's connections
// exactly as they were; erase removes our profile and nothing else.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/logger.js";
import { NetworkManagerCredentials } from "../../src/wifi/networkmanager/index.js";
import { NM_SETTINGS_PATH, NmApi } from "../../src/networkmanager/nm-api.js";
import { NmBus } from "../../src/networkmanager/nm-bus.js";
import { RealNetworkManager, needsRealNm } from "../helpers/real-nm/real-nm.js";
import { runCli } from "./run-cli.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe(
  "wifiprov device --radio networkmanager on the real NetworkManager (no radio)",
  needsRealNm(),
  () => {
    let nm: RealNetworkManager;
    let bus: NmBus;
    let stateDir: string;
    before(async () => {
      nm = await RealNetworkManager.start();
      bus = await NmBus.connect({ address: nm.address, callTimeoutMs: 10_000 });
      stateDir = await mkdtemp(join(tmpdir(), "wifiprov-realnm-cli-"));
    });
    after(async () => {
      bus?.close();
      await nm?.stop();
      if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
    });

    async function connections(): Promise<string[]> {
      const [paths] = (await bus.call(NmApi.listConnections, NM_SETTINGS_PATH)) as [string[]];
      return [...paths].sort();
    }

    for (const [iface, reason] of [
      ["wlan0", /^error: NetworkManager knows no interface named wlan0$/],
      // The loopback device is the one device NetworkManager has here: it exists but is not Wi-Fi.
      ["lo", /^error: lo is not a Wi-Fi interface \(NetworkManager device type \d+\)$/],
    ] as const) {
      test(`--ap-interface ${iface}: one line why, exit 1, NetworkManager's connections as before`, async () => {
        const before = await connections();
        const result = await runCli(
          [
            "device",
            "--radio",
            "networkmanager",
            "--ap-interface",
            iface,
            "--listen",
            "127.0.0.1:0",
            "--state-dir",
            stateDir,
          ],
          { env: { DBUS_SYSTEM_BUS_ADDRESS: nm.address } },
        );
        assert.equal(result.code, 1, result.stdout + result.stderr);
        const [first, ...rest] = result.stderr.trimEnd().split("\n");
        assert.match(first!, reason);
        assert.ok(
          rest.every((line) => line.startsWith("hint: ")),
          result.stderr,
        );
        assert.equal(result.stdout, "");
        assert.deepEqual(await connections(), before);
        assert.deepEqual(await readdir(nm.keyfileDir), []);
      });
    }

    test("device erase removes wifiprov's station profile and nothing else", async () => {
      const before = await connections();
      const credentials = await NetworkManagerCredentials.open({
        busAddress: nm.address,
        logger: silentLogger,
      });
      try {
        await credentials.save({ ssid: utf8("myssid"), passphrase: utf8("mypassword") });
      } finally {
        credentials.close();
      }
      assert.equal((await connections()).length, before.length + 1);

      const env = { DBUS_SYSTEM_BUS_ADDRESS: nm.address };
      const erased = await runCli(["device", "erase", "--radio", "networkmanager", "--state-dir", stateDir], {
        env,
      });
      assert.equal(erased.code, 0, erased.stdout + erased.stderr);
      assert.equal(erased.stdout, "Removed wifiprov's station profile from NetworkManager\n");
      assert.deepEqual(await connections(), before);
      assert.deepEqual(await readdir(nm.keyfileDir), []);

      const again = await runCli(["device", "erase", "--radio", "networkmanager", "--state-dir", stateDir], {
        env,
      });
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.match(again.stdout, /nothing to erase/);
      assert.deepEqual(await connections(), before);
    });
  },
);
