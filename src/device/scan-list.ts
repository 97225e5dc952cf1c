/**
 * The manager's Wi-Fi scan state: whether a scan runs, and the stored results (protocol.md §8.5): at most
 * `maxEntries` access points, sorted by RSSI descending across all channels.
 */
import type { AccessPointInfo } from "../wifi/radio.js";

/** CONFIG_WIFI_PROV_SCAN_MAX_ENTRIES default (range 1–255), §8.9. */
export const DEFAULT_SCAN_MAX_ENTRIES = 16;

export class ScanList {
  readonly maxEntries: number;
  #running = false;
  #results: AccessPointInfo[] = [];

  constructor(maxEntries = DEFAULT_SCAN_MAX_ENTRIES) {
    this.maxEntries = Math.min(255, Math.max(1, Math.trunc(maxEntries)));
  }

  get running(): boolean {
    return this.#running;
  }

  get count(): number {
    return this.#results.length;
  }

  /** A new scan clears the previous results (ESP clears its sorted list at scan start). */
  begin(): void {
    this.#running = true;
    this.#results = [];
  }

  finish(found: readonly AccessPointInfo[]): void {
    // Stable sort: equal RSSI keeps the radio's order, like ESP's insertion into its sorted list.
    this.#results = [...found].sort((a, b) => b.rssi - a.rssi).slice(0, this.maxEntries);
    this.#running = false;
  }

  fail(): void {
    this.#results = [];
    this.#running = false;
  }

  at(index: number): AccessPointInfo | undefined {
    return this.#results[index];
  }
}
