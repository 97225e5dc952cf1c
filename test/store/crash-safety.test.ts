// FileStateStore survives SIGKILL at random moments: the file always loads as the old or the new state.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCrashTrials } from "./crash-harness.js";

const root = await mkdtemp(join(tmpdir(), "wifiprov-crash-"));
after(() => rm(root, { recursive: true, force: true }));

test("40 SIGKILLs during a save loop never leave an unreadable or torn state file", async () => {
  // Two directories in parallel: 2 × 20 kills, each child starting in ~0.2 s.
  const reports = await Promise.all(
    [0, 1].map((lane) => runCrashTrials({ dir: join(root, `lane${lane}`), kills: 20 })),
  );
  for (const report of reports) {
    assert.equal(report.kills, 20);
    assert.ok(report.acknowledged > 0, "the children did get saves done between kills");
  }
});
