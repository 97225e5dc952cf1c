// End to end: `wifiprov provision` provisions `wifiprov device --radio networkmanager` (listening on loopback)
// whose NetworkManager is the mock on a private bus; the mock saw the AP profile, the scan and the station
// connection with the SSID/PSK that were sent. SIGTERM leaves no profile of ours but the station credentials.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MockNetworkManager, needsMockNm } from "../helpers/nm-mock/mock-nm.js";
import type { MockLogEntry } from "../helpers/nm-mock/mock-nm.js";
import { homeNetworks } from "../wifi/networkmanager/fixture.js";
import { runCli } from "./run-cli.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const utf8 = (s: string) => [...new TextEncoder().encode(s)];
type Settings = Record<string, Record<string, unknown>>;

function startDeviceProcess(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "device", ...args], {
    cwd: root,
    env: { ...env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(out);
        if (m) {
          child.stdout.off("data", check);
          child.stderr.off("data", check);
          resolve(m);
        }
      };
      child.stdout.on("data", check);
      child.stderr.on("data", check);
      void exited.then(() => reject(new Error(`device exited before ${pattern}:\n${out}`)));
      check();
    });
  return { child, exited, waitFor, output: () => out };
}

describe("wifiprov device --radio networkmanager", needsMockNm(), () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  test("wifiprov provision provisions it; NetworkManager saw the SoftAP, the scan and the join", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "wifiprov-nm-e2e-"));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const dnsmasqDir = join(stateDir, "dnsmasq-shared.d");
    const mock = await MockNetworkManager.start({
      networks: homeNetworks,
      behaviour: { dnsmasq_shared_dir: dnsmasqDir },
    });
    cleanups.push(() => mock.stop());
    const device = startDeviceProcess(
      [
        "--radio",
        "networkmanager",
        "--ap-interface",
        "wlan0",
        "--listen",
        "127.0.0.1:0",
        "--sec-ver",
        "2",
        "--state-dir",
        stateDir,
        "--dnsmasq-shared-dir",
        dnsmasqDir,
      ],
      mock.env,
    );
    cleanups.push(async () => {
      if (device.child.exitCode === null) device.child.kill("SIGKILL");
    });
    const [, serviceName] = await device.waitFor(/Service name: (127\.0\.0\.1:\d+)/);
    // The portal's DNS answer was in place when NetworkManager started the SoftAP's dnsmasq.
    const dnsmasq = await mock.waitFor((e) => e.event === "dnsmasq-started");
    assert.match(
      (dnsmasq.files as Record<string, string>)["wifiprov-captive-portal.conf"] ?? "",
      /^address=\/#\/192\.168\.4\.1$/m,
    );
    // On a real radio the captive portal is on by default: the page is served beside the endpoints.
    const page = await fetch(`http://${serviceName}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    await page.arrayBuffer();
    const scan = await runCli(
      [
        "scan",
        "--service_name",
        serviceName!,
        "--sec_ver",
        "2",
        "--sec2_username",
        "wifiprov",
        "--sec2_pwd",
        "abcd1234",
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(scan.code, 0, scan.stderr);
    assert.match(scan.stdout, /myssid/);
    const result = await runCli(
      [
        "provision",
        "--service_name",
        serviceName!,
        "--sec_ver",
        "2",
        "--sec2_username",
        "wifiprov",
        "--sec2_pwd",
        "abcd1234",
        "--ssid",
        "myssid",
        "--passphrase",
        "mypassword",
      ],
      { timeoutMs: 90_000 },
    );
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}\n--- device ---\n${device.output()}`);

    const log = await mock.log();
    const profiles = log.filter((e) => e.event === "add-connection");
    const roleOf = (e: MockLogEntry) =>
      ((e.settings as Settings).user?.data as Record<string, string>)["wifiprov.role"];
    const ap = profiles.find((e) => roleOf(e) === "softap");
    assert.ok(ap, "an AP profile was added");
    const apSettings = ap.settings as Settings;
    assert.equal(apSettings["802-11-wireless"]!.mode, "ap");
    assert.match(
      Buffer.from(apSettings["802-11-wireless"]!.ssid as number[]).toString(),
      /^PROV_[0-9A-F]{6}$/,
    );
    assert.equal(apSettings["802-11-wireless-security"]!.psk, "PROV_PASS");
    assert.equal(apSettings.ipv4!.method, "shared");
    assert.ok(
      log.some((e) => e.event === "request-scan"),
      "a scan was requested",
    );
    const joined = log.find((e) => e.event === "activate" && e.mode === "infrastructure");
    assert.ok(joined, "the station joined");
    assert.deepEqual(joined.ssid, utf8("myssid"));
    assert.equal(joined.psk, "mypassword");
    const stored = profiles.find((e) => roleOf(e) === "station");
    assert.ok(stored, "the credentials are a station profile in NetworkManager");
    assert.equal((stored.settings as Settings)["802-11-wireless-security"]!.psk, "mypassword");

    device.child.kill("SIGTERM");
    assert.equal(await device.exited, 0);
    assert.deepEqual(await readdir(dnsmasqDir), [], "the DNS file went with the SoftAP");
    // The AP profile was deleted; nothing else was added but the station's.
    const deleted = new Set(
      (await mock.log()).filter((e) => e.event === "delete-connection").map((e) => e.path),
    );
    // The joined network stays joined (its volatile profile lives as long as the connection).
    for (const profile of profiles.filter((e) => roleOf(e) === "softap")) {
      assert.ok(
        deleted.has(profile.path),
        `${String(roleOf(profile))} profile ${String(profile.path)} deleted`,
      );
    }

    // `device erase` removes the station profile from NetworkManager.
    const erase = await runCli(["device", "erase", "--radio", "networkmanager", "--state-dir", stateDir], {
      env: mock.env,
    });
    assert.equal(erase.code, 0, erase.stderr);
    assert.ok((await mock.log()).some((e) => e.event === "delete-connection" && e.path === stored.path));
  });

  test("NetworkManager absent: one line with what to do, a non-zero exit, nothing listening", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wifiprov-nobus-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const result = await runCli(
      ["device", "--radio", "networkmanager", "--listen", "127.0.0.1:0", "--state-dir", join(dir, "state")],
      { env: { DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${join(dir, "no-bus")}` } },
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /NetworkManager is not (reachable|running)/);
    assert.match(result.stderr, /systemctl start NetworkManager/);
  });

  test("SIGTERM while NetworkManager brings the SoftAP up: exit 0, NetworkManager left as it was found", async () => {
    // Activations never complete: the device is stuck in the AP set-up (30 s of waiting) when the signal comes.
    const mock = await MockNetworkManager.start({
      networks: homeNetworks,
      behaviour: { silent_activation: true },
    });
    cleanups.push(() => mock.stop());
    const stateDir = await mkdtemp(join(tmpdir(), "wifiprov-nm-term-"));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const device = startDeviceProcess(
      [
        "--radio",
        "networkmanager",
        "--listen",
        "127.0.0.1:0",
        "--state-dir",
        stateDir,
        "--dnsmasq-shared-dir",
        join(stateDir, "dnsmasq"),
      ],
      mock.env,
    );
    cleanups.push(async () => {
      if (device.child.exitCode === null) device.child.kill("SIGKILL");
    });
    await mock.waitFor((e) => e.event === "activate" && e.mode === "ap");
    assert.deepEqual(await readdir(join(stateDir, "dnsmasq")), ["wifiprov-captive-portal.conf"]);
    device.child.kill("SIGTERM");
    assert.equal(await device.exited, 0, device.output());
    assert.doesNotMatch(device.output(), /Service name:/);
    assert.deepEqual(await mock.profiles(), [], "no profile left behind");
    assert.deepEqual(await readdir(join(stateDir, "dnsmasq")), [], "nor the DNS file");
  });

  test("SIGTERM while the station joins: exit 0, only the stored credentials stay in NetworkManager", async () => {
    const mock = await MockNetworkManager.start({ networks: homeNetworks });
    cleanups.push(() => mock.stop());
    const stateDir = await mkdtemp(join(tmpdir(), "wifiprov-nm-term-join-"));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const device = startDeviceProcess(
      [
        "--radio",
        "networkmanager",
        "--listen",
        "127.0.0.1:0",
        "--sec-ver",
        "0",
        "--state-dir",
        stateDir,
        "--dnsmasq-shared-dir",
        join(stateDir, "dnsmasq"),
      ],
      mock.env,
    );
    cleanups.push(async () => {
      if (device.child.exitCode === null) device.child.kill("SIGKILL");
    });
    const [, serviceName] = await device.waitFor(/Service name: (127\.0\.0\.1:\d+)/);
    // The join never completes: the device is mid-join when the signal comes.
    await mock.setBehaviour({ silent_activation: true });
    const client = runCli(
      [
        "provision",
        "--service_name",
        serviceName!,
        "--sec_ver",
        "0",
        "--ssid",
        "myssid",
        "--passphrase",
        "mypassword",
      ],
      { timeoutMs: 60_000 },
    );
    await mock.waitFor((e) => e.event === "activate" && e.mode === "infrastructure");
    device.child.kill("SIGTERM");
    assert.equal(await device.exited, 0, device.output());
    assert.notEqual((await client).code, 0, "the client saw the device go");
    const left = await mock.profiles();
    assert.deepEqual(
      left.map((p) => p.role),
      ["station"],
      `only the credentials profile stays: ${JSON.stringify(left)}`,
    );
  });

  test("polkit refusing: one line with the polkit rule or root as the way out, exit 1, nothing added", async () => {
    const mock = await MockNetworkManager.start({
      networks: homeNetworks,
      behaviour: { permission_denied: true },
    });
    cleanups.push(() => mock.stop());
    const stateDir = await mkdtemp(join(tmpdir(), "wifiprov-nm-polkit-"));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const result = await runCli(
      [
        "device",
        "--radio",
        "networkmanager",
        "--listen",
        "127.0.0.1:0",
        "--state-dir",
        stateDir,
        "--dnsmasq-shared-dir",
        join(stateDir, "dnsmasq"),
      ],
      { env: mock.env, timeoutMs: 60_000 },
    );
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^error: NetworkManager refused AddAndActivateConnection2: permission denied .*$/m,
    );
    assert.match(result.stderr, /^hint: run wifiprov as root, or .*polkit rule.*deploy\/50-wifiprov\.rules/m);
    assert.doesNotMatch(result.stdout, /Service name:/);
    assert.deepEqual(await mock.profiles(), []);
  });

  test("the interface busy with another connection: one line, exit 1, that connection untouched", async () => {
    const mock = await MockNetworkManager.start({ networks: homeNetworks });
    cleanups.push(() => mock.stop());
    const stateDir = await mkdtemp(join(tmpdir(), "wifiprov-nm-busy-"));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const home = await mock.addForeignProfile({
      id: "Home",
      ssid: "myssid",
      psk: "mypassword",
      activateOn: "wlan0",
    });
    await mock.waitFor((e) => e.event === "activated");
    const result = await runCli(
      [
        "device",
        "--radio",
        "networkmanager",
        "--listen",
        "127.0.0.1:0",
        "--state-dir",
        stateDir,
        "--dnsmasq-shared-dir",
        join(stateDir, "dnsmasq"),
      ],
      { env: mock.env, timeoutMs: 60_000 },
    );
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^error: wlan0 is busy: NetworkManager has the connection "Home" active on it/m,
    );
    assert.match(result.stderr, /^hint: disconnect it first \(nmcli device disconnect wlan0\)/m);
    assert.deepEqual(await mock.profiles(), [{ path: home, id: "Home", role: undefined }]);
    assert.ok(!(await mock.log()).some((e) => e.event === "deactivated"), "Home stayed up");
  });

  test("an interface NetworkManager does not know: named in one line, exit 1", async () => {
    const mock = await MockNetworkManager.start({ networks: homeNetworks });
    cleanups.push(() => mock.stop());
    const stateDir = await mkdtemp(join(tmpdir(), "wifiprov-nm-noif-"));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const result = await runCli(
      [
        "device",
        "--radio",
        "networkmanager",
        "--ap-interface",
        "wlan9",
        "--listen",
        "127.0.0.1:0",
        "--state-dir",
        stateDir,
      ],
      { env: mock.env, timeoutMs: 60_000 },
    );
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^error: NetworkManager knows no interface named wlan9$/m);
  });

  test("a dnsmasq directory it cannot write: one warning line, the device still serves", async () => {
    const mock = await MockNetworkManager.start({ networks: homeNetworks });
    cleanups.push(() => mock.stop());
    const stateDir = await mkdtemp(join(tmpdir(), "wifiprov-nm-dnsro-"));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    await writeFile(join(stateDir, "a-file"), "");
    const device = startDeviceProcess(
      [
        "--radio",
        "networkmanager",
        "--listen",
        "127.0.0.1:0",
        "--state-dir",
        stateDir,
        "--dnsmasq-shared-dir",
        join(stateDir, "a-file", "dnsmasq-shared.d"),
      ],
      mock.env,
    );
    cleanups.push(async () => {
      if (device.child.exitCode === null) device.child.kill("SIGKILL");
    });
    const [, serviceName] = await device.waitFor(/Service name: (127\.0\.0\.1:\d+)/);
    assert.equal(
      device.output().match(/cannot write .*wifiprov-captive-portal\.conf/g)?.length,
      1,
      device.output(),
    );
    const page = await fetch(`http://${serviceName}/`);
    assert.equal(page.status, 200);
    await page.arrayBuffer();
    device.child.kill("SIGTERM");
    assert.equal(await device.exited, 0);
  });

  test("--ap-interface without --radio networkmanager is a flag error", async () => {
    const result = await runCli(["device", "--ap-interface", "wlan0"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--ap-interface/);
  });
});
