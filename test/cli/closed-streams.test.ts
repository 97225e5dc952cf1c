// A reader that goes away (`wifiprov provision --json … | head -1`, a closed terminal) must not abort
// provisioning halfway: the run finishes, keeps its exit code and says so on the stream that is left.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startVirtualDevice } from "../../src/device/index.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

function runClosing(
  args: string[],
  close: "stdout" | "stderr",
): Promise<{ code: number | null; left: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child[close].destroy(); // the reader goes away before the command writes anything there
  let left = "";
  (close === "stdout" ? child.stderr : child.stdout).on("data", (d: Buffer) => (left += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, left })));
}

test("stdout closed (--json | head): provisioning completes, exit 0, a note on stderr", async () => {
  const device = await startVirtualDevice({
    timeScale: 0.02,
    listen: { host: "127.0.0.1", port: 0 },
    security: { version: 0 },
  });
  try {
    const provisioned = device.waitFor("provisioned");
    const r = await runClosing(
      [
        "provision",
        "--service_name",
        device.serviceName,
        "--ssid",
        "myssid",
        "--passphrase",
        "mypassword",
        "--json",
      ],
      "stdout",
    );
    assert.equal(r.code, 0, r.left);
    assert.match(
      r.left,
      /note: stdout was closed before everything was written to it; the run finished with exit code 0/,
    );
    await provisioned;
  } finally {
    await device.close();
  }
});

test("stderr closed: progress is dropped, provisioning completes, exit 0, a note on stdout", async () => {
  const device = await startVirtualDevice({
    timeScale: 0.02,
    listen: { host: "127.0.0.1", port: 0 },
    security: { version: 0 },
  });
  try {
    const r = await runClosing(
      ["provision", "--service_name", device.serviceName, "--ssid", "myssid", "--passphrase", "mypassword"],
      "stderr",
    );
    assert.equal(r.code, 0, r.left);
    assert.match(
      r.left,
      /note: stderr was closed, so progress was not shown; the run finished with exit code 0/,
    );
    await device.waitFor("provisioned");
  } finally {
    await device.close();
  }
});
