/**
 * Tests that need a Debian package (scripts/system-packages.txt) ask here whether it is present. Outside CI a
 * missing one skips the test with the install command; in CI (CI=true) `npm test` has installed them, so a
 * missing one is an error rather than a silent skip.
 */
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

function isPresent(probe: string): boolean {
  if (probe.startsWith("/")) return existsSync(probe);
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, probe)));
}

/**
 * `{ skip: reason }` for node:test when `probe` (a command name or an absolute path) is missing, else `{}`.
 * Throws in CI, where scripts/system-deps.mjs must have installed `debianPackage`.
 */
export function needsSystemPackage(debianPackage: string, probe: string): { skip?: string } {
  if (isPresent(probe)) return {};
  const reason = `${probe} not found: install Debian's ${debianPackage} (sudo apt-get install -y ${debianPackage})`;
  if (process.env.CI)
    throw new Error(`${reason}; npm test should have installed it (scripts/system-deps.mjs)`);
  return { skip: reason };
}
