/**
 * Client wall time: `wifiprov provision` (child process, like a user runs it) against a fresh virtual
 * device, next to Espressif's esp_prov.py against the same kind of device when an ESP-IDF tree is given
 * (ESP_PROV_IDF_PATH; Python from ESP_PROV_PYTHON, else the first of python3 and /usr/bin/python3 that can
 * import protobuf and cryptography). Goal: under a fifth of esp_prov's time. Also CLI cold start
 * (`wifiprov --help`, goal < 300 ms). Measures only; no assertions.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { startVirtualDevice } from "../src/device/index.js";
import type { BenchRow } from "./run.js";

export const name = "client: wifiprov provision vs esp_prov.py, CLI cold start";

const root = fileURLToPath(new URL("../", import.meta.url));

function exec(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; ms: number; out: string }> {
  const t0 = performance.now();
  // `npm run bench` sets --conditions=wifiprov-source (package imports resolve to src/*.ts under tsx); the built
  // CLI runs without tsx, so it must not inherit that condition.
  const fromDist = args.some((a) => a.startsWith(join(root, "dist")));
  const inherited = fromDist ? { ...process.env, NODE_OPTIONS: "" } : process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...inherited, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, ms: performance.now() - t0, out }));
  });
}

interface DeviceProfile {
  label: string;
  timeScale: number;
  autoStopMs: number | false;
}

/**
 * Two device speeds. "client cost": the simulated radio (and ESP's 1 s apply delay) run 50× faster and the
 * service keeps running, so esp_prov's fixed 5 s poll still finds it: what remains is each client's own
 * work and waiting. "real-time radio": the simulated join takes ~4.5 s (all-channel scan, association,
 * DHCP) as on hardware, so both clients are bound by the device.
 */
const profiles: DeviceProfile[] = [
  { label: "client cost (radio 50x faster, device keeps running)", timeScale: 0.02, autoStopMs: false },
  { label: "real-time simulated radio", timeScale: 1, autoStopMs: 1000 },
];

/** Provisions one fresh sec1 device (v5.5) with the given command; returns wall ms. */
async function provisionOnce(
  profile: DeviceProfile,
  command: (serviceName: string) => [string, string[], NodeJS.ProcessEnv?],
): Promise<number> {
  const device = await startVirtualDevice({
    listen: { host: "127.0.0.1", port: 0 },
    security: { version: 1, pop: "abcd1234" },
    timeScale: profile.timeScale,
    autoStopMs: profile.autoStopMs,
  });
  try {
    const [cmd, args, env] = command(device.serviceName);
    const r = await exec(cmd, args, env);
    if (r.code !== 0 || !/Provisioning was successful|joined myssid/.test(r.out)) {
      throw new Error(`${cmd} failed (exit ${r.code}):\n${r.out.slice(-2000)}`);
    }
    return r.ms;
  } finally {
    await device.close();
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function findPython(): string | undefined {
  const candidates = process.env.ESP_PROV_PYTHON
    ? [process.env.ESP_PROV_PYTHON]
    : ["python3", "/usr/bin/python3"];
  return candidates.find(
    (py) => spawnSync(py, ["-c", "import google.protobuf, cryptography"], { stdio: "ignore" }).status === 0,
  );
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const wifiArgs = ["--sec_ver", "1", "--pop", "abcd1234", "--ssid", "myssid", "--passphrase", "mypassword"];
  const tsxCli = ["--import", "tsx", join(root, "src/cli/main.ts")];

  // Cold start.
  const helpTsx: number[] = [];
  for (let i = 0; i < 5; i++) helpTsx.push((await exec(process.execPath, [...tsxCli, "--help"])).ms);
  rows.push({
    name: "wifiprov --help (node --import tsx, source)",
    value: median(helpTsx),
    unit: "ms",
    note: "median of 5",
  });
  const built = join(root, "dist/cli/main.js");
  if (existsSync(built)) {
    const helpBuilt: number[] = [];
    for (let i = 0; i < 5; i++) helpBuilt.push((await exec(process.execPath, [built, "--help"])).ms);
    rows.push({
      name: "wifiprov --help (dist, built)",
      value: median(helpBuilt),
      unit: "ms",
      note: "goal < 300 ms",
    });
  } else {
    rows.push({
      name: "wifiprov --help (dist, built)",
      skipped: true,
      unit: "ms",
      note: "run `npm run build` first",
    });
  }

  // Provisioning wall time, one row pair per device profile; our CLI runs built when it is (as users run it).
  const ourCli = existsSync(built) ? [built] : tsxCli;
  const idf = process.env.ESP_PROV_IDF_PATH;
  const script = idf ? join(idf, "tools/esp_prov/esp_prov.py") : undefined;
  const python = script && existsSync(script) ? findPython() : undefined;
  for (const profile of profiles) {
    const ours: number[] = [];
    for (let i = 0; i < 3; i++) {
      ours.push(
        await provisionOnce(profile, (sn) => [
          process.execPath,
          [...ourCli, "provision", "--service_name", sn, ...wifiArgs, "--no-input"],
        ]),
      );
    }
    const oursMs = median(ours);
    rows.push({
      name: `wifiprov provision sec1, ${profile.label}`,
      value: oursMs,
      unit: "ms",
      note: "child process, median of 3, fresh v5.5 device each",
    });
    if (!idf || !script || !existsSync(script)) {
      rows.push({
        name: `esp_prov.py provision sec1, ${profile.label}`,
        skipped: true,
        unit: "ms",
        note: "set ESP_PROV_IDF_PATH to an ESP-IDF tree",
      });
      continue;
    }
    if (!python) {
      rows.push({
        name: `esp_prov.py provision sec1, ${profile.label}`,
        skipped: true,
        unit: "ms",
        note: "no python with protobuf + cryptography",
      });
      continue;
    }
    const theirs: number[] = [];
    for (let i = 0; i < 2; i++) {
      theirs.push(
        await provisionOnce(profile, (sn) => [
          python,
          [script, "--transport", "softap", "--service_name", sn, ...wifiArgs],
          { IDF_PATH: idf },
        ]),
      );
    }
    const theirsMs = median(theirs);
    rows.push({
      name: `esp_prov.py provision sec1, ${profile.label}`,
      value: theirsMs,
      unit: "ms",
      note: "median of 2",
    });
    rows.push({
      name: `wifiprov / esp_prov, ${profile.label}`,
      value: oursMs / theirsMs,
      unit: "x",
      note: "goal < 0.2",
    });
  }
  return rows;
}
