/**
 * `wifiprov provision`: the library's provision() plus prompts (credentials, scan-and-pick), progress and exit
 * codes. The flow itself (version check, session, status first, custom data, credentials, apply, wait) is the
 * library's; this file only plugs in what a terminal adds. `--reset` / `--reprov` are the ctrl commands.
 */
import { checkPassphrase, checkSsid } from "../../client/credentials.js";
import { provision } from "../../index.js";
import type { ProvisionProgress, ProvisionResult } from "../../client/provision.js";
import type { WifiConfig } from "../../client/client.js";
import { checkProtocolVersion, supportsScan } from "../../client/version.js";
import type { DeviceVersion } from "../../client/version.js";
import type { ScanEntry } from "../../client/wifi-types.js";
import { UnsupportedError, UsageError } from "../../errors.js";
import { canPrompt, parseSeconds } from "../common-options.js";
import type { CommonFlags } from "../common-options.js";
import { ExitCode, exitCodeForOutcome } from "../exit-codes.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { printJson } from "../output.js";
import type { Reporter } from "../output.js";
import {
  completeCredentials,
  connectAndSession,
  connectLimits,
  connectedLine,
  resolveInputs,
  sessionLine,
} from "./connect-session.js";
import { softApToJoin, withJoinedSoftAp } from "./join.js";
import type { JoinFlags } from "./join.js";
import { InterruptedError, runCommand } from "./run.js";
import { statusWord } from "./status.js";
import { scanRow } from "./table.js";

export interface ProvisionFlags extends CommonFlags, JoinFlags {
  ssid?: string;
  passphrase?: string;
  custom_data?: string;
  reset?: boolean;
  reprov?: boolean;
  proto_ver?: string;
}

const HIDDEN = -1;
const RESCAN = -2;

