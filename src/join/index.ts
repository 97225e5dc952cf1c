/**
 * The laptop side of SoftAP provisioning: find provisioning SoftAPs and join one through NetworkManager, then
 * put the laptop's Wi-Fi back as it was. Used by the CLI (`provision --join`, `discover`) and the fleet runner;
 * never by src/client, which is bundled for the browser.
 */
export { joinSoftAp, DEFAULT_SOFTAP_PASSWORD } from "./join-softap.js";
export type { JoinOptions, JoinedSoftAp, RestoreResult } from "./join-softap.js";
export { discoverSoftAps, DEFAULT_SOFTAP_PREFIX } from "./discover.js";
export type { DiscoverOptions, DiscoverResult } from "./discover.js";
export type { SeenAccessPoint } from "./scan.js";
export { openNetworkManager, findWifiInterface, listWifiInterfaces } from "./wifi-interface.js";
export type { WifiInterface } from "./wifi-interface.js";
