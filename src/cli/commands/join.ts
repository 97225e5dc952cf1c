/**
 * `provision --join`: join the device's SoftAP through NetworkManager around a command body, and put the
 * laptop's Wi-Fi back afterwards, also on failure and on Ctrl-C. Without --join nothing here runs, and the
 * laptop's network is never touched.
 */
import { parseQrPayload } from "../../client/qr.js";
import { UsageError } from "../../errors.js";
import { joinSoftAp, openNetworkManager } from "../../join/index.js";
import type { JoinedSoftAp } from "../../join/index.js";
import { parseHostPort } from "../../transport/host-port.js";
import { DEFAULT_SERVICE_NAME } from "../common-options.js";
import type { CommonFlags } from "../common-options.js";
import type { ExitCodeValue } from "../exit-codes.js";
import type { Reporter } from "../output.js";
import { onInterrupt } from "./run.js";

export interface JoinFlags {
  /** (in CommonFlags) join: true for `--join` without a name (take the QR payload's), a string: the SoftAP. */
  softapPassword?: string;
  interface?: string;
}

/** Flags whose values are secrets: left out of the command we suggest (the CLI prompts for what is missing). */
const SECRET_FLAGS = new Set(["--passphrase", "--pop", "--sec2_pwd", "--softap-password", "--qrcode"]);
const JOIN_FLAGS = new Set(["--join", "--softap-password", "--interface"]);
const DROPPED_FLAGS = new Set(["--no-input", "--json"]);

function isAddress(text: string): boolean {
  try {
    parseHostPort(text);
    return true;
  } catch {
    return false;
  }
}

/** The SoftAP `--join` names, or undefined without --join. Usage errors for flags that need --join. */
export function softApToJoin(flags: JoinFlags & CommonFlags): string | undefined {
  if (flags.join === undefined || flags.join === false) {
    const stray =
      flags.softapPassword !== undefined
        ? "--softap-password"
        : flags.interface !== undefined
          ? "--interface"
          : undefined;
    if (stray !== undefined) {
      throw new UsageError(`${stray} is only used with --join`, {
        hint: "add --join PROV_XXXXXX (the device's SoftAP) to have wifiprov join it for you",
      });
    }
    return undefined;
  }
  if (typeof flags.join === "string") {
    if (flags.join === "" || Buffer.byteLength(flags.join) > 32) {
      throw new UsageError(`--join needs a SoftAP name of 1–32 bytes (got ${JSON.stringify(flags.join)})`);
    }
    return flags.join;
  }
  if (flags.qrcode !== undefined) {
    const name = parseQrPayload(flags.qrcode).name;
    if (!isAddress(name)) return name;
    throw new UsageError(`the QR code names an address (${name}), not a SoftAP to join`, {
      hint: "leave out --join: the QR code's address is used as it is",
    });
  }
  throw new UsageError("--join needs the device's SoftAP name", {
    hint: "pass --join PROV_XXXXXX (`npx wifiprov discover` lists the provisioning SoftAPs in range), or --qrcode with the device's QR payload",
  });
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

/**
 * The command to run once the user has joined the SoftAP by hand: the same arguments without the join flags
 * and without secrets (the command prompts for those), with the SoftAP's address as --service_name.
 */
export function manualCommand(argv: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith("--") ? (arg.split(/=(.*)/s, 2) as [string, string?]) : [arg];
    const takesValue = inline === undefined && i + 1 < argv.length && !argv[i + 1]!.startsWith("--");
    if (DROPPED_FLAGS.has(name) || name === "--service_name") {
      if (name === "--service_name" && takesValue) i++;
      continue;
    }
    if (SECRET_FLAGS.has(name) || JOIN_FLAGS.has(name)) {
      // --join's value is optional; anything after it that is not a flag was its value.
      if (takesValue) i++;
      continue;
    }
    out.push(shellQuote(arg));
  }
  return ["npx", "wifiprov", ...out, "--service_name", DEFAULT_SERVICE_NAME].join(" ");
}

/**
 * Joins the SoftAP (when --join is given), runs `body`, and restores the laptop's Wi-Fi whatever happens.
 * `serviceName` is what body will talk to: the flag when given (tests pass a loopback one), else ESP's
 * 192.168.4.1:80.
 */
export async function withJoinedSoftAp(
  flags: JoinFlags & CommonFlags,
  reporter: Reporter,
  argv: readonly string[],
  body: () => Promise<ExitCodeValue>,
): Promise<ExitCodeValue> {
  const ssid = softApToJoin(flags);
  if (ssid === undefined) return body();
  const bus = await openNetworkManager({
    unavailableMessage: `NetworkManager is not running; join ${ssid} yourself and use --service_name ${DEFAULT_SERVICE_NAME}`,
    unavailableHint: `once this computer is on ${ssid}: ${manualCommand(argv)}`,
  });
  let joining: Promise<JoinedSoftAp> | undefined;
  let restoring: Promise<void> | undefined;
  // Once, whoever asks first (the end of the run or Ctrl-C); a join still in flight is waited for first.
  const restore = () =>
    (restoring ??= (async () => {
      const joined = await joining?.catch(() => undefined);
      if (joined === undefined) return; // the join failed: joinSoftAp put the laptop back itself
      const previous = joined.previous;
      reporter.start(previous !== undefined ? `Reconnecting to ${previous}` : `Leaving ${ssid}`);
      const result = await joined.restore();
      if (result.problem !== undefined) reporter.warn(result.problem);
      else reporter.done(previous !== undefined ? `Back on ${previous}` : `Left ${ssid}`);
    })());
  const interrupted = new AbortController();
  const unregister = onInterrupt(async () => {
    interrupted.abort(); // a join still waiting for NetworkManager stops and puts the laptop back itself
    await restore().catch(() => undefined);
    bus.close();
  });
  try {
    reporter.start(`Joining ${ssid}${flags.interface !== undefined ? ` on ${flags.interface}` : ""}`);
    joining = joinSoftAp(bus, {
      ssid,
      ...(flags.softapPassword !== undefined ? { password: flags.softapPassword } : {}),
      ...(flags.interface !== undefined ? { interfaceName: flags.interface } : {}),
      logger: reporter.logger(),
      signal: interrupted.signal,
    });
    const joined = await joining;
    reporter.done(
      `Joined ${ssid} on ${joined.interfaceName}${joined.previous !== undefined ? ` (was on ${joined.previous})` : ""}`,
    );
    return await body();
  } finally {
    unregister();
    await restore();
    bus.close();
  }
}
