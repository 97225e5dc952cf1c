/** Runs a command body and turns any error into a message with a hint (or a --json object) and an exit code. */
import { WifiProvError } from "../../errors.js";
import { exitCodeForError } from "../exit-codes.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { Reporter, printJson } from "../output.js";
import type { Context } from "./connect-session.js";

export async function runCommand(
  flags: { json?: boolean; verbose?: boolean },
  body: (reporter: Reporter, ctx: Context) => Promise<ExitCodeValue>,
): Promise<ExitCodeValue> {
  const reporter = new Reporter({ json: Boolean(flags.json), verbose: Boolean(flags.verbose) });
  const ctx: Context = { phase: "input" };
  try {
    return await body(reporter, ctx);
  } catch (err) {
    const exitCode = exitCodeForError(err, ctx.phase);
    const e = err instanceof Error ? err : new Error(String(err));
    const code = err instanceof WifiProvError ? err.code : "WIFIPROV_INTERNAL";
    const hint = err instanceof WifiProvError ? err.hint : undefined;
    const fallbackHint =
      exitCode === 3
        ? "check that this computer is joined to the device's access point and that --service_name is right"
        : exitCode === 1 && !(err instanceof WifiProvError)
          ? "this looks like a bug in wifiprov; rerun with -v and report it"
          : undefined;
    reporter.error(e.message, hint ?? fallbackHint);
    if (flags.verbose && e.cause instanceof Error) reporter.debug(`cause: ${e.cause.message}`);
    if (flags.verbose && !(err instanceof WifiProvError)) reporter.debug(e.stack ?? "");
    if (flags.json) {
      printJson({
        ok: false,
        exitCode,
        phase: ctx.phase,
        error: { code, message: e.message, hint: hint ?? fallbackHint },
      });
    }
    return exitCode;
  }
}
