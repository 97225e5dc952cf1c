// `wifiprov device` through registerDeviceCommand in a child process: start-up output, provisioning over HTTP,
// persistence in --state-dir, `device erase`, clean exit on SIGTERM, and flag errors that name the flag.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { deviceOptionsFromFlags, formatEspLine } from "../../src/cli/device-command.js";
import { WifiStationState } from "../../src/proto/index.js";
import { watchOutput } from "../helpers/child-processes.js";
import { ProvClient } from "./prov-client.js";

const cli = fileURLToPath(new URL("./fixtures/device-cli.ts", import.meta.url));

function startCli(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", cli, "device", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const watch = watchOutput(child);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitFor = (pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> =>
    watch.waitFor(pattern, timeoutMs, (out, err) => `no ${pattern} in output:\n${out}\n${err}`);
  return { child, exited, waitFor, output: watch.output, errors: watch.errors };
}

test("wifiprov device: provisions over HTTP, persists, erase, SIGTERM exits 0", async () => {
  const dir = await mkdtemp(join(tmpdir(), "wifiprov-cli-"));
  try {
    const common = ["--listen", "127.0.0.1:0", "--state-dir", dir, "--time-scale", "0.01"];
    const run = startCli(common);
    const [, service] = await run.waitFor(/Service name: (127\.0\.0\.1:\d+)/);
    await run.waitFor(
      /QR payload: {3}\{"ver":"v1","name":"PROV_[0-9A-F]{6}","pop":"abcd1234","transport":"softap"\}/,
    );
    assert.match(
      run.output(),
      /I \(\d+\) app_prov: SoftAP Provisioning started with SSID 'PROV_[0-9A-F]{6}', Password '\*{8}'/,
    );
    assert.match(run.output(), /[▀▄█]/, "terminal QR code drawn");
    const client = new ProvClient(service!, { version: 1, pop: "abcd1234" });
    await client.handshake();
    const seen = await client.provision("myssid", "mypassword");
    assert.equal(seen[seen.length - 1]!.staState, WifiStationState.Connected);
    await client.close();
    await run.waitFor(/app_prov: Provisioning stopped/);
    assert.ok(!run.output().includes("mypassword"), "secrets masked");
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0);

    const again = startCli(common);
    await again.waitFor(/app_prov: Found ssid myssid/);
    await again.waitFor(/app: got ip:/);
    assert.ok(again.output().includes("Found password ********"));
    again.child.kill("SIGINT");
    assert.equal(await again.exited, 0);

    const erase = spawnSync(
      process.execPath,
      ["--import", "tsx", cli, "device", "erase", "--state-dir", dir],
      {
        encoding: "utf8",
      },
    );
    assert.equal(erase.status, 0, erase.stderr);
    assert.match(erase.stdout, /Erased the stored Wi-Fi credentials/);

    const third = startCli([...common, "--sec-ver", "0"]);
    await third.waitFor(/SoftAP Provisioning started/);
    await third.waitFor(/QR payload: {3}\{"ver":"v1","name":"PROV_[0-9A-F]{6}","transport":"softap"\}/);
    third.child.kill("SIGTERM");
    assert.equal(await third.exited, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a bad flag names the flag and the accepted values, exit code 2", () => {
  for (const [args, fragment] of [
    [["--listen", "localhost"], "--listen: expected HOST:PORT"],
    [["--conn-attempts", "many"], "--conn-attempts: expected a whole number 0–255"],
    [["--softap-password", "short"], "--softap-password: expected '' (open) or 8–64 characters"],
    [["--sec-ver", "3"], "Allowed choices are 0, 1, 2"],
    [
      ["--compat", "idf-v3.3"],
      "Allowed choices are idf-v4.0, idf-v5.0, idf-v5.1, idf-v5.2, idf-v5.4.1, idf-v5.5, idf-v6.0",
    ],
    [["--sec-ver", "2", "--sec2-salt", "abc"], "--sec2-salt: expected an even number of hex digits"],
  ] as const) {
    const r = spawnSync(process.execPath, ["--import", "tsx", cli, "device", ...args], { encoding: "utf8" });
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.ok(r.stderr.includes(fragment), `${args.join(" ")}: ${r.stderr}`);
  }
});

test("deviceOptionsFromFlags: defaults and every security choice", () => {
  const d = deviceOptionsFromFlags({});
  assert.deepEqual(d.listen, { host: "127.0.0.1", port: 8080 });
  assert.deepEqual(d.security, { version: 1, pop: "abcd1234" });
  assert.equal(d.compat, "idf-v5.5");
  assert.equal(d.stateDir, ".wifiprov-state");
  assert.equal(d.logLevel, "info");
  assert.deepEqual(deviceOptionsFromFlags({ pop: false }).security, { version: 1 });
  assert.deepEqual(deviceOptionsFromFlags({ secVer: "0" }).security, { version: 0 });
  assert.deepEqual(deviceOptionsFromFlags({ secVer: "2", sec2PatchVer: "0", sec2Password: "pw" }).security, {
    version: 2,
    username: "wifiprov",
    password: "pw",
    patchVersion: 0,
  });
  const withSalt = deviceOptionsFromFlags({ secVer: "2", sec2Salt: "0a0b", sec2Verifier: "0c:0d" }).security;
  assert.ok(withSalt?.version === 2 && withSalt.salt?.length === 2 && withSalt.verifier?.length === 2);
  assert.throws(() => deviceOptionsFromFlags({ secVer: "2", sec2Salt: "0a0b" }), /both or neither/);
  assert.throws(
    () => deviceOptionsFromFlags({ secVer: "2", compat: "idf-v4.0" }),
    /--sec-ver: expected 0 or 1/,
  );
  // idf-v6.0 builds only sec2 by default (protocomm Kconfig); sec0/sec1 need --legacy-security.
  assert.deepEqual(deviceOptionsFromFlags({ compat: "idf-v6.0" }).security, {
    version: 2,
    username: "wifiprov",
  });
  const legacy = deviceOptionsFromFlags({ compat: "idf-v6.0", secVer: "1", legacySecurity: true });
  assert.deepEqual(legacy.security, { version: 1, pop: "abcd1234" });
  assert.equal(legacy.legacySecurity, true);
  assert.equal(deviceOptionsFromFlags({ secVer: "1" }).legacySecurity, undefined);
  assert.equal(deviceOptionsFromFlags({ keepRunning: true }).autoStopMs, false);
  assert.deepEqual(deviceOptionsFromFlags({ listen: "[::1]:0" }).listen, { host: "::1", port: 0 });
  assert.deepEqual(deviceOptionsFromFlags({ listen: "8081" }).listen, { host: "127.0.0.1", port: 8081 });
  assert.deepEqual(deviceOptionsFromFlags({ listen: "http://127.0.0.1:8081" }).listen, {
    host: "127.0.0.1",
    port: 8081,
  });
  assert.throws(() => deviceOptionsFromFlags({ listen: "::1:8080" }), /--listen: expected HOST:PORT/);
});

test("formatEspLine prints ESP's log layout", () => {
  assert.equal(
    formatEspLine({ level: 30, msg: "app_prov: STA Got IP" }, 1234.4),
    "I (1234) app_prov: STA Got IP",
  );
  assert.equal(
    formatEspLine({ level: 50, msg: "app_prov: Disconnect reason : 15" }, 5),
    "E (5) app_prov: Disconnect reason : 15",
  );
  assert.equal(formatEspLine({ level: 40, msg: "x", error: "boom", n: 2 }, 0), "W (0) x error=boom n=2");
});

test("a SIGTERM during start-up still ends in a clean shutdown (exit 0), at every early moment", async () => {
  // Regression: the signal handlers used to be installed only after the banner, so a signal in between
  // killed the process by signal instead of closing the device.
  for (const moment of [/Starting WiFi SoftAP provisioning/, /listening/, /SoftAP Provisioning started/]) {
    const dir = await mkdtemp(join(tmpdir(), "wifiprov-cli-"));
    try {
      const run = startCli(["--listen", "127.0.0.1:0", "--state-dir", dir, "--time-scale", "0.01"]);
      await run.waitFor(moment);
      run.child.kill("SIGTERM");
      assert.equal(await run.exited, 0, `SIGTERM at ${moment}: ${run.errors()}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
});

test("--state-dir that is a file: said so, exit 1; a state file with bad credentials keeps its MAC (same SoftAP name)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "wifiprov-cli-"));
  try {
    const file = join(dir, "not-a-dir");
    await writeFile(file, "");
    for (const args of [
      ["--state-dir", file, "--listen", "127.0.0.1:0"],
      ["erase", "--state-dir", file],
    ]) {
      const r = spawnSync(process.execPath, ["--import", "tsx", cli, "device", ...args], {
        encoding: "utf8",
      });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`error: the state directory ${file} is a file, not a directory`));
    }
    const state = join(dir, "state");
    await mkdir(state);
    await writeFile(
      join(state, "state.json"),
      '{"format":"wifiprov-device-state","version":1,"mac":"240ac4112233","credentials":{"ssidHex":"zz"}}',
    );
    const run = startCli(["--listen", "127.0.0.1:0", "--state-dir", state, "--time-scale", "0.01"]);
    await run.waitFor(/SoftAP SSID: {2}PROV_112233/);
    assert.match(run.output(), /bad credentials\.ssidHex.*; kept the MAC and starting unprovisioned/);
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
