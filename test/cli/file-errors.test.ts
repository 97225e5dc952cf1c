// A file path the user gave that cannot be written is the user's path, said plainly: no "bug in wifiprov".
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./run-cli.js";

test("qr --svg to a directory that does not exist, or under a file: what is wrong with the path, exit 1", async () => {
  const dir = await mkdtemp(join(tmpdir(), "wifiprov-qr-"));
  try {
    await writeFile(join(dir, "file"), "");
    for (const [path, reason] of [
      [join(dir, "no", "such", "q.svg"), `the directory ${join(dir, "no", "such")} does not exist`],
      [join(dir, "file", "q.svg"), "is a file, not a directory"],
      [dir, "it is a directory"],
    ] as const) {
      const r = await runCli(["qr", "--name", "PROV_1", "--pop", "abcd1234", "--svg", path]);
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.stderr.includes(`error: cannot write ${path}: `) && r.stderr.includes(reason), r.stderr);
      assert.doesNotMatch(r.stderr, /bug in wifiprov|rerun with -v/);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
