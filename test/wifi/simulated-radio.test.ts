// The Radio contract against SimulatedRadio on the built-in environment, a hundred times faster than real time.
import { defaultEnvironment, SimulatedRadio } from "../../src/wifi/index.js";
import { silentLogger } from "../../src/logger.js";
import { radioSuite } from "./radio-suite.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

radioSuite("SimulatedRadio", async () => ({
  radio: new SimulatedRadio({
    mac: Uint8Array.of(0x24, 0x0a, 0xc4, 0x11, 0x22, 0x33),
    environment: defaultEnvironment,
    timeScale: 0.01,
    logger: silentLogger,
  }),
  reachable: { ssid: utf8("myssid"), passphrase: utf8("mypassword") },
  protectedNetwork: { ssid: utf8("myssid"), wrongPassphrase: utf8("not-my-password") },
  absentSsid: utf8("NoSuchNetwork-7f3a"),
  eventTimeoutMs: 5000,
  quietMs: 150,
}));
