#!/usr/bin/env node
/**
 * The `wifiprov` command. Start-up stays lazy: only commander is loaded here; each action imports its
 * command module (and the protocol stack) when it runs, so `wifiprov --help` starts fast.
 */
import { createRequire } from "node:module";
import { Command, CommanderError } from "commander";
import { addCommonOptions, normaliseArgv } from "./common-options.js";
import { COMMAND_EXIT_CODES, ExitCode, READ_MEANINGS, exitCodeHelp } from "./exit-codes.js";
import { registerDeviceCommand } from "./device-command.js";

/** From package.json, two levels up from both src/cli and dist/cli. */
function packageVersion(): string {
  try {
    return (createRequire(import.meta.url)("../../package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export function buildProgram(): Command {
  const program = new Command("wifiprov");
  program
    .description("Provision ESP32 devices over SoftAP/HTTP (ESP-IDF unified provisioning, security 0/1/2)")
    .version(packageVersion(), "--version", "print the wifiprov version")
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText("after", `\n${exitCodeHelp()}`);

  addCommonOptions(
    program
      .command("provision")
      .description(
        "send Wi-Fi credentials to a device and wait until it has joined the network (esp_prov flags accepted)",
      ),
  )
    .option("--ssid <ssid>", "network to join (default: scan and pick)")
    .option("--passphrase <passphrase>", "its passphrase ('' for an open network; default: prompt)")
    .option("--custom_data <text>", "text sent to the device's custom-data endpoint first")
    .option("--reset", "after the session, reset the device's Wi-Fi state (after a failed attempt) and exit")
    .option("--reprov", "after the session, ask the device to accept new credentials and exit")
    .option("--proto_ver <version>", "refuse devices that announce another protocol version")
    .option(
      "--join [softap]",
      "join the device's SoftAP through NetworkManager first (default name: the --qrcode payload's), then put this computer's Wi-Fi back",
    )
    .option(
      "--softap-password <password>",
      "with --join: the SoftAP's WPA2 password (default PROV_PASS when it is secured)",
    )
    .option("--interface <name>", "with --join: the Wi-Fi interface to join on (default: the first)")
    .addHelpText(
      "after",
      `\nExamples:\n  npx wifiprov provision --service_name 192.168.4.1:80 --pop abcd1234 --ssid myssid --passphrase mypassword\n  npx wifiprov provision --join PROV_A1B2C3 --sec2_username wifiprov --sec2_pwd abcd1234 --ssid myssid --passphrase mypassword\n  npx wifiprov provision --transport softap --sec_ver 2 --sec2_username wifiprov --sec2_pwd abcd1234 --ssid myssid --passphrase mypassword --json\n\n${exitCodeHelp()}`,
    )
    .action(async (flags) => {
      const { runProvision } = await import("./commands/provision.js");
      process.exitCode = await runProvision(flags);
    });

  program
    .command("discover")
    .description("list the provisioning SoftAPs in range of this computer (through NetworkManager)")
    .option("--prefix <prefix>", "SSID prefix of provisioning SoftAPs ('' lists every network)", "PROV_")
    .option("--interface <name>", "Wi-Fi interface to scan on (default: the first)")
    .option("--timeout <seconds>", "longest wait for the scan (default 15)")
    .option("--json", "print the SoftAPs as one JSON object on stdout")
    .addHelpText(
      "after",
      "\nExamples:\n  npx wifiprov discover\n  npx wifiprov provision --join PROV_A1B2C3 --sec2_username wifiprov --sec2_pwd abcd1234 --ssid myssid --passphrase mypassword\n\nExit codes: 0 the scan ran (even when it found none), 1 NetworkManager is missing or refused, 2 usage, 130 interrupted",
    )
    .action(async (flags) => {
      const { runDiscover } = await import("./commands/discover.js");
      process.exitCode = await runDiscover(flags);
    });

  addCommonOptions(program.command("scan").description("list the Wi-Fi networks the device can see"))
    .option("--passive", "passive scan")
    .addHelpText("after", `\n${exitCodeHelp(COMMAND_EXIT_CODES.scan, READ_MEANINGS)}`)
    .action(async (flags) => {
      const { runScan } = await import("./commands/scan.js");
      process.exitCode = await runScan(flags);
    });

  addCommonOptions(
    program
      .command("status")
      .description(
        "show the device's Wi-Fi status (state, SSID, IP, failure reason, attempts left); sends nothing that changes it",
      ),
  )
    .addHelpText(
      "after",
      "\nNote: ESP-IDF v5.5 firmware ends provisioning once it has reported Connected, to this read too.\n\n" +
        exitCodeHelp(COMMAND_EXIT_CODES.status, READ_MEANINGS),
    )
    .action(async (flags) => {
      const { runStatus } = await import("./commands/status.js");
      process.exitCode = await runStatus(flags);
    });

  addCommonOptions(program.command("version").description("show what the device announces on proto-ver"), {
    session: false,
  })
    .option("--raw", "print the reply body exactly")
    .addHelpText(
      "after",
      `\n${exitCodeHelp(COMMAND_EXIT_CODES.version, { ...READ_MEANINGS, 2: "usage error (flags)" })}`,
    )
    .action(async (flags) => {
      const { runVersion } = await import("./commands/version.js");
      process.exitCode = await runVersion(flags);
    });

  program
    .command("fleet")
    .description("provision every device of a manifest, several at once, resumable (journal) with a report")
    .option(
      "--manifest <file>",
      "CSV or JSON lines: service_name, name, pop, sec2_username, sec2_pwd, qrcode, ssid, passphrase, join, softap_password",
    )
    .option("--ssid <ssid>", "network every device joins (a row's ssid column wins)")
    .option("--passphrase <passphrase>", "its passphrase ('' for an open network)")
    .option("--concurrency <n>", "devices provisioned at once (default 64)")
    .option("--retries <n>", "extra tries for an unreachable device (default 2)")
    .option("--timeout <seconds>", "per device, longest wait for the connection outcome (default 60)")
    .option("--journal <file>", "progress journal for resuming (default: MANIFEST.journal.json beside it)")
    .option(
      "--report <file>",
      "write a JSON report: outcome, reason, IP, security, firmware, timings per device",
    )
    .option("--strict", "do not start when a manifest line is bad (default: report it, run the rest)")
    .option(
      "--interface <list>",
      "Wi-Fi interfaces for rows with a join column (e.g. wlan1,wlan2): one device at a time on each, in parallel",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  npx wifiprov device --count 10 --listen 127.0.0.1:9000 --pop random --manifest-out fleet.jsonl\n  npx wifiprov fleet --manifest fleet.jsonl --ssid myssid --passphrase mypassword --report report.json\n\nExit codes: 0 every device connected, 1 some did not (or a manifest line was bad), 2 usage, 3 stopped because the journal could not be written (a full disk; free space, run again to resume), 130 interrupted (run again to resume)",
    )
    .action(async (flags) => {
      const { runFleetCommand } = await import("./commands/fleet.js");
      process.exitCode = await runFleetCommand(flags);
    });

  program
    .command("conformance")
    .description(
      "check a device against the ESP-IDF release it claims: HTTP rules, sessions, security, endpoints",
    )
    .option("--service_name <host:port>", "the device's HTTP address (required: no default)")
    .option("--sec_ver <n>", "security scheme 0, 1 or 2 (default: read from the device)")
    .option("--pop <pop>", "proof of possession (security 1)")
    .option("--sec2_username <user>", "SRP6a username (security 2)")
    .option("--sec2_pwd <password>", "SRP6a password (security 2)")
    .option(
      "--profile <name>",
      "release to compare with: auto (from proto-ver) or idf-v4.0 … idf-v6.0",
      "auto",
    )
    .option("--check <id>", "run only this check (repeatable)", (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .option(
      "--endpoint <name>",
      "probe this custom endpoint (e.g. custom-data): present, refused before the handshake, answered in the session (repeatable)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      "--timeout <seconds>",
      "how long to wait for each reply or close before calling the device silent",
      "5",
    )
    .option(
      "--srp-attempts <n>",
      "sec2: handshakes to run looking for a B and an S with a leading zero byte (1 in 256 each)",
      "1024",
    )
    .option(
      "--allow-provision",
      "also run the checks that change the device: wrong and right credentials, CtrlReset/Reprov; it joins --ssid and stops provisioning",
    )
    .option("--ssid <ssid>", "with --allow-provision: the network the device may join")
    .option("--passphrase <passphrase>", "with --allow-provision: its passphrase (omit for an open network)")
    .option("--json", "print the report as JSON")
    .option("--junit <file>", "also write the report as JUnit XML")
    .addHelpText(
      "after",
      "\nExit status: 0 when no check failed (deviations are reported, not fatal), 1 when one failed or the device\nstopped answering, 2 usage error, 3 device unreachable.\n\nExample:\n  npx wifiprov conformance --service_name 127.0.0.1:8080 --sec2_username wifiprov --sec2_pwd abcd1234 --junit conformance.xml",
    )
    .action(async (flags) => {
      const { runConformanceCommand } = await import("./commands/conformance.js");
      process.exitCode = await runConformanceCommand(flags);
    });

  program
    .command("qr")
    .description("render an Espressif provisioning QR code (terminal or --svg FILE)")
    .argument(
      "[payload]",
      'QR payload JSON, e.g. {"ver":"v1","name":"PROV_123456","pop":"abcd1234","transport":"softap"}',
    )
    .option("--name <name>", "device name (its SoftAP SSID, e.g. PROV_123456)")
    .option("--pop <pop>", "proof of possession (sec1) or SRP password (sec2, as the ESP-IDF example does)")
    .option("--username <user>", "SRP6a username (security 2)")
    .option("--password <password>", "SRP6a password, as a separate key")
    .option("--security <n>", "security scheme 0, 1 or 2")
    .option("--transport <mode>", "softap (default) or ble")
    .option("--svg <file>", "write an SVG instead of drawing in the terminal")
    .option("--json", "print the payload as JSON result")
    .action(async (payload: string | undefined, flags) => {
      const { runQr } = await import("./commands/qr.js");
      process.exitCode = await runQr(payload, flags);
    });

  program
    .command("sec2-gen-cred")
    .description("generate an SRP6a salt and verifier for security 2 firmware")
    .option("--username <user>", "SRP6a username")
    .option("--password <password>", "SRP6a password")
    .option("--salt-len <n>", "salt length in bytes", "16")
    .option("--format <format>", "c (esp_prov's C arrays), hex or json", "c")
    .action(async (flags: { username?: string; password?: string; saltLen?: string; format?: string }) => {
      const { runGenCred } = await import("./commands/sec2-gen-cred.js");
      process.exitCode = await runGenCred({
        ...flags,
        ...(flags.saltLen ? { salt_len: flags.saltLen } : {}),
      });
    });

  registerDeviceCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(normaliseArgv(argv), { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === "commander.helpDisplayed" ||
        err.code === "commander.version" ||
        err.code === "commander.help"
      ) {
        return ExitCode.OK;
      }
      // commander already printed its message (with a did-you-mean for unknown options/commands).
      return ExitCode.USAGE;
    }
    throw err;
  }
}

const entry = process.argv[1] ?? "";
if (/(?:^|[\\/])(?:main\.[cm]?[jt]s|wifiprov)$/.test(entry)) {
  process.exitCode = await main(process.argv.slice(2));
}
