/** `wifiprov qr`: render an Espressif provisioning QR payload (given, or built from flags) for the terminal or SVG. */
import { writeFile } from "node:fs/promises";
import { formatQrPayload, parseQrPayload } from "../../client/qr.js";
import type { QrPayload } from "../../client/qr.js";
import { UsageError } from "../../errors.js";
import { ExitCode } from "../exit-codes.js";
import { fileWriteError } from "../file-errors.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { printJson, safeWrite } from "../output.js";
import { runCommand } from "./run.js";

export interface QrFlags {
  name?: string;
  pop?: string;
  username?: string;
  password?: string;
  security?: string;
  transport?: string;
  svg?: string;
  json?: boolean;
  verbose?: boolean;
}

export async function runQr(payload: string | undefined, flags: QrFlags): Promise<ExitCodeValue> {
  return runCommand(flags, async (reporter) => {
    let p: QrPayload;
    if (payload !== undefined) {
      p = parseQrPayload(payload);
    } else {
      if (!flags.name) {
        throw new UsageError("give a payload or --name", {
          hint: `e.g. npx wifiprov qr --name PROV_123456 --pop abcd1234, or npx wifiprov qr '{"ver":"v1","name":"PROV_123456","pop":"abcd1234","transport":"softap"}'`,
        });
      }
      const security = flags.security === undefined ? undefined : Number(flags.security);
      if (security !== undefined && ![0, 1, 2].includes(security))
        throw new UsageError("--security must be 0, 1 or 2");
      p = parseQrPayload(
        formatQrPayload({
          name: flags.name,
          ...(flags.username !== undefined ? { username: flags.username } : {}),
          ...(flags.pop !== undefined ? { pop: flags.pop } : {}),
          transport: flags.transport ?? "softap",
          ...(security !== undefined ? { security } : {}),
          ...(flags.password !== undefined ? { password: flags.password } : {}),
        }),
      );
    }
    const text = formatQrPayload(p);
    const uqr = await import("uqr");
    if (flags.svg) {
      const svg = flags.svg;
      await writeFile(svg, uqr.renderSVG(text, { border: 2 })).catch((err: unknown) => {
        throw fileWriteError(svg, err);
      });
      reporter.info(`QR code written to ${flags.svg}`);
    }
    if (flags.json) {
      printJson({ ok: true, exitCode: 0, payload: text, ...(flags.svg ? { svg: flags.svg } : {}) });
    } else if (!flags.svg) {
      // The payload holds the PoP/password by design: printing it is what this command is for.
      safeWrite(process.stdout, `${uqr.renderUnicodeCompact(text, { border: 2 })}\n${text}\n`);
    } else {
      safeWrite(process.stdout, `${text}\n`);
    }
    return ExitCode.OK;
  });
}
