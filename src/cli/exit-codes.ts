/**
 * Exit codes of the `wifiprov` client commands. esp_prov exits 0 even when Wi-Fi provisioning failed;
 * scripts and factory stations need to tell outcomes apart, so every outcome has its own. The code follows
 * from the error's class/code alone: the library throws the error that says what happened (a socket that never
 * connected is a TransportError, a proof the device rejected an AuthenticationError), wherever it happened.
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
  /** Interrupted (Ctrl-C / SIGINT): 128 + SIGINT, as shells report it. */
  INTERRUPTED: 130,
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
  { code: 130, meaning: "interrupted (Ctrl-C)" },
];

/** The table as shown at the end of `--help`; `codes` limits it to those a command can return. */
export function exitCodeHelp(
  codes?: readonly ExitCodeValue[],
  meanings: Partial<Record<ExitCodeValue, string>> = {},
): string {
  const rows = codes ? EXIT_CODE_TABLE.filter((r) => codes.includes(r.code)) : EXIT_CODE_TABLE;
  return [
    "Exit codes:",
    ...rows.map((r) => `  ${String(r.code).padStart(3)}  ${meanings[r.code] ?? r.meaning}`),
  ].join("\n");
}

/** What 0 and 2 mean for a command that only reads. */
export const READ_MEANINGS: Partial<Record<ExitCodeValue, string>> = {
  0: "the device answered",
  2: "usage error (flags, missing PoP/credentials)",
};

/** The codes each read-only command can return (provision can return all). */
export const COMMAND_EXIT_CODES = {
  version: [0, 1, 2, 3, 7, 130],
  scan: [0, 1, 2, 3, 4, 7, 130],
  status: [0, 1, 2, 3, 4, 7, 130],
} as const satisfies Record<string, readonly ExitCodeValue[]>;

function codeOf(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "string"
    ? (err as { code: string }).code
    : undefined;
}

export function exitCodeForError(err: unknown): ExitCodeValue {
  switch (codeOf(err)) {
    case ErrorCodes.USAGE:
      return ExitCode.USAGE;
    case ErrorCodes.AUTHENTICATION:
    case ErrorCodes.LOCKED_OUT:
      return ExitCode.HANDSHAKE;
    case ErrorCodes.TRANSPORT:
      return ExitCode.UNREACHABLE;
    case ErrorCodes.TIMEOUT:
    case ErrorCodes.ABORTED:
      return ExitCode.TIMEOUT;
    default:
      // CLOSED_WITHOUT_REPLY / HTTP_STATUS after the session: the device refused a request.
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
