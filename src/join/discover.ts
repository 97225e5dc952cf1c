/**
 * `discover`: the provisioning SoftAPs in range of the laptop, found by SSID prefix (ESP's `PROV_` by default,
 * the prefix softap_prov examples and wifiprov's device use).
 */
import type { NmBus } from "../networkmanager/nm-bus.js";
import type { ScanOptions, SeenAccessPoint } from "./scan.js";
import { scanAccessPoints } from "./scan.js";
import { findWifiInterface } from "./wifi-interface.js";

export const DEFAULT_SOFTAP_PREFIX = "PROV_";

export interface DiscoverOptions extends ScanOptions {
  /** SSID prefix (default PROV_); "" lists every access point. */
  prefix?: string;
  /** Interface to scan on (default: NetworkManager's first Wi-Fi interface). */
  interfaceName?: string;
}

export interface DiscoverResult {
  interfaceName: string;
  softAps: SeenAccessPoint[];
  /** How many other access points the scan saw. */
  others: number;
}

export async function discoverSoftAps(bus: NmBus, options: DiscoverOptions = {}): Promise<DiscoverResult> {
  const prefix = options.prefix ?? DEFAULT_SOFTAP_PREFIX;
  const iface = await findWifiInterface(bus, options.interfaceName);
  const seen = await scanAccessPoints(bus, iface, options);
  const softAps = seen.filter((ap) => ap.ssid.startsWith(prefix));
  return { interfaceName: iface.name, softAps, others: seen.length - softAps.length };
}
