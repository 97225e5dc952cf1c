/**
 * The sequence of states the crash-safety child saves: they alternate between provisioned (credentials whose
 * lengths vary, so a torn write could not pass for a good one) and erased, and every state's MAC encodes its
 * index, so any state read back says exactly which save produced it.
 */
import type { DeviceState } from "../../src/device/store.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

export function stateFor(i: number): DeviceState {
  const mac = Uint8Array.of(0x02, 0x00, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff, 0x5a);
  if (i % 2 === 1) return { mac };
  const ssid = `net-${i}-${"x".repeat(i % 7)}`;
  const passphrase = `pass-${i}-`.repeat((i % 5) + 1).slice(0, 63);
  return { mac, credentials: { ssid: utf8(ssid), passphrase: utf8(passphrase) } };
}

/** The index whose state this is; -1 for the empty state; undefined if it matches no state of the sequence. */
export function indexOfState(state: DeviceState): number | undefined {
  if (state.mac === undefined && state.credentials === undefined) return -1;
  const mac = state.mac;
  if (mac === undefined || mac.length !== 6) return undefined;
  const i = (mac[2]! << 16) | (mac[3]! << 8) | mac[4]!;
  const expected = stateFor(i);
  const same = (a?: Uint8Array, b?: Uint8Array) => Buffer.from(a ?? []).equals(Buffer.from(b ?? []));
  const matches =
    same(mac, expected.mac) &&
    (state.credentials === undefined) === (expected.credentials === undefined) &&
    same(state.credentials?.ssid, expected.credentials?.ssid) &&
    same(state.credentials?.passphrase, expected.credentials?.passphrase);
  return matches ? i : undefined;
}
