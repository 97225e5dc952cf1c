/** Child processes the D-Bus test beds start (dbus-daemon, dbusmock, the NetworkManager sandbox): start, read, end. */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills what is still running if the test process exits without stopping it (a crashed test). */
export function trackForExit(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of live) c.kill("SIGKILL");
    });
  }
}

/** SIGTERM, then waits for the exit; nothing when it has already ended. */
export async function endProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

/** The first line the child prints (an address, a pid); rejects with its stderr if it exits first. */
export function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.on("data", (chunk: Buffer | string) => (err += chunk.toString()));
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf("\n");
      if (newline >= 0) {
        child.stdout!.off("data", onData);
        child.stdout!.resume();
        resolve(out.slice(0, newline).trim());
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${what} exited (${String(code)}): ${err.trim()}`)));
    child.once("error", reject);
  });
}
