/** `wifiprov scan`: the networks the device can see, as a table or --json. */
import type { CommonFlags } from "../common-options.js";
import { ExitCode } from "../exit-codes.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { printJson } from "../output.js";
import { connectAndSession } from "./connect-session.js";
import { runCommand } from "./run.js";
import { scanTable } from "./table.js";

export interface ScanFlags extends CommonFlags {
  passive?: boolean;
}

export async function runScan(flags: ScanFlags): Promise<ExitCodeValue> {
  return runCommand(flags, async (reporter) => {
    const { client } = await connectAndSession(flags, reporter);
    try {
      await reporter.start("Scanning for Wi-Fi networks");
      const entries = await client.scan({ passive: Boolean(flags.passive) });
      reporter.done(`Found ${entries.length} network${entries.length === 1 ? "" : "s"}`);
      if (flags.json) {
        printJson({
          ok: true,
          exitCode: 0,
          networks: entries.map((e) => ({ ...e, ssidBytes: Buffer.from(e.ssidBytes).toString("hex") })),
        });
      } else if (entries.length > 0) {
        process.stdout.write(`${scanTable(entries)}\n`);
      }
      return ExitCode.OK;
    } finally {
      await client.close().catch(() => undefined);
    }
  });
}
