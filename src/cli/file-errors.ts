/**
 * File-system errors on a path the user gave (`qr --svg FILE`, `--state-dir`, `--networks`): said plainly as
 * what is wrong with that path, never as a bug in wifiprov.
 */
import { dirname } from "node:path";
import { StorageError } from "../errors.js";

const REASONS: Record<string, (path: string) => string> = {
  ENOENT: (path) => `the directory ${dirname(path)} does not exist`,
  ENOTDIR: (path) => `a part of ${dirname(path)} is a file, not a directory`,
  EISDIR: () => "it is a directory",
  EACCES: () => "permission denied",
  EPERM: () => "permission denied",
  EROFS: () => "the file system is read-only",
  ENOSPC: () => "the disk is full",
};

/** `cannot write FILE: <reason>`, with a hint; other errors pass through unchanged. */
export function fileWriteError(path: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = code !== undefined ? REASONS[code] : undefined;
  if (reason === undefined) return err;
  return new StorageError(`cannot write ${path}: ${reason(path)}`, {
    cause: err,
    hint: "give a file path in a directory that exists and that you can write to",
  });
}
