/** The NetworkManager radio backend (Linux, over D-Bus). */
export { NetworkManagerRadio } from "./networkmanager-radio.js";
export type { NetworkManagerRadioOptions, NetworkManagerTimeouts } from "./networkmanager-radio.js";
export { nmReasonTable, espReasonForNm } from "./state-reasons.js";
export type { ReasonMapping } from "./state-reasons.js";
export { NmApi } from "../../networkmanager/nm-api.js";
export { NetworkManagerCredentials } from "./nm-credentials.js";
export type { NmCredentials } from "./nm-credentials.js";
export { DNSMASQ_SHARED_DIR, PORTAL_DNS_FILE } from "./portal-dns.js";
