/** Shared test helpers: vector shapes, hex helpers, a full client ↔ device handshake driver. */
import type { ClientSecuritySession, DeviceSecuritySession } from "../../src/security/index.js";
import { unhex } from "../helpers/vectors.js";

export interface SessionStep {
  step?: string;
  direction: string;
  endpoint: string;
  hex: string;
}

export interface Exchange {
  name: string;
  endpoint: string;
  request_plain: string;
  request_encrypted: string;
  response_plain: string;
  response_encrypted: string;
  ctr_stream_offset_before?: number;
  ctr_stream_offset_before_response?: number;
  nonce?: string;
  nonce_response?: string;
}

export interface Sec2Vector {
  sec_patch_ver: 0 | 1;
  username: string;
  password: string;
  salt: string;
  verifier: string;
  x: string;
  k: string;
  client_a: string;
  client_A: string;
  device_b: string;
  device_B: string;
  device_B_len: number;
  u: string;
  S: string;
  S_len: number;
  K: string;
  H_N_xor_H_padg: string;
  H_username: string;
  M1_client_proof: string;
  M2_device_proof: string;
  device_nonce: string;
  aes_gcm_key: string;
  session: SessionStep[];
  exchanges: Exchange[];
}

/** Runs a full handshake between a client session and a device session; returns the message count. */
export function handshake(client: ClientSecuritySession, device: DeviceSecuritySession): number {
  let request: Uint8Array | null = client.begin();
  let messages = 0;
  while (request !== null) {
    const reply = device.handshake(request);
    messages += 2;
    request = client.next(reply);
  }
  return messages;
}

/** Hex strings → byte strings, for queuedRandomBytes. */
export const chunks = (...hexes: string[]): Uint8Array[] => hexes.map((h) => unhex(h));
