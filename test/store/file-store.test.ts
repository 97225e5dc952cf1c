// FileStateStore specifics: the file format, permissions, and what happens to files it cannot use.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm, stat, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStateStore, encodeStateFile } from "../../src/device/file-store.js";
import type { DeviceState } from "../../src/device/store.js";
import type { Logger } from "../../src/logger.js";

const root = await mkdtemp(join(tmpdir(), "wifiprov-filestore-"));
after(() => rm(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${n++}`);

const utf8 = (s: string) => new TextEncoder().encode(s);
const mac = Uint8Array.of(0x24, 0x0a, 0xc4, 0x11, 0x22, 0x33);
const passphrase = "hunter2-very-secret";
const state = { mac, credentials: { ssid: utf8("myssid"), passphrase: utf8(passphrase) } };

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const put = (level: string) => (m: string, f?: Record<string, unknown>) =>
    lines.push(`${level} ${m} ${f === undefined ? "" : JSON.stringify(f)}`);
  return {
    logger: { debug: put("debug"), info: put("info"), warn: put("warn"), error: put("error") },
    lines,
  };
}

test("the file carries a format marker, a version, the MAC and hex credentials", async () => {
  const dir = freshDir();
  await new FileStateStore({ dir }).save(state);
  const json = JSON.parse(await readFile(join(dir, "state.json"), "utf8"));
  assert.deepEqual(json, {
    format: "wifiprov-device-state",
    version: 1,
    mac: "240ac4112233",
    credentials: { ssidHex: "6d7973736964", passphraseHex: Buffer.from(passphrase).toString("hex") },
  });
});

test("the directory is created 0700 and the file written 0600, with no temp files left", async () => {
  const dir = join(freshDir(), "nested", "state");
  await new FileStateStore({ dir }).save(state);
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  assert.equal((await stat(join(dir, "state.json"))).mode & 0o777, 0o600);
  assert.deepEqual(await readdir(dir), ["state.json"]);
});

test("loading from a directory that does not exist gives {} and creates nothing", async () => {
  const dir = freshDir();
  assert.deepEqual(await new FileStateStore({ dir }).load(), {});
  await assert.rejects(stat(dir), { code: "ENOENT" });
});

const badFiles: Array<[string, string, RegExp]> = [
  ["truncated", encodeStateFile(state).slice(0, 60), /not valid JSON/],
  ["empty", "", /is empty/],
  ["binary garbage", "\u0000\u0001\u00ff\u0013", /not valid JSON/],
  ["a JSON array", "[1,2]", /not a JSON object/],
  ["foreign JSON", JSON.stringify({ ssid: "myssid", password: passphrase }), /not a wifiprov state file/],
  ["a newer version", encodeStateFile(state).replace('"version": 1', '"version": 7'), /version 7/],
];

for (const [what, text, problem] of badFiles) {
  test(`a state file that is ${what} is moved aside with a warning and the device starts unprovisioned`, async () => {
    const dir = freshDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "state.json"), text);
    const { logger, lines } = recordingLogger();
    const store = new FileStateStore({ dir, logger });
    assert.deepEqual(await store.load(), {});
    const files = await readdir(dir);
    const aside = files.filter((f) => f.startsWith("state.json.corrupt-"));
    assert.equal(aside.length, 1, `moved aside: ${files.join(", ")}`);
    assert.ok(!files.includes("state.json"));
    assert.equal(await readFile(join(dir, aside[0]!), "utf8"), text, "the bad file is kept as it was");
    const warnings = lines.filter((l) => l.startsWith("warn"));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, problem);
    assert.ok(warnings[0]!.includes(join(dir, "state.json")), "the warning names the file");
    const all = lines.join("\n");
    assert.ok(!all.includes(passphrase), "never the passphrase");
    assert.ok(!all.includes(Buffer.from(passphrase).toString("hex")), "not even as hex");
    // The store keeps working: a save creates a good file again.
    await store.save(state);
    assert.deepEqual(await store.load(), state);
  });
}

// One bad field: every field that is still valid is kept (the MAC names the SoftAP), the rest is set aside.
const badFields: Array<[string, string, RegExp, DeviceState, RegExp]> = [
  [
    "bad credentials",
    encodeStateFile(state).replace(/"passphraseHex": "[0-9a-f]+"/, '"passphraseHex": "zz"'),
    /credentials\.passphraseHex/,
    { mac },
    /; kept the MAC and starting unprovisioned$/,
  ],
  [
    "bad mac",
    encodeStateFile(state).replace("240ac4112233", "24:0a"),
    /bad mac/,
    { credentials: state.credentials },
    /; kept the credentials$/,
  ],
];

for (const [what, text, problem, keptState, outcome] of badFields) {
  test(`a state file with ${what}: the valid fields are kept and saved again, the file is set aside, the warning says which`, async () => {
    const dir = freshDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "state.json"), text);
    const { logger, lines } = recordingLogger();
    const store = new FileStateStore({ dir, logger });
    assert.deepEqual(await store.load(), keptState);
    const aside = (await readdir(dir)).filter((f) => f.startsWith("state.json.corrupt-"));
    assert.equal(aside.length, 1);
    assert.equal(await readFile(join(dir, aside[0]!), "utf8"), text, "the bad file is kept as it was");
    const warnings = lines.filter((l) => l.startsWith("warn"));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, problem);
    assert.match(warnings[0]!.trim(), outcome);
    assert.ok(!lines.join("\n").includes(passphrase), "never the passphrase");
    // The kept fields are the store's state again: a new store (the next start) reads them without a warning.
    const again = recordingLogger();
    assert.deepEqual(await new FileStateStore({ dir, logger: again.logger }).load(), keptState);
    assert.deepEqual(again.lines, []);
  });
}

test("a state directory that is a file: said so, for load, save and erase", async () => {
  const file = join(root, `file${n++}`);
  await writeFile(file, "");
  const store = new FileStateStore({ dir: file });
  const isAFile = { message: `the state directory ${file} is a file, not a directory` };
  await assert.rejects(store.load(), isAFile);
  await assert.rejects(store.save(state), isAFile);
  await assert.rejects(store.eraseCredentials(), isAFile);
});

test("temp files left by a crash are ignored and cleaned up on load", async () => {
  const dir = freshDir();
  const store = new FileStateStore({ dir });
  await store.save(state);
  await writeFile(join(dir, "state.json.tmp-99999-deadbeef"), '{"format": "wifiprov-dev');
  assert.deepEqual(await store.load(), state);
  assert.deepEqual(await readdir(dir), ["state.json"]);
});

test("a state directory that cannot be written gives a storage error with a hint", async () => {
  const dir = freshDir();
  await writeFile(dir, "a file where the directory should be");
  const store = new FileStateStore({ dir });
  await assert.rejects(store.save(state), (e: unknown) => {
    const error = e as { code?: string; hint?: string; message: string };
    return (
      error.code === "WIFIPROV_STORAGE" &&
      typeof error.hint === "string" &&
      !error.message.includes(passphrase)
    );
  });
});

test("a temp file from a crash during the very first save is cleaned up too", async () => {
  const dir = freshDir();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "state.json.tmp-99999-deadbeef"), "");
  assert.deepEqual(await new FileStateStore({ dir }).load(), {});
  assert.deepEqual(await readdir(dir), []);
});
