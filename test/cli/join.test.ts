// `wifiprov provision --join` and `wifiprov discover` as child processes whose NetworkManager is the mock on a
// private dbus-daemon: the laptop joins the SoftAP, provisions the virtual device at the explicit loopback
// --service_name (never 192.168.4.1), and is back on its home network after success, failure and a real SIGINT.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { startVirtualDevice } from "../../src/device/index.js";
import type { RunningVirtualDevice } from "../../src/device/index.js";
import { MockNetworkManager, needsMockNm } from "../helpers/nm-mock/mock-nm.js";
import { laptopWorld } from "../join/laptop-world.js";
import { runCli } from "./run-cli.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const creds = ["--sec2_username", "wifiprov", "--sec2_pwd", "abcd1234"];
const wifi = ["--ssid", "myssid", "--passphrase", "mypassword", "--no-input"];

describe("wifiprov provision --join / discover (NetworkManager mock)", needsMockNm(), () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function world() {
    const mock = await MockNetworkManager.start(laptopWorld);
    cleanups.push(() => mock.stop());
    return mock;
  }

  async function device(): Promise<RunningVirtualDevice> {
    const d = await startVirtualDevice({
      timeScale: 0.02,
      listen: { host: "127.0.0.1", port: 0 },
      security: { version: 2 },
    });
    cleanups.push(() => d.close());
    return d;
  }

  async function assertHomeRestored(mock: MockNetworkManager): Promise<void> {
    const now = await mock.activeOn("wlan0");
    assert.equal(now?.ssid, "home");
    assert.equal(now?.state, 2);
    assert.deepEqual(
      (await mock.profiles()).map((p) => p.id),
      ["home"],
      "no profile of ours is left",
    );
  }

  test("joins, provisions at the explicit --service_name, and is back on home (exit 0)", async () => {
    const [mock, d] = await Promise.all([world(), device()]);
    const r = await runCli(
      ["provision", "--join", "PROV_A1B2C3", "--service_name", d.serviceName, ...creds, ...wifi],
      { env: mock.env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Joined PROV_A1B2C3 on wlan0 \(was on home\)/);
    assert.match(r.stderr, /Device joined myssid/);
    assert.match(r.stderr, /Back on home/);
    const joins = (await mock.log()).filter((e) => e.event === "activate");
    assert.deepEqual(
      joins.map((e) => String.fromCharCode(...(e.ssid as number[]))),
      ["home", "PROV_A1B2C3", "home"],
    );
    await assertHomeRestored(mock);
    assert.ok(!r.stderr.includes("abcd1234") && !r.stderr.includes("PROV_PASS"), "no secret printed");
  });

  test("--join with --qrcode takes the SoftAP from the payload; a failed provisioning still restores", async () => {
    const [mock, d] = await Promise.all([world(), device()]);
    const qr = JSON.stringify({
      ver: "v1",
      name: "PROV_OPEN01",
      username: "wifiprov",
      pop: "wrong-pwd",
      transport: "softap",
    });
    const r = await runCli(
      [
        "provision",
        "--join",
        "--qrcode",
        qr,
        "--service_name",
        d.serviceName,
        ...wifi,
        "--interface",
        "wlan0",
      ],
      { env: mock.env },
    );
    assert.equal(r.code, 4, r.stderr); // wrong SRP password: handshake refused
    assert.match(r.stderr, /Joined PROV_OPEN01 on wlan0/);
    assert.doesNotMatch(r.stderr, /join its Wi-Fi access point before provisioning/);
    await assertHomeRestored(mock);
  });

  test("Ctrl-C (a real SIGINT) while provisioning: the laptop is put back, then exit 130", async () => {
    const mock = await world();
    // Accepts and never answers: the run waits there, joined, until the SIGINT.
    const sockets: net.Socket[] = [];
    let connected!: () => void;
    const reached = new Promise<void>((resolve) => (connected = resolve));
    const hung = net.createServer((socket) => {
      sockets.push(socket);
      connected();
    });
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    });
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "provision",
        "--join",
        "PROV_A1B2C3",
        "--service_name",
        `127.0.0.1:${(hung.address() as net.AddressInfo).port}`,
        ...creds,
        ...wifi,
      ],
      { cwd: root, env: { ...mock.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    let stderr = "";
    const exited = once(child, "exit");
    child.stdout.resume();
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    await Promise.race([
      reached,
      exited.then(() => {
        throw new Error(`exited before reaching the device:\n${stderr}`);
      }),
    ]);
    assert.equal((await mock.activeOn("wlan0"))?.ssid, "PROV_A1B2C3");
    child.kill("SIGINT");
    const [code] = await exited;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /Back on home/);
    await assertHomeRestored(mock);
  });

  test("a wrong --softap-password: one line, exit 1, home untouched", async () => {
    const [mock, d] = await Promise.all([world(), device()]);
    const r = await runCli(
      [
        "provision",
        "--join",
        "PROV_A1B2C3",
        "--softap-password",
        "not-the-one",
        "--service_name",
        d.serviceName,
        ...creds,
        ...wifi,
      ],
      { env: mock.env },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /error: wrong SoftAP password for "PROV_A1B2C3"/);
    assert.ok(!r.stderr.includes("not-the-one"));
    await assertHomeRestored(mock);
  });

  test("the SoftAP not in range, or the interface missing: one line each naming what exists", async () => {
    const mock = await world();
    const missing = await runCli(
      ["provision", "--join", "PROV_GONE00", "--service_name", "127.0.0.1:9", ...creds, ...wifi],
      { env: mock.env },
    );
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(
      missing.stderr,
      /error: SoftAP "PROV_GONE00" not found on wlan0\nhint: seen: "home", "PROV_A1B2C3"/,
    );
    const noIface = await runCli(
      [
        "provision",
        "--join",
        "PROV_A1B2C3",
        "--interface",
        "wlan7",
        "--service_name",
        "127.0.0.1:9",
        ...creds,
        ...wifi,
      ],
      { env: mock.env },
    );
    assert.equal(noIface.code, 1, noIface.stderr);
    assert.match(
      noIface.stderr,
      /error: no network interface "wlan7"\nhint: Wi-Fi interfaces NetworkManager manages: wlan0, wlan1/,
    );
    await assertHomeRestored(mock);
  });

  test("NetworkManager absent: one line, a working command without the secrets, non-zero exit", async () => {
    const r = await runCli(["provision", "--join", "PROV_A1B2C3", ...creds, ...wifi], {
      env: { DBUS_SYSTEM_BUS_ADDRESS: "unix:path=/nonexistent/wifiprov-test-bus" },
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /error: NetworkManager is not running; join PROV_A1B2C3 yourself and use --service_name 192\.168\.4\.1:80\n/,
    );
    assert.match(
      r.stderr,
      /hint: once this computer is on PROV_A1B2C3: npx wifiprov provision --sec2_username wifiprov --ssid myssid --service_name 192\.168\.4\.1:80\n/,
    );
    assert.ok(!r.stderr.includes("abcd1234") && !r.stderr.includes("mypassword"));
    const discover = await runCli(["discover"], {
      env: { DBUS_SYSTEM_BUS_ADDRESS: "unix:path=/nonexistent/wifiprov-test-bus" },
    });
    assert.equal(discover.code, 1);
    assert.match(discover.stderr, /error: NetworkManager is not running; join PROV_… yourself/);
  });

  test("--softap-password without --join is a usage error", async () => {
    const r = await runCli(["provision", "--softap-password", "x", "--service_name", "127.0.0.1:9", ...wifi]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--softap-password is only used with --join/);
  });

  test("discover lists the provisioning SoftAPs (table and --json)", async () => {
    const mock = await world();
    const table = await runCli(["discover"], { env: mock.env });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^SSID\s+BSSID\s+CH\s+SIGNAL\s+SECURITY\n/);
    assert.match(table.stdout, /PROV_A1B2C3\s+24:0a:c4:a1:b2:c3\s+1\s+\S+\s+-58 dBm\s+WPA2\n/);
    assert.match(table.stdout, /PROV_OPEN01\s+24:0a:c4:00:00:01\s+11\s+\S+\s+-76 dBm\s+open\n/);
    assert.doesNotMatch(table.stdout, /home|cafe/);
    assert.match(table.stderr, /Found 2 provisioning SoftAPs on wlan0 \(and 2 other networks\)/);
    const json = await runCli(["discover", "--json", "--interface", "wlan1", "--prefix", "PROV_OPEN"], {
      env: mock.env,
    });
    assert.equal(json.code, 0, json.stderr);
    const out = JSON.parse(json.stdout) as {
      interface: string;
      softAps: Array<{ ssid: string; security: string }>;
    };
    assert.equal(out.interface, "wlan1");
    assert.deepEqual(
      out.softAps.map((s) => [s.ssid, s.security]),
      [["PROV_OPEN01", "open"]],
    );
  });
});
