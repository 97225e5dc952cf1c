// The Radio contract against SimulatedRadio on the built-in environment, on a virtual clock the suite moves.
import { VirtualClock } from "../../src/clock.js";
import { defaultEnvironment, SimulatedRadio } from "../../src/wifi/index.js";
import { silentLogger } from "../../src/logger.js";
import { radioSuite } from "./radio-suite.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

radioSuite("SimulatedRadio", async () => {
  const clock = new VirtualClock();
  return {
    radio: new SimulatedRadio({
      mac: Uint8Array.of(0x24, 0x0a, 0xc4, 0x11, 0x22, 0x33),
      environment: defaultEnvironment,
      clock,
      logger: silentLogger,
    }),
    clock,
    reachable: { ssid: utf8("myssid"), passphrase: utf8("mypassword") },
    protectedNetwork: { ssid: utf8("myssid"), wrongPassphrase: utf8("not-my-password") },
    absentSsid: utf8("NoSuchNetwork-7f3a"),
    // Radio time: the default environment's slowest outcome (a wrong WPA2 key) takes 3.75 s.
    eventTimeoutMs: 10_000,
    // A minute of radio time outlasts every delay the simulated radio has (the longest is seconds).
    quietMs: 60_000,
  };
});
