// User-facing text points only to what a user has: no protocol.md sections (not in the package), README
// sections that exist, and commands printed as they run in a checkout (`npx wifiprov …`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "gen" ? [] : sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** String and template literals outside comments, with their file and line. */
function literals(): { where: string; text: string }[] {
  const found: { where: string; text: string }[] = [];
  for (const file of sources(join(root, "src"))) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        const code = line.trim();
        if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) return;
        for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|`((?:[^`\\]|\\.)*)`|'((?:[^'\\]|\\.)*)'/g)) {
          found.push({ where: `${relative(root, file)}:${i + 1}`, text: m[1] ?? m[2] ?? m[3] ?? "" });
        }
      });
  }
  return found;
}

test("no user-facing text cites protocol.md or its sections", () => {
  const bad = literals().filter((l) => /protocol\.md|§/.test(l.text));
  assert.deepEqual(bad, []);
});

test("README sections named in messages exist", () => {
  const headings = readFileSync(join(root, "README.md"), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("#"))
    .map((l) => l.replace(/^#+\s*/, "").replace(/`/g, ""));
  for (const l of literals()) {
    for (const m of l.text.matchAll(/README[: ]+'([^']+)'|README: ([^)"]+)/g)) {
      const section = (m[1] ?? m[2]!).trim();
      assert.ok(
        headings.some((h) => h.startsWith(section)),
        `${l.where} names README section "${section}"`,
      );
    }
  }
});

test("commands in messages are spelled as they run in a checkout (npx wifiprov …)", () => {
  const bad = literals().filter((l) =>
    /(?<!npx )(?<![\w-])wifiprov (provision|scan|status|version|qr|device|sec2-gen-cred) --/.test(l.text),
  );
  assert.deepEqual(bad, []);
});
