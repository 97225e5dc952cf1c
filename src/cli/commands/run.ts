/**
 * Runs a command body and turns any error into a message with a hint (or a --json object) and an exit code.
 * Also what every client command shares at its edges: Ctrl-C ends the run with 130 and a sane terminal, and a
 * reader that goes away (EPIPE on stdout/stderr) does not abort the run halfway.
 */
import { WifiProvError } from "../../errors.js";
import { ExitCode, exitCodeForError } from "../exit-codes.js";
import type { ExitCodeValue } from "../exit-codes.js";
import {
  Reporter,
  closedStandardStreams,
  guardStandardStreams,
  printJson,
  safeWrite,
  settleWrites,
} from "../output.js";

/** The user interrupted the run (Ctrl-C at a prompt); exit 130. */
export class InterruptedError extends Error {
  constructor() {
    super("interrupted");
    this.name = "InterruptedError";
  }
}

/** Work that must finish before an interrupted run exits (e.g. putting the laptop's Wi-Fi back after --join). */
const interruptCleanups = new Set<() => Promise<unknown>>();

/**
 * Runs `cleanup` before the process exits on Ctrl-C (SIGINT); returns the function that unregisters it. A
 * second Ctrl-C while it runs exits at once.
 */
export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  interruptCleanups.add(cleanup);
  return () => interruptCleanups.delete(cleanup);
}

/** Leaves the terminal as we found it: cooked mode, cursor shown. */
function restoreTerminal(): void {
  const stdin = process.stdin as NodeJS.ReadStream & { isRaw?: boolean };
  if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false);
  if (process.stderr.isTTY) safeWrite(process.stderr, "\x1b[?25h");
}

export async function runCommand(
  flags: { json?: boolean; verbose?: boolean },
  body: (reporter: Reporter) => Promise<ExitCodeValue>,
): Promise<ExitCodeValue> {
  guardStandardStreams();
  const reporter = new Reporter({ json: Boolean(flags.json), verbose: Boolean(flags.verbose) });
  // Ctrl-C outside a prompt arrives as SIGINT (the terminal stays in cooked mode): stop now, and say so in
  // the exit code, so that `wifiprov provision … && next-step` does not go on. Exiting at once is what
  // esp_prov does too; whatever the device already received stays there (`wifiprov status` shows it).
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(ExitCode.INTERRUPTED); // a second Ctrl-C: stop cleaning up
    interrupted = true;
    reporter.interrupt("interrupted");
    restoreTerminal();
    const cleanups = [...interruptCleanups];
    interruptCleanups.clear();
    if (cleanups.length === 0) return finishInterrupt();
    void Promise.allSettled(cleanups.map((c) => c())).then(finishInterrupt);
  };
  const finishInterrupt = () => {
    if (flags.json) {
      printJson({
        ok: false,
        exitCode: ExitCode.INTERRUPTED,
        error: { code: "WIFIPROV_INTERRUPTED", message: "interrupted" },
      });
    } else {
      safeWrite(process.stderr, "interrupted\n");
    }
    process.exit(ExitCode.INTERRUPTED);
  };
  process.on("SIGINT", onSigint);
  let exitCode: ExitCodeValue;
  try {
    exitCode = await body(reporter);
  } catch (err) {
    exitCode = reportError(err, reporter, flags);
  } finally {
    process.off("SIGINT", onSigint);
    restoreTerminal();
  }
  await settleWrites();
  noteClosedStreams(exitCode, flags);
  return exitCode;
}

function reportError(
  err: unknown,
  reporter: Reporter,
  flags: { json?: boolean; verbose?: boolean },
): ExitCodeValue {
  if (err instanceof InterruptedError) {
    reporter.interrupt("interrupted");
    if (flags.json) {
      printJson({
        ok: false,
        exitCode: ExitCode.INTERRUPTED,
        error: { code: "WIFIPROV_INTERRUPTED", message: "interrupted" },
      });
    } else {
      reporter.info("interrupted");
    }
    return ExitCode.INTERRUPTED;
  }
  const exitCode = exitCodeForError(err);
  const e = err instanceof Error ? err : new Error(String(err));
  const code = err instanceof WifiProvError ? err.code : "WIFIPROV_INTERNAL";
  const hint = err instanceof WifiProvError ? err.hint : undefined;
  const fallbackHint =
    exitCode === ExitCode.UNREACHABLE
      ? "check that this computer is joined to the device's access point and that --service_name is right"
      : !(err instanceof WifiProvError)
        ? "this looks like a bug in wifiprov; please report it with the command you ran and this message"
        : undefined;
  reporter.error(e.message, hint ?? fallbackHint);
  if (flags.verbose && e.cause instanceof Error) reporter.debug(`cause: ${e.cause.message}`);
  if (flags.verbose && !(err instanceof WifiProvError)) reporter.debug(e.stack ?? "");
  if (flags.json) {
    printJson({ ok: false, exitCode, error: { code, message: e.message, hint: hint ?? fallbackHint } });
  }
  return exitCode;
}

/** A reader that went away is said on the stream that is left, with the outcome the run reached. */
function noteClosedStreams(exitCode: ExitCodeValue, flags: { json?: boolean }): void {
  const closed = closedStandardStreams();
  if (closed.stdout && !closed.stderr) {
    safeWrite(
      process.stderr,
      `note: stdout was closed before everything was written to it; the run finished with exit code ${exitCode}\n`,
    );
  } else if (closed.stderr && !closed.stdout && !flags.json) {
    safeWrite(
      process.stdout,
      `note: stderr was closed, so progress was not shown; the run finished with exit code ${exitCode}\n`,
    );
  }
}
