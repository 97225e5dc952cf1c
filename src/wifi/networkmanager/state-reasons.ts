/**
 * NetworkManager's device state reasons (NMDeviceStateReason, nm-dbus-types) mapped onto the ESP-IDF disconnect
 * reasons the provisioning manager understands (protocol.md §8.2: 2/14/15/202/204 → AuthError, 201 →
 * NetworkNotFound, anything else → the device keeps trying). The same table is in README.md ("NetworkManager
 * radio"); keep both in step.
 */
import { DisconnectReason } from "../radio.js";

export interface ReasonMapping {
  nm: number;
  nmName: string;
  esp: number;
  why: string;
}

const R = DisconnectReason;

export const nmReasonTable: readonly ReasonMapping[] = [
  {
    nm: 7,
    nmName: "NO_SECRETS",
    esp: R.FOURWAY_HANDSHAKE_TIMEOUT,
    why: "wrong key: the supplicant asked for a new one",
  },
  {
    nm: 8,
    nmName: "SUPPLICANT_DISCONNECT",
    esp: R.FOURWAY_HANDSHAKE_TIMEOUT,
    why: "wrong key: dropped in the handshake",
  },
  { nm: 9, nmName: "SUPPLICANT_CONFIG_FAILED", esp: R.AUTH_FAIL, why: "the key or settings were refused" },
  { nm: 10, nmName: "SUPPLICANT_FAILED", esp: R.AUTH_FAIL, why: "authentication failed" },
  { nm: 11, nmName: "SUPPLICANT_TIMEOUT", esp: R.HANDSHAKE_TIMEOUT, why: "the 4-way handshake timed out" },
  { nm: 53, nmName: "SSID_NOT_FOUND", esp: R.NO_AP_FOUND, why: "no access point with that SSID in range" },
  { nm: 40, nmName: "CARRIER", esp: R.BEACON_TIMEOUT, why: "the link to the access point was lost" },
  { nm: 5, nmName: "IP_CONFIG_UNAVAILABLE", esp: R.CONNECTION_FAIL, why: "no IPv4 address (DHCP)" },
  { nm: 6, nmName: "IP_CONFIG_EXPIRED", esp: R.CONNECTION_FAIL, why: "the IPv4 lease expired" },
  { nm: 15, nmName: "DHCP_START_FAILED", esp: R.CONNECTION_FAIL, why: "DHCP did not start" },
  { nm: 16, nmName: "DHCP_ERROR", esp: R.CONNECTION_FAIL, why: "DHCP error" },
  { nm: 17, nmName: "DHCP_FAILED", esp: R.CONNECTION_FAIL, why: "DHCP failed" },
  { nm: 38, nmName: "CONNECTION_REMOVED", esp: R.ASSOC_LEAVE, why: "the profile was deleted" },
  { nm: 39, nmName: "USER_REQUESTED", esp: R.ASSOC_LEAVE, why: "someone disconnected the device" },
  { nm: 60, nmName: "NEW_ACTIVATION", esp: R.ASSOC_LEAVE, why: "another connection took the interface" },
];

/** The ESP reason for an NM reason; reasons not in the table become 205 CONNECTION_FAIL (the device retries). */
export function espReasonForNm(nmReason: number): { esp: number; mapping: ReasonMapping | undefined } {
  const mapping = nmReasonTable.find((m) => m.nm === nmReason);
  return { esp: mapping?.esp ?? R.CONNECTION_FAIL, mapping };
}

/** "NO_SECRETS (7)" or "reason 42" for logs. */
export function nmReasonName(nmReason: number): string {
  const mapping = nmReasonTable.find((m) => m.nm === nmReason);
  return mapping === undefined ? `NM reason ${nmReason}` : `${mapping.nmName} (${nmReason})`;
}
