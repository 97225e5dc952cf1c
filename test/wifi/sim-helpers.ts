/** Small builders for the SimulatedRadio-specific tests. */
import { VirtualClock } from "../../src/clock.js";
import { silentLogger } from "../../src/logger.js";
import { parseBssid, SimulatedRadio } from "../../src/wifi/index.js";
import type { SimulatedAccessPoint, SimulatedEnvironment } from "../../src/wifi/index.js";
import { EventLog } from "./radio-suite.js";

export const utf8 = (s: string) => new TextEncoder().encode(s);
export const mac = Uint8Array.of(0x24, 0x0a, 0xc4, 0x11, 0x22, 0x33);

export function bssid(text: string): Uint8Array {
  const bytes = parseBssid(text);
  if (bytes === undefined) throw new Error(`bad test bssid ${text}`);
  return bytes;
}

export function ap(overrides: Partial<SimulatedAccessPoint> & { ssid: string }): SimulatedAccessPoint {
  return {
    bssid: bssid("02:00:00:00:00:01"),
    channel: 6,
    rssi: -50,
    authMode: 3,
    passphrase: "password1",
    ...overrides,
  };
}

/** A radio 100× faster than real time over `environment`, with an event log attached. */
export function simulated(environment: SimulatedEnvironment): { radio: SimulatedRadio; log: EventLog } {
  const radio = new SimulatedRadio({ mac, environment, timeScale: 0.01, logger: silentLogger });
  return { radio, log: new EventLog(radio) };
}

/**
 * A radio on a VirtualClock that its event log moves (`log.waitFor`, `log.run`, `log.quiet`): for checks that
 * something never happens, which advance time past every delay instead of waiting.
 */
export function simulatedOnVirtualClock(environment: SimulatedEnvironment): {
  radio: SimulatedRadio;
  log: EventLog;
  clock: VirtualClock;
} {
  const clock = new VirtualClock();
  const radio = new SimulatedRadio({ mac, environment, clock, logger: silentLogger });
  return { radio, log: new EventLog(radio, clock), clock };
}

/** Generous bound for one outcome; the simulated delays are tens of milliseconds at this scale. */
export const outcomeMs = 5000;
