// Ctrl-C anywhere — at a spinner, at a prompt, or as a plain SIGINT — ends the run with exit 130, so that
// `wifiprov provision … && next-step` stops; the spinner line is finished and the cursor shown again. The
// terminal cases run the CLI on a pty (util-linux `script`) and type ^C into it, as a user would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startVirtualDevice } from "../../src/device/index.js";
import { silentServer } from "./run-cli.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = [process.execPath, "--import", "tsx", "src/cli/main.ts"];
const hasScript = spawnSync("script", ["-qec", "true", "/dev/null"]).status === 0;

/** Runs the CLI (on a pty when `pty`), waits for `ready` in its output, then interrupts it. */
function interrupt(
  args: string[],
  ready: RegExp,
  how: "ctrl-c" | "sigint",
): Promise<{ code: number | null; output: string }> {
  const command = [...cli, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const child =
    how === "ctrl-c"
      ? // A fresh pty has no size; prompts wrap at its width, so give it one.
        spawn("script", ["-qec", `stty cols 120 rows 40; exec ${command}`, "/dev/null"], {
          cwd: root,
          env: { ...process.env, NO_COLOR: "1", CI: "" },
          stdio: ["pipe", "pipe", "pipe"],
        })
      : spawn(cli[0]!, [...cli.slice(1), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let sent = false;
  const onData = (d: Buffer) => {
    output += d.toString();
    if (!sent && ready.test(output)) {
      sent = true;
      if (how === "ctrl-c") child.stdin!.write("\x03");
      else child.kill("SIGINT");
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

test("SIGINT while connecting: exit 130, said on stderr", async () => {
  const dev = await silentServer();
  try {
    const r = await interrupt(
      ["provision", "--service_name", `127.0.0.1:${dev.port}`, "--ssid", "s", "--passphrase", ""],
      /Connecting to/,
      "sigint",
    );
    assert.equal(r.code, 130, r.output);
    assert.match(r.output, /interrupted/);
  } finally {
    await dev.close();
  }
});

test(
  "Ctrl-C on a terminal while the spinner runs: exit 130, spinner line ended, cursor shown",
  { skip: hasScript ? undefined : "util-linux script is not available" },
  async () => {
    const dev = await silentServer();
    try {
      const r = await interrupt(
        ["provision", "--service_name", `127.0.0.1:${dev.port}`, "--ssid", "s", "--passphrase", ""],
        /Connecting to 127/,
        "ctrl-c",
      );
      assert.equal(r.code, 130, r.output);
      assert.match(r.output, /✖ Connecting to 127\.0\.0\.1:\d+ \(interrupted\)/);
      assert.ok(r.output.includes("\x1b[?25h"), "cursor shown again");
    } finally {
      await dev.close();
    }
  },
);

test(
  "Ctrl-C at a prompt (pick a network): exit 130",
  { skip: hasScript ? undefined : "util-linux script is not available" },
  async () => {
    const device = await startVirtualDevice({
      timeScale: 0.02,
      listen: { host: "127.0.0.1", port: 0 },
      security: { version: 0 },
    });
    try {
      const r = await interrupt(
        ["provision", "--service_name", device.serviceName],
        /Which network should the device join\?/,
        "ctrl-c",
      );
      assert.equal(r.code, 130, r.output);
      assert.match(r.output, /interrupted/);
    } finally {
      await device.close();
    }
  },
);
