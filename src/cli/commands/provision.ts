/**
 * `wifiprov provision`: esp_prov's flow (protocol.md §9.2) with its flags, but with security auto-detection
 * including sec2, input checks before sending, a bounded status wait, and exit codes per outcome.
 */
import { checkPassphrase, checkSsid } from "../../client/credentials.js";
import { matchesProtocolVersion, supportsScan } from "../../client/version.js";
import type { ProvisioningClient, WaitProgress } from "../../client/client.js";
import type { ScanEntry } from "../../client/wifi-types.js";
import { UnsupportedError, UsageError } from "../../errors.js";
import { canPrompt, parseSeconds } from "../common-options.js";
import type { CommonFlags } from "../common-options.js";
import { ExitCode, exitCodeForOutcome } from "../exit-codes.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { printJson } from "../output.js";
import type { Reporter } from "../output.js";
import { connectAndSession } from "./connect-session.js";
import { runCommand } from "./run.js";
import { scanRow } from "./table.js";

export interface ProvisionFlags extends CommonFlags {
  ssid?: string;
  passphrase?: string;
  custom_data?: string;
  reset?: boolean;
  reprov?: boolean;
  proto_ver?: string;
}

const HIDDEN = -1;
const RESCAN = -2;

async function pickNetwork(
  client: ProvisioningClient,
  reporter: Reporter,
  flags: ProvisionFlags,
): Promise<{ ssid: string | Uint8Array; label: string; open: boolean }> {
  if (!canPrompt(flags)) {
    throw new UsageError("no --ssid given and prompting is off", {
      hint: "pass --ssid <network> --passphrase <passphrase> (run `wifiprov scan` to list networks)",
    });
  }
  const version = await client.version();
  if (!supportsScan(version)) {
    throw new UnsupportedError("the device cannot scan for networks", { hint: "pass --ssid <network>" });
  }
  const prompts = await import("@clack/prompts");
  for (;;) {
    await reporter.start("Scanning for Wi-Fi networks");
    const entries: ScanEntry[] = await client.scan();
    reporter.done(`Found ${entries.length} network${entries.length === 1 ? "" : "s"}`);
    const width = Math.max(4, ...entries.map((e) => e.ssid.length));
    const choice = await prompts.select<number>({
      message: "Which network should the device join?",
      output: process.stderr,
      options: [
        ...entries.map((e, i) => ({ value: i, label: scanRow(e, width) })),
        { value: HIDDEN, label: "Hidden network (type its name)" },
        { value: RESCAN, label: "Scan again" },
      ],
    });
    if (prompts.isCancel(choice)) throw new UsageError("cancelled");
    if (choice === RESCAN) continue;
    if (choice === HIDDEN) {
      const name = await prompts.text({
        message: "Network name (SSID)",
        output: process.stderr,
        validate: (v) => {
          try {
            checkSsid(v ?? "");
            return undefined;
          } catch (e) {
            return (e as Error).message;
          }
        },
      });
      if (prompts.isCancel(name)) throw new UsageError("cancelled");
      return { ssid: name, label: name, open: false };
    }
    const e = entries[choice]!;
    return { ssid: e.ssidBytes, label: e.ssid, open: e.auth === 0 };
  }
}

