/**
 * Names of ESP-IDF `wifi_auth_mode_t` values, indexed by number and spelled as esp_prov prints them.
 * 0–7 are the proto enum WifiAuthMode; firmware also sends higher raw numbers in scan results and status
 * replies (protocol.md §8.5), which proto3's open enums carry through as plain numbers.
 */
export const AUTH_MODE_NAMES: readonly string[] = [
  "Open",
  "WEP",
  "WPA_PSK",
  "WPA2_PSK",
  "WPA_WPA2_PSK",
  "WPA2_ENTERPRISE",
  "WPA3_PSK",
  "WPA2_WPA3_PSK",
  "WAPI_PSK",
  "OWE",
  "WPA3_ENT_192",
  "WPA3_EXT_PSK",
  "WPA3_EXT_PSK_MIXED_MODE",
  "DPP",
  "WPA3_ENTERPRISE",
  "WPA2_WPA3_ENTERPRISE",
  "WPA_ENTERPRISE",
];
