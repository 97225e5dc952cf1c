/** A NetworkManagerRadio on a private bus whose NetworkManager is our dbusmock template (test/helpers/nm-mock). */
import { silentLogger } from "../../../src/logger.js";
import { NetworkManagerRadio } from "../../../src/wifi/networkmanager/index.js";
import type { NetworkManagerRadioOptions } from "../../../src/wifi/networkmanager/index.js";
import { MockNetworkManager } from "../../helpers/nm-mock/mock-nm.js";
import type { MockNmOptions } from "../../helpers/nm-mock/mock-nm.js";

export const homeNetworks: NonNullable<MockNmOptions["networks"]> = [
  {
    ssid: "myssid",
    psk: "mypassword",
    bssid: "AA:BB:CC:00:00:01",
    frequency: 2437,
    strength: 80,
    ip: "192.168.1.50",
  },
  {
    ssid: "neighbour",
    psk: "whatever-pass",
    bssid: "AA:BB:CC:00:00:02",
    frequency: 2462,
    strength: 40,
    security: "wpa",
  },
  { ssid: "cafe", bssid: "AA:BB:CC:00:00:03", frequency: 2412, strength: 60, security: "open" },
];

export const fastTimeouts = { callMs: 5000, scanMs: 3000, activationMs: 4000, softApMs: 3000 };

export async function startMockWithRadio(
  mockOptions: MockNmOptions = {},
  radioOptions: Partial<NetworkManagerRadioOptions> = {},
): Promise<{ mock: MockNetworkManager; radio: NetworkManagerRadio; stop(): Promise<void> }> {
  const mock = await MockNetworkManager.start({ networks: homeNetworks, ...mockOptions });
  try {
    const radio = await NetworkManagerRadio.open({
      apInterface: "wlan0",
      busAddress: mock.address,
      timeouts: fastTimeouts,
      logger: silentLogger,
      ...radioOptions,
    });
    return {
      mock,
      radio,
      async stop() {
        await radio.close();
        await mock.stop();
      },
    };
  } catch (error) {
    await mock.stop();
    throw error;
  }
}