async function askPassphrase(label: string, flags: ProvisionFlags): Promise<string> {
  if (!canPrompt(flags)) {
    throw new UsageError(`no --passphrase given for ${JSON.stringify(label)} and prompting is off`, {
      hint: "pass --passphrase <passphrase>, or --passphrase '' for an open network",
    });
  }
  const prompts = await import("@clack/prompts");
  const value = await prompts.password({
    message: `Passphrase for ${label} (empty for an open network)`,
    output: process.stderr,
    validate: (v) => {
      try {
        checkPassphrase(v ?? "");
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  if (prompts.isCancel(value)) throw new UsageError("cancelled");
  return value;
}

function describeProgress(p: WaitProgress): string {
  if (p.type === "status") {
    const s = p.status;
    if (s.state === "connecting") {
      return s.attemptsRemaining !== undefined
        ? `Device is connecting (an attempt failed, ${s.attemptsRemaining} left)`
        : "Device is connecting";
    }
    return `Device reports ${s.state}`;
  }
  if (p.type === "unreachable") return `Device not answering (${p.consecutive}×), retrying`;
  return "Reconnected to the device";
}

export async function runProvision(flags: ProvisionFlags): Promise<ExitCodeValue> {
  return runCommand(flags, async (reporter, ctx) => {
    // Input checks first: nothing is sent when the SSID or passphrase cannot work.
    if (flags.reset && flags.reprov) throw new UsageError("--reset and --reprov cannot be combined");
    if (flags.ssid !== undefined) checkSsid(flags.ssid);
    if (flags.passphrase !== undefined) checkPassphrase(flags.passphrase);
    const waitMs = parseSeconds(flags.timeout, "--timeout") ?? 60_000;

    const { client, version, session, serviceName } = await connectAndSession(flags, reporter, ctx);
    try {
      ctx.phase = "request";
      if (flags.proto_ver && !matchesProtocolVersion(version, flags.proto_ver)) {
        throw new UnsupportedError(
          `the device speaks protocol ${JSON.stringify(version.protocolVersion ?? version.raw)}, not ${JSON.stringify(flags.proto_ver)}`,
          { hint: "drop --proto_ver, or check that this is the device you meant" },
        );
      }
      const base = { serviceName, version: version.protocolVersion, security: session };

      if (flags.reset || flags.reprov) {
        const kind = flags.reset ? "reset" : "reprov";
        await reporter.start(
          kind === "reset" ? "Resetting the device's Wi-Fi state" : "Asking the device to re-provision",
        );
        if (kind === "reset") await client.reset();
        else await client.reprov();
        reporter.done(kind === "reset" ? "Reset accepted" : "Re-provisioning accepted");
        if (flags.json) printJson({ ok: true, exitCode: 0, action: kind, ...base });
        return ExitCode.OK;
      }

      let customDataReply: string | undefined;
      if (flags.custom_data) {
        await reporter.start("Sending custom data");
        const reply = await client.sendData("custom-data", flags.custom_data);
        customDataReply = Buffer.from(reply).toString("utf8").replace(/\0+$/, "");
        reporter.done(`Custom data sent (device replied ${JSON.stringify(customDataReply)})`);
      }

      ctx.phase = "input";
      let ssid: string | Uint8Array;
      let label: string;
      let open = false;
      if (flags.ssid !== undefined) {
        ssid = flags.ssid;
        label = flags.ssid;
      } else {
        ctx.phase = "request";
        ({ ssid, label, open } = await pickNetwork(client, reporter, flags));
        ctx.phase = "input";
      }
      const passphrase = flags.passphrase ?? (open ? "" : await askPassphrase(label, flags));
      checkSsid(ssid);
      checkPassphrase(passphrase);
      if (flags.verbose)
        reporter.debug(`credentials: ssid=${JSON.stringify(label)} passphrase=${JSON.stringify(passphrase)}`);

      ctx.phase = "request";
      await reporter.start(`Sending credentials for ${label}`);
      await client.setConfig({ ssid, passphrase });
      reporter.done(`Credentials for ${label} sent`);
      await reporter.start("Applying the configuration");
      await client.applyConfig();
      reporter.done("Configuration applied");

      ctx.phase = "wait";
      await reporter.start(`Waiting for the device to join ${label}`);
      const outcome = await client.waitForConnection({
        timeoutMs: waitMs,
        onProgress: (p) => reporter.update(describeProgress(p)),
      });
      const exitCode = exitCodeForOutcome(outcome);
      switch (outcome.state) {
        case "connected":
          reporter.done(
            `Device joined ${outcome.ssid || label}: IP ${outcome.ip}, channel ${outcome.channel}, ${outcome.authModeName}`,
          );
          break;
        case "failed":
          reporter.fail(
            outcome.reason === "AuthError"
              ? `Device could not join ${label}: wrong passphrase`
              : `Device could not find ${label}`,
          );
          reporter.info(
            outcome.reason === "AuthError"
              ? "hint: check the passphrase; on v5.x devices run `wifiprov provision --reset` (or restart the device) before trying again"
              : "hint: check the SSID (case matters) and that the network is in range of the device; run `wifiprov scan`",
          );
          break;
        case "unknown":
          reporter.fail(`Outcome unknown: ${outcome.why}`);
          reporter.info(
            "hint: the device may have joined the network and stopped its provisioning service; check on the device or your router",
          );
          break;
        case "timeout":
          reporter.fail(`No final answer within ${Math.round(outcome.waitedMs / 1000)} s`);
          reporter.info("hint: raise --timeout, or check the device's log");
          break;
      }
      if (flags.json) {
        printJson({
          ok: exitCode === 0,
          exitCode,
          ...base,
          ssid: label,
          outcome,
          ...(customDataReply !== undefined ? { customDataReply } : {}),
        });
      }
      return exitCode;
    } finally {
      await client.close().catch(() => undefined);
    }
  });
}
