/**
 * What the handshake benchmarks share, on Node (security.bench.ts) and in Chromium (browser.bench.ts through
 * test/browser/vector-page.ts): a random source that repeats itself, so that the untimed peer's messages can
 * be computed once and stay valid while the timed side redoes all of its own work on every run. No Node
 * module here: it is bundled for the browser.
 */
import { defaultRandomBytes } from "../src/crypto/random.js";
import { createClientSession, createDeviceSecurity, generateSec2Credentials } from "../src/security/index.js";
import type { ClientSessionOptions, DeviceSecurityOptions, RandomBytes } from "../src/security/index.js";

/** A source that returns the same bytes for the same request length on every call. */
export function repeatingRandom(): RandomBytes {
  const cache = new Map<number, Uint8Array>();
  return (length) => {
    let bytes = cache.get(length);
    if (bytes === undefined) {
      bytes = defaultRandomBytes(length);
      cache.set(length, bytes);
    }
    return Uint8Array.from(bytes);
  };
}

/** Every handshake message in order: client request, device reply, client request, … */
export function transcript(device: DeviceSecurityOptions, client: ClientSessionOptions): Uint8Array[] {
  const d = createDeviceSecurity(device).createSession();
  const c = createClientSession(client);
  const messages: Uint8Array[] = [];
  let request: Uint8Array | null = c.begin();
  while (request !== null) {
    const reply = d.handshake(request);
    messages.push(request, reply);
    request = c.next(reply);
  }
  return messages;
}

/**
 * One sec2 handshake (patch 1) of both roles in memory, with every exponentiation on the calling thread: an
 * explicit random source keeps the powers precomputed on another thread (src/crypto/power-pool.ts) out. Its
 * CPU is the floor of a sec2 session's.
 */
export function sec2HandshakePair(): () => void {
  const { salt, verifier } = generateSec2Credentials("wifiprov", "abcd1234");
  const random = defaultRandomBytes;
  const security = createDeviceSecurity({ version: 2, patchVersion: 1, salt, verifier, random });
  const client: ClientSessionOptions = {
    version: 2,
    patchVersion: 1,
    username: "wifiprov",
    password: "abcd1234",
    random,
  };
  return () => {
    const device = security.createSession();
    const session = createClientSession(client);
    let request: Uint8Array | null = session.begin();
    while (request !== null) request = session.next(device.handshake(request));
  };
}
