// A full disk while `wifiprov fleet` writes its journal, on a real full file system: a small tmpfs mounted in a
// private mount namespace (unshare -m) around the CLI child, so nothing outside the test sees it. The run stops
// cleanly (no device started after the failed write, one line naming the file and the full disk, exit 3), the
// journal on disk is the last one written whole, and the same command after space was freed finishes the fleet
// without sending credentials to any device twice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startVirtualFleet } from "../../src/device/virtual-fleet.js";
import { formatManifest } from "../../src/fleet/manifest.js";
import type { Logger } from "../../src/logger.js";
import { silentLogger } from "../../src/logger.js";
import { needsSystemPackage } from "../helpers/system.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Mounting a tmpfs needs root (CI runs the tests as root); elsewhere the test is skipped, in CI never. */
function needsRoot(): { skip?: string } {
  const missing = needsSystemPackage("util-linux", "unshare");
  if (missing.skip !== undefined) return missing;
  if (process.getuid?.() === 0) return {};
  const reason = "mounting a small tmpfs in a private mount namespace needs root (sudo npm test)";
  if (process.env.CI) throw new Error(`${reason}; CI runs the tests as root`);
  return { skip: reason };
}

// The script runs inside the namespace: the tmpfs exists only there. 24 KiB with a 16 KiB file in it leaves two
// pages: enough for the journal and its temporary copy while the journal fits one page, not once it needs two.
const SCRIPT = `
set -u
mount -t tmpfs -o size=24k,mode=0700 wifiprov-journal "$JDIR"
head -c 16384 /dev/zero > "$JDIR/filler"
fleet() { node --import tsx src/cli/main.ts fleet --manifest "$MANIFEST" --journal "$JDIR/journal.json" \\
  --ssid myssid --passphrase mypassword --concurrency 4 --retries 0; }
fleet > "$OUT/out1" 2> "$OUT/err1"; echo $? > "$OUT/code1"
cp "$JDIR/journal.json" "$OUT/journal1.json"
ls -A "$JDIR" > "$OUT/ls1"
rm "$JDIR/filler"
fleet > "$OUT/out2" 2> "$OUT/err2"; echo $? > "$OUT/code2"
cp "$JDIR/journal.json" "$OUT/journal2.json"
`;

function runInMountNamespace(env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn("unshare", ["-m", "--propagation", "private", "sh", "-c", SCRIPT], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

interface JournalOnDisk {
  devices: Record<string, { state: string }>;
}

test(
  "a full disk while writing the journal: a clean stop, the last journal intact, a resume finishes",
  needsRoot(),
  async () => {
    // Counts credentials received over all devices: the resume must not send any device its credentials again.
    let applied = 0;
    const counting: Logger = {
      ...silentLogger,
      info: (message: string) => {
        if (message.endsWith(": WiFi Credentials Applied")) applied++;
      },
    };
    const fleet = await startVirtualFleet({
      count: 60,
      listen: { host: "127.0.0.1", port: 0 },
      timeScale: 0.05,
      logger: counting,
      security: { version: 1, pop: "abcd1234" },
      // Devices stay in provisioning after success, so one provisioned but not recorded (the write that would
      // have recorded it failed) is found connected by the resume's status read, as a device on a real bench is
      // within its 30 s.
      autoStopMs: false,
    });
    const dir = mkdtempSync(join(tmpdir(), "wifiprov-full-disk-"));
    const out = join(dir, "out");
    const jdir = join(dir, "journal-fs");
    mkdirSync(out);
    mkdirSync(jdir);
    const manifest = join(dir, "fleet.jsonl");
    writeFileSync(manifest, formatManifest(fleet.manifest));
    try {
      assert.equal(await runInMountNamespace({ MANIFEST: manifest, JDIR: jdir, OUT: out }), 0);
      const read = (name: string) => readFileSync(join(out, name), "utf8");
      const journalPath = join(jdir, "journal.json");

      // First run: stopped by the full disk.
      assert.equal(read("code1").trim(), "3", read("err1"));
      // A line per device that ended, then the reason in one line and what to do.
      assert.deepEqual(read("err1").split("\n").slice(-3), [
        `error: stopped, no new device started: cannot write the journal ${journalPath}: the disk is full (ENOSPC, no space left on the device)`,
        "hint: what was recorded before is intact; free space or choose another --journal, then run the same command again",
        "",
      ]);
      assert.equal(read("out1"), "", "no table: the run did not end");
      assert.deepEqual(
        read("ls1").trim().split("\n").sort(),
        ["filler", "journal.json"],
        "no temporary file left",
      );
      const first = JSON.parse(read("journal1.json")) as JournalOnDisk;
      const recorded = Object.entries(first.devices);
      const connected = recorded.filter(([, e]) => e.state === "connected").length;
      assert.ok(
        connected > 0 && recorded.length < 60,
        `stopped part-way (${recorded.length} devices recorded)`,
      );
      // No device was contacted without its start on disk first (the lines on stderr name every device that ran).
      const ran = [...read("err1").matchAll(/^(127\.0\.0\.1:\d+) /gm)].map((m) => m[1]!);
      for (const key of ran) assert.ok(first.devices[key], `${key} ran without being in the journal`);

      // Space freed, the same command: it finishes, and nobody gets credentials twice.
      assert.equal(read("code2").trim(), "0", read("err2"));
      assert.match(read("out2"), /^60 devices in [\d.]+ s:\n +60 +connected\n$/);
      const fromJournal = read("err2").match(/\(from the journal\)/g)?.length ?? 0;
      assert.equal(fromJournal, connected, "every device recorded as connected is skipped");
      // Those the first run provisioned but could not record are found connected by the status read.
      const alreadyJoined = read("err2").match(/\(had already joined: nothing sent\)/g)?.length ?? 0;
      assert.equal(alreadyJoined, ran.length - connected);
      assert.equal(applied, 60, `credentials sent ${applied} times to 60 devices`);
      const last = JSON.parse(read("journal2.json")) as JournalOnDisk;
      assert.equal(Object.values(last.devices).filter((e) => e.state === "connected").length, 60);
    } finally {
      await fleet.close();
    }
  },
);
