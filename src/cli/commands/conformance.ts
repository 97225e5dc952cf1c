/** `wifiprov conformance`: run the check battery against a device and print a table, JSON or JUnit. */
import { writeFile } from "node:fs/promises";
import {
  formatTable,
  hasFailures,
  parseProfile,
  runConformance,
  toJson,
  toJunit,
} from "../../conformance/index.js";
import { UsageError } from "../../errors.js";
import { ExitCode } from "../exit-codes.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { parseSecVer, parseSeconds } from "../common-options.js";
import { printJson, safeWrite } from "../output.js";
import { runCommand } from "./run.js";

export interface ConformanceFlags {
  service_name?: string;
  sec_ver?: string;
  pop?: string;
  sec2_username?: string;
  sec2_pwd?: string;
  profile?: string;
  check?: string[];
  endpoint?: string[];
  json?: boolean;
  junit?: string;
  timeout?: string;
  srpAttempts?: string;
  allowProvision?: boolean;
  ssid?: string;
  passphrase?: string;
  verbose?: boolean;
}

/** The destructive checks run only when asked for, with a network to join. */
function parseProvision(flags: ConformanceFlags): { ssid: string; passphrase: string } | undefined {
  if (!flags.allowProvision) {
    if (flags.ssid !== undefined || flags.passphrase !== undefined) {
      throw new UsageError("--ssid and --passphrase are only used with --allow-provision", {
        hint: "add --allow-provision to let the checks provision the device (it joins the network and stops provisioning)",
      });
    }
    return undefined;
  }
  if (flags.ssid === undefined) {
    throw new UsageError("--allow-provision needs the network the device may join", {
      hint: "add --ssid NAME --passphrase PASSWORD (omit --passphrase for an open network)",
    });
  }
  const ssidBytes = new TextEncoder().encode(flags.ssid).length;
  if (ssidBytes < 1 || ssidBytes > 32) {
    throw new UsageError(`--ssid must be 1 to 32 bytes, got ${ssidBytes}`);
  }
  const passphrase = flags.passphrase ?? "";
  if (passphrase !== "" && (passphrase.length < 8 || passphrase.length > 63)) {
    throw new UsageError(`--passphrase must be 8 to 63 characters (WPA2), got ${passphrase.length}`, {
      hint: "omit --passphrase for an open network",
    });
  }
  return { ssid: flags.ssid, passphrase };
}

/** A whole number of handshakes, 1…100000. */
function parseAttempts(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) {
    throw new UsageError(
      `--srp-attempts must be a whole number from 1 to 100000 (got ${JSON.stringify(value)})`,
      {
        hint: "each handshake has a B or S with a leading zero about 1 time in 256; 1024 finds both 96% of the time",
      },
    );
  }
  return n;
}

export async function runConformanceCommand(flags: ConformanceFlags): Promise<ExitCodeValue> {
  return runCommand(flags, async () => {
    if (flags.service_name === undefined) {
      // No default address: the battery sends malformed requests on purpose, so it goes only where it is told.
      throw new UsageError("--service_name is required", {
        hint: "give the device's address, e.g. --service_name 192.168.4.1:80 (or 127.0.0.1:8080 for a virtual device)",
      });
    }
    const profile = parseProfile(flags.profile ?? "auto");
    const secVer = parseSecVer(flags.sec_ver);
    const waitMs = parseSeconds(flags.timeout, "--timeout");
    const srpAttempts = parseAttempts(flags.srpAttempts);
    const provision = parseProvision(flags);
    const report = await runConformance({
      serviceName: flags.service_name,
      profile,
      ...(secVer !== undefined ? { securityVersion: secVer } : {}),
      ...(waitMs !== undefined ? { waitMs } : {}),
      ...(srpAttempts !== undefined ? { srpAttempts } : {}),
      ...(provision !== undefined ? { provision } : {}),
      credentials: {
        ...(flags.pop !== undefined ? { pop: flags.pop } : {}),
        ...(flags.sec2_username !== undefined ? { username: flags.sec2_username } : {}),
        ...(flags.sec2_pwd !== undefined ? { password: flags.sec2_pwd } : {}),
      },
      ...(flags.check && flags.check.length > 0 ? { only: flags.check } : {}),
      ...(flags.endpoint && flags.endpoint.length > 0 ? { endpoints: flags.endpoint } : {}),
    });
    if (flags.junit !== undefined) await writeFile(flags.junit, toJunit(report));
    const failed = hasFailures(report);
    if (flags.json) printJson({ ok: !failed, exitCode: failed ? 1 : 0, ...toJson(report) });
    else safeWrite(process.stdout, formatTable(report));
    return failed ? ExitCode.FAILURE : ExitCode.OK;
  });
}
