/** `wifiprov discover`: the provisioning SoftAPs in range of this computer, through NetworkManager. */
import pc from "picocolors";
import { DEFAULT_SOFTAP_PREFIX, discoverSoftAps, openNetworkManager } from "../../join/index.js";
import type { SeenAccessPoint } from "../../join/index.js";
import { DEFAULT_SERVICE_NAME, parseSeconds } from "../common-options.js";
import { ExitCode } from "../exit-codes.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { printJson } from "../output.js";
import { runCommand } from "./run.js";
import { printable, signalBars } from "./table.js";

export interface DiscoverFlags {
  prefix?: string;
  interface?: string;
  timeout?: string;
  json?: boolean;
  verbose?: boolean;
}

function table(softAps: SeenAccessPoint[]): string {
  const width = Math.max(4, ...softAps.map((ap) => printable(ap.ssid).length));
  const head = ["SSID".padEnd(width), "BSSID".padEnd(17), "CH ", "SIGNAL".padEnd(13), "SECURITY"].join("  ");
  const rows = softAps.map((ap) =>
    [
      printable(ap.ssid).padEnd(width),
      ap.bssid,
      String(ap.channel).padStart(3),
      `${signalBars(ap.rssi)} ${String(ap.rssi).padStart(4)} dBm`,
      ap.security,
    ].join("  "),
  );
  return [pc.bold(head), ...rows].join("\n");
}

export async function runDiscover(flags: DiscoverFlags): Promise<ExitCodeValue> {
  return runCommand(flags, async (reporter) => {
    const prefix = flags.prefix ?? DEFAULT_SOFTAP_PREFIX;
    const scanTimeoutMs = parseSeconds(flags.timeout, "--timeout");
    const bus = await openNetworkManager({
      unavailableMessage: `NetworkManager is not running; join ${prefix || "the device's SoftAP"}… yourself and use --service_name ${DEFAULT_SERVICE_NAME}`,
      unavailableHint: `pick the device's SoftAP in your system's Wi-Fi menu, then: npx wifiprov provision --service_name ${DEFAULT_SERVICE_NAME}`,
    });
    try {
      reporter.start("Scanning for provisioning SoftAPs");
      const result = await discoverSoftAps(bus, {
        prefix,
        ...(flags.interface !== undefined ? { interfaceName: flags.interface } : {}),
        ...(scanTimeoutMs !== undefined ? { scanTimeoutMs } : {}),
      });
      const n = result.softAps.length;
      reporter.done(
        `Found ${n} provisioning SoftAP${n === 1 ? "" : "s"} on ${result.interfaceName}` +
          (result.others > 0 ? ` (and ${result.others} other network${result.others === 1 ? "" : "s"})` : ""),
      );
      if (flags.json) {
        printJson({
          ok: true,
          exitCode: 0,
          interface: result.interfaceName,
          prefix,
          softAps: result.softAps.map((ap) => ({
            ssid: ap.ssid,
            ssidBytes: Buffer.from(ap.ssidBytes).toString("hex"),
            bssid: ap.bssid,
            channel: ap.channel,
            rssi: ap.rssi,
            security: ap.security,
          })),
        });
      } else if (n > 0) {
        process.stdout.write(`${table(result.softAps)}\n`);
        reporter.info(
          `Provision one: npx wifiprov provision --join ${printable(result.softAps[0]!.ssid)} (with the device's credentials)`,
        );
      } else {
        reporter.info(
          `No SoftAP whose name starts with ${JSON.stringify(prefix)} is in range: is the device in provisioning mode?`,
        );
      }
      return ExitCode.OK;
    } finally {
      bus.close();
    }
  });
}
