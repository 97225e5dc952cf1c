/**
 * A real `wifiprov device` child process (src/cli/main.ts through tsx), its output, and its port. Used by the
 * shutdown, crash and CLI tests here and by `npm run fuzz` for the long SIGKILL run.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { watchOutput } from "../helpers/child-processes.js";

const mainScript = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface DeviceProcess {
  child: ChildProcess;
  /** Resolves with the exit code, or the signal name when killed by one. */
  exited: Promise<number | string>;
  output(): string;
  errors(): string;
  /** Waits until the output matches; throws when the process ends first or after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export function spawnDevice(args: string[]): DeviceProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", mainScript, "device", "--listen", "127.0.0.1:0", "--time-scale", "0.01", ...args],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  const watch = watchOutput(child);
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const waitFor = (pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> =>
    watch.waitFor(
      pattern,
      timeoutMs,
      (out, err) => `no ${pattern} in the device's output:\n${out}\n--- stderr ---\n${err}`,
    );
  return { child, exited, output: watch.output, errors: watch.errors, waitFor };
}

/** The "host:port" the device printed. */
export async function serviceNameOf(device: DeviceProcess): Promise<string> {
  const [, service] = await device.waitFor(/Service name: (127\.0\.0\.1:\d+)/);
  return service!;
}
