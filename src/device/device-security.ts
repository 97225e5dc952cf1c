/**
 * The device's security choice (security 0, 1 with a PoP, 2 with SRP credentials) turned into the session
 * factory protocomm uses, what `proto-ver` announces about it, and what the QR payload carries.
 */
import { UsageError } from "../errors.js";
import { createDeviceSecurity, generateSec2Credentials } from "../security/index.js";
import type { DeviceSecurity } from "../security/index.js";
import type { CompatRules } from "./compat.js";

export type DeviceSecurityChoice =
  | { version: 0 }
  | { version: 1; pop?: string }
  | {
      version: 2;
      /** SRP username, default "wifiprov" (the wifi_prov_mgr example's dev-mode credentials). */
      username?: string;
      /** SRP password, default "abcd1234"; used to derive salt/verifier unless both are given. */
      password?: string;
      salt?: Uint8Array;
      verifier?: Uint8Array;
      /** Default from the compat profile: 1 for idf-v5.5, 0 for idf-v5.0. */
      patchVersion?: 0 | 1;
    };

export const DEFAULT_POP = "abcd1234";
const DEFAULT_SEC2_USERNAME = "wifiprov";
const DEFAULT_SEC2_PASSWORD = "abcd1234";

export interface SecuritySetup {
  security: DeviceSecurity;
  hasPop: boolean;
  qr: { username?: string; pop?: string };
}

export function setUpSecurity(
  choice: DeviceSecurityChoice,
  rules: CompatRules,
  legacySecurity: boolean,
): SecuritySetup {
  if (choice.version !== 2 && rules.legacySecurityOptIn && !legacySecurity) {
    // network_provisioning's manager.c returns ESP_ERR_NOT_SUPPORTED for a scheme the build left out.
    throw new UsageError(
      `security ${choice.version} is not built into ${rules.profile} firmware by default`,
      {
        hint: `use security 2, or opt in as the firmware's Kconfig would (npx wifiprov device --sec-ver ${choice.version} --legacy-security)`,
      },
    );
  }
  switch (choice.version) {
    case 0:
      return { security: createDeviceSecurity({ version: 0 }), hasPop: false, qr: {} };
    case 1: {
      const pop = choice.pop ?? "";
      return {
        security: createDeviceSecurity({ version: 1, pop, restartOnCmd0: rules.restartOnCmd0 }),
        hasPop: pop !== "",
        qr: pop === "" ? {} : { pop },
      };
    }
    case 2: {
      if (!rules.sec2) {
        throw new UsageError(`security 2 does not exist in ${rules.profile}`, {
          hint: "use --sec-ver 0 or 1 with --compat idf-v4.0, or a v5.x profile for sec2",
        });
      }
      const username = choice.username ?? DEFAULT_SEC2_USERNAME;
      const password = choice.password ?? DEFAULT_SEC2_PASSWORD;
      if ((choice.salt === undefined) !== (choice.verifier === undefined)) {
        throw new UsageError("sec2 salt and verifier must be given together", {
          hint: "pass both --sec2-salt and --sec2-verifier, or neither to derive them from the password",
        });
      }
      const { salt, verifier } =
        choice.salt !== undefined && choice.verifier !== undefined
          ? { salt: choice.salt, verifier: choice.verifier }
          : generateSec2Credentials(username, password);
      const patchVersion = choice.patchVersion ?? rules.sec2PatchVersion;
      return {
        security: createDeviceSecurity({
          version: 2,
          patchVersion,
          salt,
          verifier,
          restartOnCmd0: rules.restartOnCmd0,
        }),
        hasPop: true,
        // With given salt/verifier the password may be unknown; the QR then carries only the username.
        qr:
          choice.salt !== undefined && choice.password === undefined
            ? { username }
            : { username, pop: password },
      };
    }
  }
}
