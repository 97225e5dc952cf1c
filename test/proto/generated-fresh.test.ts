// The committed generated code must match what `npm run proto` produces from the .proto files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

test("src/proto/gen is up to date with src/proto/*.proto", () => {
  const out = mkdtempSync(join(tmpdir(), "wifiprov-proto-"));
  try {
    const run = spawnSync(process.execPath, ["scripts/gen-proto.mjs", "--check", out], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const committed = readdirSync("src/proto/gen").sort();
    assert.deepEqual(readdirSync(out).sort(), committed);
    for (const file of committed) {
      assert.equal(
        readFileSync(join(out, file), "utf8"),
        readFileSync(join("src/proto/gen", file), "utf8"),
        `${file} is stale: run npm run proto and commit the result`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
