/**
 * Exit codes of the `wifiprov` client commands. esp_prov exits 0 even when Wi-Fi provisioning failed
 * (protocol.md §9.3); scripts and factory stations need to tell outcomes apart, so every outcome has its own.
 */
import { ErrorCodes } from "../errors.js";
import type { ConnectionOutcome } from "../client/wifi-types.js";

export const ExitCode = {
  /** The device reported Connected (or accepted --reset / --reprov); also for qr, version, scan, sec2-gen-cred. */
  OK: 0,
  /** Anything else: the device refused a command, an unsupported feature, an internal error. */
  FAILURE: 1,
  /** Usage error: bad flags or input (SSID, passphrase, missing PoP / credentials). */
  USAGE: 2,
  /** Cannot reach the device: connection refused, unreachable, timeout while connecting. */
  UNREACHABLE: 3,
  /** Handshake / authentication failed: wrong PoP or SRP credentials, wrong security level. */
  HANDSHAKE: 4,
  /** The device could not join the network: wrong passphrase (AuthError). */
  WIFI_AUTH: 5,
  /** The device could not find the network (NetworkNotFound). */
  NETWORK_NOT_FOUND: 6,
  /** No final answer in time, or the device stopped answering before reporting one. */
  TIMEOUT: 7,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_TABLE: readonly { code: ExitCodeValue; meaning: string }[] = [
  { code: 0, meaning: "connected (or --reset/--reprov accepted)" },
  { code: 1, meaning: "other failure (device refused a command, unsupported, internal)" },
  { code: 2, meaning: "usage error (flags, SSID/passphrase checks, missing PoP/credentials)" },
  { code: 3, meaning: "cannot reach the device" },
  { code: 4, meaning: "handshake failed (wrong PoP/username/password or security level)" },
  { code: 5, meaning: "Wi-Fi authentication failed (wrong passphrase)" },
  { code: 6, meaning: "Wi-Fi network not found" },
  { code: 7, meaning: "timed out or outcome unknown" },
];

/** The table as shown at the end of `--help`. */
export function exitCodeHelp(): string {
  return ["Exit codes:", ...EXIT_CODE_TABLE.map((r) => `  ${r.code}  ${r.meaning}`)].join("\n");
}

/** Where the command was when it failed; decides whether a transport error means "unreachable". */
export type Phase = "input" | "connect" | "session" | "request" | "wait";

function codeOf(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "string"
    ? (err as { code: string }).code
    : undefined;
}

export function exitCodeForError(err: unknown, phase: Phase): ExitCodeValue {
  switch (codeOf(err)) {
    case ErrorCodes.USAGE:
      return ExitCode.USAGE;
    case ErrorCodes.AUTHENTICATION:
    case ErrorCodes.LOCKED_OUT:
      return ExitCode.HANDSHAKE;
    case ErrorCodes.TRANSPORT:
      return ExitCode.UNREACHABLE;
    case ErrorCodes.TIMEOUT:
    case ErrorCodes.CLOSED_WITHOUT_REPLY:
    case ErrorCodes.HTTP_STATUS:
      if (phase === "connect") return ExitCode.UNREACHABLE;
      if (phase === "session") return ExitCode.HANDSHAKE;
      return codeOf(err) === ErrorCodes.TIMEOUT ? ExitCode.TIMEOUT : ExitCode.FAILURE;
    case ErrorCodes.ABORTED:
      return ExitCode.TIMEOUT;
    default:
      return ExitCode.FAILURE;
  }
}

export function exitCodeForOutcome(outcome: ConnectionOutcome): ExitCodeValue {
  switch (outcome.state) {
    case "connected":
      return ExitCode.OK;
    case "failed":
      return outcome.reason === "AuthError" ? ExitCode.WIFI_AUTH : ExitCode.NETWORK_NOT_FOUND;
    default:
      return ExitCode.TIMEOUT;
  }
}