/** A prompt's validate(): the library's own check, its message shown under the field. */
function validateWith(check: (v: string) => unknown) {
  return (v: string | undefined) => {
    try {
      check(v ?? "");
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  };
}

async function pickNetwork(
  version: DeviceVersion,
  scan: () => Promise<ScanEntry[]>,
  reporter: Reporter,
  flags: ProvisionFlags,
): Promise<{ ssid: string | Uint8Array; label: string; open: boolean }> {
  if (!canPrompt(flags)) {
    throw new UsageError("no --ssid given and prompting is off", {
      hint: "pass --ssid <network> --passphrase <passphrase> (`npx wifiprov scan` with the same --service_name and credentials lists the networks)",
    });
  }
  if (!supportsScan(version)) {
    throw new UnsupportedError("the device cannot scan for networks", { hint: "pass --ssid <network>" });
  }
  const prompts = await import("@clack/prompts");
  for (;;) {
    reporter.start("Scanning for Wi-Fi networks");
    const entries = await scan();
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
    if (prompts.isCancel(choice)) throw new InterruptedError();
    if (choice === RESCAN) continue;
    if (choice === HIDDEN) {
      const name = await prompts.text({
        message: "Network name (SSID)",
        output: process.stderr,
        validate: validateWith(checkSsid),
      });
      if (prompts.isCancel(name)) throw new InterruptedError();
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
    validate: validateWith(checkPassphrase),
  });
  if (prompts.isCancel(value)) throw new InterruptedError();
  return value;
}

const STEP_TEXT: Partial<Record<string, string>> = {
  session: "Establishing a secure session",
  status: "Reading the device's Wi-Fi status",
  reset: "Resetting the device after its failed attempt",
  "custom-data": "Sending custom data",
};

/** Library progress → terminal lines. */
function progressPrinter(reporter: Reporter, serviceName: string, label: () => string) {
  return (p: ProvisionProgress): void => {
    if (p.type === "status") {
      const s = p.status;
      reporter.update(
        s.state === "connecting"
          ? s.attemptsRemaining !== undefined
            ? `Device is connecting (an attempt failed, ${s.attemptsRemaining} left)`
            : "Device is connecting"
          : `Device reports ${s.state}`,
      );
      return;
    }
    if (p.type === "unreachable")
      return reporter.update(`Device not answering (${p.consecutive}×), retrying`);
    if (p.type === "recovered") return reporter.update("Reconnected to the device");
    if (p.phase === "start") {
      switch (p.step) {
        case "connect":
          return reporter.start(`Connecting to ${serviceName}`);
        case "set-config":
          return reporter.start(`Sending credentials for ${label()}`);
        case "apply-config":
          return reporter.start("Applying the configuration");
        case "wait":
          return reporter.start(`Waiting for the device to join ${label()}`);
        case "choose-network":
          return;
        default:
          return reporter.start(STEP_TEXT[p.step] ?? p.step);
      }
    }
    switch (p.step) {
      case "connect":
        return reporter.done(connectedLine(serviceName, p.version!));
      case "session":
        if (p.session!.popIgnored)
          reporter.warn("the device needs no proof of possession; --pop was ignored");
        return reporter.done(sessionLine(p.session!));
      case "status":
        return reporter.done(`Device status: ${statusWord(p.status!)}`);
      case "reset":
        return reporter.done("Device reset: ready for new credentials");
      case "set-config":
        return reporter.done(`Credentials for ${label()} sent`);
      case "apply-config":
        return reporter.done("Configuration applied");
      case "custom-data":
      case "choose-network":
      case "wait":
        return; // printed with their results
    }
  };
}

function reportOutcome(result: ProvisionResult, label: string, reporter: Reporter): void {
  const outcome = result.outcome;
  switch (outcome.state) {
    case "connected":
      if (result.alreadyConnected) {
        reporter.info(
          `The device is already connected to ${outcome.ssid} (IP ${outcome.ip}); nothing was sent`,
        );
        return;
      }
      reporter.done(
        `Device joined ${outcome.ssid || label}: IP ${outcome.ip}, channel ${outcome.channel}, ${outcome.authModeName}`,
      );
      return;
    case "failed":
      reporter.fail(
        outcome.reason === "AuthError"
          ? `Device could not join ${label}: wrong passphrase`
          : `Device could not find ${label}`,
      );
      reporter.info(
        outcome.reason === "AuthError"
          ? "hint: check the passphrase and run the same command again (the device is reset first when its firmware allows it)"
          : "hint: check the SSID (case matters) and that the network is in range of the device (`npx wifiprov scan` with the same --service_name and credentials lists what it sees)",
      );
      return;
    case "unknown":
      reporter.fail(`Outcome unknown: ${outcome.why}`);
      reporter.info(
        "hint: the device may have joined the network and stopped its provisioning service; check on the device or your router",
      );
      return;
    case "timeout":
      reporter.fail(`No final answer within ${Math.round(outcome.waitedMs / 1000)} s`);
      reporter.info(
        "hint: raise --timeout; the device may still join: the same command with `status` instead of `provision` shows where it is",
      );
      return;
  }
}

/** --reset / --reprov: a session, then the ctrl command. */
async function runCtrl(
  kind: "reset" | "reprov",
  flags: ProvisionFlags,
  reporter: Reporter,
): Promise<ExitCodeValue> {
  const { client, version, session, serviceName } = await connectAndSession(flags, reporter);
  try {
    checkProtocolVersion(version, flags.proto_ver);
    reporter.start(
      kind === "reset" ? "Resetting the device's Wi-Fi state" : "Asking the device to re-provision",
    );
    if (kind === "reset") await client.reset();
    else await client.reprov();
    reporter.done(kind === "reset" ? "Reset accepted" : "Re-provisioning accepted");
    if (flags.json) {
      printJson({
        ok: true,
        exitCode: 0,
        action: kind,
        serviceName,
        version: version.protocolVersion,
        security: session,
      });
    }
    return ExitCode.OK;
  } finally {
    await client.close().catch(() => undefined);
  }
}

export async function runProvision(
  flags: ProvisionFlags,
  argv: readonly string[] = process.argv.slice(2),
): Promise<ExitCodeValue> {
  return runCommand(flags, async (reporter) => {
    if (flags.reset && flags.reprov) throw new UsageError("--reset and --reprov cannot be combined");
    // Inputs are checked before the laptop's Wi-Fi is touched.
    softApToJoin(flags);
    const inputs = resolveInputs(flags, reporter);
    return withJoinedSoftAp(flags, reporter, argv, () => {
      if (flags.reset || flags.reprov) return runCtrl(flags.reset ? "reset" : "reprov", flags, reporter);
      return provisionBody(flags, reporter, inputs);
    });
  });
}

async function provisionBody(
  flags: ProvisionFlags,
  reporter: Reporter,
  { serviceName, session: sessionOptions }: ReturnType<typeof resolveInputs>,
): Promise<ExitCodeValue> {
  {
    const waitTimeoutMs = parseSeconds(flags.timeout, "--timeout") ?? 60_000;
    let label = flags.ssid ?? "";
    // What the flags give is checked by provision() before it connects; this hook asks for the rest after
    // the session (scan and pick, then the passphrase unless the network is open).
    const chooseNetwork = async ({
      version,
      given,
      scan,
    }: {
      version: DeviceVersion;
      given: Partial<WifiConfig>;
      scan: () => Promise<ScanEntry[]>;
    }): Promise<WifiConfig> => {
      let ssid: string | Uint8Array;
      let open = false;
      if (given.ssid !== undefined) ssid = given.ssid;
      else ({ ssid, label, open } = await pickNetwork(version, scan, reporter, flags));
      const passphrase = given.passphrase ?? (open ? "" : await askPassphrase(label, flags));
      return { ssid, passphrase };
    };

    const result = await provision({
      serviceName,
      logger: reporter.logger(),
      ...connectLimits(flags),
      ...sessionOptions,
      ...(flags.ssid !== undefined ? { ssid: flags.ssid } : {}),
      ...(flags.passphrase !== undefined ? { passphrase: flags.passphrase } : {}),
      chooseNetwork,
      ...(flags.proto_ver !== undefined ? { protoVer: flags.proto_ver } : {}),
      ...(flags.custom_data ? { customData: flags.custom_data } : {}),
      completeSession: (version, options) => completeCredentials(version, options, flags),
      statusFirst: true,
      waitTimeoutMs,
      onProgress: progressPrinter(reporter, serviceName, () => label),
    });
    if (flags.verbose && flags.passphrase !== undefined) {
      reporter.debug(
        `credentials: ssid=${JSON.stringify(label)} passphrase=${JSON.stringify(flags.passphrase)}`,
      );
    }
    const customDataReply =
      result.customDataReply !== undefined
        ? Buffer.from(result.customDataReply).toString("utf8").replace(/\0+$/, "")
        : undefined;
    if (customDataReply !== undefined)
      reporter.info(`Custom data sent (device replied ${JSON.stringify(customDataReply)})`);
    reportOutcome(result, label, reporter);
    const exitCode = exitCodeForOutcome(result.outcome);
    if (flags.json) {
      printJson({
        ok: exitCode === 0,
        exitCode,
        serviceName,
        version: result.version.protocolVersion,
        security: result.session,
        ssid: result.alreadyConnected ? result.outcome.state === "connected" && result.outcome.ssid : label,
        outcome: result.outcome,
        ...(result.alreadyConnected ? { alreadyConnected: true } : {}),
        ...(result.resetFirst ? { resetFirst: true } : {}),
        ...(customDataReply !== undefined ? { customDataReply } : {}),
      });
    }
    return exitCode;
  }
}
