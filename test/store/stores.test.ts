// The StateStore contract against both implementations.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { FileStateStore } from "../../src/device/file-store.js";
import { MemoryStateStore } from "../../src/device/memory-store.js";
import { silentLogger } from "../../src/logger.js";
import { storeSuite } from "./store-suite.js";

storeSuite("MemoryStateStore", { create: async () => new MemoryStateStore() });

const root = await mkdtemp(join(tmpdir(), "wifiprov-store-"));
after(() => rm(root, { recursive: true, force: true }));
let n = 0;
storeSuite("FileStateStore", {
  create: async () => new FileStateStore({ dir: join(root, `s${n++}`, "state"), logger: silentLogger }),
  reopen: async (store) => new FileStateStore({ dir: (store as FileStateStore).dir, logger: silentLogger }),
});
