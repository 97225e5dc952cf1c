// The Radio contract suite against the NetworkManager backend, on a private D-Bus with a mock NetworkManager.
import { describe } from "node:test";
import { needsMockNm } from "../../helpers/nm-mock/mock-nm.js";
import { radioSuite } from "../radio-suite.js";
import { startMockWithRadio } from "./fixture.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("NetworkManagerRadio contract", needsMockNm(), () => {
  radioSuite("NetworkManagerRadio", async () => {
    const { radio, mock } = await startMockWithRadio();
    return {
      radio,
      reachable: { ssid: utf8("myssid"), passphrase: utf8("mypassword") },
      protectedNetwork: { ssid: utf8("myssid"), wrongPassphrase: utf8("wrong-password") },
      absentSsid: utf8("not-in-range"),
      eventTimeoutMs: 5000,
      quietMs: 150,
      cleanup: () => mock.stop(),
    };
  });
});
