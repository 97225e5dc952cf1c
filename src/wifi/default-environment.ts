/**
 * The networks a virtual device "sees" when no --networks file is given. `myssid` / `mypassword` (WPA2_PSK)
 * is the network in the seed's esp_prov example command, so that command provisions successfully as is.
 */
import { AuthMode } from "./auth-mode.js";
import type { SimulatedEnvironment } from "./environment.js";
import { parseBssid } from "./environment.js";

function mac(text: string): Uint8Array {
  const bytes = parseBssid(text);
  /* c8 ignore next */
  if (bytes === undefined) throw new RangeError(`bad built-in BSSID ${text}`);
  return bytes;
}

export const defaultEnvironment: SimulatedEnvironment = {
  softApChannel: 1,
  accessPoints: [
    {
      ssid: "myssid",
      bssid: mac("24:0a:c4:11:22:33"),
      channel: 6,
      rssi: -48,
      authMode: AuthMode.WPA2_PSK,
      passphrase: "mypassword",
      ip: "192.168.1.57",
    },
    {
      // Two APs of one mesh network: the station joins the stronger one.
      ssid: "HomeNet",
      bssid: mac("f4:92:bf:10:20:01"),
      channel: 1,
      rssi: -55,
      authMode: AuthMode.WPA2_PSK,
      passphrase: "correct horse battery",
      ip: "192.168.0.23",
    },
    {
      ssid: "HomeNet",
      bssid: mac("f4:92:bf:10:20:02"),
      channel: 11,
      rssi: -74,
      authMode: AuthMode.WPA2_PSK,
      passphrase: "correct horse battery",
      ip: "192.168.0.23",
    },
    {
      ssid: "Office5",
      bssid: mac("00:1a:1e:5a:00:05"),
      channel: 11,
      rssi: -67,
      authMode: AuthMode.WPA_WPA2_PSK,
      passphrase: "office-5-pass",
      ip: "10.20.30.44",
      associationMs: 400,
      dhcpMs: 1500,
    },
    {
      ssid: "Cafe",
      bssid: mac("c0:ff:ee:00:00:01"),
      channel: 3,
      rssi: -79,
      authMode: AuthMode.OPEN,
      ip: "172.16.5.120",
    },
    {
      ssid: "Neighbour-WPA3",
      bssid: mac("b0:be:76:aa:bb:cc"),
      channel: 9,
      rssi: -83,
      authMode: AuthMode.WPA3_PSK,
      passphrase: "sae-only-secret",
      ip: "192.168.178.31",
    },
    {
      ssid: "HiddenLab",
      bssid: mac("02:00:00:1a:b0:01"),
      channel: 4,
      rssi: -61,
      authMode: AuthMode.WPA2_PSK,
      passphrase: "hidden-lab-pass",
      ip: "10.0.7.15",
      hidden: true,
    },
    {
      // Demo fault: associates but its DHCP server never answers, so the device keeps reporting Connecting.
      ssid: "Guest-NoDHCP",
      bssid: mac("02:00:00:9e:57:01"),
      channel: 13,
      rssi: -72,
      authMode: AuthMode.WPA2_PSK,
      passphrase: "guestguest",
      faults: { dhcpNeverAnswers: true },
    },
    {
      // Demo fault: gone while the device associates (reason 201), and from later scans.
      ssid: "Flaky-Repeater",
      bssid: mac("02:00:00:f1:a4:01"),
      channel: 8,
      rssi: -86,
      authMode: AuthMode.WPA2_PSK,
      passphrase: "repeater-pass",
      faults: { vanishMidConnect: true },
    },
  ],
};
