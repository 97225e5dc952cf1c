/**
 * `wifiprov status`: what the device says about its Wi-Fi station (GetStatus), nothing sent that changes it.
 * Note that ESP-IDF v5.5 firmware treats a Connected answer as the end of provisioning (handlers.c calls
 * wifi_prov_mgr_done()), so a device that has joined may stop its provisioning service after this read.
 */
import type { WifiStatus } from "../../client/wifi-types.js";
import type { CommonFlags } from "../common-options.js";
import { ExitCode } from "../exit-codes.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { printJson, safeWrite } from "../output.js";
import { connectAndSession } from "./connect-session.js";
import { runCommand } from "./run.js";

const REASONS = {
  AuthError: "wrong passphrase (AuthError)",
  NetworkNotFound: "network not found (NetworkNotFound)",
};

/** ESP firmware reports "connecting" also before any credentials arrived (its initial Wi-Fi state). */
export function statusWord(status: WifiStatus): string {
  if (status.state === "connecting" && status.attemptsRemaining === undefined) {
    return "connecting (or waiting for credentials)";
  }
  return status.state;
}

export function statusLines(status: WifiStatus): string[] {
  const row = (k: string, v: string | number) => `${k.padEnd(15)} ${v}`;
  switch (status.state) {
    case "connected":
      return [
        row("state", "connected"),
        row("ssid", status.ssid),
        row("ip", status.ip),
        row("bssid", status.bssid || "(none)"),
        row("channel", status.channel),
        row("security", status.authModeName),
      ];
    case "failed":
      return [row("state", "failed"), row("failure reason", REASONS[status.reason])];
    case "connecting":
      return [
        row("state", statusWord(status)),
        ...(status.attemptsRemaining !== undefined ? [row("attempts left", status.attemptsRemaining)] : []),
      ];
    default:
      return [row("state", status.state)];
  }
}

export async function runStatus(flags: CommonFlags): Promise<ExitCodeValue> {
  return runCommand(flags, async (reporter) => {
    const { client, serviceName } = await connectAndSession(flags, reporter);
    try {
      reporter.start("Reading the device's Wi-Fi status");
      const status = await client.getStatus();
      reporter.done(`Device status: ${statusWord(status)}`);
      if (flags.json) printJson({ ok: true, exitCode: 0, serviceName, status });
      else safeWrite(process.stdout, `${statusLines(status).join("\n")}\n`);
      return ExitCode.OK;
    } finally {
      await client.close().catch(() => undefined);
    }
  });
}
