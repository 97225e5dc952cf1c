/**
 * The laptop the join tests run on: two Wi-Fi interfaces, the home network active on wlan0 (what --join must
 * put back), two provisioning SoftAPs (WPA2 with ESP's default password, and open) and a café.
 */
import type { MockNmOptions } from "../helpers/nm-mock/mock-nm.js";

export const laptopWorld: MockNmOptions = {
  devices: [
    { iface: "wlan0", mac: "3C:22:FB:00:00:01" },
    { iface: "wlan1", mac: "3C:22:FB:00:00:02" },
  ],
  networks: [
    { ssid: "home", psk: "homepass1", bssid: "AA:BB:CC:00:00:01", frequency: 2437, strength: 90 },
    { ssid: "PROV_A1B2C3", psk: "PROV_PASS", bssid: "24:0A:C4:A1:B2:C3", frequency: 2412, strength: 70 },
    {
      ssid: "PROV_OPEN01",
      bssid: "24:0A:C4:00:00:01",
      frequency: 2462,
      strength: 40,
      security: "open",
      ip: "192.168.4.2",
    },
    { ssid: "cafe", bssid: "AA:BB:CC:00:00:03", frequency: 5180, strength: 50, security: "open" },
  ],
  active: [{ iface: "wlan0", ssid: "home", psk: "homepass1" }],
  behaviour: { not_found_ms: 50 },
};
