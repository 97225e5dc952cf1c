/**
 * NetworkManager's AccessPoint numbers in the units Wi-Fi people use, for both the device's radio and the
 * laptop's join: channel from the centre frequency, dBm from NetworkManager's 0–100 % strength.
 */

/** IEEE 802.11 channel numbering: 2.4 GHz ch 1–13 at 2412 + 5(n−1), ch 14 at 2484; 5 GHz (f−5000)/5; 6 GHz (f−5950)/5. */
export function channelFromFrequency(mhz: number): number {
  if (mhz === 2484) return 14;
  if (mhz >= 2412 && mhz <= 2472) return (mhz - 2407) / 5;
  if (mhz >= 5160 && mhz <= 5885) return (mhz - 5000) / 5;
  if (mhz >= 5955 && mhz <= 7115) return (mhz - 5950) / 5;
  return 0;
}

/**
 * NetworkManager derives Strength from dBm linearly, clamping to −100…−40 dBm (nm_wifi_utils_level_to_quality):
 * 0 % = −100 dBm, 100 % = −40 dBm. This is its inverse.
 */
export function rssiFromStrength(strength: number): number {
  const clamped = Math.min(100, Math.max(0, strength));
  return Math.round(-100 + (clamped * 60) / 100);
}
