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

export interface OutputWatch {
  output(): string;
  errors(): string;
  /**
   * Resolves with the first match of `pattern` in everything the child printed on stdout, looking again at
   * every chunk it prints (no polling). Throws when the child's output ends first, or after `timeoutMs`: a
   * guard that only fires when the test is failing.
   */
  waitFor(
    pattern: RegExp,
    timeoutMs: number,
    describe: (out: string, err: string) => string,
  ): Promise<RegExpMatchArray>;
}

/** Collects a piped child's stdout and stderr (as UTF-8) and lets tests wait for lines in it. */
export function watchOutput(child: ChildProcess): OutputWatch {
  let out = "";
  let err = "";
  let ended = false;
  let waiters: Array<() => void> = [];
  const changed = () => {
    const woken = waiters;
    waiters = [];
    for (const w of woken) w();
  };
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    changed();
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    changed();
  });
  // "close", not "exit": by then every byte the child wrote has been read.
  child.once("close", () => {
    ended = true;
    changed();
  });
  return {
    output: () => out,
    errors: () => err,
    async waitFor(pattern, timeoutMs, describe) {
      let timedOut = false;
      const guard = setTimeout(() => {
        timedOut = true;
        changed();
      }, timeoutMs);
      try {
        for (;;) {
          const m = pattern.exec(out);
          if (m) return m;
          if (timedOut || ended) throw new Error(describe(out, err));
          await new Promise<void>((resolve) => waiters.push(resolve));
        }
      } finally {
        clearTimeout(guard);
      }
    },
  };
}
