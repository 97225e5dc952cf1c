/**
 * The code a Chromium page runs (bundled by esbuild for `--platform=browser`, so any `node:*` import in the
 * security or crypto layers fails the bundle): replays a golden vector in both roles with the vector's own
 * random bytes and returns what our sessions produced, for Node to compare byte for byte
 * (chromium-vectors.test.ts); and times client handshakes for `npm run bench`.
 */
import { cryptoPort } from "#crypto";
import { bytesToHex, hexToBytes, queuedRandomBytes } from "../../src/crypto/index.js";
import type { RandomBytes } from "../../src/crypto/index.js";
import {
  createClientSession,
  createDeviceSecurity,
  generateSec2Credentials,
} from "../../src/security/index.js";
import type { ClientSessionOptions, DeviceSecurityOptions } from "../../src/security/index.js";
import type { Exchange, SessionStep } from "../security/helpers.js";
import { repeatingRandom, transcript } from "../../bench/handshake-fixture.js";

/** The few browser globals used here (tsconfig has no DOM lib: the rest of the code must not use it). */
const page = globalThis as unknown as {
  isSecureContext: boolean;
  location: { origin: string };
  document: { getElementById(id: string): { textContent: string | null } | null };
};

/** The vector fields the replay needs (test/vectors/README.md). */
export interface ReplayVector {
  session: SessionStep[];
  exchanges: Exchange[];
  pop?: string;
  client_private_key?: string;
  device_private_key?: string;
  device_random?: string;
  sec_patch_ver?: 0 | 1;
  username?: string;
  password?: string;
  salt?: string;
  verifier?: string;
  client_a?: string;
  device_b?: string;
  device_nonce?: string;
}

export interface ReplayCase {
  name: string;
  version: 0 | 1 | 2;
  vector: ReplayVector;
}

/** Hex of everything each role produced, in order: handshake messages, then per exchange two bodies. */
export interface Replay {
  device: string[];
  client: (string | null)[];
}

const queued = (...hexes: string[]): RandomBytes => queuedRandomBytes(hexes.map(hexToBytes));

function options(c: ReplayCase): { device: DeviceSecurityOptions; client: ClientSessionOptions } {
  const v = c.vector;
  if (c.version === 0) return { device: { version: 0 }, client: { version: 0 } };
  if (c.version === 1) {
    return {
      device: { version: 1, pop: v.pop!, random: queued(v.device_private_key!, v.device_random!) },
      client: { version: 1, pop: v.pop!, random: queued(v.client_private_key!) },
    };
  }
  // Device draws b, then the nonce: 8 random bytes + counter 1 for patch 1, the whole nonce for patch 0.
  const nonce = v.sec_patch_ver === 1 ? v.device_nonce!.slice(0, 16) : v.device_nonce!;
  return {
    device: {
      version: 2,
      patchVersion: v.sec_patch_ver!,
      salt: hexToBytes(v.salt!),
      verifier: hexToBytes(v.verifier!),
      random: queued(v.device_b!, nonce),
    },
    client: {
      version: 2,
      patchVersion: v.sec_patch_ver!,
      username: v.username!,
      password: v.password!,
      random: queued(v.client_a!),
    },
  };
}

export function replay(c: ReplayCase): Replay {
  const v = c.vector;
  const { device: deviceOptions, client: clientOptions } = options(c);
  const device = createDeviceSecurity(deviceOptions).createSession();
  const out: Replay = { device: [], client: [] };
  for (let i = 0; i < v.session.length; i += 2) {
    out.device.push(bytesToHex(device.handshake(hexToBytes(v.session[i]!.hex))));
  }
  for (const e of v.exchanges) {
    out.device.push(bytesToHex(device.decrypt(hexToBytes(e.request_encrypted))));
    out.device.push(bytesToHex(device.encrypt(hexToBytes(e.response_plain))));
  }
  const client = createClientSession(clientOptions);
  out.client.push(bytesToHex(client.begin()));
  for (let i = 1; i < v.session.length; i += 2) {
    const next = client.next(hexToBytes(v.session[i]!.hex));
    out.client.push(next === null ? null : bytesToHex(next));
  }
  for (const e of v.exchanges) {
    out.client.push(bytesToHex(client.encrypt(hexToBytes(e.request_plain))));
    out.client.push(bytesToHex(client.decrypt(hexToBytes(e.response_encrypted))));
  }
  return out;
}

/** What the page can see of its platform: on an insecure origin crypto.subtle must be undefined. */
export function environment(): { isSecureContext: boolean; subtle: string; port: string; origin: string } {
  return {
    isSecureContext: page.isSecureContext,
    subtle: typeof globalThis.crypto.subtle,
    port: cryptoPort.name,
    origin: page.location.origin,
  };
}

/**
 * Milliseconds per client handshake (median of `runs`), the device's replies precomputed: the client draws
 * the same random bytes every time, so those replies stay valid while all of its own work (key generation,
 * X25519 or SRP exponentiations, proofs) is redone on each run — as bench/security.bench.ts does on Node.
 */
export function benchClientHandshake(version: 1 | 2, runs: number): number {
  const random = repeatingRandom();
  const client: ClientSessionOptions =
    version === 1
      ? { version: 1, pop: "abcd1234", random }
      : { version: 2, patchVersion: 1, username: "wifiprov", password: "abcd1234", random };
  const device: DeviceSecurityOptions =
    version === 1
      ? { version: 1, pop: "abcd1234" }
      : { version: 2, patchVersion: 1, ...generateSec2Credentials("wifiprov", "abcd1234") };
  const replies = transcript(device, client).filter((_, i) => i % 2 === 1);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const session = createClientSession(client);
    session.begin();
    for (const reply of replies) session.next(reply);
    times.push(performance.now() - t0);
    if (!session.established) throw new Error("client handshake did not complete");
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Shows the results on the page (for a person looking at a screenshot). */
export function show(lines: readonly string[]): void {
  const out = page.document.getElementById("out");
  if (out !== null) out.textContent = lines.join("\n");
}

(globalThis as Record<string, unknown>).wifiprovPage = { replay, environment, benchClientHandshake, show };
