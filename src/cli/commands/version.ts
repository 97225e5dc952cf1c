/** `wifiprov version`: what the device announces on proto-ver (no session needed, §3.1). */
import { versionGeneration } from "../../client/version.js";
import type { CommonFlags } from "../common-options.js";
import { ExitCode } from "../exit-codes.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { printJson } from "../output.js";
import { connectAndSession } from "./connect-session.js";
import { runCommand } from "./run.js";

export async function runVersion(flags: CommonFlags & { raw?: boolean }): Promise<ExitCodeValue> {
  return runCommand(flags, async (reporter) => {
    const { client, version } = await connectAndSession(flags, reporter, false);
    await client.close().catch(() => undefined);
    if (flags.json) {
      printJson({ ok: true, exitCode: 0, generation: versionGeneration(version), ...version });
      return ExitCode.OK;
    }
    if (flags.raw) {
      process.stdout.write(`${version.raw}\n`);
      return ExitCode.OK;
    }
    const sec =
      version.securityVersion !== undefined
        ? String(version.securityVersion)
        : version.capabilities.includes("no_sec")
          ? "0 (from no_sec)"
          : "1 (not announced; assumed like esp_prov)";
    const lines = [
      `format            ${version.format === "json" ? "JSON" : "plain text"}`,
      `protocol version  ${version.protocolVersion ?? "(none)"}`,
      `security          ${sec}`,
      `sec2 patch level  ${version.securityPatchVersion ?? "(not announced ⇒ 0)"}`,
      `capabilities      ${version.capabilities.join(", ") || "(none)"}`,
      `looks like        ${versionGeneration(version)}`,
      ...Object.entries(version.applications).map(
        ([name, a]) =>
          `app ${name.padEnd(13)} ${a.version ?? "?"}${a.capabilities.length ? ` [${a.capabilities.join(", ")}]` : ""}`,
      ),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    return ExitCode.OK;
  });
}
