/** The access point table shown by `wifiprov scan` and the provision picker. */
import pc from "picocolors";
import type { ScanEntry } from "../../client/wifi-types.js";

export function formatBssid(hex: string): string {
  return hex.match(/../g)?.join(":") ?? hex;
}

/** RSSI as four bars: ≥ -55 excellent, ≥ -67 good, ≥ -75 fair, else weak. */
export function signalBars(rssi: number): string {
  const n = rssi >= -55 ? 4 : rssi >= -67 ? 3 : rssi >= -75 ? 2 : 1;
  return "▂▄▆█".slice(0, n).padEnd(4, " ");
}

/** An SSID as it may be written to a terminal: control characters (C0, C1) and bidi overrides shown as �. */
export function printable(ssid: string): string {
  return ssid === ""
    ? pc.dim("(hidden)")
    : // eslint-disable-next-line no-control-regex -- SSIDs may carry control bytes; never write them raw to a terminal
      ssid.replace(/[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "�");
}

export function scanRow(e: ScanEntry, ssidWidth: number): string {
  return [
    printable(e.ssid).padEnd(ssidWidth),
    formatBssid(e.bssid),
    String(e.channel).padStart(3),
    `${signalBars(e.rssi)} ${String(e.rssi).padStart(4)} dBm`,
    e.authName,
  ].join("  ");
}

export function scanTable(entries: ScanEntry[]): string {
  const width = Math.max(4, ...entries.map((e) => printable(e.ssid).length));
  const head = ["SSID".padEnd(width), "BSSID".padEnd(17), "CH ", "SIGNAL".padEnd(13), "SECURITY"].join("  ");
  return [pc.bold(head), ...entries.map((e) => scanRow(e, width))].join("\n");
}
