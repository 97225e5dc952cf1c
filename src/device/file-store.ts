/**
 * The device's "NVS": one small JSON file in the state directory, replaced atomically so that a crash or power
 * cut at any moment leaves either the old or the new state (protocol.md §8.3: credentials are stored at Apply,
 * before the outcome is known, and decide at the next start whether the device is provisioned).
 *
 * File format (version 1):
 *   { "format": "wifiprov-device-state", "version": 1, "mac": "240ac4112233",
 *     "credentials": { "ssidHex": "6d7973736964", "passphraseHex": "6d7970617373776f7264" } }
 * SSID and passphrase are hex because they are bytes on the wire, not necessarily UTF-8.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { StorageError, UsageError } from "../errors.js";
import type { Logger } from "../logger.js";
import { childLogger, defaultLogger } from "../logger.js";
import type { DeviceState, StateStore, StoredCredentials } from "./store.js";
import { copyDeviceState, deviceStateProblem } from "./store.js";

export interface FileStateStoreOptions {
  /** The state directory; created with mode 0700 when missing. */
  dir: string;
  /** File name inside `dir`. Default "state.json". */
  fileName?: string;
  logger?: Logger;
}

export const stateFileFormat = "wifiprov-device-state";
export const stateFileVersion = 1;

export class FileStateStore implements StateStore {
  readonly dir: string;
  /** Absolute or relative path of the state file. */
  readonly path: string;
  readonly #fileName: string;
  readonly #log: Logger;
  /** Operations run one at a time, in call order, so a later save always wins. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: FileStateStoreOptions) {
    this.dir = options.dir;
    this.#fileName = options.fileName ?? "state.json";
    this.path = join(this.dir, this.#fileName);
    this.#log = childLogger(options.logger ?? defaultLogger, "state");
  }

  load(): Promise<DeviceState> {
    return this.#exclusive(() => this.#load());
  }

  save(state: DeviceState): Promise<void> {
    const problem = deviceStateProblem(state);
    if (problem !== undefined) return Promise.reject(new UsageError(`cannot save device state: ${problem}`));
    const text = encodeStateFile(copyDeviceState(state));
    return this.#exclusive(() => this.#write(text));
  }

  eraseCredentials(): Promise<void> {
    return this.#exclusive(async () => {
      const state = await this.#load();
      if (state.credentials === undefined) return;
      await this.#write(encodeStateFile(state.mac === undefined ? {} : { mac: state.mac }));
    });
  }

  #exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #load(): Promise<DeviceState> {
    await this.#removeLeftoverTempFiles();
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === "ENOENT") return {};
      if ((cause as NodeJS.ErrnoException).code === "ENOTDIR") throw this.#notADirectory(cause);
      throw new StorageError(`cannot read ${this.path}: ${errorCode(cause)}`, {
        cause,
        hint: "check that the state directory is readable by this user",
      });
    }
    const decoded = decodeStateFile(text);
    if ("state" in decoded && decoded.problems.length === 0) return decoded.state;
    // Unreadable state must not stop the device: what cannot be read falls back to its default (no
    // credentials = unprovisioned, like an erased NVS; no MAC = a new one), every field that is still valid is
    // kept (above all the MAC, which names the SoftAP), and the bad file is kept for inspection. The problem
    // text never contains the file's values.
    const problem = "state" in decoded ? decoded.problems.join("; ") : decoded.problem;
    const kept = "state" in decoded ? decoded.state : {};
    const aside = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    const outcome =
      (kept.mac !== undefined ? "; kept the MAC" : "") +
      (kept.credentials !== undefined
        ? `${kept.mac !== undefined ? " and" : "; kept"} the credentials`
        : " and starting unprovisioned");
    try {
      await rename(this.path, aside);
      // The store's file holds the last good state again, so the next start keeps the same MAC.
      if (kept.mac !== undefined || kept.credentials !== undefined) await this.#write(encodeStateFile(kept));
      this.#log.warn(`state file ${this.path} ${problem}; moved it to ${aside}${outcome}`);
    } catch (cause) {
      this.#log.warn(
        `state file ${this.path} ${problem}; could not move it aside (${errorCode(cause)}), ignoring it`,
      );
    }
    return kept;
  }

  #notADirectory(cause: unknown): StorageError {
    return new StorageError(`the state directory ${this.dir} is a file, not a directory`, {
      cause,
      hint: "give a directory path for the device's state (it is created when missing)",
    });
  }

  /** Temp file in the same directory, write, fsync, rename over the old file, fsync the directory. */
  async #write(text: string): Promise<void> {
    const temp = join(this.dir, `${this.#fileName}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const handle = await open(temp, "wx", 0o600);
      try {
        await handle.writeFile(text, "utf8");
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
      await syncDirectory(this.dir);
    } catch (cause) {
      await rm(temp, { force: true }).catch(() => undefined);
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === "ENOTDIR" || code === "EEXIST") throw this.#notADirectory(cause);
      throw new StorageError(`cannot write ${this.path}: ${errorCode(cause)}`, {
        cause,
        hint: "check that the state directory is writable and the disk is not full",
      });
    }
  }

  /** A crash between creating and renaming a temp file leaves it behind; it never holds the live state. */
  async #removeLeftoverTempFiles(): Promise<void> {
    try {
      const prefix = `${this.#fileName}.tmp-`;
      for (const name of await readdir(this.dir)) {
        if (name.startsWith(prefix)) await rm(join(this.dir, name), { force: true });
      }
    } catch {
      // Best effort: leftovers are harmless.
    }
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch (cause) {
    // Some file systems cannot fsync a directory; the rename is still atomic there.
    if ((cause as NodeJS.ErrnoException).code !== "EINVAL") throw cause;
  } finally {
    await handle.close();
  }
}

function errorCode(cause: unknown): string {
  return (cause as NodeJS.ErrnoException).code ?? String(cause);
}

export function encodeStateFile(state: DeviceState): string {
  const file: Record<string, unknown> = { format: stateFileFormat, version: stateFileVersion };
  if (state.mac !== undefined) file.mac = Buffer.from(state.mac).toString("hex");
  if (state.credentials !== undefined) {
    file.credentials = {
      ssidHex: Buffer.from(state.credentials.ssid).toString("hex"),
      passphraseHex: Buffer.from(state.credentials.passphrase).toString("hex"),
    };
  }
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Reads a state file's text. `problem`: the file as a whole is unusable. `problems`: fields that are bad; `state`
 * holds every field that is still valid. Problems describe the file without quoting it.
 */
export function decodeStateFile(
  text: string,
): { state: DeviceState; problems: string[] } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: text.length === 0 ? "is empty" : "is not valid JSON (truncated or corrupt)" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { problem: "is not a JSON object" };
  }
  const file = json as Record<string, unknown>;
  if (file.format !== stateFileFormat) {
    return { problem: `is not a wifiprov state file (format marker "${stateFileFormat}" missing)` };
  }
  if (file.version !== stateFileVersion) {
    const shown = typeof file.version === "number" ? String(file.version) : "missing";
    return { problem: `has version ${shown}, this build reads version ${stateFileVersion}` };
  }
  const state: DeviceState = {};
  const problems: string[] = [];
  if (file.mac !== undefined) {
    const mac = hexBytes(file.mac, 6, 6);
    if (mac === undefined) problems.push("has a bad mac (want 12 hex digits)");
    else state.mac = mac;
  }
  if (file.credentials !== undefined) {
    const credentials = decodeCredentials(file.credentials);
    if (typeof credentials === "string") problems.push(credentials);
    else state.credentials = credentials;
  }
  return { state, problems };
}

function decodeCredentials(c: unknown): StoredCredentials | string {
  if (typeof c !== "object" || c === null || Array.isArray(c)) return "has bad credentials";
  const record = c as Record<string, unknown>;
  const ssid = hexBytes(record.ssidHex, 0, 32);
  if (ssid === undefined) return "has a bad credentials.ssidHex (want 0–32 bytes as hex)";
  const passphrase = hexBytes(record.passphraseHex, 0, 64);
  if (passphrase === undefined) return "has a bad credentials.passphraseHex (want 0–64 bytes as hex)";
  return { ssid, passphrase };
}

function hexBytes(value: unknown, min: number, max: number): Uint8Array | undefined {
  if (typeof value !== "string" || !/^([0-9a-fA-F]{2})*$/.test(value)) return undefined;
  const length = value.length / 2;
  if (length < min || length > max) return undefined;
  return new Uint8Array(Buffer.from(value, "hex"));
}
