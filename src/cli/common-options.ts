/**
 * esp_prov's connection and security flags, shared by provision, scan, status and version, plus the checks
 * that turn them into library options. Flag spellings are esp_prov's, unchanged.
 */
import { Option } from "commander";
import type { Command } from "commander";
import { UsageError } from "../errors.js";

/** What commander hands the action for the shared flags. */
export interface CommonFlags {
  transport?: string;
  service_name?: string;
  sec_ver?: string;
  pop?: string;
  sec2_username?: string;
  sec2_pwd?: string;
  qrcode?: string;
  timeout?: string;
  json?: boolean;
  input?: boolean;
  verbose?: boolean;
  /** `provision --join [SSID]` (see commands/join.ts); other commands never set it. */
  join?: string | boolean;
}

/** esp_prov's default service name. Only the CLI has a default; the library never does. */
export const DEFAULT_SERVICE_NAME = "192.168.4.1:80";

/** The shared flags; `session: false` leaves out the credential flags (for commands that need no session). */
export function addCommonOptions(cmd: Command, { session = true }: { session?: boolean } = {}): Command {
  cmd
    .option("--transport <mode>", "softap or httpd (HTTP over the device's access point)", "softap")
    .option(
      "--service_name <host:port>",
      `the device's HTTP address: host:port, [IPv6]:port or http://host:port (default ${DEFAULT_SERVICE_NAME})`,
    );
  if (session) {
    cmd
      .option("--sec_ver <n>", "security scheme 0, 1 or 2 (default: read from the device)")
      .option("--pop <pop>", "proof of possession (security 1)")
      .option("--sec2_username <user>", "SRP6a username (security 2)")
      .option("--sec2_pwd <password>", "SRP6a password (security 2)");
  }
  cmd.option("--qrcode <payload>", "Espressif QR payload JSON (name, pop, username, ...)");
  cmd.option(
    "--timeout <seconds>",
    session
      ? "how long to wait for the device (per request / for the outcome)"
      : "how long to wait for the device",
  );
  cmd.option("--json", "print one machine-readable result object on stdout");
  if (session) cmd.option("--no-input", "never prompt; missing input is a usage error");
  return cmd.addOption(new Option("-v, --verbose", "print protocol details (and secrets) to stderr"));
}

export function checkTransport(mode: string | undefined): void {
  const m = (mode ?? "softap").toLowerCase();
  if (m === "softap" || m === "httpd") return;
  if (m === "ble" || m === "console") {
    throw new UsageError(`transport "${m}" is not supported by wifiprov`, {
      hint: "wifiprov speaks HTTP only: join the device's SoftAP and use --transport softap (or esp_prov.py for BLE)",
    });
  }
  throw new UsageError(`unknown transport ${JSON.stringify(mode)}`, { hint: "use --transport softap" });
}

export function parseSecVer(value: string | undefined): 0 | 1 | 2 | undefined {
  if (value === undefined) return undefined;
  if (value === "0" || value === "1" || value === "2") return Number(value) as 0 | 1 | 2;
  throw new UsageError(`--sec_ver must be 0, 1 or 2 (got ${JSON.stringify(value)})`);
}

/** Seconds → milliseconds; rejects nonsense so that a typo does not mean "wait forever". */
export function parseSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400) {
    throw new UsageError(
      `${flag} must be a number of seconds between 0 and 86400 (got ${JSON.stringify(value)})`,
    );
  }
  return Math.round(n * 1000);
}

/** Prompts only when allowed and possible (stdin and stderr are terminals). */
export function canPrompt(flags: CommonFlags): boolean {
  return (
    flags.input !== false && !flags.json && Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY)
  );
}

/**
 * Accepts dashed spellings of esp_prov's underscore flags (`--service-name` → `--service_name`), a common
 * slip when typing them from memory.
 */
export function normaliseArgv(argv: string[]): string[] {
  const dashed = new Set([
    "service-name",
    "sec-ver",
    "sec2-username",
    "sec2-pwd",
    "custom-data",
    "proto-ver",
    "sec2-gen-cred",
    "sec2-salt-len",
  ]);
  // Only the client commands take esp_prov's underscore flags; `wifiprov device` has its own dashed ones.
  if (argv.find((a) => !a.startsWith("-")) === "device") return argv;
  return argv.map((a) => {
    if (a === "--") return a;
    const m = /^--([a-z0-9-]+)(=.*)?$/.exec(a);
    return m && dashed.has(m[1]!) ? `--${m[1]!.replace(/-/g, "_")}${m[2] ?? ""}` : a;
  });
}
