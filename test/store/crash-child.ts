/**
 * Child process for the crash-safety test: `node --import tsx crash-child.ts <dir>`. Continues the sequence
 * of states found in <dir>, saving state i+1, i+2, ... as fast as it can, and prints each index after its
 * save resolved. The parent SIGKILLs it at a random moment and checks what is left on disk.
 */
import { FileStateStore } from "../../src/device/file-store.js";
import { silentLogger } from "../../src/logger.js";
import { indexOfState, stateFor } from "./crash-states.js";

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write("usage: crash-child.ts <state dir>\n");
  process.exit(2);
}
const store = new FileStateStore({ dir, logger: silentLogger });
let i = indexOfState(await store.load());
if (i === undefined) {
  process.stderr.write("crash-child: the state on disk is not one of ours\n");
  process.exit(3);
}
// Pipes are written synchronously on Linux, so every printed index really reached the parent's pipe.
process.stdout.write("ready\n");
for (;;) {
  i += 1;
  await store.save(stateFor(i));
  process.stdout.write(`${i}\n`);
}
