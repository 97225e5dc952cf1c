/** Factories: the entry points other layers use (device security parameters, client sessions). */
import { UsageError } from "../errors.js";
import { toBytes } from "../crypto/bytes.js";
import { ClientSession0, DeviceSession0 } from "./session0.js";
import { ClientSession1, DeviceSession1 } from "./session1.js";
import { ClientSession2, DeviceSession2 } from "./session2.js";
import type {
  ClientSecuritySession,
  DeviceSecurity,
  DeviceSecuritySession,
  RandomBytes,
  SecurityPatchVersion,
  SecurityVersion,
} from "./types.js";

/**
 * Device parameters. Strings are UTF-8 encoded.
 * - `pop`: empty or absent = no PoP (key = shared secret), as ESP-IDF does.
 * - `restartOnCmd0` (default true, v5.5): Cmd0 in any state silently restarts the handshake;
 *   false = v4.0 behaviour (Cmd0 after a started handshake fails).
 * - sec2 `salt`/`verifier`: as produced by generateSec2Credentials or esp_prov --sec2_gen_cred.
 */
export type DeviceSecurityOptions =
  | { version: 0 }
  | { version: 1; pop?: Uint8Array | string; restartOnCmd0?: boolean; random?: RandomBytes }
  | {
      version: 2;
      patchVersion: 0 | 1;
      salt: Uint8Array;
      verifier: Uint8Array;
      restartOnCmd0?: boolean;
      random?: RandomBytes;
    };

export function createDeviceSecurity(options: DeviceSecurityOptions): DeviceSecurity {
  switch (options.version) {
    case 0:
      return fixed(0, 0, () => new DeviceSession0());
    case 1: {
      const pop = toBytes(options.pop ?? "");
      const restartOnCmd0 = options.restartOnCmd0 ?? true;
      const random = options.random;
      return fixed(1, 0, () => new DeviceSession1({ pop, restartOnCmd0, ...(random ? { random } : {}) }));
    }
    case 2: {
      const { patchVersion, random } = options;
      checkPatchVersion(patchVersion);
      if (options.salt.length === 0 || options.verifier.length === 0) {
        throw new UsageError("sec2 needs a non-empty salt and verifier", {
          hint: "generate them with generateSec2Credentials(username, password)",
        });
      }
      const salt = Uint8Array.from(options.salt);
      const verifier = Uint8Array.from(options.verifier);
      const restartOnCmd0 = options.restartOnCmd0 ?? true;
      return fixed(
        2,
        patchVersion,
        () =>
          new DeviceSession2({ patchVersion, salt, verifier, restartOnCmd0, ...(random ? { random } : {}) }),
      );
    }
    default:
      throw new UsageError(`unknown security version ${String((options as { version: unknown }).version)}`);
  }
}

function fixed(
  version: SecurityVersion,
  patchVersion: SecurityPatchVersion,
  createSession: () => DeviceSecuritySession,
): DeviceSecurity {
  return { version, patchVersion, createSession };
}

function checkPatchVersion(patchVersion: number): void {
  if (patchVersion !== 0 && patchVersion !== 1) {
    throw new UsageError(`sec2 patch version must be 0 or 1, got ${patchVersion}`);
  }
}

/**
 * Client parameters. Strings are UTF-8 encoded (esp_prov encodes latin-1: use ASCII for compatibility).
 * `patchVersion` comes from the device's proto-ver `sec_patch_ver` (missing ⇒ 0).
 */
export type ClientSessionOptions =
  | { version: 0 }
  | { version: 1; pop?: Uint8Array | string; random?: RandomBytes }
  | {
      version: 2;
      patchVersion: 0 | 1;
      username: Uint8Array | string;
      password: Uint8Array | string;
      random?: RandomBytes;
    };

export function createClientSession(options: ClientSessionOptions): ClientSecuritySession {
  switch (options.version) {
    case 0:
      return new ClientSession0();
    case 1: {
      const random = options.random;
      return new ClientSession1({ pop: toBytes(options.pop ?? ""), ...(random ? { random } : {}) });
    }
    case 2: {
      const { patchVersion, username, password, random } = options;
      checkPatchVersion(patchVersion);
      if (toBytes(username).length === 0) {
        throw new UsageError("sec2 username must not be empty", { hint: "pass the device's SRP username" });
      }
      return new ClientSession2({ patchVersion, username, password, ...(random ? { random } : {}) });
    }
    default:
      throw new UsageError(`unknown security version ${String((options as { version: unknown }).version)}`);
  }
}
