/**
 * What the handshake benchmarks share, on Node (security.bench.ts) and in Chromium (browser.bench.ts through
 * test/browser/vector-page.ts): a random source that repeats itself, so that the untimed peer's messages can
 * be computed once and stay valid while the timed side redoes all of its own work on every run. No Node
 * module here: it is bundled for the browser.
 */
import { defaultRandomBytes } from "../src/crypto/random.js";
import { createClientSession, createDeviceSecurity } from "../src/security/index.js";
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
