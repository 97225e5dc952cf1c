/**
 * The shared front half of the client commands: resolve the address and credentials (flags, QR payload,
 * prompts); for scan, status, version and the ctrl commands also connect and establish the session
 * (provision hands these to the library's provision() as hooks).
 */
import { connect } from "../../index.js";
import type { ProvisioningClient, SessionInfo } from "../../client/client.js";
import { parseQrPayload, qrSessionOptions } from "../../client/qr.js";
import { chooseSecurity, securityLevel } from "../../client/security-choice.js";
import type { SessionOptions } from "../../client/security-choice.js";
import type { DeviceVersion } from "../../client/version.js";
import { versionGeneration } from "../../client/version.js";
import { UsageError } from "../../errors.js";
import { parseHostPort } from "../../transport/host-port.js";
import {
  DEFAULT_SERVICE_NAME,
  canPrompt,
  checkTransport,
  parseSecVer,
  parseSeconds,
} from "../common-options.js";
import type { CommonFlags } from "../common-options.js";
import type { Reporter } from "../output.js";
import { InterruptedError } from "./run.js";

export interface Connected {
  client: ProvisioningClient;
  version: DeviceVersion;
  session: SessionInfo | undefined;
  serviceName: string;
}

function isAddress(text: string): boolean {
  try {
    parseHostPort(text);
    return true;
  } catch {
    return false;
  }
}

/** Flags + QR payload → address and session options. Pure input handling: no I/O. */
export function resolveInputs(
  flags: CommonFlags,
  reporter: Reporter,
): { serviceName: string; session: SessionOptions } {
  checkTransport(flags.transport);
  const session: SessionOptions = {};
  let serviceName = flags.service_name;
  if (flags.qrcode !== undefined) {
    const qr = parseQrPayload(flags.qrcode);
    if (qr.transport !== "softap") {
      throw new UsageError(`the QR code is for transport "${qr.transport}", which wifiprov does not speak`, {
        hint: "wifiprov provisions over SoftAP/HTTP only",
      });
    }
    Object.assign(session, qrSessionOptions(qr));
    // A QR name that is an address (a virtual device's) is where to connect; a SoftAP name is a network to join.
    if (serviceName === undefined && isAddress(qr.name)) serviceName = qr.name;
    else if (flags.join === undefined || flags.join === false)
      reporter.info(
        `QR code: device "${qr.name}" — join its Wi-Fi access point before provisioning (or add --join)`,
      );
  }
  const secVer = parseSecVer(flags.sec_ver);
  if (secVer !== undefined) session.secVer = secVer;
  if (flags.pop !== undefined) session.pop = flags.pop;
  if (flags.sec2_username !== undefined) session.username = flags.sec2_username;
  if (flags.sec2_pwd !== undefined) session.password = flags.sec2_pwd;
  return { serviceName: serviceName ?? DEFAULT_SERVICE_NAME, session };
}

/** Asks for whatever the chosen security level still lacks, or explains what to pass. */
export async function completeCredentials(
  version: DeviceVersion,
  options: SessionOptions,
  flags: CommonFlags,
): Promise<SessionOptions> {
  for (let i = 0; i < 3; i++) {
    try {
      chooseSecurity(version, options);
      return options;
    } catch (err) {
      if (!(err instanceof UsageError) || !canPrompt(flags)) throw err;
    }
    const { level } = securityLevel(version, options);
    const prompts = await import("@clack/prompts");
    const ask = async (message: string, masked: boolean): Promise<string> => {
      const value = masked
        ? await prompts.password({ message, output: process.stderr })
        : await prompts.text({ message, output: process.stderr });
      if (prompts.isCancel(value)) throw new InterruptedError();
      return value;
    };
    if (level === 1 && options.pop === undefined) options.pop = await ask("Proof of possession", true);
    if (level === 2) {
      if (!options.username) options.username = await ask("SRP6a username (security 2)", false);
      if (!options.password) options.password = await ask("SRP6a password (security 2)", true);
    }
  }
  chooseSecurity(version, options);
  return options;
}

export function describeVersion(v: DeviceVersion): string {
  const parts = [`protocol ${v.protocolVersion ?? "?"}`];
  if (v.securityVersion !== undefined) {
    parts.push(
      `security ${v.securityVersion}${v.securityPatchVersion !== undefined ? ` (patch ${v.securityPatchVersion})` : ""}`,
    );
  }
  if (v.capabilities.length > 0) parts.push(`caps ${v.capabilities.join(",")}`);
  parts.push(versionGeneration(v));
  return parts.join(", ");
}

/** "Connected to …" with what the device announced. */
export function connectedLine(serviceName: string, version: DeviceVersion): string {
  return `Connected to ${serviceName}: ${describeVersion(version)}`;
}

export function sessionLine(session: SessionInfo): string {
  return `Session established (security ${session.securityVersion}${session.securityVersion === 2 ? `, patch ${session.patchVersion}` : ""}${session.source === "forced" ? ", forced" : ""})`;
}

/** --timeout as the per-request limits of connect() (the outcome wait has its own). */
export function connectLimits(flags: CommonFlags): { timeoutMs?: number; connectTimeoutMs?: number } {
  const timeoutMs = parseSeconds(flags.timeout, "--timeout");
  return timeoutMs !== undefined
    ? { timeoutMs: Math.min(timeoutMs, 60_000), connectTimeoutMs: Math.min(timeoutMs, 10_000) }
    : {};
}

/** Connects and (unless `withSession` is false) establishes the session: for scan, status, version, ctrl. */
export async function connectAndSession(
  flags: CommonFlags,
  reporter: Reporter,
  withSession = true,
): Promise<Connected> {
  const { serviceName, session: sessionOptions } = resolveInputs(flags, reporter);
  const limits = connectLimits(flags);
  reporter.start(`Connecting to ${serviceName}`);
  const client = await connect({ serviceName, logger: reporter.logger(), ...limits });
  const version = await client.version();
  reporter.done(connectedLine(serviceName, version));
  if (!withSession) return { client, version, session: undefined, serviceName };
  try {
    const options = await completeCredentials(version, sessionOptions, flags);
    reporter.start("Establishing a secure session");
    const session = await client.establishSession(options);
    if (session.popIgnored) reporter.warn("the device needs no proof of possession; --pop was ignored");
    reporter.done(sessionLine(session));
    return { client, version, session, serviceName };
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
}
