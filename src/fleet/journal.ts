/**
 * The fleet journal: what has happened to each device of one manifest, written atomically after every change
 * (temp file, fsync, rename, fsync the directory), so that Ctrl-C, a crash or a reboot followed by the same
 * command resumes without provisioning a device twice. It names devices by service name and holds no secret.
 * A journal written for another manifest is refused rather than mixed.
 */
import { createHash, randomBytes } from "node:crypto";
import { open, readFile, rename, rm } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { StorageError, UsageError } from "../errors.js";

export type JournalState = "in-flight" | "connected" | "failed";

export interface JournalEntry {
  state: JournalState;
  /** The report's outcome word when the device is done (connected, failed, handshake-failed, …). */
  outcome?: string;
  reason?: string;
  ip?: string;
  attempts: number;
  updatedAt: string;
}

interface JournalFile {
  format: "wifiprov-fleet-journal";
  version: 1;
  /** SHA-256 of the manifest's text: a journal belongs to one manifest. */
  manifest: string;
  devices: Record<string, JournalEntry>;
}

export function manifestDigest(manifestText: string): string {
  return createHash("sha256").update(manifestText).digest("hex");
}

export class FleetJournal {
  readonly path: string;
  #file: JournalFile;
  /** The write under way, and the one queued behind it (which will carry every change made meanwhile). */
  #current: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  private constructor(path: string, file: JournalFile) {
    this.path = path;
    this.#file = file;
  }

  /** Opens the journal at `path` for the manifest with this digest, or starts an empty one. */
  static async open(path: string, digest: string): Promise<FleetJournal> {
    let text: string | undefined;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new StorageError(`cannot read the journal ${path}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    if (text === undefined) {
      return new FleetJournal(path, {
        format: "wifiprov-fleet-journal",
        version: 1,
        manifest: digest,
        devices: {},
      });
    }
    let file: JournalFile;
    try {
      file = JSON.parse(text) as JournalFile;
      if (
        file.format !== "wifiprov-fleet-journal" ||
        file.version !== 1 ||
        typeof file.devices !== "object"
      ) {
        throw new Error("not a wifiprov fleet journal");
      }
    } catch (cause) {
      throw new UsageError(`${path} is not a wifiprov fleet journal`, {
        cause,
        hint: "give --journal a new file name, or move that file away",
      });
    }
    if (file.manifest !== digest) {
      throw new UsageError(`the journal ${path} was written for another manifest`, {
        hint: "the manifest changed since that run: give --journal a new file name to start over, or restore the manifest it was written for",
      });
    }
    return new FleetJournal(path, file);
  }

  get(key: string): JournalEntry | undefined {
    return this.#file.devices[key];
  }

  /**
   * Records one device's state; resolves once a journal holding it is on disk. Writes are atomic and never
   * overlap; changes made while one is under way go out together in the next (group commit: with many
   * devices in flight, one fsync'd write per change was what limited a fleet run, not the devices).
   */
  async record(key: string, entry: Omit<JournalEntry, "updatedAt">): Promise<void> {
    this.#file.devices[key] = { ...entry, updatedAt: new Date().toISOString() };
    await this.#flush();
  }

  #flush(): Promise<void> {
    if (this.#queued !== undefined) return this.#queued;
    const write = (): Promise<void> => {
      this.#queued = undefined;
      // Taken when the write starts, so it holds every change recorded until now.
      const snapshot = JSON.stringify(this.#file, null, 2) + "\n";
      const written = writeAtomically(this.path, snapshot);
      this.#current = written;
      const done = () => {
        if (this.#current === written) this.#current = undefined;
      };
      written.then(done, done);
      return written;
    };
    if (this.#current === undefined) return write();
    this.#queued = this.#current.then(write, write);
    return this.#queued;
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(temp, "w", 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    const dir = await open(dirname(path), "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new StorageError(`cannot write the journal ${path}: ${whyNotWritten(error)}`, {
      cause: error,
      hint: "what was recorded before is intact; free space or choose another --journal, then run the same command again",
    });
  }
}

/** The reason in words, with the errno name for searching; the temp file's name would only confuse. */
function whyNotWritten(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOSPC") return "the disk is full (ENOSPC, no space left on the device)";
  if (code === "EDQUOT") return "the disk quota is used up (EDQUOT)";
  if (code === "EROFS") return "the file system is read-only (EROFS)";
  if (code === "EACCES" || code === "EPERM") return `permission denied (${code})`;
  return (error as Error).message;
}
