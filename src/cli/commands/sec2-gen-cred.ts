/**
 * `wifiprov sec2-gen-cred`: an SRP6a salt and verifier for a device's security 2 credentials (protocol.md §7.2),
 * printed as esp_prov prints them (C arrays), as hex, or as JSON.
 */
import { generateSec2Credentials } from "../../security/index.js";
import { UsageError } from "../../errors.js";
import { ExitCode } from "../exit-codes.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { printJson } from "../output.js";
import { runCommand } from "./run.js";

export interface GenCredFlags {
  username?: string;
  password?: string;
  salt_len?: string;
  format?: string;
  json?: boolean;
  verbose?: boolean;
}

/** esp_prov's layout: `0x..` items joined by ", ", wrapped every 96 characters (16 bytes a line). */
export function cArray(name: string, bytes: Uint8Array): string {
  const items = Array.from(bytes, (b) => `0x${b.toString(16).padStart(2, "0")}`).join(", ");
  const lines = items.match(/.{1,96}/g) ?? [""];
  return `static const char ${name}[] = {\n    ${lines.join("\n    ")}\n};\n`;
}

export async function runGenCred(flags: GenCredFlags): Promise<ExitCodeValue> {
  return runCommand(flags, async () => {
    if (!flags.username || !flags.password) {
      throw new UsageError("--username and --password are required", {
        hint: "e.g. npx wifiprov sec2-gen-cred --username wifiprov --password abcd1234",
      });
    }
    const saltLength = flags.salt_len === undefined ? 16 : Number(flags.salt_len);
    if (!Number.isInteger(saltLength) || saltLength < 4 || saltLength > 64) {
      throw new UsageError("--salt-len must be an integer from 4 to 64 (16 is the ESP-IDF default)");
    }
    const format = flags.json ? "json" : (flags.format ?? "c");
    if (!["c", "hex", "json"].includes(format)) throw new UsageError("--format must be c, hex or json");
    const { salt, verifier } = generateSec2Credentials(flags.username, flags.password, { saltLength });
    const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
    if (format === "json") {
      printJson({ username: flags.username, salt: hex(salt), verifier: hex(verifier) });
    } else if (format === "hex") {
      process.stdout.write(`salt     ${hex(salt)}\nverifier ${hex(verifier)}\n`);
    } else {
      process.stdout.write(`${cArray("sec2_salt", salt)}\n${cArray("sec2_verifier", verifier)}\n`);
    }
    return ExitCode.OK;
  });
}
