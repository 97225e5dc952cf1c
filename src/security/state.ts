/** Handshake states shared by the sec1/sec2 session classes (protocol.md §7.7). */
import { SessionError } from "../errors.js";

/** Device: initial → (Cmd0 ok) → awaiting-cmd1 → (Cmd1 ok) → established; close() → closed. */
export type DeviceHandshakeState = "initial" | "awaiting-cmd1" | "established" | "closed";

/** Client: initial → begin() → awaiting-response0 → awaiting-response1 → established; close() → closed. */
export type ClientHandshakeState =
  "initial" | "awaiting-response0" | "awaiting-response1" | "established" | "closed";

export function requireEstablished(state: DeviceHandshakeState | ClientHandshakeState, scheme: string): void {
  if (state === "established") return;
  if (state === "closed") throw new SessionError(`${scheme} session is closed`);
  throw new SessionError(`${scheme} session is not established (handshake ${state})`, {
    hint: "complete the prov-session handshake before using request endpoints",
  });
}

export function requireOpen(state: DeviceHandshakeState | ClientHandshakeState, scheme: string): void {
  if (state === "closed") throw new SessionError(`${scheme} session is closed`);
}
