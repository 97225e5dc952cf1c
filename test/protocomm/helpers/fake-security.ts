/**
 * Test-only DeviceSecurity implementations, so protocomm and the transports can be tested without the real
 * security schemes (src/security is another layer):
 * - sec0Like(): a real sec0 handshake (S0SessionCmd → S0SessionResp) with identity cipher, as ESP does it;
 * - fakeSecurity(): a toy scheme of version 1 or 2 whose handshake accepts the body "ok" (or "ok1","ok2" over
 *   several steps) and rejects "bad" with AuthenticationError; its "cipher" XORs with 0x5a (and for version 2
 *   appends/checks a 16-byte tag), which is enough to see that protocomm encrypts and decrypts around handlers.
 */
import { AuthenticationError, ProtocolError, SessionError } from "../../../src/errors.js";
import {
  decode,
  encode,
  Sec0MsgType,
  SecSchemeVersion,
  SessionDataSchema,
  Status,
} from "../../../src/proto/index.js";
import type { DeviceSecurity, DeviceSecuritySession, SecurityVersion } from "../../../src/security/types.js";

export function sec0Like(): DeviceSecurity & { created: number; closed: number } {
  const stats = { created: 0, closed: 0 };
  return {
    version: 0,
    patchVersion: 0,
    get created() {
      return stats.created;
    },
    get closed() {
      return stats.closed;
    },
    createSession(): DeviceSecuritySession {
      stats.created += 1;
      let open = true;
      return {
        version: 0,
        established: true,
        handshake(request) {
          if (!open) throw new SessionError("closed");
          const data = decode(SessionDataSchema, request);
          if (data.proto.case !== "sec0" || data.proto.value.msg !== Sec0MsgType.S0_Session_Command) {
            throw new ProtocolError("not a sec0 command");
          }
          return encode(SessionDataSchema, {
            secVer: SecSchemeVersion.SecScheme0,
            proto: {
              case: "sec0",
              value: {
                msg: Sec0MsgType.S0_Session_Response,
                payload: { case: "sr", value: { status: Status.Success } },
              },
            },
          });
        },
        encrypt: (p) => p,
        decrypt: (c) => c,
        close() {
          if (open) stats.closed += 1;
          open = false;
        },
      };
    },
  };
}

const text = new TextDecoder();

export function xor(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => b ^ 0x5a);
}

export interface FakeSecurity extends DeviceSecurity {
  readonly sessions: Array<{ closed: boolean; established: boolean }>;
}

export function fakeSecurity(version: Exclude<SecurityVersion, 0>, steps = 1): FakeSecurity {
  const sessions: Array<{ closed: boolean; established: boolean }> = [];
  return {
    version,
    patchVersion: version === 2 ? 1 : 0,
    sessions,
    createSession(): DeviceSecuritySession {
      const state = { closed: false, established: false };
      sessions.push(state);
      let step = 0;
      const live = () => {
        if (state.closed) throw new SessionError("session closed");
      };
      return {
        version,
        get established() {
          return state.established;
        },
        handshake(request) {
          live();
          const body = text.decode(request);
          if (body === "bad") throw new AuthenticationError("proof mismatch");
          if (state.established || body !== (steps === 1 ? "ok" : `ok${step + 1}`)) {
            throw new ProtocolError(`unexpected handshake body ${body}`);
          }
          step += 1;
          if (step === steps) state.established = true;
          return new TextEncoder().encode(`step${step}`);
        },
        encrypt(plaintext) {
          live();
          if (!state.established) throw new SessionError("not established");
          const body = xor(plaintext);
          return version === 2 ? new Uint8Array([...body, ...new Uint8Array(16)]) : body;
        },
        decrypt(ciphertext) {
          live();
          if (!state.established) throw new SessionError("not established");
          if (version === 2) {
            if (ciphertext.length < 16) throw new AuthenticationError("short");
            return xor(ciphertext.subarray(0, ciphertext.length - 16));
          }
          return xor(ciphertext);
        },
        close() {
          state.closed = true;
        },
      };
    },
  };
}
