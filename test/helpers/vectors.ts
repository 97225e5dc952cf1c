/** Loads the golden vectors copied into test/vectors (a clone must pass without ../shared). */
import { readFileSync } from "node:fs";

export function loadVector<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), "utf8")) as T;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

export function unhex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "hex"));
}
