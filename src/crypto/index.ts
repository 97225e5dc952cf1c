/** crypto layer: primitives for the security schemes (protocol.md §6, §7); knows nothing of messages. */
export * from "./random.js";
export * from "./bytes.js";
export * from "./hash.js";
export * from "./x25519.js";
export * from "./aes-ctr.js";
export * from "./aes-gcm.js";
export * from "./modpow.js";
export * from "./srp.js";
export type { AesCtrKeystream, CryptoPort, X25519PrivateKey } from "./port.js";
